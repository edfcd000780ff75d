/* prov_anthropic.c - the Anthropic Messages dialect: decoder and the
 * Message native body. */
#include "prov_priv.h"

/* ------------------------------------------------------------ anthropic */

static const char *
norm_anthropic_finish(const char *r)
{
	if (streq(r, "end_turn") || streq(r, "stop_sequence"))
		return "stop";
	if (streq(r, "max_tokens") ||
	    streq(r, "model_context_window_exceeded"))
		return "length";
	if (streq(r, "tool_use"))
		return "tool_calls";
	if (streq(r, "refusal"))
		return "content_filter";
	return r;
}

static const char *
block_field(const char *type)
{
	if (streq(type, "text"))
		return "text";
	if (streq(type, "thinking"))
		return "thinking";
	return NULL;
}

static int
anth_usage(struct acc *a)
{
	jv u = jvx_get(a->top, "usage");
	int rc = 0;

	if (jv_get_kind(u) == JV_KIND_OBJECT) {
		long long in = num(u, "input_tokens");

		rc = fold_usage(a, in, num(u, "output_tokens"), -1,
		    num(u, "cache_read_input_tokens"));
	}
	jv_free(u);
	return rc;
}

/* anth_block_start: take a content block (consumed) as the next slot. */
static int
anth_block_start(struct acc *a, jv block)
{
	const char *type = str(block, "type", NULL);
	struct slot *s;
	struct choice *c;
	int rc;

	if (a->nitems >= MAX_ITEMS) {
		jv_free(block);
		return fail(a, ACC_ERR_INDEX, 0, "too many content blocks");
	}
	a->items = grow(a->items, a->nitems, &a->capitems, sizeof *a->items);
	s = &a->items[a->nitems++];
	if ((rc = slot_set(a, s, block, block_field(type))) != 0)
		return rc;
	type = str(s->obj, "type", NULL);
	if (streq(type, "text"))
		return fold_text(a, DELTA_TEXT, 0, s->text.p, s->text.len);
	if (streq(type, "thinking"))
		return fold_text(a, DELTA_REASONING, 0, s->text.p, s->text.len);
	if (streq(type, "tool_use")) {
		if ((c = choice_at(a, 0)) == NULL)
			return a->fail;
		s->call = c->ncalls;
		return fold_call(a, 0, s->call, nestr(s->obj, "id", NULL),
		    nestr(s->obj, "name", NULL), NULL, 0);
	}
	return 0;
}

static int
anth_delta(struct acc *a, jv j)
{
	long long i = index_of(j, "index", -1);
	jv d = jvx_get(j, "delta");
	const char *dt = str(d, "type", NULL), *type, *t;
	struct slot *s;
	size_t n;
	int rc = 0;

	if (i < 0 || i >= a->nitems) {
		/* a delta for a block that never started: its text is still
		 * written where it streams (nothing is lost), but it has no
		 * place in the message, so it is an index error */
		if (streq(dt, "text_delta") &&
		    (t = str(d, "text", &n)) != NULL)
			rc = fold_text(a, DELTA_TEXT, 0, t, n);
		else if (streq(dt, "thinking_delta") &&
		    (t = str(d, "thinking", &n)) != NULL)
			rc = fold_text(a, DELTA_REASONING, 0, t, n);
		jv_free(d);
		return rc ? rc : fail(a, ACC_ERR_INDEX, 0, "content_block_delta "
		    "for a block that never started (index out of range)");
	}
	s = &a->items[i];
	type = str(s->obj, "type", NULL);
	if (streq(dt, "text_delta") && streq(type, "text")) {
		if ((t = str(d, "text", &n)) != NULL) {
			s->has_field = 1;
			rc = app_text(a, &s->text, t, n);
			if (rc == 0)
				rc = fold_text(a, DELTA_TEXT, 0, t, n);
		}
	} else if (streq(dt, "citations_delta") && streq(type, "text")) {
		if (!jv_is_valid(s->citations)) {
			jv_free(s->citations);
			s->citations = jvx_get(s->obj, "citations");
			if (jv_get_kind(s->citations) != JV_KIND_ARRAY) {
				jv_free(s->citations);
				s->citations = jv_array();
			}
		}
		s->citations = jv_array_append(s->citations,
		    jvx_get(d, "citation"));
	} else if (streq(dt, "input_json_delta") &&
	    (streq(type, "tool_use") || streq(type, "server_tool_use"))) {
		if ((t = str(d, "partial_json", &n)) != NULL) {
			s->has_json = 1;
			rc = app(a, &s->json, t, n);
			if (rc == 0 && s->call >= 0)
				rc = fold_call(a, 0, s->call, NULL, NULL, t, n);
		}
	} else if (streq(dt, "thinking_delta") && streq(type, "thinking")) {
		if ((t = str(d, "thinking", &n)) != NULL) {
			s->has_field = 1;
			rc = app_text(a, &s->text, t, n);
			if (rc == 0)
				rc = fold_text(a, DELTA_REASONING, 0, t, n);
		}
	} else if (streq(dt, "signature_delta") && streq(type, "thinking")) {
		s->obj = jv_object_set(s->obj, jv_string("signature"),
		    jvx_get(d, "signature"));
	}
	jv_free(d);
	return rc;
}

