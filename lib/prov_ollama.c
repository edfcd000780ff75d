/* prov_ollama.c - the Ollama dialect: decoder and the final object. */
#include "prov_priv.h"

/* --------------------------------------------------------------- ollama */

static int
oll_event(struct acc *a, struct ev *ev, jv j)
{
	jv v, msg;
	const char *s;
	size_t n;
	struct choice *c;
	int rc = 0;

	if (ev_is_done(ev))
		return fold_simple(a, DELTA_DONE);
	if (jv_get_kind(j) != JV_KIND_OBJECT)
		return 0;
	v = jvx_get(j, "error");
	if (jv_get_kind(v) != JV_KIND_NULL) {
		rc = fold_error(a, v);
		jv_free(v);
		return rc;
	}
	jv_free(v);
	if ((c = choice_at(a, 0)) == NULL)
		return a->fail;
	c->seen = 1;
	jv_free(a->top);
	a->top = jv_copy(j);
	set_meta(a, NULL, nestr(j, "model", NULL));
	msg = jvx_get(j, "message");
	if (jv_get_kind(msg) == JV_KIND_OBJECT) {
		jv tcs = jvx_get(msg, "tool_calls");
		int i, len;

		if ((s = nestr(msg, "role", &n)) != NULL)
			setstr(&c->role, s, n);
		s = str(msg, "thinking", &n);
		rc = fold_text(a, DELTA_REASONING, 0, s, n);
		s = str(msg, "content", &n);
		if (rc == 0)
			rc = fold_text(a, DELTA_TEXT, 0, s, n);
		len = jv_get_kind(tcs) == JV_KIND_ARRAY ?
		    jv_array_length(jv_copy(tcs)) : 0;
		for (i = 0; i < len && rc == 0; i++) {
			jv tc = jv_array_get(jv_copy(tcs), i);
			jv fn = jvx_get(tc, "function");

			rc = fold_whole_call(a, 0, nestr(tc, "id", NULL),
			    nestr(fn, "name", NULL), jvx_get(fn, "arguments"), 1);
			if (!jv_is_valid(c->ollama_calls)) {
				jv_free(c->ollama_calls);
				c->ollama_calls = jv_array();
			}
			c->ollama_calls = jv_array_append(c->ollama_calls, tc);
			jv_free(fn);
		}
		jv_free(tcs);
	} else {
		a->ollama_generate = 1;
		s = str(j, "thinking", &n);
		rc = fold_text(a, DELTA_REASONING, 0, s, n);
		s = str(j, "response", &n);
		if (rc == 0)
			rc = fold_text(a, DELTA_TEXT, 0, s, n);
	}
	jv_free(msg);
	v = jvx_get(j, "done");
	if (rc == 0 && jv_get_kind(v) == JV_KIND_TRUE) {
		const char *why = nestr(j, "done_reason", NULL);

		rc = fold_finish(a, 0, streq(why, "stop") && c->ncalls ?
		    "tool_calls" : why ? why : "stop", why,
		    why ? strlen(why) : 0);
		if (rc == 0)
			rc = fold_usage(a, num(j, "prompt_eval_count"),
			    num(j, "eval_count"), -1, -1);
		if (rc == 0)
			rc = fold_simple(a, DELTA_DONE);
	}
	jv_free(v);
	return rc;
}

