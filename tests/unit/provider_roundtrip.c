/* provider_roundtrip - unit test of every row of the provider table, both
 * ways round. TAP.
 *
 * Stream: the message llm-mock writes for a provider (emit_message),
 * decoded by the accumulator, gives the message back: reasoning, text,
 * tool calls (id, name, arguments), finish reason and usage.
 * Request: the body llm-request builds (req_build_body), read back by
 * llm-mock's request reader (provider_last_user), gives the prompt back,
 * also after a conversation; and the table's names parse to their rows. */
#include <stdio.h>
#include <string.h>

#include "dialect.h"
#include "emit.h"
#include "jvx.h"
#include "mem.h"
#include "provider.h"
#include "req_spec.h"

static int t, failed;

static void
ok(int cond, const char *fmt, const char *name)
{
	printf("%s %d - ", cond ? "ok" : "not ok", ++t);
	printf(fmt, name);
	printf("\n");
	if (!cond)
		failed++;
}

static int
feed(void *ctx, struct ev *ev)
{
	return acc_event(ctx, ev, NULL, NULL) < 0;
}

static int
streq_jv(jv o, const char *key, const char *want)
{
	jv v = jvx_get(o, key);
	const char *s = jvx_str(v, NULL);
	int r = want ? s && strcmp(s, want) == 0 :
	    jv_get_kind(v) == JV_KIND_NULL;

	jv_free(v);
	return r;
}

static long long
usage(jv o, const char *key)
{
	jv u = jvx_get(o, "usage"), v = jvx_get(u, key);
	long long n = jv_get_kind(v) == JV_KIND_NUMBER ?
	    (long long)jv_number_value(v) : -1;

	jv_free(u);
	jv_free(v);
	return n;
}

/* stream_case: a message of text, with a tool call (with_call) and
 * reasoning before the text (with_reasoning) */
static void
stream_case(const struct provider *p, int with_call, int with_reasoning)
{
	static const char *const reasoning[] = { "Think", "ing \u00e9\n" };
	static const char *const text[] = { "Hel", "lo, ", "w\xc3\xb6rld",
		" \"quoted\"\n" };
	static const char *const args[] = { "{\"city\":", "\"Paris\"}" };
	struct emit_call call = { "call_1", "get_weather", args, 2 };
	struct emit_msg m;
	struct emit_stream s;
	struct acc *a;
	char name[128];
	jv o, calls, c0;

	memset(&m, 0, sizeof m);
	m.model = "m-1";
	m.text = text;
	m.ntext = 4;
	m.reasoning = with_reasoning ? reasoning : NULL;
	m.nreasoning = with_reasoning ? 2 : 0;
	m.calls = with_call ? &call : NULL;
	m.ncalls = with_call ? 1 : 0;
	m.input_tokens = 12;
	m.output_tokens = 34;
	emit_stream_init(&s, p->id);
	snprintf(name, sizeof name, "%s (%stext%s)", p->name,
	    with_reasoning ? "reasoning, " : "",
	    with_call ? " and a tool call" : "");
	ok(emit_message(&s, &m) == 0 && s.n > 0, "%s: llm-mock writes a stream",
	    name);
	if (p->id == DIALECT_OPENAI_RESPONSES && with_call) {
		/* the API's sequence: the arguments whole in their own
		 * function_call_arguments.done event, which the SDKs'
		 * listeners get (the accumulator does not need it) */
		size_t i, done = 0;
		static const char want[] = "\"type\":\"response.function_call_"
		    "arguments.done\"";
		static const char args_whole[] = "\"arguments\":\"{\\\"city\\\":"
		    "\\\"Paris\\\"}\"";

		for (i = 0; i < s.n; i++)
			if (memmem(s.v[i].p, s.v[i].len, want, sizeof want - 1) &&
			    memmem(s.v[i].p, s.v[i].len, args_whole,
			    sizeof args_whole - 1))
				done++;
		ok(done == 1, "%s: one function_call_arguments.done event, "
		    "the arguments whole", name);
	}
	a = acc_new(DIALECT_AUTO, 0);
	ok(emit_events(&s, s.n, feed, a) == 0, "%s: every event decodes",
	    name);
	acc_end(a, NULL, NULL);
	ok(acc_dialect(a) == p->id, "%s: detected as its own provider", name);
	ok(acc_status(a) == ACC_COMPLETE, "%s: the stream is complete", name);
	o = acc_json(a, 0);
	ok(streq_jv(o, "content", "Hello, w\xc3\xb6rld \"quoted\"\n"),
	    "%s: the text comes back", name);
	ok(streq_jv(o, "reasoning", with_reasoning ? "Thinking \u00e9\n" :
	    NULL), "%s: the reasoning comes back, and none is invented", name);
	ok(streq_jv(o, "finish_reason", with_call ? "tool_calls" : "stop"),
	    "%s: the finish reason comes back", name);
	ok(usage(o, "input_tokens") == 12 && usage(o, "output_tokens") == 34,
	    "%s: the usage comes back", name);
	calls = jvx_get(o, "tool_calls");
	c0 = jvx_idx(calls, 0);
	if (with_call) {
		jv want = jvx_parse("{\"city\":\"Paris\"}", 16),
		    got = jvx_get(c0, "arguments");
		const char *gs = jvx_str(got, NULL);
		jv gotv = gs ? jvx_parse(gs, strlen(gs)) : jv_invalid();

		ok(jv_array_length(jv_copy(calls)) == 1 &&
		    streq_jv(c0, "name", "get_weather") &&
		    jv_equal(want, gotv),
		    "%s: the tool call (name, arguments) comes back", name);
		/* ids: Gemini and Ollama streams carry none */
		ok(streq_jv(c0, "id", "call_1") || streq_jv(c0, "id", NULL),
		    "%s: the tool call's id, where the provider sends one",
		    name);
		jv_free(got);
	} else
		ok(jv_array_length(jv_copy(calls)) == 0,
		    "%s: no tool call invented", name);
	jv_free(c0);
	jv_free(calls);
	jv_free(o);
	acc_free(a);
	emit_stream_free(&s);
}

