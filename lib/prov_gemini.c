/* prov_gemini.c - the Gemini dialect: decoder and the
 * GenerateContentResponse native body. */
#include "prov_priv.h"

/* --------------------------------------------------------------- gemini */

static const char *
norm_gemini_finish(const char *r, int calls)
{
	static const char *const filter[] = { "SAFETY", "RECITATION",
		"BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY",
		NULL };
	int i;

	if (streq(r, "STOP"))
		return calls ? "tool_calls" : "stop";
	if (streq(r, "MAX_TOKENS"))
		return "length";
	for (i = 0; filter[i]; i++)
		if (streq(r, filter[i]))
			return "content_filter";
	return r;
}

static int
gem_part(struct acc *a, struct choice *c, int ci, jv part)
{
	jv v = jvx_get(part, "thought");
	int thought = jv_get_kind(v) == JV_KIND_TRUE;
	const char *t;
	size_t n;
	struct slot *s;

	jv_free(v);
	if ((t = str(part, "text", &n)) != NULL) {
		s = c->nparts ? &c->parts[c->nparts - 1] : NULL;
		if (s && s->field && s->thought == thought) {
			/* consecutive text parts merge; other keys
			 * (thoughtSignature) are kept */
			static const char *const k[] = { "text", NULL };

			s->obj = jv_object_merge(s->obj, without(part, k));
			if (app(a, &s->text, t, n))
				return a->fail;
			jv_free(part);
		} else {
			if (c->nparts >= MAX_ITEMS) {
				jv_free(part);
				return fail(a, ACC_ERR_INDEX, 0, "too many parts");
			}
			c->parts = grow(c->parts, c->nparts, &c->capparts,
			    sizeof *c->parts);
			s = &c->parts[c->nparts++];
			if (slot_set(a, s, part, "text"))
				return a->fail;
			s->thought = thought;
		}
		return fold_text(a, thought ? DELTA_REASONING : DELTA_TEXT, ci,
		    t, n);
	}
	if (c->nparts >= MAX_ITEMS) {
		jv_free(part);
		return fail(a, ACC_ERR_INDEX, 0, "too many parts");
	}
	c->parts = grow(c->parts, c->nparts, &c->capparts, sizeof *c->parts);
	s = &c->parts[c->nparts++];
	slot_init(s, part, NULL);
	v = jvx_get(part, "functionCall");
	if (jv_get_kind(v) == JV_KIND_OBJECT) {
		int rc;

		s->call = c->ncalls;
		rc = fold_whole_call(a, ci, nestr(v, "id", NULL),
		    nestr(v, "name", NULL), jvx_get(v, "args"), 0);
		jv_free(v);
		return rc;
	}
	jv_free(v);
	return 0;
}

static const char *const gem_um = "usageMetadata";
static const char *const gem_counts[] = { "promptTokenCount",
    "candidatesTokenCount", "totalTokenCount", "thoughtsTokenCount",
    "cachedContentTokenCount" };

/* gem_fold_usage folds a usageMetadata object (borrowed; on the fast
 * path, jv_invalid(): the counts as the template holds them, see
 * fast_top_num). */
static int
gem_fold_usage(struct acc *a, jv u)
{
	long long out = fast_top_num(a, u, gem_um, gem_counts[1]);
	long long th = fast_top_num(a, u, gem_um, gem_counts[3]);

	/* output counts thoughts too, as OpenAI and Anthropic do; a sum
	 * past what num() takes is no number */
	if (out >= 0 && th >= 0)
		out = out < (long long)9e18 - th ? out + th : -1;
	else if (out < 0)
		out = th;
	return fold_usage(a, fast_top_num(a, u, gem_um, gem_counts[0]), out,
	    th, fast_top_num(a, u, gem_um, gem_counts[4]));
}

