/* conv_roundtrip - a conversation file, both ways round, for every row of
 * the provider table. TAP.
 *
 * Usage: conv_roundtrip FILE...
 * Each FILE is read as llm-request --conversation reads it (conv_load),
 * turned into each provider's request body (conv_request, req_build_body)
 * and read back as llm-mock reads a body (conv_from_body): what comes
 * back is the conversation as a request carries it (conv_norm), its
 * system messages joined into one and the provider_data of another
 * provider left out. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conv.h"
#include "conv_file.h"
#include "jvx.h"
#include "mem.h"
#include "provider.h"
#include "req_spec.h"

static int t, failed;

/* expected: what d should give back of conv */
static jv
expected(jv conv, enum dialect d, const char *system)
{
	jv out = jv_array(), m;
	const char *role, *from;
	int i, len = jv_array_length(jv_copy(conv));

	if (system)
		out = jv_array_append(out, conv_msg("system",
		    jv_string(system)));
	for (i = 0; i < len; i++) {
		m = jv_array_get(jv_copy(conv), i);
		role = conv_str(m, "role");
		from = conv_str(m, "provider");
		if (strcmp(role, "system") == 0) {
			jv_free(m);
			continue;
		}
		if (from == NULL || strcmp(from, provider_get(d)->name) != 0)
			m = jv_object_delete(m, jv_string("provider_data"));
		out = jv_array_append(out, m);
	}
	m = conv_norm(out);
	jv_free(out);
	return m;
}

static void
one(const char *path, jv conv, enum dialect d)
{
	struct req_params r;
	char *system;
	jv msgs, body, back, want;
	int dropped, same;

	conv_request(d, conv, &msgs, &system, &dropped);
	memset(&r, 0, sizeof r);
	r.provider = d;
	r.model = "m";
	r.system = system;
	r.max_tokens = -1;
	r.messages = msgs;
	r.tools = jv_null();
	r.stream = 1;
	body = req_build_body(&r);
	/* arguments are compared as JSON: Anthropic, Gemini and Ollama
	 * carry them as objects */
	want = conv_from_body(d, body);
	back = conv_norm(want);
	jv_free(want);
	want = expected(conv, d, system);
	same = jv_equal(jv_copy(back), jv_copy(want));
	printf("%s %d - %s: %s (%d provider_data left out)\n",
	    same ? "ok" : "not ok", ++t, path, provider_get(d)->name,
	    dropped);
	if (!same) {
		jv s;

		failed++;
		s = jv_dump_string(jv_copy(want), 0);
		printf("# want %s\n", jv_string_value(s));
		jv_free(s);
		s = jv_dump_string(jv_copy(back), 0);
		printf("# got  %s\n", jv_string_value(s));
		jv_free(s);
		s = jv_dump_string(jv_copy(body), 0);
		printf("# body %s\n", jv_string_value(s));
		jv_free(s);
	}
	jv_free(back);
	jv_free(want);
	jv_free(body);
	jv_free(msgs);
	free(system);
}

int
main(int argc, char **argv)
{
	const struct provider *p;
	char err[600];
	jv conv;
	int i;
	size_t k;

	mem_init();
	for (i = 1; i < argc; i++) {
		if (conv_load(argv[i], &conv, err, sizeof err) == -1) {
			printf("not ok %d - %s\n", ++t, err);
			failed++;
			continue;
		}
		for (k = 0; (p = provider_at(k)) != NULL; k++)
			one(argv[i], conv, p->id);
		jv_free(conv);
	}
	printf("1..%d\n", t);
	return failed != 0;
}