static jv
oll_native(const struct acc *a)
{
	const struct choice *c = a->ch[0];
	jv out = jv_is_valid(a->top) ? jv_copy(a->top) : jv_object();

	if (c == NULL)
		return out;
	if (a->ollama_generate) {
		out = jv_object_set(out, jv_string("response"),
		    jstr(&c->content));
		if (c->has_reasoning)
			out = jv_object_set(out, jv_string("thinking"),
			    jstr(&c->reasoning));
	} else {
		jv msg = jvx_get(out, "message");

		if (jv_get_kind(msg) != JV_KIND_OBJECT) {
			jv_free(msg);
			msg = JV_OBJECT(jv_string("role"),
			    jv_string(c->role ? c->role : "assistant"));
		}
		msg = jv_object_set(msg, jv_string("content"),
		    jstr(&c->content));
		if (c->has_reasoning)
			msg = jv_object_set(msg, jv_string("thinking"),
			    jstr(&c->reasoning));
		if (jv_is_valid(c->ollama_calls))
			msg = jv_object_set(msg, jv_string("tool_calls"),
			    jv_copy(c->ollama_calls));
		out = jv_object_set(out, jv_string("message"), msg);
	}
	return out;
}

/* ------------------------------------------------------------- writer */

static void
oll_head(struct w *w)
{
	buf_reset(&w->b);
	w_lit(w, "{\"model\":");
	w_str(w, w->model);
	w_lit(w, ",\"created_at\":\"2025-01-01T00:00:00Z\",\"message\":"
	    "{\"role\":\"assistant\",\"content\":");
}

static void
oll_write(struct w *w)
{
	const struct emit_msg *m = w->m;
	size_t i;

	for (i = 0; i < m->nreasoning; i++) {
		oll_head(w);
		w_lit(w, "\"\",\"thinking\":");
		w_str(w, m->reasoning[i]);
		w_lit(w, "},\"done\":false}");
		w_end(w, "\n");
	}
	for (i = 0; i < m->ntext; i++) {
		oll_head(w);
		w_str(w, m->text[i]);
		w_lit(w, "},\"done\":false}");
		w_end(w, "\n");
	}
	if (m->ncalls) {
		oll_head(w);
		w_lit(w, "\"\",\"tool_calls\":[");
		for (i = 0; i < m->ncalls; i++) {
			if (i)
				w_lit(w, ",");
			w_lit(w, "{\"function\":{\"name\":");
			w_str(w, m->calls[i].name);
			w_lit(w, ",\"arguments\":");
			w_args_object(w, &m->calls[i]);
			w_lit(w, "}}");
		}
		w_lit(w, "]},\"done\":false}");
		w_end(w, "\n");
	}
	oll_head(w);
	w_lit(w, "\"\"},\"done\":true,\"done_reason\":\"stop\","
	    "\"total_duration\":0,\"load_duration\":0,\"prompt_eval_count\":");
	w_num(w, w_in_tokens(m));
	w_lit(w, ",\"prompt_eval_duration\":0,\"eval_count\":");
	w_num(w, w_out_tokens(m));
	w_lit(w, ",\"eval_duration\":0}");
	w_end(w, "\n");
}

static void
oll_write_error(struct w *w)
{
	buf_reset(&w->b);
	w_lit(w, "{\"error\":");
	w_str(w, W_OVERLOADED);
	w_lit(w, "}");
	w_end(w, "\n");
}

static int
oll_error_body(struct buf *b, int status, const char *message)
{
	int rc = 0;
	(void)status;

	rc |= LIT(b, "{\"error\":");
	rc |= jsonw_string(b, message, strlen(message));
	rc |= LIT(b, "}");
	return rc;
}

/* -------------------------------------------------------------- detect */

static int
oll_detect(const char *type, const char *dtype, jv j)
{
	(void)type;
	(void)dtype;

	return jv_get_kind(j) == JV_KIND_OBJECT &&
	    jv_object_has(jv_copy(j), jv_string("done")) &&
	    (jv_object_has(jv_copy(j), jv_string("message")) ||
	    jv_object_has(jv_copy(j), jv_string("response")));
}

/* ------------------------------------------------------------- request */

/* oll_req_host appends http:// and an OLLAMA_HOST-style
 * "host[:port][/path]" (no scheme) as Ollama's own client reads it: an empty host is 127.0.0.1,
 * a missing port is 11434, a bare IPv6 address gets brackets. */