static int
gem_event(struct acc *a, struct ev *ev, jv j)
{
	static const char *const tk[] = { "candidates", NULL };
	static const char *const ck[] = { "content", NULL };
	jv cands, v, u;
	int i, n, k, m, rc = 0, finished = 0;

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
	a->top = jv_is_valid(a->top) ? jv_object_merge(a->top, without(j, tk)) :
	    without(j, tk);
	set_meta(a, nestr(j, "responseId", NULL), nestr(j, "modelVersion",
	    NULL));
	cands = jvx_get(j, "candidates");
	n = jv_get_kind(cands) == JV_KIND_ARRAY ?
	    jv_array_length(jv_copy(cands)) : 0;
	for (i = 0; i < n && rc == 0; i++) {
		jv cand = jv_array_get(jv_copy(cands), i), content, parts;
		long long ci = index_of(cand, "index", i);
		struct choice *c = choice_at(a, ci);
		const char *fr, *role;

		if (c == NULL) {
			jv_free(cand);
			rc = a->fail;
			break;
		}
		c->seen = 1;
		c->cand_rest = jv_object_merge(c->cand_rest, without(cand, ck));
		content = jvx_get(cand, "content");
		if ((role = nestr(content, "role", NULL)) != NULL)
			setstr(&c->role, role, strlen(role));
		parts = jvx_get(content, "parts");
		m = jv_get_kind(parts) == JV_KIND_ARRAY ?
		    jv_array_length(jv_copy(parts)) : 0;
		for (k = 0; k < m && rc == 0; k++)
			rc = gem_part(a, c, (int)ci,
			    jv_array_get(jv_copy(parts), k));
		if (rc == 0 && (fr = nestr(cand, "finishReason", NULL))) {
			finished = 1;
			rc = fold_finish(a, (int)ci, norm_gemini_finish(fr,
			    c->ncalls), fr, strlen(fr));
		}
		jv_free(parts);
		jv_free(content);
		jv_free(cand);
	}
	jv_free(cands);
	u = jvx_get(j, "usageMetadata");
	if (rc == 0 && jv_get_kind(u) == JV_KIND_OBJECT)
		rc = gem_fold_usage(a, u);
	jv_free(u);
	if (rc == 0 && finished)
		rc = fold_simple(a, DELTA_DONE);
	return rc;
}

static jv
gem_native(const struct acc *a)
{
	static const char *const tk[] = { "candidates", NULL };
	jv out = jv_object(), cands = jv_array();
	int i, k;

	for (i = 0; i < a->nchoices; i++) {
		const struct choice *c = a->ch[i];
		jv parts = jv_array(), cand;

		if (c == NULL || !c->seen)
			continue;
		for (k = 0; k < c->nparts; k++)
			parts = jv_array_append(parts, slot_jv(&c->parts[k]));
		cand = JV_OBJECT(jv_string("content"), JV_OBJECT(
		    jv_string("parts"), parts, jv_string("role"),
		    jv_string(c->role ? c->role : "model")));
		cand = jv_object_merge(cand, jv_copy(c->cand_rest));
		cands = jv_array_append(cands, cand);
	}
	out = jv_object_set(out, jv_string("candidates"), cands);
	if (jv_is_valid(a->top))
		out = jv_object_merge(out, without(a->top, tk));
	return out;
}

/* ------------------------------------------------------------- writer */

static void
gem_usage(struct w *w, int final)
{
	long long in = w_in_tokens(w->m), out = w_out_tokens(w->m);

	w_lit(w, "\"usageMetadata\":{\"promptTokenCount\":");
	w_num(w, in);
	if (final) {
		w_lit(w, ",\"candidatesTokenCount\":");
		w_num(w, out);
	}
	w_lit(w, ",\"totalTokenCount\":");
	w_num(w, final ? in + out : in);
	w_lit(w, "},\"modelVersion\":");
	w_str(w, w->model);
	w_lit(w, ",\"responseId\":\"");
	w_lit(w, w->id);
	w_lit(w, "\"}");
	w_end(w, "\r\n\r\n");
}

static void
gem_cand_end(struct w *w, int final)
{
	w_lit(w, "],\"role\":\"model\"}");
	if (final)
		w_lit(w, ",\"finishReason\":\"STOP\"");
	w_lit(w, ",\"index\":0}],");
	gem_usage(w, final);
}

