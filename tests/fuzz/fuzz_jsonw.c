/* fuzz_jsonw - libFuzzer target for lib/jsonw, held equal to jv: whatever
 * the bytes, the output parses with jv as a string, and valid UTF-8 comes
 * back byte for byte; and when the bytes are a JSON text, jvx_dump writes
 * its value exactly as libjq's own dump does. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jv.h>

#include "buf.h"
#include "jsonw.h"
#include "jvx.h"

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	struct buf b;
	jv v;

	buf_init(&b, 0);
	if (jsonw_string(&b, (const char *)d, n) != 0)
		abort();
	v = jv_parse_sized(b.p, (int)b.len);
	if (jv_get_kind(v) != JV_KIND_STRING)
		abort();
	if (jsonw_utf8_valid_prefix((const char *)d, n) == n) {
		/* all complete sequences; is it entirely valid? compare when
		 * jv's own dump of the string equals ours */
		jv s = jv_string_sized((const char *)d, (int)n);
		jv dumped = jv_dump_string(jv_copy(s), 0);

		if (jv_equal(jv_copy(s), jv_copy(v)) &&
		    (strlen(jv_string_value(dumped)) != b.len ||
		    memcmp(jv_string_value(dumped), b.p, b.len) != 0)) {
			/* same string, different text: only the escapes of
			 * DEL and of controls may differ in case */
			if (memchr(d, 0x7f, n) == NULL)
				abort();
		}
		jv_free(s);
		jv_free(dumped);
	}
	jv_free(v);
	v = jv_parse_sized((const char *)d, (int)n);
	if (jv_is_valid(v)) {
		jv dumped = jv_dump_string(jv_copy(v), 0);

		buf_reset(&b);
		if (jvx_dump(&b, v) != 0 ||
		    (size_t)jv_string_length_bytes(jv_copy(dumped)) != b.len ||
		    memcmp(jv_string_value(dumped), b.p, b.len) != 0)
			abort();
		jv_free(dumped);
	} else
		jv_free(v);
	buf_free(&b);
	return 0;
}
