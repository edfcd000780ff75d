/* fuzz_jscan - libFuzzer target for lib/jscan, held equal to jv: whenever
 * jscan_string vouches for a token, jv decodes the same bytes; whenever
 * jscan_uint reads a number, jv reads the same; whenever
 * jscan_plain_object vouches for a text, jv parses it into an object
 * without those keys; whenever jscan_parse is sure, libjq's parse gives
 * the same jv (as it dumps); whenever jscan_canonical writes a text, it
 * is that dump, and whenever jscan_valid vouches, libjq parses it;
 * jscan_skip and jscan_path never read out of
 * bounds. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jv.h>

#include "buf.h"
#include "jscan.h"

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	static const struct jscan_step p[] = { { "choices", 0 }, { NULL, 0 },
	    { "delta", 0 }, { "content", 0 } };
	const char *s = (const char *)d;
	struct buf b;
	size_t k, off, len;

	buf_init(&b, 0);
	k = jscan_string(s, n, &b);
	if (k) {
		jv v = jv_parse_sized(s, (int)k);

		if (jv_get_kind(v) != JV_KIND_STRING ||
		    (size_t)jv_string_length_bytes(jv_copy(v)) != b.len ||
		    memcmp(jv_string_value(v), b.p, b.len) != 0)
			abort();
		jv_free(v);
	}
	buf_free(&b);
	{
		static const char *const keys[] = { "data", "comment", NULL };
		long long u;

		if ((k = jscan_uint(s, n, &u)) != 0) {
			jv v = jv_parse_sized(s, (int)k);

			if (jv_get_kind(v) != JV_KIND_NUMBER ||
			    jv_number_value(v) != (double)u)
				abort();
			jv_free(v);
		}
		if (jscan_plain_object(s, n, keys)) {
			jv v = jv_parse_sized(s, (int)n);

			if (jv_get_kind(v) != JV_KIND_OBJECT ||
			    jv_object_has(jv_copy(v), jv_string("data")) ||
			    jv_object_has(jv_copy(v), jv_string("comment")))
				abort();
			jv_free(v);
		}
	}
	{
		int sure;
		jv a = jscan_parse(s, n, &sure);

		if (sure) {
			jv b = jv_parse_sized(s, (int)n);
			jv da, db;

			if (!jv_is_valid(b))
				abort();
			da = jv_dump_string(a, 0);
			db = jv_dump_string(b, 0);
			if (strcmp(jv_string_value(da), jv_string_value(db)) != 0)
				abort();
			jv_free(da);
			jv_free(db);
		} else
			jv_free(a);
	}
	{
		struct buf c;

		buf_init(&c, 0);
		if (jscan_canonical(s, n, &c) == 0) {
			jv v = jv_parse_sized(s, (int)n), dv;

			if (!jv_is_valid(v))
				abort();
			dv = jv_dump_string(v, 0);
			if ((size_t)jv_string_length_bytes(jv_copy(dv)) != c.len ||
			    memcmp(jv_string_value(dv), c.p, c.len) != 0)
				abort();
			jv_free(dv);
		} else if (c.len != 0)
			abort();
		buf_free(&c);
		if (jscan_valid(s, n)) {
			jv v = jv_parse_sized(s, (int)n);

			if (!jv_is_valid(v))
				abort();
			jv_free(v);
		}
	}
	(void)jscan_skip(s, n);
	if (jscan_path(s, n, p, 4, &off, &len) == 0 && off + len > n)
		abort();
	return 0;
}