static void
gem_write(struct w *w)
{
	const struct emit_msg *m = w->m;
	size_t i;

	for (i = 0; i < m->nreasoning; i++) {
		w_sse_begin(w, NULL);
		w_lit(w, "{\"candidates\":[{\"content\":{\"parts\":[{\"text\":");
		w_str(w, m->reasoning[i]);
		w_lit(w, ",\"thought\":true}");
		gem_cand_end(w, 0);
	}
	for (i = 0; i < m->ntext; i++) {
		w_sse_begin(w, NULL);
		w_lit(w, "{\"candidates\":[{\"content\":{\"parts\":[{\"text\":");
		w_str(w, m->text[i]);
		w_lit(w, "}");
		gem_cand_end(w, i + 1 == m->ntext && !m->ncalls);
	}
	if (m->ncalls) {
		w_sse_begin(w, NULL);
		w_lit(w, "{\"candidates\":[{\"content\":{\"parts\":[");
		for (i = 0; i < m->ncalls; i++) {
			if (i)
				w_lit(w, ",");
			w_lit(w, "{\"functionCall\":{\"name\":");
			w_str(w, m->calls[i].name);
			w_lit(w, ",\"args\":");
			w_args_object(w, &m->calls[i]);
			w_lit(w, "}}");
		}
		gem_cand_end(w, 1);
	} else if (!m->ntext) {
		w_sse_begin(w, NULL);
		w_lit(w, "{\"candidates\":[{\"content\":{\"parts\":"
		    "[{\"text\":\"\"}");
		gem_cand_end(w, 1);
	}
}

static void
gem_write_error(struct w *w)
{
	w_sse_begin(w, NULL);
	w_lit(w, "{\"error\":{\"code\":503,\"message\":\"The model is "
	    "overloaded. Please try again later.\",\"status\":"
	    "\"UNAVAILABLE\"}}");
	w_end(w, "\r\n\r\n");
}

static int
gem_error_body(struct buf *b, int status, const char *message)
{
	static const struct status_word statuses[] = {
		{ 400, "INVALID_ARGUMENT" }, { 401, "UNAUTHENTICATED" },
		{ 403, "PERMISSION_DENIED" }, { 404, "NOT_FOUND" },
		{ 408, "DEADLINE_EXCEEDED" }, { 413, "INVALID_ARGUMENT" },
		{ 429, "RESOURCE_EXHAUSTED" }, { 502, "UNAVAILABLE" },
		{ 503, "UNAVAILABLE" }, { 504, "DEADLINE_EXCEEDED" },
		{ 529, "UNAVAILABLE" }, { 0, NULL } };
	int rc = 0;

	rc |= buf_printf(b, "{\"error\":{\"code\":%d,\"message\":",
	    status);
	rc |= jsonw_string(b, message, strlen(message));
	rc |= LIT(b, ",\"status\":\"");
	rc |= buf_puts(b, status_word(statuses, status, "FAILED_PRECONDITION",
	    "INTERNAL"));
	rc |= LIT(b, "\"}}");
	return rc;
}

/* -------------------------------------------------------------- detect */

static int
gem_detect(const char *type, const char *dtype, jv j)
{
	(void)type;
	(void)dtype;

	return jv_get_kind(j) == JV_KIND_OBJECT &&
	    (jv_object_has(jv_copy(j), jv_string("candidates")) ||
	    jv_object_has(jv_copy(j), jv_string("usageMetadata")));
}

/* ------------------------------------------------------------- request */

static void
gem_req_path(struct buf *b, const char *base, size_t n, const char *model,
    int stream)
{
	if (strncmp(model, "models/", 7) == 0)
		model += 7;
	buf_puts(b, req_base_ends(base, n, "/v1beta") ||
	    req_base_ends(base, n, "/v1") || req_base_ends(base, n, "/v1alpha") ?
	    "/models/" : "/v1beta/models/");
	buf_put_pct(b, model);
	buf_puts(b, stream ? ":streamGenerateContent?alt=sse" :
	    ":generateContent");
}