static void
oll_req_host(struct buf *b, const char *s, size_t n)
{
	size_t hl = 0, colons = 0, i;

	buf_puts(b, "http://");
	while (hl < n && s[hl] != '/')
		hl++;
	for (i = 0; i < hl; i++)
		colons += s[i] == ':';
	if (hl == 0)
		buf_puts(b, "127.0.0.1:11434");
	else if (s[0] == '[') {
		buf_append(b, s, hl);
		if (s[hl - 1] == ']')
			buf_puts(b, ":11434");
	} else if (colons > 1) {
		buf_putc(b, '[');
		buf_append(b, s, hl);
		buf_puts(b, "]:11434");
	} else {
		if (s[0] == ':')
			buf_puts(b, "127.0.0.1");
		buf_append(b, s, hl);
		if (colons == 0)
			buf_puts(b, ":11434");
	}
	buf_append(b, s + hl, n - hl);
}


static jv
oll_req_body(const struct req_params *r, jv msgs)
{
	jv body = jv_object_set(jv_object(), jv_string("model"),
	    jv_string(r->model));

	return jv_object_set(body, jv_string("messages"),
	    req_chat_messages(r, msgs));
}

/* think: false, or the level (which ollama-js types and gpt-oss takes;
 * other thinking models take it as true). */
static jv
oll_req_opts(jv body, const struct req_params *r)
{
	body = req_options(body, "options", "num_predict", r);
	if (r->reasoning == REQ_REASON_UNSET)
		return body;
	return jv_object_set(body, jv_string("think"), req_level(r) ?
	    jv_string(req_level(r)) : jv_false());
}

static int
oll_req_check(const struct req_params *r, struct buf *why)
{
	return req_check_common(r, 100, 0, why);
}

/* Ollama streams unless told not to. */
static int
oll_req_ready(jv body, int stream)
{
	return req_stream_ok(body, stream,
	    prov_ollama.stream_default);
}

static void
oll_last_user(jv body, struct buf *b)
{
	req_last_user(body, "messages", "content", 0, b);
}

/* ----------------------------------------------------------- fast path */

/* A message chunk (or a generate chunk): only its created_at changes,
 * and the last object is kept whole, so the last one goes into a->top. */
static int
oll_fast(struct acc *a, jv j, struct fast_spec *fs)
{
	static const struct jscan_step content[] = { { "message", 0 },
	    { "content", 0 } };
	static const struct jscan_step thinking[] = { { "message", 0 },
	    { "thinking", 0 } };
	static const struct jscan_step response[] = { { "response", 0 } };
	static const struct jscan_step gthinking[] = { { "thinking", 0 } };
	static const struct jscan_step created[] = { { "created_at", 0 } };
	int msg = kind(j, "message") == JV_KIND_OBJECT;

	/* a chat chunk after one without "message" (which made the stream
	 * a generate one): the native body then shows that chunk's message
	 * as it came, a field the template does not carry */
	if (a->ev_kind == DELTA_TOOL_CALL || (msg && a->ollama_generate))
		return 0;
	fs->depth = msg ? 2 : 1;
	if (a->ev_kind == DELTA_TEXT)
		fs->paths[0] = msg ? content : response;
	else
		fs->paths[0] = msg ? thinking : gthinking;
	fs->more[0].path = created;
	fs->more[0].depth = 1;
	fs->more[0].top = 1;
	return 1;
}

static jv
oll_conv_encode(jv conv)
{
	return conv_chat_encode(conv, 1);
}

static jv
oll_conv_decode(jv body)
{
	return conv_chat_decode(body, "messages");
}

/* oll_reshape: /api/generate answers {"response","thinking"} lines,
 * /api/chat {"message":{"role","content","thinking","tool_calls"}}
 * lines; a capture of one served on the other is rewritten line by line
 * (the other fields kept in their order), never left to read as empty. */
