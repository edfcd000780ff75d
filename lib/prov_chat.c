/* prov_chat.c - the OpenAI Chat Completions dialect (and every
 * OpenAI-compatible server): decoder and chat.completion native body. */
#include "prov_priv.h"

/* --------------------------------------------------------- openai chat */

static const char *
norm_openai_finish(const char *r)
{
	if (streq(r, "function_call"))
		return "tool_calls";
	return r;
}

static int
chat_usage(struct acc *a, jv u)
{
	if (jv_get_kind(u) != JV_KIND_OBJECT)
		return 0;
	return fold_usage(a, num(u, "prompt_tokens"),
	    num(u, "completion_tokens"),
	    num2(u, "completion_tokens_details", "reasoning_tokens"),
	    num2(u, "prompt_tokens_details", "cached_tokens"));
}

/* chat_content: delta.content as a string, or Magistral's array of
 * {type:thinking,thinking:[{type:text,text}]} / {type:text,text} blocks. */
static int
chat_content(struct acc *a, struct choice *c, int ci, jv content)
{
	int i, j, n, m;
	size_t len;
	const char *s;

	if (jv_get_kind(content) == JV_KIND_STRING) {
		s = jvx_str(content, &len);
		return fold_text(a, DELTA_TEXT, ci, s, len);
	}
	if (jv_get_kind(content) != JV_KIND_ARRAY)
		return 0;
	c->content_blocks = 1;
	n = jv_array_length(jv_copy(content));
	for (i = 0; i < n; i++) {
		jv b = jv_array_get(jv_copy(content), i);
		const char *bt = str(b, "type", NULL);
		int rc = 0;

		if (streq(bt, "text")) {
			s = str(b, "text", &len);
			rc = fold_text(a, DELTA_TEXT, ci, s, len);
		} else if (streq(bt, "thinking")) {
			jv th = jvx_get(b, "thinking");

			if (jv_get_kind(th) == JV_KIND_STRING) {
				s = jvx_str(th, &len);
				rc = fold_text(a, DELTA_REASONING, ci, s, len);
			} else if (jv_get_kind(th) == JV_KIND_ARRAY) {
				m = jv_array_length(jv_copy(th));
				for (j = 0; j < m && rc == 0; j++) {
					jv p = jv_array_get(jv_copy(th), j);

					s = str(p, "text", &len);
					rc = fold_text(a, DELTA_REASONING, ci,
					    s, len);
					jv_free(p);
				}
			}
			jv_free(th);
		}
		jv_free(b);
		if (rc)
			return rc;
	}
	return 0;
}

static int
chat_tool_calls(struct acc *a, struct choice *c, int ci, jv tcs)
{
	static const char *const known[] = { "index", "id", "type",
		"function", NULL };
	int i, n, rc;

	n = jv_array_length(jv_copy(tcs));
	for (i = 0; i < n; i++) {
		jv tc = jv_array_get(jv_copy(tcs), i);
		jv fn = jvx_get(tc, "function");
		jv argv = jvx_get(fn, "arguments");
		jv dump = jv_invalid();
		const char *id = nestr(tc, "id", NULL);
		const char *name = nestr(fn, "name", NULL);
		const char *args = NULL, *type;
		size_t alen = 0;
		long long idx;
		struct tcall *t;
		int k;

		if (jv_get_kind(argv) == JV_KIND_STRING)
			args = jvx_str(argv, &alen);
		else if (jv_get_kind(argv) != JV_KIND_NULL &&
		    jv_is_valid(argv)) {
			/* an object where a string belongs: keep it as JSON */
			dump = jv_dump_string(jv_copy(argv), 0);
			args = jvx_str(dump, &alen);
		}
		if (kind(tc, "index") != JV_KIND_NULL) {
			idx = index_of(tc, "index", 0);
		} else {
			/* Mistral omits index: same id continues a call, a new
			 * id starts one, no id continues the current one. */
			idx = c->cur_call >= 0 ? c->cur_call : 0;
			if (id) {
				idx = c->ncalls;
				for (k = 0; k < c->ncalls; k++)
					if (c->calls[k].seen &&
					    streq(c->calls[k].id, id))
						idx = k;
			}
		}
		rc = idx < 0 || idx >= MAX_CALLS ?
		    fail(a, ACC_ERR_INDEX, 0, "tool-call index out of range") :
		    fold_call(a, ci, (int)idx, id, name, args, alen);
		if (rc == 0 && (t = call_at(a, c, idx)) != NULL) {
			jv extra = without(tc, known);

			if ((type = nestr(tc, "type", NULL)) != NULL)
				setstr(&t->type, type, strlen(type));
			if (jv_object_length(jv_copy(extra)) > 0)
				t->extra = jv_is_valid(t->extra) ?
				    jv_object_merge(t->extra, extra) : extra;
			else
				jv_free(extra);
		}
		jv_free(dump);
		jv_free(argv);
		jv_free(fn);
		jv_free(tc);
		if (rc)
			return rc;
		if (a->fail)
			return a->fail;
	}
	return 0;
}

