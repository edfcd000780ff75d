/* buf.h - growable byte buffer with a hard maximum size */
#ifndef LLMPIPE_BUF_H
#define LLMPIPE_BUF_H

#include <stddef.h>

/* A buf owns p (free with buf_free). p is always NUL-terminated when
 * cap > 0, so text can be used as a C string. Growing beyond max fails
 * instead of using unbounded memory. */
struct buf {
	char *p;
	size_t len;
	size_t cap;
	size_t max; /* 0 means BUF_DEFAULT_MAX */
};

#define BUF_DEFAULT_MAX ((size_t)64 << 20) /* 64 MiB */

/* buf_init empties b and sets its maximum size (0: the default). */
void buf_init(struct buf *b, size_t max);

/* buf_free releases the memory; b may be reused after buf_init. */
void buf_free(struct buf *b);

/* buf_reserve makes room for n more bytes. Returns 0, or -1 when len + n
 * would exceed max (b is unchanged). Dies on out of memory. */
int buf_reserve(struct buf *b, size_t n);

/* buf_append copies n bytes to the end. Returns 0, or -1 over max. */
int buf_append(struct buf *b, const void *p, size_t n);

/* buf_putc appends one byte. Returns 0, or -1 over max. */
int buf_putc(struct buf *b, int c);

/* buf_puts appends a C string. Returns 0, or -1 over max. */
int buf_puts(struct buf *b, const char *s);

/* buf_printf appends formatted text. Returns 0, or -1 over max. */
int buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* buf_put_pct appends the C string s percent-encoded: every byte but
 * RFC 3986's unreserved ones (ALPHA DIGIT - . _ ~) as %XX, upper-case
 * hex. The one encoder of URL parts (llm-request's Gemini model path,
 * llm-mock's logged query). Returns 0, or -1 over max. */
int buf_put_pct(struct buf *b, const char *s);

/* buf_put_base64 appends p[0..n) in base64 (RFC 4648, padded);
 * buf_put_unbase64 appends the bytes the base64 text s[0..n) stands for,
 * or returns -1 (b unchanged) when it is not base64. Both return 0, or
 * -1 over max. llm-mock --record's bytes that are not UTF-8. */
int buf_put_base64(struct buf *b, const char *p, size_t n);
int buf_put_unbase64(struct buf *b, const char *s, size_t n);

/* buf_reset sets len to 0 and keeps the memory. */
void buf_reset(struct buf *b);

#endif
