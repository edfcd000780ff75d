/* mem.h - allocation that dies on exhaustion, and jv's out-of-memory hook */
#ifndef LLMPIPE_MEM_H
#define LLMPIPE_MEM_H

#include <stddef.h>

/* x* allocate or die with "prog: out of memory" (status 1). The caller
 * owns the result and frees it with free(). */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xmemdup(const void *p, size_t n); /* NUL-terminated copy */

/* mem_init installs a jv out-of-memory handler that reports the failure
 * before exiting, instead of libjq's silent abort. Call once from main. */
void mem_init(void);

/* mem_fail_hook: when LLMPIPE_FAIL_ALLOC=N is set in the environment, the
 * N-th allocation made through x* fails (test mode for allocation
 * failure). Read once by mem_init. */

#endif