/* The model is in the URL, not in the body. */
static jv
gem_req_body(const struct req_params *r, jv msgs)
{
	jv body = jv_object();

	if (r->prompt) {
		jv m = jv_object_set(jv_object(), jv_string("role"),
		    jv_string("user"));
		jv part = jv_object_set(jv_object(), jv_string("text"),
		    jv_string(r->prompt));

		msgs = jv_array_append(msgs, jv_object_set(m,
		    jv_string("parts"), jv_array_append(jv_array(), part)));
	}
	body = jv_object_set(body, jv_string("contents"), msgs);
	if (r->system) {
		jv part = jv_object_set(jv_object(), jv_string("text"),
		    jv_string(r->system));
		body = jv_object_set(body, jv_string("systemInstruction"),
		    jv_object_set(jv_object(), jv_string("parts"),
		    jv_array_append(jv_array(), part)));
	}
	return body;
}

/* Levels as thinking budgets, which Gemini 2.5 and 3 both take (3's
 * thinkingLevel is refused by 2.5); none is a budget of 0. */
static jv
gem_req_opts(jv body, const struct req_params *r)
{
	static const long budget[] = { 0, 1024, 8192, 24576 };
	jv cfg = req_sampling(jv_object(), "maxOutputTokens", r);
	long b = r->reasoning == REQ_REASON_BUDGET ? r->reasoning_budget :
	    r->reasoning != REQ_REASON_UNSET ?
	    budget[r->reasoning - REQ_REASON_NONE] : -1;

	if (b >= 0)
		cfg = jv_object_set(cfg, jv_string("thinkingConfig"),
		    jv_object_set(jv_object(), jv_string("thinkingBudget"),
		    jv_number((double)b)));
	return req_set_nonempty(body, "generationConfig", cfg);
}

/* OpenAI's function tools gathered into one functionDeclarations tool,
 * their schemas as parametersJsonSchema (the whole JSON Schema, where
 * parameters takes only OpenAPI's subset); other items kept. */
static jv
gem_req_tools(jv tools)
{
	jv out = jv_array(), decls = jv_array(), item, fn, d, v;
	int i, n;

	if (jv_get_kind(tools) != JV_KIND_ARRAY)
		return tools;
	n = jv_array_length(jv_copy(tools));
	for (i = 0; i < n; i++) {
		item = jv_array_get(jv_copy(tools), i);
		if (!req_openai_tool(item, &fn)) {
			out = jv_array_append(out, item);
			continue;
		}
		d = req_pick(jv_object(), fn, "name description");
		v = jvx_get(fn, "parameters");
		if (jv_get_kind(v) != JV_KIND_NULL)
			d = jv_object_set(d, jv_string("parametersJsonSchema"), v);
		else
			jv_free(v);
		decls = jv_array_append(decls, d);
		jv_free(fn);
		jv_free(item);
	}
	jv_free(tools);
	if (jv_array_length(jv_copy(decls)) == 0) {
		jv_free(decls);
		return out;
	}
	return jv_array_append(out, jv_object_set(jv_object(),
	    jv_string("functionDeclarations"), decls));
}

static int
gem_req_check(const struct req_params *r, struct buf *why)
{
	return req_check_common(r, 2, 1, why);
}

static int
gem_req_claims(const char *base)
{
	return req_host_is(base, "generativelanguage.googleapis.com");
}

static int
gem_req_refuse(jv body, struct buf *why)
{
	return req_refuse_tools(body, "Invalid JSON payload received. Unknown "
	    "name \"function\" at 'tools[%d]': Cannot find field.", why) ||
	    req_temp_range(body, "generationConfig", 2, why);
}

/* Gemini streams by URL: any body is ready, and is sent as it is. */
static int
gem_req_ready(jv body, int stream)
{
	(void)body;
	(void)stream;

	return 1;
}

static jv
gem_req_finish(jv body, int stream)
{
	(void)stream;

	return body;
}

/* gem_route: POST /v1beta/models/MODEL:streamGenerateContent (or
 * :generateContent; /v1/models/ too). */
