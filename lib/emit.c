/* emit.c - writing a stream in a provider dialect (see emit.h) */
#include "prov_priv.h"

#include <jv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"
#include "jvx.h"
#include "mem.h"
#include "sse.h"


void
emit_stream_init(struct emit_stream *s, enum dialect d)
{
	const struct provider *p = provider_get(d);

	memset(s, 0, sizeof *s);
	s->d = d;
	s->ndjson = p && p->ndjson;
}

void
emit_stream_free(struct emit_stream *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->v[i].p);
	free(s->v);
	free(s->name);
	free(s->body);
	s->v = NULL;
	s->name = NULL;
	s->body = NULL;
	s->body_len = 0;
	s->n = s->cap = s->bytes = 0;
}

int
emit_frame_add(struct emit_stream *s, const char *p, size_t n, double t,
    int has_t)
{
	size_t max = s->max_bytes ? s->max_bytes : BUF_DEFAULT_MAX;

	if (n > max || s->bytes > max - n)
		return -1;
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 16;
		s->v = xrealloc(s->v, s->cap * sizeof *s->v);
	}
	s->v[s->n].p = xmemdup(p, n);
	s->v[s->n].len = n;
	s->v[s->n].t = t;
	s->v[s->n].has_t = has_t;
	s->n++;
	s->bytes += n;
	return 0;
}

const char *
emit_content_type(enum dialect d)
{
	const struct provider *p = provider_get(d);

	return p ? p->content_type : "text/event-stream";
}

const char *
status_word(const struct status_word *v, int status, const char *client,
    const char *server)
{
	for (; v->status; v++)
		if (v->status == status)
			return v->word;
	return status < 500 ? client : server;
}

/* The OpenAI family's error vocabulary: the type and the code. */
static const struct status_word openai_types[] = {
	{ 403, "permission_error" }, { 408, "timeout" }, { 429, "requests" },
	{ 504, "timeout" }, { 0, NULL } };
static const struct status_word openai_codes[] = {
	{ 400, "invalid_request" }, { 401, "invalid_api_key" },
	{ 403, "permission_denied" }, { 404, "not_found" },
	{ 408, "timeout" }, { 413, "request_too_large" },
	{ 429, "rate_limit_exceeded" }, { 502, "bad_gateway" },
	{ 503, "service_unavailable" }, { 504, "timeout" },
	{ 529, "overloaded" }, { 0, NULL } };

/* openai_error_body: the OpenAI error body, which every OpenAI-compatible
 * API (chat completions, Responses) sends. */
int
openai_error_body(struct buf *b, int status, const char *message)
{
	int rc = 0;

	rc |= LIT(b, "{\"error\":{\"message\":");
	rc |= jsonw_string(b, message, strlen(message));
	rc |= LIT(b, ",\"type\":\"");
	rc |= buf_puts(b, status_word(openai_types, status,
	    "invalid_request_error", "server_error"));
	rc |= LIT(b, "\",\"param\":null,\"code\":\"");
	rc |= buf_puts(b, status_word(openai_codes, status, "invalid_request",
	    "server_error"));
	rc |= LIT(b, "\"}}");
	return rc;
}

void
w_init(struct w *w, struct emit_stream *s, const struct emit_msg *m)
{
	memset(w, 0, sizeof *w);
	w->s = s;
	w->m = m;
	buf_init(&w->b, 0);
	w->model = m && m->model ? m->model : "llm-mock";
	snprintf(w->id, sizeof w->id, "%s", m && m->id ? m->id : "mock");
}

void
w_str(struct w *w, const char *s)
{
	if (jsonw_string(&w->b, s, strlen(s)) == -1)
		w->err = 1;
}

void
w_lit(struct w *w, const char *s)
{
	if (buf_puts(&w->b, s) == -1)
		w->err = 1;
}

void
w_num(struct w *w, long long n)
{
	if (buf_printf(&w->b, "%lld", n) == -1)
		w->err = 1;
}

/* w_sse_begin starts an SSE frame with an event line when event != NULL. */
void
w_sse_begin(struct w *w, const char *event)
{
	buf_reset(&w->b);
	if (event) {
		w_lit(w, "event: ");
		w_lit(w, event);
		w_lit(w, "\n");
	}
	w_lit(w, "data: ");
}

void
w_end(struct w *w, const char *tail)
{
	w_lit(w, tail);
	if (!w->err && emit_frame_add(w->s, w->b.p, w->b.len, 0, 0) == -1)
		w->err = 1;
	buf_reset(&w->b);
}

int
w_done(struct w *w)
{
	buf_free(&w->b);
	return w->err ? -1 : 0;
}

long long
w_out_tokens(const struct emit_msg *m)
{
	size_t i, n = m->nreasoning + m->ntext;

	if (m->output_tokens >= 0)
		return m->output_tokens;
	for (i = 0; i < m->ncalls; i++)
		n += m->calls[i].nargs + 1;
	return (long long)n;
}