static int
chat_logprobs(struct choice *c, jv lp)
{
	static const char *const keys[] = { "content", "refusal", NULL };
	int i;

	if (jv_get_kind(lp) != JV_KIND_OBJECT)
		return 0;
	if (jv_get_kind(c->logprobs) != JV_KIND_OBJECT) {
		jv_free(c->logprobs);
		c->logprobs = jv_copy(lp);
		return 0;
	}
	c->logprobs = jv_object_merge(c->logprobs, without(lp, keys));
	for (i = 0; keys[i]; i++) {
		jv add = jvx_get(lp, keys[i]);
		jv have;

		if (jv_get_kind(add) != JV_KIND_ARRAY) {
			jv_free(add);
			continue;
		}
		have = jvx_get(c->logprobs, keys[i]);
		if (jv_get_kind(have) != JV_KIND_ARRAY) {
			jv_free(have);
			have = jv_array();
		} else
			/* the object lets go of the array (its key keeps its
			 * place), so the concatenation grows it in place
			 * instead of copying it for every chunk */
			c->logprobs = jv_object_set(c->logprobs,
			    jv_string(keys[i]), jv_null());
		have = jv_array_concat(have, add);
		c->logprobs = jv_object_set(c->logprobs, jv_string(keys[i]),
		    have);
	}
	return 0;
}