static int
anth_block_stop(struct acc *a, jv j)
{
	long long i = index_of(j, "index", -1);
	struct slot *s;
	struct choice *c;
	struct tcall *t;

	if (i < 0 || i >= a->nitems || a->items[i].call < 0)
		return 0;
	s = &a->items[i];
	if ((c = choice_at(a, 0)) == NULL || s->call >= c->ncalls)
		return 0;
	t = &c->calls[s->call];
	if (t->args.len == 0) {
		/* No fragments: the input is the start block's ({}). */
		jv in = jvx_get(s->obj, "input");
		jv dump = jv_dump_string(jv_get_kind(in) == JV_KIND_NULL ?
		    jv_object() : in, 0);
		size_t n;
		const char *p = jvx_str(dump, &n);

		if (app(a, &t->args, p, n)) {
			jv_free(dump);
			return a->fail;
		}
		jv_free(dump);
	}
	if (!t->complete) {
		t->complete = 1;
		a->calls_dirty = 1;
	}
	return 0;
}

/* anth_set: message[key] = v, or delete it when v is null/absent (the
 * SDK assigns undefined, which JSON leaves out). */
static jv
anth_set(jv obj, const char *key, jv v, int keep_null)
{
	if (!jv_is_valid(v) || (!keep_null && jv_get_kind(v) == JV_KIND_NULL)) {
		jv_free(v);
		return jv_object_delete(obj, jv_string(key));
	}
	return jv_object_set(obj, jv_string(key), v);
}

static int
anth_message_delta(struct acc *a, jv j)
{
	static const char *const opt[] = { "input_tokens",
		"cache_creation_input_tokens", "cache_read_input_tokens",
		"server_tool_use", "output_tokens_details", NULL };
	jv d = jvx_get(j, "delta"), u = jvx_get(j, "usage"), mu, v;
	const char *why;
	int i, rc;

	if (!jv_is_valid(a->top))
		a->top = JV_OBJECT(jv_string("content"), jv_array());
	/* delta.stop_reason etc. are assigned even when absent (a delta
	 * that is no object counts as an empty one) */
	v = jv_get_kind(d) == JV_KIND_OBJECT &&
	    jv_object_has(jv_copy(d), jv_string("stop_reason")) ?
	    jvx_get(d, "stop_reason") : jv_invalid();
	a->top = anth_set(a->top, "stop_reason", v, 1);
	v = jv_get_kind(d) == JV_KIND_OBJECT &&
	    jv_object_has(jv_copy(d), jv_string("stop_sequence")) ?
	    jvx_get(d, "stop_sequence") : jv_invalid();
	a->top = anth_set(a->top, "stop_sequence", v, 1);
	v = jv_get_kind(d) == JV_KIND_OBJECT &&
	    jv_object_has(jv_copy(d), jv_string("stop_details")) ?
	    jvx_get(d, "stop_details") : jv_invalid();
	a->top = anth_set(a->top, "stop_details", v, 1);
	v = jvx_get(d, "container");
	if (jv_get_kind(v) != JV_KIND_NULL)
		a->top = jv_object_set(a->top, jv_string("container"), v);
	else
		jv_free(v);
	mu = jvx_get(a->top, "usage");
	if (jv_get_kind(mu) != JV_KIND_OBJECT) {
		jv_free(mu);
		mu = jv_object();
	}
	v = jv_get_kind(u) == JV_KIND_OBJECT &&
	    jv_object_has(jv_copy(u), jv_string("output_tokens")) ?
	    jvx_get(u, "output_tokens") : jv_invalid();
	mu = anth_set(mu, "output_tokens", v, 1);
	for (i = 0; opt[i]; i++) {
		v = jvx_get(u, opt[i]);
		if (jv_get_kind(v) != JV_KIND_NULL)
			mu = jv_object_set(mu, jv_string(opt[i]), v);
		else
			jv_free(v);
	}
	a->top = jv_object_set(a->top, jv_string("usage"), mu);
	why = nestr(d, "stop_reason", NULL);
	rc = fold_finish(a, 0, norm_anthropic_finish(why), why,
	    why ? strlen(why) : 0);
	if (rc == 0)
		rc = anth_usage(a);
	jv_free(d);
	jv_free(u);
	return rc;
}

