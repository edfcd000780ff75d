#include "jvx.h"
#include "jscan.h"

#include <stdio.h>
#include <string.h>

#include "jsonw.h"

jv
jvx_get(jv obj, const char *key)
{
	jv v;

	if (jv_get_kind(obj) != JV_KIND_OBJECT)
		return jv_null();
	v = jv_object_get(jv_copy(obj), jv_string(key));
	if (!jv_is_valid(v)) {
		jv_free(v);
		return jv_null();
	}
	return v;
}

jv
jvx_idx(jv arr, int i)
{
	if (jv_get_kind(arr) != JV_KIND_ARRAY || i < 0 ||
	    i >= jv_array_length(jv_copy(arr)))
		return jv_null();
	return jv_array_get(jv_copy(arr), i);
}

const char *
jvx_str(jv v, size_t *len)
{
	if (jv_get_kind(v) != JV_KIND_STRING)
		return NULL;
	if (len)
		*len = (size_t)jv_string_length_bytes(jv_copy(v));
	return jv_string_value(v);
}

/* dump_jq appends libjq's own dump of v (consumed). */
static int
dump_jq(struct buf *b, jv v)
{
	jv s = jv_dump_string(v, 0);
	int rc = buf_append(b, jv_string_value(s),
	    (size_t)jv_string_length_bytes(jv_copy(s)));

	jv_free(s);
	return rc;
}

/* jsonw_string reserves its worst case, six bytes a byte: a long string
 * goes in pieces of this many bytes, so that one near b's maximum fits */
#define DUMP_PIECE ((size_t)64 << 10)

/* dump_string appends the jv string s (borrowed) as libjq dumps it. A jv
 * string is valid UTF-8, which jsonw_string writes as libjq does (the
 * same escapes, lowercase \u00XX) except DEL, which libjq escapes and
 * JSON.stringify does not: such a string is left to libjq. */
static int
dump_string(struct buf *b, jv s)
{
	size_t n = 0, i = 0, k, at, start = b->len;
	const char *p = jvx_str(s, &n);

	if (memchr(p, 0x7f, n) != NULL)
		return dump_jq(b, jv_copy(s));
	if (n <= DUMP_PIECE)
		return jsonw_string(b, p, n);
	if (buf_putc(b, '"') == -1)
		return -1;
	while (i < n) {
		k = n - i > DUMP_PIECE ? DUMP_PIECE : n - i;
		while (i + k < n && ((unsigned char)p[i + k] & 0xC0) == 0x80)
			k--; /* cut between characters */
		at = b->len;
		if (jsonw_string(b, p + i, k) == -1) {
			/* the worst case did not fit, the string may */
			b->len = start;
			b->p[start] = '\0';
			return dump_jq(b, jv_copy(s));
		}
		/* the piece without its quotes */
		memmove(b->p + at, b->p + at + 1, b->len - at - 2);
		b->len -= 2;
		i += k;
	}
	return buf_putc(b, '"');
}

/* dump_value appends v (borrowed) as jv_dump_string(v, 0) writes it, but
 * without libjq's byte-at-a-time string output, most of the time of a
 * -j message or a whole tool call's arguments: strings by dump_string,
 * numbers by libjq (its own shortest form), objects in libjq's iteration
 * order. One difference: libjq 1.6 writes "<stripped: exceeds max
 * depth>" (not JSON) for what is nested deeper than 256, and this writes
 * the value. Held equal to libjq by tests/unit/jsonw_check and
 * fuzz_jsonw. */
static int
dump_value(struct buf *b, jv v)
{
	int i, len, rc = 0;

	switch (jv_get_kind(v)) {
	case JV_KIND_NULL:
		return buf_append(b, "null", 4);
	case JV_KIND_TRUE:
		return buf_append(b, "true", 4);
	case JV_KIND_FALSE:
		return buf_append(b, "false", 5);
	case JV_KIND_STRING:
		return dump_string(b, v);
	case JV_KIND_ARRAY:
		rc = buf_putc(b, '[');
		len = jv_array_length(jv_copy(v));
		for (i = 0; i < len && rc == 0; i++) {
			jv x = jv_array_get(jv_copy(v), i);

			if (i > 0)
				rc = buf_putc(b, ',');
			if (rc == 0)
				rc = dump_value(b, x);
			jv_free(x);
		}
		return rc ? rc : buf_putc(b, ']');
	case JV_KIND_OBJECT:
		rc = buf_putc(b, '{');
		len = 0;
		for (i = jv_object_iter(v); rc == 0 && jv_object_iter_valid(v, i);
		    i = jv_object_iter_next(v, i)) {
			jv k = jv_object_iter_key(v, i);
			jv x = jv_object_iter_value(v, i);

			if (len++ > 0)
				rc = buf_putc(b, ',');
			if (rc == 0)
				rc = dump_value(b, k);
			if (rc == 0)
				rc = buf_putc(b, ':');
			if (rc == 0)
				rc = dump_value(b, x);
			jv_free(k);
			jv_free(x);
		}
		return rc ? rc : buf_putc(b, '}');
	default:
		return dump_jq(b, jv_copy(v));
	}
}

int
jvx_dump(struct buf *b, jv v)
{
	size_t start = b->len;
	int rc = dump_value(b, v);

	jv_free(v);
	if (rc == -1 && b->p != NULL) { /* nothing half written */
		b->len = start;
		b->p[start] = '\0';
	}
	return rc;
}

jv
jvx_parse(const char *s, size_t n)
{
	return jvx_parse_with(s, n, NULL);
}

jv
jvx_parse_with(const char *s, size_t n, struct jscan_strings *c)
{
	jv v;
	int sure;

	if (n > 0x7fffffff)
		return jv_invalid_with_msg(jv_string("JSON text too large"));
	v = jscan_parse_with(s, n, &sure, c);
	return sure ? v : jv_parse_sized(s, (int)n);
}

int
jvx_valid(const char *s, size_t n)
{
	jv v;
	int ok;

	if (jscan_valid(s, n))
		return 1;
	v = jvx_parse(s, n);
	ok = jv_is_valid(v);
	jv_free(v);
	return ok;
}

void
jvx_error_text(jv v, char *out, size_t n)
{
	jv m = jv_invalid_get_msg(v);

	snprintf(out, n, "%s", jv_get_kind(m) == JV_KIND_STRING ?
	    jv_string_value(m) : "invalid JSON");
	jv_free(m);
}
