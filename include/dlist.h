/*
 * dlist.h — unlinking a node from an intrusive doubly linked list (nodes
 * with prev and next pointers, the list known by its first node).
 */
#ifndef TELEQD_DLIST_H
#define TELEQD_DLIST_H

/*
 * Takes node n out of the list whose first node is the lvalue head. n's
 * own prev and next are left as they were (a list that also keeps its
 * last node updates it from them): the caller frees n or clears them.
 * n must be in that list.
 */
#define DLIST_UNLINK(head, n)                                             \
	do {                                                              \
		if ((n)->prev)                                            \
			(n)->prev->next = (n)->next;                      \
		else                                                      \
			(head) = (n)->next;                               \
		if ((n)->next)                                            \
			(n)->next->prev = (n)->prev;                      \
	} while (0)

#endif
