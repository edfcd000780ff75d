/* jsonw.h - fast JSON text writing into a buf (the hot output path).
 * Held equal to jv's dump by tests/unit and the fuzz targets. */
#ifndef LLMPIPE_JSONW_H
#define LLMPIPE_JSONW_H

#include <stddef.h>

#include "buf.h"

/* jsonw_string appends s[0..n) as a quoted JSON string. Bytes that are not
 * valid UTF-8 become U+FFFD exactly as the WHATWG UTF-8 decoder replaces
 * them (one per maximal invalid subpart), so the output is always valid
 * JSON. Control characters are escaped as JSON.stringify does.
 * Returns 0, or -1 when b would exceed its maximum. */
int jsonw_string(struct buf *b, const char *s, size_t n);

/* jsonw_use_shuffle turns the SSSE3 path of jsonw_string off (0) or back
 * to what the CPU allows (1): a test hook, so both paths are tested on
 * one machine. Not thread-safe; call before any writing. */
void jsonw_use_shuffle(int on);

/* jsonw_utf8_valid_prefix returns how many leading bytes of s[0..n) form
 * complete valid UTF-8; an incomplete but possibly valid sequence at the
 * end is not counted (so text split across reads can be held back). */
size_t jsonw_utf8_valid_prefix(const char *s, size_t n);

/* jsonw_plain_run returns how many leading bytes of s[0..n) are printable
 * ASCII other than '"' and '\\' (bytes a JSON string holds as they are);
 * eight bytes at a time. */
size_t jsonw_plain_run(const char *s, size_t n);

/* jsonw_utf8_seq returns the length (1..4) of the valid UTF-8 sequence at
 * s[0..n), or 0 when it is invalid or cut short. */
size_t jsonw_utf8_seq(const char *s, size_t n);

#endif