static int
gem_route(const char *url, struct provider_route *r)
{
	const char *m, *colon;

	if (strncmp(url, "/v1beta/models/", 15) != 0 &&
	    strncmp(url, "/v1/models/", 11) != 0)
		return 0;
	m = strchr(url + 1, '/');
	m = strchr(m + 1, '/') + 1;
	colon = strrchr(m, ':');
	if (colon == NULL || (strcmp(colon, ":streamGenerateContent") != 0 &&
	    strcmp(colon, ":generateContent") != 0))
		return 0;
	r->stream = colon[1] == 's';
	snprintf(r->model, sizeof r->model, "%.*s", (int)(colon - m), m);
	return 1;
}

static void
gem_last_user(jv body, struct buf *b)
{
	req_last_user(body, "contents", "parts", 1, b);
}

/* ----------------------------------------------------------- fast path */

/* the fast path's usage: the counts as the template holds them */
static int
gem_fast_usage(struct acc *a)
{
	return gem_fold_usage(a, jv_invalid());
}

/* One candidate with one text part, merged into the candidate's last
 * part; the usage counts are cumulative, so they change every chunk. */
static int
gem_fast(struct acc *a, jv j, struct fast_spec *fs)
{
	static const struct jscan_step text[] = { { "candidates", 0 },
	    { NULL, 0 }, { "content", 0 }, { "parts", 0 }, { NULL, 0 },
	    { "text", 0 } };
	static struct jscan_step usage[5][2];
	jv cands = jvx_get(j, "candidates"), c0 = jvx_idx(cands, 0),
	    content = jvx_get(c0, "content"), parts = jvx_get(content, "parts");
	struct choice *c = a->ev_choice >= 0 && a->ev_choice < MAX_CHOICES ?
	    a->ch[a->ev_choice] : NULL;
	int i, one = jv_get_kind(cands) == JV_KIND_ARRAY &&
	    jv_array_length(jv_copy(cands)) == 1 &&
	    jv_get_kind(parts) == JV_KIND_ARRAY &&
	    jv_array_length(jv_copy(parts)) == 1;

	jv_free(cands);
	jv_free(c0);
	jv_free(content);
	jv_free(parts);
	if (!one || a->ev_kind == DELTA_TOOL_CALL || c == NULL ||
	    c->nparts == 0 || c->parts[c->nparts - 1].field == NULL)
		return 0;
	fs->paths[0] = text;
	fs->depth = 6;
	fs->grow = &c->parts[c->nparts - 1].text;
	fs->keep = 1;
	for (i = 0; i < 5; i++) {
		usage[i][0].key = gem_um;
		usage[i][1].key = gem_counts[i];
		fs->more[i].path = usage[i];
		fs->more[i].depth = 2;
		fs->more[i].top = 1;
	}
	fs->usage = gem_fast_usage;
	return 1;
}

/* ------------------------------------------------------- conversations */

static jv
gem_content(const char *role, jv parts)
{
	return jv_object_set(jv_object_set(jv_object(), jv_string("role"),
	    jv_string(role)), jv_string("parts"), parts);
}

static jv
gem_text_part(jv text)
{
	return jv_object_set(jv_object(), jv_string("text"), text);
}

/* gem_model_parts: an assistant message's parts (provider_data's own
 * parts, with their thought signatures, when it has them) */
static jv
gem_model_parts(jv m)
{
	jv parts = conv_pd(m, "parts"), c, f, calls;
	const char *text;
	int j, k;

	if (jv_get_kind(parts) == JV_KIND_ARRAY)
		return parts;
	jv_free(parts);
	parts = jv_array();
	text = conv_str(m, "content");
	if (text && *text)
		parts = jv_array_append(parts, gem_text_part(jv_string(text)));
	calls = jvx_get(m, "tool_calls");
	k = jv_array_length(jv_copy(calls));
	for (j = 0; j < k; j++) {
		c = jv_array_get(jv_copy(calls), j);
		f = jv_object_set(jv_object(), jv_string("id"),
		    jvx_get(c, "id"));
		f = jv_object_set(f, jv_string("name"), jvx_get(c, "name"));
		f = jv_object_set(f, jv_string("args"), conv_args_obj(c));
		parts = jv_array_append(parts, jv_object_set(jv_object(),
		    jv_string("functionCall"), f));
		jv_free(c);
	}
	jv_free(calls);
	if (jv_array_length(jv_copy(parts)) == 0)
		parts = jv_array_append(parts, gem_text_part(jv_string("")));
	return parts;
}

