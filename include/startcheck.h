/* startcheck.h — startcheck.c: teleqd -n. Conventions: core.h. */
#ifndef TQ_STARTCHECK_H
#define TQ_STARTCHECK_H

struct config;

/* ------------------------------------------------------------ startcheck.c */
/*
 * teleqd -n, after config_load: the files the start reads, with the start's
 * own readers (a config that passes never fails to start on a file), each
 * refusal logged at error level with its file and rule; what the daemon
 * copes with at run time (a feed directory missing or unreadable, the
 * default sendmail missing) is logged as a warning. Returns the number of
 * errors (0: the start would find what it reads).
 */
int    start_check(const struct config *cfg);

#endif /* TQ_STARTCHECK_H */