static int
anth_event(struct acc *a, struct ev *ev, jv j)
{
	char tmp[128];
	const char *t;
	jv v;
	int i, n, rc = 0;

	if (ev_is_done(ev))
		return fold_simple(a, DELTA_DONE);
	if (jv_get_kind(j) != JV_KIND_OBJECT)
		return 0;
	t = event_type(ev, j, tmp, sizeof tmp);
	v = jvx_get(j, "error");
	if (streq(t, "error") || jv_get_kind(v) != JV_KIND_NULL) {
		rc = fold_error(a, v);
		jv_free(v);
		return rc;
	}
	jv_free(v);
	if (streq(t, "message_start")) {
		jv m = jvx_get(j, "message"), content;

		if (jv_get_kind(m) != JV_KIND_OBJECT) {
			jv_free(m);
			return 0;
		}
		items_clear(a);
		jv_free(a->top);
		content = jvx_get(m, "content");
		a->top = jv_object_set(m, jv_string("content"), jv_array());
		set_meta(a, nestr(a->top, "id", NULL),
		    nestr(a->top, "model", NULL));
		n = jv_get_kind(content) == JV_KIND_ARRAY ?
		    jv_array_length(jv_copy(content)) : 0;
		for (i = 0; i < n && rc == 0; i++)
			rc = anth_block_start(a, jv_array_get(jv_copy(content),
			    i));
		jv_free(content);
		if (rc == 0)
			rc = anth_usage(a);
		return rc;
	}
	if (streq(t, "content_block_start")) {
		/* the block is appended, as the SDK does, whatever its index;
		 * an index other than its place would send its deltas to
		 * another block: an index error */
		long long want = index_of(j, "index", a->nitems);

		rc = anth_block_start(a, jvx_get(j, "content_block"));
		if (rc == 0 && want != a->nitems - 1)
			rc = fail(a, ACC_ERR_INDEX, 0, "content_block_start index "
			    "out of order (index out of range)");
		return rc;
	}
	if (streq(t, "content_block_delta"))
		return anth_delta(a, j);
	if (streq(t, "content_block_stop"))
		return anth_block_stop(a, j);
	if (streq(t, "message_delta"))
		return anth_message_delta(a, j);
	if (streq(t, "message_stop"))
		return fold_simple(a, DELTA_DONE);
	return 0; /* ping and unknown events */
}

static jv
anth_native(const struct acc *a)
{
	jv out = jv_is_valid(a->top) ? jv_copy(a->top) :
	    JV_OBJECT(jv_string("content"), jv_array());
	jv arr = jv_array();
	int i;

	for (i = 0; i < a->nitems; i++) {
		const struct slot *s = &a->items[i];
		jv b = slot_jv(s);

		if (jv_is_valid(s->citations))
			b = jv_object_set(b, jv_string("citations"),
			    jv_copy(s->citations));
		if (s->has_json) {
			jv in = s->json.len ? jvx_parse(s->json.p, s->json.len) :
			    jv_object();

			/* invalid JSON is kept verbatim, never replaced */
			if (!jv_is_valid(in)) {
				jv_free(in);
				in = jstr(&s->json);
			}
			b = jv_object_set(b, jv_string("input"), in);
		}
		arr = jv_array_append(arr, b);
	}
	return jv_object_set(out, jv_string("content"), arr);
}

