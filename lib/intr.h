/* intr.h - SIGINT as the end of the input, for the tools that read a
 * stream: what arrived is still assembled, reported and written, and the
 * tool exits 130 (LP_EXIT_SIGINT). A second SIGINT kills at once. */
#ifndef LLMPIPE_INTR_H
#define LLMPIPE_INTR_H

#include <sys/types.h>

/* intr_catch installs the handler (no SA_RESTART, SA_RESETHAND). Call it
 * before the input is opened or a child started, so that no SIGINT is
 * lost in between. Idempotent. */
void intr_catch(void);

/* intr_input names the input being read: on SIGINT the handler puts
 * /dev/null in its place with dup2, so the interrupted read, retried,
 * sees the end. child, when > 0, is sent the SIGINT too. A SIGINT that
 * came before the call is applied at once. intr_input(-1, -1) forgets
 * both (before fd is closed and its number reused). */
void intr_input(int fd, pid_t child);

/* intr_caught tells whether a SIGINT arrived. */
int intr_caught(void);

/* intr_restore_default gives SIGINT back the action it had before
 * intr_catch, for a child between fork and exec. */
void intr_restore_default(void);

#endif