long long
w_in_tokens(const struct emit_msg *m)
{
	return m->input_tokens > 0 ? m->input_tokens : 0;
}

/* joined appends all fragments into b (a scratch buffer). */
void
w_joined(struct buf *b, const char *const *v, size_t n)
{
	size_t i;

	buf_reset(b);
	for (i = 0; i < n; i++)
		buf_puts(b, v[i]);
}

void
w_call_id(char *out, size_t n, const char *prefix, const struct emit_call *c,
    size_t i)
{
	if (c->id)
		snprintf(out, n, "%s", c->id);
	else
		snprintf(out, n, "%s%zu", prefix, i);
}

/* w_args_object appends the joined arguments as a JSON object value
 * (Gemini and Ollama send objects); {} when they are not JSON. */
void
w_args_object(struct w *w, const struct emit_call *c)
{
	struct buf j;
	jv v;

	buf_init(&j, 0);
	w_joined(&j, c->args, c->nargs);
	v = jvx_parse(j.p ? j.p : "", j.len);
	buf_free(&j);
	if (jv_is_valid(v) && jv_get_kind(v) == JV_KIND_OBJECT) {
		if (jvx_dump(&w->b, v) == -1)
			w->err = 1;
	} else {
		jv_free(v);
		w_lit(w, "{}");
	}
}

int
emit_message(struct emit_stream *s, const struct emit_msg *m)
{
	const struct provider *p = provider_get(s->d);
	struct w w;

	w_init(&w, s, m);
	(p ? p : provider_at(0))->ops->write(&w);
	return w_done(&w);
}

int
emit_error_event(struct emit_stream *s, const struct emit_msg *m)
{
	const struct provider *p = provider_get(s->d);
	struct w w;

	w_init(&w, s, m);
	(p ? p : provider_at(0))->ops->write_error(&w);
	return w_done(&w);
}

/* The default text for a status, in every provider's body. */
static const struct status_word status_texts[] = {
	{ 400, "Invalid request." }, { 401, "Invalid or missing API key." },
	{ 403, "Permission denied." }, { 404, "Not found." },
	{ 408, "Request timed out." }, { 413, "Request too large." },
	{ 429, "Rate limit reached, please retry later." },
	{ 500, "Internal server error." }, { 502, "Bad gateway." },
	{ 503, "The service is unavailable, please retry later." },
	{ 504, "Gateway timeout." }, { 529, "Overloaded." }, { 0, NULL } };

int
emit_error_body(struct buf *b, enum dialect d, int status, const char *message)
{
	const struct provider *p = provider_get(d);

	if (message == NULL)
		message = status_word(status_texts, status, "Request failed.",
		    "Server error.");
	return (p ? p : provider_at(0))->ops->error_body(b, status, message) ?
	    -1 : 0;
}

/* ---- reading frames back as events ---- */

struct back {
	ev_fn cb;
	void *ctx;
	long seq;
};

static int
back_sse(void *ctx, const struct sse_event *se)
{
	struct back *k = ctx;
	struct ev ev;
	int rc;

	ev_from_sse(&ev, se);
	ev.seq = ++k->seq;
	rc = k->cb(k->ctx, &ev);
	ev_release(&ev);
	return rc;
}

int
emit_events(const struct emit_stream *s, size_t nframes, ev_fn cb, void *ctx)
{
	struct back k = { cb, ctx, 0 };
	struct sse_parser p;
	size_t i;
	int rc = 0, pending;

	if (nframes > s->n)
		nframes = s->n;
	if (s->ndjson) {
		for (i = 0; i < nframes && rc == 0; i++) {
			struct ev ev;
			size_t n = s->v[i].len;

			while (n && (s->v[i].p[n - 1] == '\n' ||
			    s->v[i].p[n - 1] == '\r'))
				n--;
			if (n == 0)
				continue;
			memset(&ev, 0, sizeof ev);
			ev.type = "message";
			ev.type_len = 7;
			ev.id = "";
			ev.retry = -1;
			ev.data = s->v[i].p;
			ev.data_len = n;
			ev.line = (long)i + 1;
			ev.seq = ++k.seq;
			ev.json = jv_invalid();
			rc = cb(ctx, &ev);
			if (ev.json_state)
				jv_free(ev.json);
		}
		return rc;
	}
	sse_init(&p, 0, back_sse, NULL, &k);
	for (i = 0; i < nframes && rc == 0; i++)
		rc = sse_push(&p, s->v[i].p, s->v[i].len);
	if (rc == 0)
		rc = sse_finish(&p, 0, &pending);
	sse_free(&p);
	return rc == SSE_TOO_BIG ? -1 : rc;
}