/* ------------------------------------------------------------- writer */

static void
anth_ping(struct w *w)
{
	w_sse_begin(w, "ping");
	w_lit(w, "{\"type\": \"ping\"}");
	w_end(w, "\n\n");
}

static void
anth_w_block_stop(struct w *w, size_t idx)
{
	w_sse_begin(w, "content_block_stop");
	w_lit(w, "{\"type\":\"content_block_stop\",\"index\":");
	w_num(w, (long long)idx);
	w_lit(w, "}");
	w_end(w, "\n\n");
}

/* anth_w_block: a content block's start (block: its JSON) at index idx,
 * a ping after the stream's first start, as Anthropic sends it, then one
 * delta of type dtype per fragment, the fragment in field. */
static void
anth_w_block(struct w *w, size_t idx, const char *block, int *pinged,
    const char *dtype, const char *field, const char *const *frag, size_t n)
{
	size_t i;

	w_sse_begin(w, "content_block_start");
	w_lit(w, "{\"type\":\"content_block_start\",\"index\":");
	w_num(w, (long long)idx);
	w_lit(w, ",\"content_block\":");
	w_lit(w, block);
	w_lit(w, "}");
	w_end(w, "\n\n");
	if (!*pinged) {
		anth_ping(w);
		*pinged = 1;
	}
	for (i = 0; i < n; i++) {
		w_sse_begin(w, "content_block_delta");
		w_lit(w, "{\"type\":\"content_block_delta\",\"index\":");
		w_num(w, (long long)idx);
		w_lit(w, ",\"delta\":{\"type\":\"");
		w_lit(w, dtype);
		w_lit(w, "\",\"");
		w_lit(w, field);
		w_lit(w, "\":");
		w_str(w, frag[i]);
		w_lit(w, "}}");
		w_end(w, "\n\n");
	}
}