static int
chat_choice(struct acc *a, jv ch)
{
	static const char *const cknown[] = { "delta", "finish_reason",
		"index", "logprobs", NULL };
	static const char *const dknown[] = { "audio", "content", "refusal",
		"function_call", "role", "tool_calls", NULL };
	long long ci = index_of(ch, "index", 0);
	struct choice *c;
	jv delta, lp, v;
	const char *s, *fr;
	size_t n, frn = 0;
	int rc = 0;

	if ((c = choice_at(a, ci)) == NULL)
		return a->fail;
	c->seen = 1;
	lp = jvx_get(ch, "logprobs");
	chat_logprobs(c, lp);
	jv_free(lp);
	v = without(ch, cknown);
	c->choice_rest = jv_object_merge(c->choice_rest, v);
	delta = jvx_get(ch, "delta");
	if (jv_get_kind(delta) == JV_KIND_OBJECT) {
		if ((s = nestr(delta, "role", &n)) != NULL)
			setstr(&c->role, s, n);
		v = jvx_get(delta, "content");
		rc = chat_content(a, c, (int)ci, v);
		jv_free(v);
		if (rc == 0 && (s = str(delta, "reasoning_content", &n)) != NULL) {
			c->reasoning_keys |= 1;
			rc = fold_text(a, DELTA_REASONING, (int)ci, s, n);
		} else if (rc == 0 && (s = str(delta, "reasoning", &n)) != NULL) {
			c->reasoning_keys |= 2;
			rc = fold_text(a, DELTA_REASONING, (int)ci, s, n);
		}
		if (rc == 0 && (s = str(delta, "refusal", &n)) != NULL) {
			rc = fold_text(a, DELTA_REFUSAL, (int)ci, s, n);
		}
		v = jvx_get(delta, "function_call");
		if (rc == 0 && jv_get_kind(v) == JV_KIND_OBJECT) {
			/* legacy function_call: one call, also shown as call 0 */
			const char *name = nestr(v, "name", NULL);
			const char *args = str(v, "arguments", &n);

			c->has_fc = 1;
			if (name)
				setstr(&c->fc_name, name, strlen(name));
			if (args && app(a, &c->fc_args, args, n))
				rc = a->fail;
			if (rc == 0)
				rc = fold_call(a, (int)ci, 0, NULL, name, args,
				    args ? n : 0);
		}
		jv_free(v);
		v = jvx_get(delta, "tool_calls");
		if (rc == 0 && jv_get_kind(v) == JV_KIND_ARRAY)
			rc = chat_tool_calls(a, c, (int)ci, v);
		jv_free(v);
		if (rc == 0) {
			v = without(delta, dknown);
			if (jv_object_length(jv_copy(v)) > 0)
				c->msg_rest = jv_object_merge(c->msg_rest, v);
			else
				jv_free(v);
		}
	}
	jv_free(delta);
	if (rc == 0 && (fr = nestr(ch, "finish_reason", &frn)) != NULL)
		rc = fold_finish(a, (int)ci, norm_openai_finish(fr), fr, frn);
	return rc;
}

/* chat_timings: llama.cpp's server counts its own tokens in "timings",
 * beside (or instead of) the usage. */
static void
chat_timings(struct acc *a, jv j)
{
	long long n;

	if ((n = num2(j, "timings", "predicted_n")) >= 0)
		a->srv_out = n;
	if ((n = num2(j, "timings", "prompt_n")) >= 0)
		a->srv_in = n;
}

static int
chat_event(struct acc *a, struct ev *ev, jv j)
{
	static const char *const tknown[] = { "choices", NULL };
	jv choices, rest, e;
	int i, n, rc = 0;

	if (ev_is_done(ev))
		return fold_simple(a, DELTA_DONE);
	if (jv_get_kind(j) != JV_KIND_OBJECT)
		return 0;
	/* The SDK takes the first chunk whole, then later chunks' fields
	 * when they have an id (Azure's first chunk has id ""). */
	rest = without(j, tknown);
	if (!jv_is_valid(a->top)) {
		a->top = rest;
	} else if (nestr(j, "id", NULL)) {
		a->top = jv_object_merge(a->top, rest);
	} else
		jv_free(rest);
	set_meta(a, nestr(j, "id", NULL), nestr(j, "model", NULL));
	if (kind(j, "timings") == JV_KIND_OBJECT)
		chat_timings(a, j);
	e = jvx_get(j, "error");
	if (jv_get_kind(e) != JV_KIND_NULL)
		rc = fold_error(a, e);
	jv_free(e);
	choices = jvx_get(j, "choices");
	if (jv_get_kind(choices) == JV_KIND_ARRAY) {
		n = jv_array_length(jv_copy(choices));
		for (i = 0; i < n && rc == 0; i++) {
			jv ch = jv_array_get(jv_copy(choices), i);

			rc = chat_choice(a, ch);
			jv_free(ch);
		}
	}
	jv_free(choices);
	if (rc == 0) {
		e = jvx_get(j, "usage");
		if (jv_get_kind(e) != JV_KIND_OBJECT) {
			jv x = jvx_get(j, "x_groq");

			jv_free(e);
			e = jvx_get(x, "usage");
			jv_free(x);
		}
		if (jv_get_kind(e) == JV_KIND_OBJECT) {
			jv_free(a->usage_raw);
			a->usage_raw = jv_copy(e);
		}
		rc = chat_usage(a, e);
		jv_free(e);
	}
	return rc;
}