static jv
gem_conv_encode(jv conv)
{
	jv out = jv_array(), results = jv_array(), m, f;
	const char *role;
	int i, len;

	len = jv_array_length(jv_copy(conv));
	for (i = 0; i < len; i++) {
		m = jv_array_get(jv_copy(conv), i);
		role = conv_str(m, "role");
		if (strcmp(role, "tool") == 0) {
			/* consecutive results go in one user turn */
			f = jv_object_set(jv_object(), jv_string("id"),
			    jvx_get(m, "tool_call_id"));
			f = jv_object_set(f, jv_string("name"),
			    jvx_get(m, "name"));
			f = jv_object_set(f, jv_string("response"),
			    jv_object_set(jv_object(), jv_string("content"),
			    jvx_get(m, "content")));
			results = jv_array_append(results, jv_object_set(
			    jv_object(), jv_string("functionResponse"), f));
			jv_free(m);
			continue;
		}
		if (jv_array_length(jv_copy(results)) > 0) {
			out = jv_array_append(out, gem_content("user",
			    results));
			results = jv_array();
		}
		if (strcmp(role, "assistant") == 0)
			out = jv_array_append(out, gem_content("model",
			    gem_model_parts(m)));
		else
			out = jv_array_append(out, gem_content("user",
			    jv_array_append(jv_array(),
			    gem_text_part(jvx_get(m, "content")))));
		jv_free(m);
	}
	jv_free(conv);
	if (jv_array_length(jv_copy(results)) > 0)
		return jv_array_append(out, gem_content("user", results));
	jv_free(results);
	return out;
}

/* gem_response: a functionResponse's response as the result's text */
static jv
gem_response(jv r)
{
	jv c = jvx_get(r, "content");

	if (jv_get_kind(c) == JV_KIND_STRING &&
	    jv_object_length(jv_copy(r)) == 1) {
		jv_free(r);
		return c;
	}
	jv_free(c);
	return jv_dump_string(r, 0);
}

static jv
gem_conv_parts(jv conv, int model, jv parts)
{
	jv p, f, t, user = jv_null();
	int i, len, kept = 0;

	len = jv_array_length(jv_copy(parts));
	if (model)
		conv = conv_add(conv, 0, jv_null(), jv_invalid());
	for (i = 0; i < len; i++) {
		p = jv_array_get(jv_copy(parts), i);
		f = jvx_get(p, "functionCall");
		if (jv_get_kind(f) == JV_KIND_OBJECT)
			conv = conv_add(conv, 1, jv_null(), conv_call(
			    jvx_get(f, "id"), jvx_get(f, "name"),
			    jvx_get(f, "args")));
		jv_free(f);
		f = jvx_get(p, "functionResponse");
		if (jv_get_kind(f) == JV_KIND_OBJECT)
			conv = jv_array_append(conv, conv_tool(
			    jvx_get(f, "id"), gem_response(
			    jvx_get(f, "response"))));
		jv_free(f);
		t = jvx_get(p, "thought");
		kept |= jv_get_kind(t) == JV_KIND_TRUE ||
		    conv_str(p, "thoughtSignature") != NULL;
		f = jvx_get(p, "text");
		if (jv_get_kind(f) == JV_KIND_STRING &&
		    jv_get_kind(t) != JV_KIND_TRUE) {
			if (model)
				conv = conv_add(conv, 1, f, jv_invalid());
			else
				user = jv_get_kind(user) == JV_KIND_STRING ?
				    jv_string_concat(user, f) : (jv_free(user),
				    f);
		} else {
			jv_free(f);
		}
		jv_free(t);
		jv_free(p);
	}
	if (jv_get_kind(user) == JV_KIND_STRING)
		conv = jv_array_append(conv, conv_msg("user", user));
	else
		jv_free(user);
	if (model && kept)
		conv = conv_keep_last(conv, 1, DIALECT_GEMINI, "parts",
		    jv_copy(parts));
	return conv;
}