static void
request_case(const struct provider *p)
{
	struct req_params r;
	struct buf b;
	jv body, msgs;
	char name[128];

	memset(&r, 0, sizeof r);
	r.provider = p->id;
	r.model = p->default_model;
	r.system = "be brief";
	r.prompt = "what is 2 + 2?";
	r.max_tokens = -1;
	r.messages = jv_null();
	r.tools = jv_null();
	r.stream = 1;
	buf_init(&b, 0);
	body = req_build_body(&r);
	provider_last_user(p->id, body, &b);
	ok(b.len && strcmp(b.p, "what is 2 + 2?") == 0,
	    "%s: llm-mock reads llm-request's prompt back", p->name);
	ok(req_body_ready(body, p->id, 1, NULL),
	    "%s: the body it builds is ready to send as is", p->name);
	jv_free(body);

	/* after a conversation in the provider's own shape */
	snprintf(name, sizeof name, "%s", p->name);
	r.system = NULL;
	r.prompt = NULL;
	r.stream = 0;
	msgs = jv_array();
	{
		struct req_params q = r;

		q.prompt = "first question";
		body = req_build_body(&q);
		/* the provider's message list, whatever its key */
		jv list = jvx_get(body, "messages");

		if (jv_get_kind(list) != JV_KIND_ARRAY) {
			jv_free(list);
			list = jvx_get(body, "contents");
		}
		if (jv_get_kind(list) != JV_KIND_ARRAY) {
			jv_free(list);
			list = jvx_get(body, "input");
		}
		if (jv_get_kind(list) == JV_KIND_ARRAY) {
			jv_free(msgs);
			msgs = list;
		} else
			jv_free(list);
		jv_free(body);
	}
	r.messages = msgs;
	r.prompt = "second question";
	body = req_build_body(&r);
	buf_reset(&b);
	provider_last_user(p->id, body, &b);
	ok(b.len && strcmp(b.p, "second question") == 0,
	    "%s: after a conversation, the last user message comes back", name);
	ok(!req_body_ready(body, p->id, 1, NULL) || p->model_in_path,
	    "%s: a non-streaming body is not taken as a streaming one", name);
	jv_free(body);
	jv_free(msgs);
	buf_free(&b);
}

int
main(void)
{
	const struct provider *p;
	enum dialect d;
	size_t i, k;

	mem_init();
	for (i = 0; (p = provider_at(i)) != NULL; i++) {
		ok(provider_get(p->id) == p, "%s: its row is its enum's", p->name);
		ok(provider_parse(p->name, &d) == 0 && d == p->id,
		    "%s: its name parses to it", p->name);
		for (k = 0; p->alias[k]; k++)
			ok(provider_parse(p->alias[k], &d) == 0 && d == p->id,
			    "%s: each alias parses to it", p->name);
		ok(p->ops != NULL && p->content_type && p->default_model &&
		    p->default_base, "%s: its row is complete", p->name);
		stream_case(p, 0, 0);
		stream_case(p, 1, 0);
		stream_case(p, 1, 1);
		request_case(p);
	}
	ok(i == DIALECT_COUNT - 1, "%s: a row for every provider of the list",
	    "table");
	ok(provider_get(DIALECT_AUTO) == NULL, "%s: auto has no row", "table");
	ok(provider_parse("no-such", &d) == -1, "%s: an unknown name fails",
	    "table");
	printf("1..%d\n", t);
	return failed != 0;
}
