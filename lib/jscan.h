/* jscan.h - a lazy JSON scanner for the hot paths: find one value by its
 * path and decode one string, without building jv values. It vouches only
 * for what it fully understands and otherwise answers "don't know", so the
 * caller falls back to libjq; tests/unit/jscan_check and the fuzz target
 * fuzz_jscan hold it equal to jv. */
#ifndef LLMPIPE_JSCAN_H
#define LLMPIPE_JSCAN_H

#include <jv.h>
#include <stddef.h>

#include "buf.h"

/* jscan_string decodes the JSON string token at s[0] (which must be '"')
 * and appends its bytes to out. It vouches only for tokens jv decodes the
 * same way for sure: valid UTF-8, no raw control characters, the escapes
 * \" \\ \/ \b \f \n \r \t and \uXXXX (surrogates only as valid pairs).
 * Returns the token's length including both quotes, or 0 (out unchanged)
 * when the token is not such a string or out would exceed its maximum. */
size_t jscan_string(const char *s, size_t n, struct buf *out);

/* jscan_uint reads the JSON number token at s[0..n) when it is a plain
 * integer jv holds exactly (no sign, fraction, exponent or leading zero;
 * at most 15 digits) into *v, and returns its length; 0 otherwise (also
 * when a digit, '.', 'e', 'E', '+' or '-' follows, as the token would then
 * be longer). */
size_t jscan_uint(const char *s, size_t n, long long *v);

/* jscan_skip returns the length of the JSON value at s[0..n) (no leading
 * whitespace), or 0 when it is malformed or nested deeper than 256. Meant
 * for text jv has already accepted: it checks structure, not every rule. */
size_t jscan_skip(const char *s, size_t n);

/* jscan_plain_object: 1 when s[0..n) is one JSON object (white space
 * around it allowed) that jv surely parses (RFC 8259 JSON, nested at most
 * 64 deep) and none of whose top-level keys is escaped or one of keys
 * (NULL-terminated); 0 otherwise, which means only "not sure". */
int jscan_plain_object(const char *s, size_t n, const char *const *keys);

/* jscan_parse builds the jv of the JSON text s[0..n) (white space around
 * it allowed) when it surely is RFC 8259 JSON that libjq parses to exactly
 * this value: strings as jscan_string vouches for them, nesting at most
 * 64 deep. Otherwise *sure is 0 and it returns jv_invalid(): ask libjq
 * (jvx_parse does). Many times faster than libjq on long strings, which
 * it copies in blocks rather than a byte at a time. */
jv jscan_parse(const char *s, size_t n, int *sure);

/* Long strings read before, for jscan_parse_with: a text that comes again
 * (a Responses stream's last events repeat the whole answer, each call's
 * arguments three times) is the same jv, shared rather than built again
 * (libjq checks a string's UTF-8 as it builds it, at about 25
 * instructions a character). Zero-initialize; jscan_strings_free. */
#define JSCAN_STRINGS 64
#define JSCAN_STRINGS_BYTES ((size_t)16 << 20) /* at most, all together */
struct jscan_strings {
	jv s[JSCAN_STRINGS];
	size_t len[JSCAN_STRINGS];
	int n;                /* oldest first */
	size_t total;
};

/* jscan_parse_with is jscan_parse, sharing the strings of at least 1 KiB
 * with those in c (which it adds them to); c may be NULL. */
jv jscan_parse_with(const char *s, size_t n, int *sure,
    struct jscan_strings *c);

/* jscan_strings_free lets go of the strings c holds (c is then empty). */
void jscan_strings_free(struct jscan_strings *c);

/* jscan_valid: 1 when s[0..n) is one JSON text (white space around it
 * allowed) that jv surely parses (RFC 8259 JSON, nested at most 64 deep);
 * 0 means only "not sure": ask libjq. */
int jscan_valid(const char *s, size_t n);

/* jscan_canonical appends the JSON text s[0..n) as libjq's dump writes it
 * (jv_dump_string(v, 0): no white space, strings escaped its way) when it
 * is sure to: RFC 8259 JSON nested at most 64 deep, integers of up to 15
 * digits, no DEL in a string, objects of at most 16 keys none repeated.
 * Returns 0, or -1 (out unchanged) when not sure or over out's maximum:
 * then parse and dump with libjq. */
int jscan_canonical(const char *s, size_t n, struct buf *out);

/* One step of a path: an object key, or an array index when key is NULL. */
struct jscan_step {
	const char *key;
	int index;
};

/* jscan_path finds the value at path in the JSON text s[0..n) and stores
 * its offset and length. Returns 0, or -1 when it is absent, when a key on
 * the path occurs twice in its object (jv would keep the last; the caller
 * should not guess), or the text is malformed. */
int jscan_path(const char *s, size_t n, const struct jscan_step *path,
    int depth, size_t *off, size_t *len);

#endif