/* chat_served: the chat.completion the API sends without streaming: the
 * usage the stream reported (the SDK loses it to a later "usage": null,
 * or to a usage chunk whose id is "") and no stream-only obfuscation. */
static jv
chat_served(const struct acc *a, jv out)
{
	out = jv_object_delete(out, jv_string("obfuscation"));
	if (jv_is_valid(a->usage_raw))
		out = jv_object_set(out, jv_string("usage"),
		    jv_copy(a->usage_raw));
	return out;
}

static jv
chat_native(const struct acc *a)
{
	static const char *const tdrop[] = { "id", "choices", "created",
		"model", "system_fingerprint", "object", NULL };
	jv top = jv_is_valid(a->top) ? jv_copy(a->top) : jv_object();
	jv out = without(top, tdrop), choices = jv_array();
	const char *fp;
	int i, k;

	if (jv_object_has(jv_copy(top), jv_string("id")))
		out = jv_object_set(out, jv_string("id"), jvx_get(top, "id"));
	for (i = 0; i < a->nchoices; i++) {
		const struct choice *c = a->ch[i];
		jv ch, msg;

		if (c == NULL || !c->seen)
			continue;
		if (c->has_fc) {
			msg = jv_object();
		} else {
			msg = jv_copy(c->msg_rest);
			/* The SDK keeps only the last value of fields it does not
			 * know; reasoning is assembled in full, as the provider's
			 * non-streaming body has it. */
			if (c->reasoning_keys & 1)
				msg = jv_object_set(msg,
				    jv_string("reasoning_content"),
				    c->has_reasoning ? jstr(&c->reasoning) :
				    jv_null());
			if (c->reasoning_keys & 2)
				msg = jv_object_set(msg, jv_string("reasoning"),
				    c->has_reasoning ? jstr(&c->reasoning) :
				    jv_null());
		}
		msg = jv_object_set(msg, jv_string("role"),
		    jv_string(c->role ? c->role : "assistant"));
		if (c->content_blocks) {
			jv arr = jv_array();

			if (c->has_reasoning)
				arr = jv_array_append(arr, JV_OBJECT(
				    jv_string("type"), jv_string("thinking"),
				    jv_string("thinking"), JV_ARRAY(JV_OBJECT(
				    jv_string("type"), jv_string("text"),
				    jv_string("text"), jstr(&c->reasoning)))));
			if (c->has_content)
				arr = jv_array_append(arr, JV_OBJECT(
				    jv_string("type"), jv_string("text"),
				    jv_string("text"), jstr(&c->content)));
			msg = jv_object_set(msg, jv_string("content"), arr);
		} else
			msg = jv_object_set(msg, jv_string("content"),
			    c->has_content ? jstr(&c->content) : jv_null());
		msg = jv_object_set(msg, jv_string("refusal"),
		    c->has_refusal ? jstr(&c->refusal) : jv_null());
		if (c->has_fc) {
			msg = jv_object_set(msg, jv_string("function_call"),
			    JV_OBJECT(jv_string("arguments"), jstr(&c->fc_args),
			    jv_string("name"), jcstr(c->fc_name ? c->fc_name :
			    "")));
		} else if (c->ncalls > 0) {
			jv tcs = jv_array();

			for (k = 0; k < c->ncalls; k++) {
				const struct tcall *t = &c->calls[k];
				jv tc;

				if (!t->seen)
					continue;
				tc = jv_is_valid(t->extra) ? jv_copy(t->extra) :
				    jv_object();
				tc = jv_object_set(tc, jv_string("id"),
				    jcstr(t->id));
				tc = jv_object_set(tc, jv_string("type"),
				    jv_string(t->type ? t->type : "function"));
				tc = jv_object_set(tc, jv_string("function"),
				    JV_OBJECT(jv_string("name"),
				    jv_string(t->name ? t->name : ""),
				    jv_string("arguments"), jstr(&t->args)));
				tcs = jv_array_append(tcs, tc);
			}
			msg = jv_object_set(msg, jv_string("tool_calls"), tcs);
		}
		ch = jv_copy(c->choice_rest);
		ch = jv_object_set(ch, jv_string("index"), jv_number(i));
		ch = jv_object_set(ch, jv_string("message"), msg);
		ch = jv_object_set(ch, jv_string("finish_reason"),
		    jcstr(c->finish_raw));
		ch = jv_object_set(ch, jv_string("logprobs"),
		    jv_copy(c->logprobs));
		choices = jv_array_append(choices, ch);
	}
	out = jv_object_set(out, jv_string("choices"), choices);
	if (jv_object_has(jv_copy(top), jv_string("created")))
		out = jv_object_set(out, jv_string("created"),
		    jvx_get(top, "created"));
	if (jv_object_has(jv_copy(top), jv_string("model")))
		out = jv_object_set(out, jv_string("model"),
		    jvx_get(top, "model"));
	out = jv_object_set(out, jv_string("object"),
	    jv_string("chat.completion"));
	if ((fp = nestr(top, "system_fingerprint", NULL)) != NULL)
		out = jv_object_set(out, jv_string("system_fingerprint"),
		    jv_string(fp));
	jv_free(top);
	return out;
}