static jv
gem_conv_decode(jv body)
{
	jv si = jvx_get(body, "systemInstruction"), cs, c, parts,
	    conv = conv_system(jv_array(), jvx_get(si, "parts"));
	const char *role;
	int i, len;

	jv_free(si);
	cs = jvx_get(body, "contents");
	len = jv_get_kind(cs) == JV_KIND_ARRAY ?
	    jv_array_length(jv_copy(cs)) : 0;
	for (i = 0; i < len; i++) {
		c = jv_array_get(jv_copy(cs), i);
		role = conv_str(c, "role");
		parts = jvx_get(c, "parts");
		if (jv_get_kind(parts) == JV_KIND_ARRAY)
			conv = gem_conv_parts(conv, role &&
			    strcmp(role, "model") == 0, parts);
		jv_free(parts);
		jv_free(c);
	}
	jv_free(cs);
	return conv;
}

/* Thought signatures must come back on the parts that carried them: the
 * parts are kept when any has one, each call with the id delta-join
 * gives it (call_N, Gemini sends none). */
static jv
gem_conv_keep(jv native)
{
	jv cand = jvx_get(native, "candidates"), c0 = jvx_idx(cand, 0),
	    content = jvx_get(c0, "content"), parts = jvx_get(content, "parts"),
	    p, f;
	char id[32];
	int i, len, kept = 0, call = 0;

	jv_free(cand);
	jv_free(c0);
	jv_free(content);
	len = jv_get_kind(parts) == JV_KIND_ARRAY ?
	    jv_array_length(jv_copy(parts)) : 0;
	for (i = 0; i < len; i++) {
		p = jv_array_get(jv_copy(parts), i);
		kept |= conv_str(p, "thoughtSignature") != NULL;
		f = jvx_get(p, "functionCall");
		if (jv_get_kind(f) == JV_KIND_OBJECT) {
			if (conv_str(f, "id") == NULL) {
				snprintf(id, sizeof id, "call_%d", call);
				f = jv_object_set(f, jv_string("id"),
				    jv_string(id));
			}
			call++;
			p = jv_object_set(p, jv_string("functionCall"), f);
		} else {
			jv_free(f);
		}
		parts = jv_array_set(parts, i, p);
	}
	if (!kept) {
		jv_free(parts);
		return jv_null();
	}
	return jv_object_set(jv_object(), jv_string("parts"), parts);
}

static const struct prov_ops gemini_ops = {
	.detect = gem_detect, .event = gem_event, .native = gem_native,
	.write = gem_write, .write_error = gem_write_error,
	.error_body = gem_error_body,
	.req_path = gem_req_path, .req_body = gem_req_body,
	.req_ready = gem_req_ready, .req_finish = gem_req_finish,
	.req_opts = gem_req_opts, .req_tools = gem_req_tools,
	.req_check = gem_req_check, .req_claims = gem_req_claims,
	.req_refuse = gem_req_refuse,
	.route = gem_route, .last_user = gem_last_user,
	.conv_encode = gem_conv_encode, .conv_decode = gem_conv_decode,
	.conv_keep = gem_conv_keep,
	.fast = gem_fast,
};

/* The row of the provider table (provider.h): its facts. */
static const char *const no_paths[] = { NULL };
static const char *const gemini_models[] = { "/v1beta/models", NULL };

const struct provider prov_gemini = {
	.id = DIALECT_GEMINI, .name = "gemini",
	.content_type = "text/event-stream",
	.default_base = "https://generativelanguage.googleapis.com",
	.default_model = "gemini-flash-latest",
	.key_env = "GEMINI_API_KEY", .key_env_alt = "GOOGLE_API_KEY",
	.key_header = "x-goog-api-key", .key_prefix = "",
	.key_query = "key",
	.model_prefix = "gemini-", .model_in_path = 1,
	.paths = no_paths, .models_paths = gemini_models,
	.route_doc = "/v1beta/models/MODEL:streamGenerateContent "
	    "(and :generateContent)",
	.models_body = "{\"models\":[{\"name\":\"models/llm-mock"
	    "\",\"displayName\":\"llm-mock\",\"supportedGenerationMethods\":"
	    "[\"generateContent\",\"streamGenerateContent\"]}]}",
	.ops = &gemini_ops,
};