static void
anth_write(struct w *w)
{
	const struct emit_msg *m = w->m;
	char id[128];
	size_t i, k, idx = 0;
	int pinged = 0;

	w_sse_begin(w, "message_start");
	w_lit(w, "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_");
	w_lit(w, w->id);
	w_lit(w, "\",\"type\":\"message\",\"role\":\"assistant\",\"model\":");
	w_str(w, w->model);
	w_lit(w, ",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,"
	    "\"usage\":{\"input_tokens\":");
	w_num(w, w_in_tokens(m));
	w_lit(w, ",\"cache_creation_input_tokens\":0,"
	    "\"cache_read_input_tokens\":0,\"output_tokens\":1}}}");
	w_end(w, "\n\n");
	if (m->nreasoning) {
		anth_w_block(w, idx, "{\"type\":\"thinking\",\"thinking\":\"\","
		    "\"signature\":\"\"}", &pinged, "thinking_delta",
		    "thinking", m->reasoning, m->nreasoning);
		anth_w_block_stop(w, idx++);
	}
	if (m->ntext) {
		anth_w_block(w, idx, "{\"type\":\"text\",\"text\":\"\"}",
		    &pinged, "text_delta", "text", m->text, m->ntext);
		anth_w_block_stop(w, idx++);
	}
	for (i = 0; i < m->ncalls; i++, idx++) {
		const struct emit_call *c = &m->calls[i];

		w_call_id(id, sizeof id, "toolu_mock_", c, i);
		w_sse_begin(w, "content_block_start");
		w_lit(w, "{\"type\":\"content_block_start\",\"index\":");
		w_num(w, (long long)idx);
		w_lit(w, ",\"content_block\":{\"type\":\"tool_use\",\"id\":");
		w_str(w, id);
		w_lit(w, ",\"name\":");
		w_str(w, c->name);
		w_lit(w, ",\"input\":{}}}");
		w_end(w, "\n\n");
		if (!pinged) {
			anth_ping(w);
			pinged = 1;
		}
		for (k = 0; k <= c->nargs; k++) {
			/* the first fragment is always "", as Anthropic does */
			w_sse_begin(w, "content_block_delta");
			w_lit(w, "{\"type\":\"content_block_delta\",\"index\":");
			w_num(w, (long long)idx);
			w_lit(w, ",\"delta\":{\"type\":\"input_json_delta\","
			    "\"partial_json\":");
			w_str(w, k ? c->args[k - 1] : "");
			w_lit(w, "}}");
			w_end(w, "\n\n");
		}
		anth_w_block_stop(w, idx);
	}
	if (!pinged)
		anth_ping(w);
	w_sse_begin(w, "message_delta");
	w_lit(w, "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":");
	w_lit(w, m->ncalls ? "\"tool_use\"" : "\"end_turn\"");
	w_lit(w, ",\"stop_sequence\":null},\"usage\":{\"output_tokens\":");
	w_num(w, w_out_tokens(m));
	w_lit(w, "}}");
	w_end(w, "\n\n");
	w_sse_begin(w, "message_stop");
	w_lit(w, "{\"type\":\"message_stop\"}");
	w_end(w, "\n\n");
}

static void
anth_write_error(struct w *w)
{
	w_sse_begin(w, "error");
	w_lit(w, "{\"type\":\"error\",\"error\":{\"type\":"
	    "\"overloaded_error\",\"message\":\"Overloaded\"}}");
	w_end(w, "\n\n");
}

static int
anth_error_body(struct buf *b, int status, const char *message)
{
	static const struct status_word types[] = {
		{ 401, "authentication_error" }, { 403, "permission_error" },
		{ 404, "not_found_error" }, { 408, "timeout_error" },
		{ 413, "request_too_large" }, { 429, "rate_limit_error" },
		{ 503, "overloaded_error" }, { 504, "timeout_error" },
		{ 529, "overloaded_error" }, { 0, NULL } };
	int rc = 0;

	rc |= LIT(b, "{\"type\":\"error\",\"error\":{\"type\":\"");
	rc |= buf_puts(b, status_word(types, status, "invalid_request_error",
	    "api_error"));
	rc |= LIT(b, "\",\"message\":");
	rc |= jsonw_string(b, message, strlen(message));
	rc |= LIT(b, "}}");
	return rc;
}

/* -------------------------------------------------------------- detect */

static int
anth_is_type(const char *t)
{
	return streq(t, "message_start") || prefix(t, "content_block_") ||
	    streq(t, "ping") || streq(t, "message_delta") ||
	    streq(t, "message_stop");
}

static int
anth_detect(const char *type, const char *dtype, jv j)
{
	(void)j;

	return anth_is_type(type) || anth_is_type(dtype);
}

/* ------------------------------------------------------------- request */

/* The API refuses a request without max_tokens. */
#define ANTH_MAX_TOKENS 4096

static void
anth_req_path(struct buf *b, const char *base, size_t n, const char *model,
    int stream)
{
	(void)model;
	(void)stream;

	/* The SDKs' base has no version; one that has is taken too. */
	buf_puts(b, req_base_ends(base, n, "/v1") ? "/messages" :
	    "/v1/messages");
}

static jv
anth_req_body(const struct req_params *r, jv msgs)
{
	jv body = jv_object_set(jv_object(), jv_string("model"),
	    jv_string(r->model));

	if (r->prompt)
		msgs = jv_array_append(msgs, req_user_text(r->prompt));
	if (r->system)
		body = jv_object_set(body, jv_string("system"),
		    jv_string(r->system));
	return jv_object_set(body, jv_string("messages"), msgs);
}

/* The API cannot do without max_tokens; a thinking budget must stay
 * under it (the default is raised above one). */
static jv
anth_req_opts(jv body, const struct req_params *r)
{
	struct req_params o = *r;
	jv th = jv_object();

	if (o.max_tokens < 0)
		o.max_tokens = ANTH_MAX_TOKENS +
		    (r->reasoning == REQ_REASON_BUDGET ? r->reasoning_budget : 0);
	body = req_sampling(body, "max_tokens", &o);
	if (r->reasoning == REQ_REASON_NONE) {
		th = jv_object_set(th, jv_string("type"), jv_string("disabled"));
	} else if (r->reasoning == REQ_REASON_BUDGET) {
		th = jv_object_set(th, jv_string("type"), jv_string("enabled"));
		th = jv_object_set(th, jv_string("budget_tokens"),
		    jv_number((double)r->reasoning_budget));
	} else if (req_level(r)) {
		/* the effort of adaptive thinking is the level */
		th = jv_object_set(th, jv_string("type"), jv_string("adaptive"));
		body = jv_object_set(body, jv_string("output_config"),
		    jv_object_set(jv_object(), jv_string("effort"),
		    jv_string(req_level(r))));
	}
	return req_set_nonempty(body, "thinking", th);
}

/* Anthropic's temperature is 0..1; a budget is at least 1024 tokens and
 * under max_tokens; thinking refuses a temperature other than 1. */
static int
anth_req_check(const struct req_params *r, struct buf *why)
{
	int rc = req_check_common(r, 1, 1, why);

	if (rc != 0)
		return rc;
	if (r->reasoning == REQ_REASON_BUDGET && (r->reasoning_budget < 1024 ||
	    (r->max_tokens >= 0 && r->reasoning_budget >= r->max_tokens))) {
		buf_printf(why, "--reasoning: anthropic takes a budget of at "
		    "least 1024 tokens and under --max-tokens");
		return -1;
	}
	if (r->has_temperature && r->temperature != 1 &&
	    r->reasoning > REQ_REASON_NONE) {
		buf_printf(why, "note: anthropic is known to refuse a "
		    "temperature other than 1 with thinking on");
		return 1;
	}
	/* @anthropic-ai/sdk 1.17's MessageCreateParams has no temperature
	 * any more (deprecated by the API): sent as asked, with a word */
	if (r->has_temperature) {
		buf_printf(why, "note: anthropic has deprecated temperature "
		    "(the official SDK no longer sends it): newer models may "
		    "ignore or refuse it");
		return 1;
	}
	return 0;
}

static jv
anth_tool(jv fn)
{
	jv t = req_pick(jv_object(), fn, "name description"),
	    v = jvx_get(fn, "parameters");

	if (jv_get_kind(v) != JV_KIND_OBJECT) {
		jv_free(v);
		v = jv_object_set(jv_object(), jv_string("type"),
		    jv_string("object"));
	}
	return jv_object_set(t, jv_string("input_schema"), v);
}

static jv
anth_req_tools(jv tools)
{
	return req_tools_each(tools, anth_tool);
}

static int
anth_req_claims(const char *base)
{
	return req_host_is(base, "api.anthropic.com");
}

static int
anth_req_refuse(jv body, struct buf *why)
{
	jv mt = jvx_get(body, "max_tokens"), th = jvx_get(body, "thinking");
	jv bt = jvx_get(th, "budget_tokens");
	int hit = 1;

	if (jv_get_kind(mt) != JV_KIND_NUMBER)
		buf_puts(why, "max_tokens: Field required");
	else if (jv_get_kind(bt) == JV_KIND_NUMBER &&
	    jv_number_value(bt) >= jv_number_value(mt))
		buf_puts(why, "`max_tokens` must be greater than "
		    "`thinking.budget_tokens`");
	else
		hit = req_refuse_tools(body, "tools.%d.custom.input_schema: "
		    "Field required", why) || req_temp_range(body, NULL, 1, why);
	jv_free(bt);
	jv_free(th);
	jv_free(mt);
	return hit;
}

static int
anth_req_ready(jv body, int stream)
{
	jv mt;
	int ok = req_stream_ok(body, stream, 0);

	if (ok) {
		mt = jvx_get(body, "max_tokens");
		ok = jv_get_kind(mt) != JV_KIND_NULL;
		jv_free(mt);
	}
	return ok;
}

static jv
anth_req_finish(jv body, int stream)
{
	jv mt = jvx_get(body, "max_tokens");

	if (jv_get_kind(mt) == JV_KIND_NULL)
		body = jv_object_set(body, jv_string("max_tokens"),
		    jv_number(ANTH_MAX_TOKENS));
	jv_free(mt);
	return req_stream_flag(body, stream);
}

static void
anth_last_user(jv body, struct buf *b)
{
	req_last_user(body, "messages", "content", 0, b);
}

/* ------------------------------------------------------- conversations */

/* anth_flush: the pending tool_result blocks as one user message */
static jv
anth_flush(jv out, jv *results)
{
	if (jv_array_length(jv_copy(*results)) > 0)
		out = jv_array_append(out, conv_msg("user", *results));
	else
		jv_free(*results);
	*results = jv_array();
	return out;
}

static jv
anth_conv_encode(jv conv)
{
	jv out = jv_array(), results = jv_array(), m, o, b, calls, c;
	const char *role, *text;
	int i, j, k, len;

	len = jv_array_length(jv_copy(conv));
	for (i = 0; i < len; i++) {
		m = jv_array_get(jv_copy(conv), i);
		role = conv_str(m, "role");
		if (strcmp(role, "tool") == 0) {
			/* consecutive results go in one user message */
			b = jv_object_set(jv_object(), jv_string("type"),
			    jv_string("tool_result"));
			b = jv_object_set(b, jv_string("tool_use_id"),
			    jvx_get(m, "tool_call_id"));
			results = jv_array_append(results, jv_object_set(b,
			    jv_string("content"), jvx_get(m, "content")));
			jv_free(m);
			continue;
		}
		out = anth_flush(out, &results);
		if (strcmp(role, "assistant") != 0) {
			out = jv_array_append(out, conv_msg(role,
			    jvx_get(m, "content")));
			jv_free(m);
			continue;
		}
		o = conv_pd(m, "content");
		if (jv_get_kind(o) != JV_KIND_ARRAY) {
			jv_free(o);
			o = jv_array();
			text = conv_str(m, "content");
			if (text && *text)
				o = jv_array_append(o, jv_object_set(
				    jv_object_set(jv_object(), jv_string("type"),
				    jv_string("text")), jv_string("text"),
				    jv_string(text)));
			calls = jvx_get(m, "tool_calls");
			k = jv_array_length(jv_copy(calls));
			for (j = 0; j < k; j++) {
				c = jv_array_get(jv_copy(calls), j);
				b = jv_object_set(jv_object(), jv_string("type"),
				    jv_string("tool_use"));
				b = jv_object_set(b, jv_string("id"),
				    jvx_get(c, "id"));
				b = jv_object_set(b, jv_string("name"),
				    jvx_get(c, "name"));
				o = jv_array_append(o, jv_object_set(b,
				    jv_string("input"), conv_args_obj(c)));
				jv_free(c);
			}
			jv_free(calls);
		}
		out = jv_array_append(out, conv_msg("assistant", o));
		jv_free(m);
	}
	jv_free(conv);
	out = anth_flush(out, &results);
	jv_free(results);
	return out;
}

/* anth_conv_blocks: one message's content blocks into conv */
static jv
anth_conv_blocks(jv conv, const char *role, jv content)
{
	jv b, user = jv_null(), t;
	const char *type;
	int i, len, kept = 0;

	len = jv_array_length(jv_copy(content));
	if (strcmp(role, "assistant") == 0)
		conv = conv_add(conv, 0, jv_null(), jv_invalid());
	for (i = 0; i < len; i++) {
		b = jv_array_get(jv_copy(content), i);
		type = conv_str(b, "type");
		type = type ? type : "";
		if (strcmp(type, "tool_result") == 0) {
			conv = jv_array_append(conv, conv_tool(
			    jvx_get(b, "tool_use_id"), jvx_get(b, "content")));
		} else if (strcmp(type, "tool_use") == 0) {
			conv = conv_add(conv, 1, jv_null(), conv_call(
			    jvx_get(b, "id"), jvx_get(b, "name"),
			    jvx_get(b, "input")));
		} else if (strcmp(type, "text") == 0) {
			t = jvx_get(b, "text");
			if (strcmp(role, "assistant") == 0)
				conv = conv_add(conv, 1, t, jv_invalid());
			else
				user = jv_get_kind(user) == JV_KIND_STRING ?
				    jv_string_concat(user, t) : (jv_free(user),
				    t);
		} else if (strcmp(type, "thinking") == 0 ||
		    strcmp(type, "redacted_thinking") == 0) {
			kept = 1;
		}
		jv_free(b);
	}
	if (jv_get_kind(user) == JV_KIND_STRING)
		conv = jv_array_append(conv, conv_msg(role, user));
	else
		jv_free(user);
	if (kept)
		conv = conv_keep_last(conv, 1, DIALECT_ANTHROPIC, "content",
		    jv_copy(content));
	return conv;
}

static jv
anth_conv_decode(jv body)
{
	jv conv = conv_system(jv_array(), jvx_get(body, "system")), msgs,
	    m, c;
	const char *role;
	int i, len;

	msgs = jvx_get(body, "messages");
	len = jv_get_kind(msgs) == JV_KIND_ARRAY ?
	    jv_array_length(jv_copy(msgs)) : 0;
	for (i = 0; i < len; i++) {
		m = jv_array_get(jv_copy(msgs), i);
		role = conv_str(m, "role");
		c = jvx_get(m, "content");
		if (role && jv_get_kind(c) == JV_KIND_ARRAY)
			conv = anth_conv_blocks(conv, role, c);
		else if (role && strcmp(role, "assistant") == 0)
			conv = conv_add(conv, 0, jv_copy(c), jv_invalid());
		else if (role)
			conv = jv_array_append(conv, conv_msg(role,
			    jv_copy(c)));
		jv_free(c);
		jv_free(m);
	}
	jv_free(msgs);
	return conv;
}

/* Thinking blocks (their signatures) and redacted thinking must come
 * back as they were: the whole content is kept when it has any. */
static jv
anth_conv_keep(jv native)
{
	return conv_keep_if(jvx_get(native, "content"), "content", "thinking",
	    "redacted_thinking");
}

/* ----------------------------------------------------------- fast path */

static int
anth_fast(struct acc *a, jv j, struct fast_spec *fs)
{
	static const struct jscan_step text[] = { { "delta", 0 },
	    { "text", 0 } };
	static const struct jscan_step thinking[] = { { "delta", 0 },
	    { "thinking", 0 } };
	static const struct jscan_step json[] = { { "delta", 0 },
	    { "partial_json", 0 } };
	long long bi = index_of(j, "index", -1);
	struct slot *s;

	if (bi < 0 || bi >= a->nitems)
		return 0;
	s = &a->items[bi];
	fs->depth = 2;
	if (a->ev_kind == DELTA_TOOL_CALL) {
		fs->paths[0] = json;
		fs->grow = &s->json;
		fs->has = &s->has_json;
		fs->keep = 1;
	} else {
		fs->paths[0] = a->ev_kind == DELTA_TEXT ? text : thinking;
		fs->grow = &s->text;
		fs->has = &s->has_field;
	}
	return 1;
}

static const struct prov_ops anthropic_ops = {
	.detect = anth_detect, .event = anth_event, .native = anth_native,
	.write = anth_write, .write_error = anth_write_error,
	.error_body = anth_error_body,
	.req_path = anth_req_path, .req_body = anth_req_body,
	.req_ready = anth_req_ready, .req_finish = anth_req_finish,
	.req_opts = anth_req_opts, .req_tools = anth_req_tools,
	.req_check = anth_req_check, .req_refuse = anth_req_refuse,
	.req_claims = anth_req_claims,
	.last_user = anth_last_user, .fast = anth_fast,
	.conv_encode = anth_conv_encode, .conv_decode = anth_conv_decode,
	.conv_keep = anth_conv_keep,
};

/* The row of the provider table (provider.h): its facts. */
static const char *const anthropic_paths[] = { "/v1/messages", NULL };
static const char *const openai_models[] = { "/v1/models", "/models", NULL };

const struct provider prov_anthropic = {
	.id = DIALECT_ANTHROPIC, .name = "anthropic",
	.content_type = "text/event-stream",
	.default_base = "https://api.anthropic.com",
	.base_env = "ANTHROPIC_BASE_URL",
	.default_model = "claude-sonnet-4-6",
	.key_env = "ANTHROPIC_API_KEY",
	.key_header = "x-api-key", .key_prefix = "",
	/* @anthropic-ai/sdk 1.x sends Bearer; the API takes both */
	.key_header_alt = "Authorization", .key_prefix_alt = "Bearer ",
	.extra_header = "anthropic-version: 2023-06-01",
	.model_prefix = "claude-",
	.paths = anthropic_paths, .models_paths = openai_models,
	.models_body = "{\"data\":[{\"type\":\"model\","
	    "\"id\":\"llm-mock\",\"display_name\":\"llm-mock\",\"created_at\":"
	    "\"2025-01-01T00:00:00Z\"}],\"has_more\":false,\"first_id\":"
	    "\"llm-mock\",\"last_id\":\"llm-mock\"}",
	.ops = &anthropic_ops,
};