static int
oll_reshape(const char *url, const char *p, size_t n, struct buf *out)
{
	int gen = strcmp(url, "/api/generate") == 0;
	jv j = jvx_parse(p, n), o, msg, v;
	int it, done = 0;

	if (jv_get_kind(j) != JV_KIND_OBJECT || (gen ?
	    !jv_object_has(jv_copy(j), jv_string("message")) :
	    !jv_object_has(jv_copy(j), jv_string("response")))) {
		jv_free(j);
		return 0;
	}
	o = jv_object();
	msg = jvx_get(j, "message");
	for (it = jv_object_iter(j); jv_object_iter_valid(j, it);
	    it = jv_object_iter_next(j, it)) {
		jv k = jv_object_iter_key(j, it);
		const char *ks = jv_string_value(k);

		v = jv_object_iter_value(j, it);
		if (gen && strcmp(ks, "message") == 0) {
			jv c = jvx_get(msg, "content");

			if (jv_get_kind(c) != JV_KIND_STRING) {
				jv_free(c);
				c = jv_string("");
			}
			o = jv_object_set(o, jv_string("response"), c);
			if (jv_object_has(jv_copy(msg), jv_string("thinking")))
				o = jv_object_set(o, jv_string("thinking"),
				    jvx_get(msg, "thinking"));
			jv_free(v);
			jv_free(k);
			continue;
		}
		if (!gen && (strcmp(ks, "thinking") == 0 ||
		    strcmp(ks, "context") == 0)) {
			jv_free(v);
			jv_free(k);
			continue;
		}
		if (!gen && strcmp(ks, "response") == 0 && !done) {
			jv m = JV_OBJECT(jv_string("role"),
			    jv_string("assistant"), jv_string("content"), v);

			if (jv_object_has(jv_copy(j), jv_string("thinking")))
				m = jv_object_set(m, jv_string("thinking"),
				    jvx_get(j, "thinking"));
			o = jv_object_set(o, jv_string("message"), m);
			done = 1;
			jv_free(k);
			continue;
		}
		o = jv_object_set(o, k, v);
	}
	jv_free(msg);
	jv_free(j);
	buf_reset(out);
	if (jvx_dump(out, o) == -1 || buf_putc(out, '\n') == -1)
		return 0; /* too large to reshape: served as it came */
	return 1;
}

static const struct prov_ops ollama_ops = {
	.detect = oll_detect, .event = oll_event, .native = oll_native,
	.write = oll_write, .write_error = oll_write_error,
	.error_body = oll_error_body,
	.req_host = oll_req_host,
	.req_body = oll_req_body, .req_ready = oll_req_ready,
	.req_opts = oll_req_opts, .req_check = oll_req_check,
	.req_tools = req_tools_nested,
	.req_finish = req_stream_flag, .last_user = oll_last_user,
	.conv_encode = oll_conv_encode, .conv_decode = oll_conv_decode,
	.reshape = oll_reshape, .fast = oll_fast,
};

/* The row of the provider table (provider.h): its facts. */
static const char *const ollama_paths[] = { "/api/chat", "/api/generate",
	NULL };
static const char *const ollama_models[] = { "/api/tags", NULL };

const struct provider prov_ollama = {
	.id = DIALECT_OLLAMA, .name = "ollama",
	.content_type = "application/x-ndjson", .ndjson = 1,
	.default_base = "http://127.0.0.1:11434",
	.base_env = "OLLAMA_HOST", .default_model = "llama3.2",
	.api_path = "/api/chat",
	.key_header = "Authorization", .key_prefix = "Bearer ",
	.stream_default = 1,
	.paths = ollama_paths, .models_paths = ollama_models,
	.models_body = "{\"models\":[{\"name\":\"llm-mock\","
	    "\"model\":\"llm-mock\",\"modified_at\":\"2025-01-01T00:00:00Z\","
	    "\"size\":0}]}",
	.ops = &ollama_ops,
};
