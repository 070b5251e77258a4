/*
 * dlist.h — unlinking a node from an intrusive doubly linked list (nodes
 * with prev and next pointers, the list known by its first node).
 */
#ifndef TELEQD_DLIST_H
#define TELEQD_DLIST_H

/*
 * Takes node n out of the list whose first node is the lvalue head, and
 * when tail is not NULL out of *tail too (a list that keeps its last node).
 * n's own prev and next are left as they were: the caller frees n or
 * clears them. n must be in that list.
 */
#define DLIST_UNLINK_TAIL(head, tail, n)                                  \
	do {                                                              \
		if ((n)->prev)                                            \
			(n)->prev->next = (n)->next;                      \
		else                                                      \
			(head) = (n)->next;                               \
		if ((n)->next)                                            \
			(n)->next->prev = (n)->prev;                      \
		else if (tail)                                            \
			*(tail) = (n)->prev;                              \
	} while (0)

/* DLIST_UNLINK_TAIL for a list that does not keep its last node. */
#define DLIST_UNLINK(head, n) DLIST_UNLINK_TAIL(head, (void **)0, n)

#endif
