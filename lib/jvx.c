#include "jvx.h"

#include <stdio.h>
#include <string.h>

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

int
jvx_dump(struct buf *b, jv v)
{
	jv s = jv_dump_string(v, 0);
	int rc = buf_append(b, jv_string_value(s),
	    (size_t)jv_string_length_bytes(jv_copy(s)));

	jv_free(s);
	return rc;
}

jv
jvx_parse(const char *s, size_t n)
{
	if (n > 0x7fffffff)
		return jv_invalid_with_msg(jv_string("JSON text too large"));
	return jv_parse_sized(s, (int)n);
}

void
jvx_error_text(jv v, char *out, size_t n)
{
	jv m = jv_invalid_get_msg(v);

	snprintf(out, n, "%s", jv_get_kind(m) == JV_KIND_STRING ?
	    jv_string_value(m) : "invalid JSON");
	jv_free(m);
}
