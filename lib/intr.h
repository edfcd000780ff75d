/* intr.h - SIGINT as the end of the input, for the tools that read a
 * stream or wait on the network: a self-pipe wakes whatever waits, what
 * arrived is still assembled, reported and written, and the tool exits 130
 * (LP_EXIT_SIGINT). A second SIGINT kills at once. */
#ifndef LLMPIPE_INTR_H
#define LLMPIPE_INTR_H

#include <sys/types.h>

/* intr_catch installs the handler (SA_RESETHAND, no SA_RESTART) and the
 * self-pipe, unless SIGINT is ignored: a shell starts a script's
 * background jobs so, and that is kept, as the Unix tools do. Call it
 * before the input is opened or a child started, so that no SIGINT is lost
 * in between. Idempotent. */
void intr_catch(void);

/* intr_fd is the read end of the self-pipe: readable once SIGINT came, so
 * a poll(2) on it beside the input never sleeps through one. -1 when no
 * handler is installed. */
int intr_fd(void);

/* intr_child names a child that is sent the SIGINT too (-1: none); a
 * SIGINT that came before the call is passed on at once. */
void intr_child(pid_t child);

/* intr_caught tells whether a SIGINT arrived. */
int intr_caught(void);

/* intr_restore_default gives SIGINT back the action it had before
 * intr_catch, for a child between fork and exec. */
void intr_restore_default(void);

#endif
