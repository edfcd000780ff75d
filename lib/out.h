/* out.h - the tools' standard output: whole records, flushed before any
 * read can block, with the coreutils policy on errors.
 *
 * Policy (the same for every tool): a reader that went away (EPIPE) ends
 * the process at once and quietly by SIGPIPE, as cat does; any other
 * write error, including a failing final flush or close (> /dev/full),
 * is reported as "prog: write error: reason" and exits 1. */
#ifndef LLMPIPE_OUT_H
#define LLMPIPE_OUT_H

#include <stddef.h>
#include <stdnoreturn.h>
#include <string.h>

#include "buf.h"

/* out_buf is the pending output, for code that formats in place (jsonw).
 * Call out_maybe_flush after each record appended to it. */
extern struct buf out_buf;

/* out_write appends n bytes to the pending output. */
void out_write_slow(const void *p, size_t n);
static inline void
out_write(const void *p, size_t n)
{
	/* the common small append, without a call (hot in every tool) */
	if (out_buf.cap - out_buf.len > n) {
		memcpy(out_buf.p + out_buf.len, p, n);
		out_buf.len += n;
		out_buf.p[out_buf.len] = '\0';
	} else
		out_write_slow(p, n);
}

/* out_puts appends a C string. */
void out_puts(const char *s);

/* out_maybe_flush writes the pending output when it has grown large. */
void out_maybe_flush(void);

/* out_flush writes all pending output to fd 1 now. */
void out_flush(void);

/* out_write_now writes p straight to fd 1 (after any pending output),
 * for pass-through tools. */
void out_write_now(const void *p, size_t n);

/* out_close flushes and closes stdout, dying on any error. Call once,
 * last, on every exit path that wants its output to count. */
void out_close(void);

/* print_version writes "prog (llmpipe) VERSION" to stdout and exits 0.
 * (Here, not in err.h: they write through out, which reports its errors
 * through err; err itself writes only to stderr.) */
noreturn void print_version(void);

/* print_help writes the usage text to stdout and exits 0. */
noreturn void print_help(const char *usage_text);

/* write_all writes all n bytes to fd, retrying on EINTR and short writes.
 * Returns 0 or -1 with errno set. */
int write_all(int fd, const void *p, size_t n);

#endif
