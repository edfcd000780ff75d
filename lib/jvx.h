/* jvx.h - small helpers over libjq's jv API.
 * jv rule: jv_* functions consume their arguments; these helpers say per
 * function whether they borrow or consume. */
#ifndef LLMPIPE_JVX_H
#define LLMPIPE_JVX_H

#include <jv.h>
#include <stddef.h>

#include "buf.h"

/* jvx_get returns obj[key] as a new reference, or jv_null() when obj is
 * not an object or has no such key. Borrows obj. */
jv jvx_get(jv obj, const char *key);

/* jvx_idx returns arr[i] as a new reference, or jv_null(). Borrows arr. */
jv jvx_idx(jv arr, int i);

/* jvx_str returns v's bytes when v is a string (borrowed: valid while v
 * lives) and stores the length in *len; NULL otherwise. Borrows v. */
const char *jvx_str(jv v, size_t *len);

/* jvx_dump appends v as compact JSON, as libjq's jv_dump_string(v, 0)
 * writes it. Consumes v. Returns 0, or -1 over b's maximum (b then as it
 * was). */
int jvx_dump(struct buf *b, jv v);

/* jvx_parse parses s[0..n) as one JSON text; an invalid jv with a message
 * when it is not JSON. The caller owns the result. */
jv jvx_parse(const char *s, size_t n);

struct jscan_strings;
/* jvx_parse_with is jvx_parse sharing long strings with c (see
 * jscan_parse_with); c may be NULL. */
jv jvx_parse_with(const char *s, size_t n, struct jscan_strings *c);

/* jvx_valid: 1 when s[0..n) is one JSON text libjq parses (jscan
 * answers when it is sure, without making a jv; libjq otherwise). */
int jvx_valid(const char *s, size_t n);

/* jvx_error_text copies an invalid jv's message into out (size n) and
 * frees v. Consumes v. */
void jvx_error_text(jv v, char *out, size_t n);

#endif