/* ------------------------------------------------------------- writer */

static void
chat_head(struct w *w)
{
	w_sse_begin(w, NULL);
	w_lit(w, "{\"id\":\"chatcmpl-");
	w_lit(w, w->id);
	w_lit(w, "\",\"object\":\"chat.completion.chunk\",\"created\":");
	w_num(w, w->m ? w->m->created : 0);
	w_lit(w, ",\"model\":");
	w_str(w, w->model);
	w_lit(w, ",\"choices\":[");
}

static void
chat_choice_end(struct w *w, const char *finish)
{
	w_lit(w, "},\"logprobs\":null,\"finish_reason\":");
	if (finish) {
		w_lit(w, "\"");
		w_lit(w, finish);
		w_lit(w, "\"");
	} else
		w_lit(w, "null");
	w_lit(w, "}]}");
	w_end(w, "\n\n");
}

static void
chat_write(struct w *w)
{
	const struct emit_msg *m = w->m;
	char id[128];
	size_t i, k;
	long long in = w_in_tokens(m), out = w_out_tokens(m);

	chat_head(w);
	w_lit(w, "{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":");
	w_lit(w, m->ntext || !m->ncalls ? "\"\"" : "null");
	w_lit(w, ",\"refusal\":null");
	chat_choice_end(w, NULL);
	for (i = 0; i < m->nreasoning; i++) {
		chat_head(w);
		w_lit(w, "{\"index\":0,\"delta\":{\"reasoning_content\":");
		w_str(w, m->reasoning[i]);
		chat_choice_end(w, NULL);
	}
	for (i = 0; i < m->ntext; i++) {
		chat_head(w);
		w_lit(w, "{\"index\":0,\"delta\":{\"content\":");
		w_str(w, m->text[i]);
		chat_choice_end(w, NULL);
	}
	for (i = 0; i < m->ncalls; i++) {
		const struct emit_call *c = &m->calls[i];

		w_call_id(id, sizeof id, "call_mock_", c, i);
		chat_head(w);
		w_lit(w, "{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":");
		w_num(w, (long long)i);
		w_lit(w, ",\"id\":");
		w_str(w, id);
		w_lit(w, ",\"type\":\"function\",\"function\":{\"name\":");
		w_str(w, c->name);
		w_lit(w, ",\"arguments\":\"\"}}]");
		chat_choice_end(w, NULL);
		for (k = 0; k < c->nargs; k++) {
			chat_head(w);
			w_lit(w, "{\"index\":0,\"delta\":{\"tool_calls\":"
			    "[{\"index\":");
			w_num(w, (long long)i);
			w_lit(w, ",\"function\":{\"arguments\":");
			w_str(w, c->args[k]);
			w_lit(w, "}}]");
			chat_choice_end(w, NULL);
		}
	}
	chat_head(w);
	w_lit(w, "{\"index\":0,\"delta\":{");
	chat_choice_end(w, m->ncalls ? "tool_calls" : "stop");
	chat_head(w);
	w_lit(w, "],\"usage\":{\"prompt_tokens\":");
	w_num(w, in);
	w_lit(w, ",\"completion_tokens\":");
	w_num(w, out);
	w_lit(w, ",\"total_tokens\":");
	w_num(w, in + out);
	w_lit(w, "}}");
	w_end(w, "\n\n");
	w_sse_begin(w, NULL);
	w_lit(w, "[DONE]");
	w_end(w, "\n\n");
}

static void
chat_write_error(struct w *w)
{
	w_sse_begin(w, NULL);
	w_lit(w, "{\"error\":{\"message\":");
	w_str(w, W_OVERLOADED);
	w_lit(w, ",\"type\":\"server_error\",\"param\":null,"
	    "\"code\":\"overloaded\"}}");
	w_end(w, "\n\n");
}

/* -------------------------------------------------------------- detect */

static int
chat_detect(const char *type, const char *dtype, jv j)
{
	(void)type;
	(void)dtype;

	return jv_get_kind(j) == JV_KIND_OBJECT &&
	    (jv_object_has(jv_copy(j), jv_string("choices")) ||
	    streq(str(j, "object", NULL), "chat.completion.chunk"));
}

/* ------------------------------------------------------------- request */

/* What an OpenAI-compatible host takes, where it is known. Unknown hosts
 * get max_tokens (which every such server knows, and OpenAI still takes
 * from its older models) and include_usage (which most take; Mistral
 * refuses it with 422 extra_forbidden, and its usage comes unasked). */
#define H_MAX_COMPLETION 1   /* max_tokens refused for reasoning models */
#define H_NO_USAGE 2         /* stream_options refused */
#define H_AZURE 4            /* the key in api-key, AZURE_OPENAI_API_KEY */
static const struct {
	const char *host;    /* exact, or a suffix starting with '.' */
	int flags;
} chat_hosts[] = {
	{ "api.openai.com", H_MAX_COMPLETION },
	{ ".openai.azure.com", H_MAX_COMPLETION | H_AZURE },
	{ ".cognitiveservices.azure.com", H_MAX_COMPLETION | H_AZURE },
	{ "api.mistral.ai", H_NO_USAGE },
};

static int
chat_host(const char *base)
{
	size_t i;

	if (base == NULL)
		base = provider_get(DIALECT_OPENAI_CHAT)->default_base;
	for (i = 0; i < sizeof chat_hosts / sizeof chat_hosts[0]; i++)
		if (req_host_is(base, chat_hosts[i].host))
			return chat_hosts[i].flags;
	return 0;
}

static jv
chat_req_body(const struct req_params *r, jv msgs)
{
	jv body = jv_object_set(jv_object(), jv_string("model"),
	    jv_string(r->model));

	return jv_object_set(body, jv_string("messages"),
	    req_chat_messages(r, msgs));
}

static jv
chat_req_opts(jv body, const struct req_params *r)
{
	int maxc = r->max_field == REQ_MAX_COMPLETION ||
	    (r->max_field == REQ_MAX_AUTO && (chat_host(r->base) &
	    H_MAX_COMPLETION));

	body = req_sampling(body, maxc ? "max_completion_tokens" :
	    "max_tokens", r);
	if (r->reasoning != REQ_REASON_UNSET)
		body = jv_object_set(body, jv_string("reasoning_effort"),
		    jv_string(req_effort(r)));
	return body;
}

static int
chat_req_ready(jv body, int stream)
{
	jv so;
	int ok = req_stream_ok(body, stream, 0);

	if (ok && !stream) {
		so = jvx_get(body, "stream_options");
		ok = jv_get_kind(so) == JV_KIND_NULL;
		jv_free(so);
	}
	return ok;
}

/* Token counts arrive only when asked for, where the host takes it. */
static jv
chat_req_streaming(jv body, const char *base)
{
	jv so;

	if (chat_host(base) & H_NO_USAGE)
		return body;
	so = jvx_get(body, "stream_options");
	if (jv_get_kind(so) != JV_KIND_OBJECT) {
		jv_free(so);
		so = jv_object();
	}
	so = jv_object_set(so, jv_string("include_usage"), jv_true());
	return jv_object_set(body, jv_string("stream_options"), so);
}

void
openai_req_auth(const char *base, struct req_auth *a)
{
	if (chat_host(base) & H_AZURE) {
		a->header = "api-key";
		a->prefix = "";
		a->key_env = "AZURE_OPENAI_API_KEY";
		a->key_env_alt = NULL;
	}
}

/* A base whose host is one of the table's, or whose path has an /openai
 * segment (Gemini's /v1beta/openai, Azure's /openai/deployments/NAME and
 * /openai/v1), serves this API whatever the model is called. */
static int
chat_req_claims(const char *base)
{
	return chat_host(base) != 0 || req_path_has(base, "/openai");
}

static int
chat_req_refuse(jv body, struct buf *why)
{
	jv m = jvx_get(body, "model");
	int hit = 0;

	if (jv_object_has(jv_copy(body), jv_string("max_tokens")) &&
	    provider_reasoning_model(provider_get(DIALECT_OPENAI_CHAT),
	    jvx_str(m, NULL))) {
		buf_puts(why, "Unsupported parameter: 'max_tokens' is not "
		    "supported with this model. Use 'max_completion_tokens' "
		    "instead.");
		hit = 1;
	}
	jv_free(m);
	return hit || req_temp_range(body, NULL, 2, why);
}

static void
chat_last_user(jv body, struct buf *b)
{
	req_last_user(body, "messages", "content", 0, b);
}

static jv
chat_conv_encode(jv conv)
{
	return conv_chat_encode(conv, 0);
}

static jv
chat_conv_decode(jv body)
{
	return conv_chat_decode(body, "messages");
}

/* ----------------------------------------------------------- fast path */

static int
chat_fast(struct acc *a, jv j, struct fast_spec *fs)
{
	static const struct jscan_step content[] = { { "choices", 0 },
	    { NULL, 0 }, { "delta", 0 }, { "content", 0 } };
	static const struct jscan_step rc[] = { { "choices", 0 },
	    { NULL, 0 }, { "delta", 0 }, { "reasoning_content", 0 } };
	static const struct jscan_step r[] = { { "choices", 0 },
	    { NULL, 0 }, { "delta", 0 }, { "reasoning", 0 } };
	static const struct jscan_step args[] = { { "choices", 0 },
	    { NULL, 0 }, { "delta", 0 }, { "tool_calls", 0 }, { NULL, 0 },
	    { "function", 0 }, { "arguments", 0 } };
	/* gpt-5 chunks carry a random "obfuscation" string: a second slot,
	 * whose last value the merged chunk fields keep */
	static const struct jscan_step obf[] = { { "obfuscation", 0 } };
	jv ch = jvx_get(j, "choices"), c0 = jvx_idx(ch, 0),
	    lp = jvx_get(c0, "logprobs"), d = jvx_get(c0, "delta"),
	    tcs = jvx_get(d, "tool_calls");
	int plain = jv_get_kind(ch) == JV_KIND_ARRAY &&
	    jv_array_length(jv_copy(ch)) == 1 &&
	    jv_get_kind(lp) == JV_KIND_NULL &&
	    (a->ev_kind != DELTA_TOOL_CALL ||
	    (jv_get_kind(tcs) == JV_KIND_ARRAY &&
	    jv_array_length(jv_copy(tcs)) == 1 &&
	    kind(d, "function_call") == JV_KIND_NULL));

	/* logprobs accumulate, so a chunk carrying them is no template;
	 * nor is a call fragment beside another one */
	jv_free(ch);
	jv_free(c0);
	jv_free(lp);
	jv_free(d);
	jv_free(tcs);
	if (!plain)
		return 0;
	fs->depth = 4;
	if (a->ev_kind == DELTA_TEXT)
		fs->paths[0] = content;
	else if (a->ev_kind == DELTA_TOOL_CALL) {
		fs->paths[0] = args;
		fs->depth = 7;
	} else {
		fs->paths[0] = rc;
		fs->paths[1] = r;
	}
	fs->more[0].path = obf;
	fs->more[0].depth = 1;
	fs->more[0].top = nestr(j, "id", NULL) != NULL;
	return 1;
}

static const struct prov_ops chat_ops = {
	.detect = chat_detect, .event = chat_event, .native = chat_native,
	.write = chat_write, .write_error = chat_write_error,
	.error_body = openai_error_body,
	.req_body = chat_req_body,
	.req_ready = chat_req_ready, .req_finish = req_stream_flag,
	.req_streaming = chat_req_streaming, .req_opts = chat_req_opts,
	.req_tools = req_tools_nested,
	.req_auth = openai_req_auth, .req_claims = chat_req_claims,
	.req_refuse = chat_req_refuse, .last_user = chat_last_user,
	.fast = chat_fast, .served = chat_served,
	.conv_encode = chat_conv_encode, .conv_decode = chat_conv_decode,
};

/* The row of the provider table (provider.h): its facts. */
static const char *const chat_paths[] = { "/v1/chat/completions",
	"/chat/completions", NULL };
static const char *const openai_models[] = { "/v1/models", "/models", NULL };

/* OpenAI's reasoning models, which refuse max_tokens and temperature
 * (other than 1); their chat variants do not reason. Shared with the
 * Responses API's row (prov_priv.h). */
const char *const openai_reasoning[] = { "o1", "o3", "o4", "gpt-5", NULL };
const char *const openai_not_reasoning[] = { "-chat", NULL };
/* Their lowest effort: minimal for gpt-5's first family, low for the
 * o-series; "none" came with gpt-5.1. */
const char *const openai_no_effort_none[] = { "gpt-5", "o1", "o3",
	"o4-mini", NULL };

/* The models only the Responses API serves: the openai SDK's
 * ResponsesModel names that its ChatModel lacks (tests/52 holds them to
 * the SDK's list); the Responses row's model_only. */
const char *const openai_responses_only[] = { "o1-pro", "o3-pro",
	"o3-deep-research", "o4-mini-deep-research", "computer-use-preview",
	"gpt-5-codex", "gpt-5-pro", "gpt-5.1-codex-max", NULL };

const struct provider prov_chat = {
	.id = DIALECT_OPENAI_CHAT, .name = "openai-chat",
	.alias = { "openai", "chat", NULL },
	.content_type = "text/event-stream",
	.default_base = "https://api.openai.com/v1",
	.base_env = "OPENAI_BASE_URL", .default_model = "gpt-4o-mini",
	.api_path = "/chat/completions", .key_env = "OPENAI_API_KEY",
	.key_header = "Authorization", .key_prefix = "Bearer ",
	.reasoning_models = openai_reasoning,
	.not_reasoning = openai_not_reasoning,
	.no_effort_none = openai_no_effort_none,
	.paths = chat_paths, .models_paths = openai_models,
	.models_body = "{\"object\":\"list\",\"data\":[{\"id\":"
	    "\"llm-mock\",\"object\":\"model\",\"created\":0,\"owned_by\":"
	    "\"llm-mock\"}]}",
	.ops = &chat_ops,
	.detect_last = 1,
};
