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
	s->v = NULL;
	s->name = NULL;
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

/* openai_error_body: the OpenAI error body, which every OpenAI-compatible
 * API (chat completions, Responses) sends. */
int
openai_error_body(struct buf *b, int status, const struct status_row *r,
    const char *message)
{
	int rc = 0;
	(void)status;

	rc |= LIT(b, "{\"error\":{\"message\":");
	rc |= jsonw_string(b, message, strlen(message));
	rc |= LIT(b, ",\"type\":\"");
	rc |= buf_puts(b, r->oa_type);
	rc |= LIT(b, "\",\"param\":null,\"code\":\"");
	rc |= buf_puts(b, r->oa_code);
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
	size_t i, n = m->ntext;

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

static const struct status_row status_rows[] = {
	{ 400, "invalid_request_error", "invalid_request",
	    "invalid_request_error", "INVALID_ARGUMENT", "Invalid request." },
	{ 401, "invalid_request_error", "invalid_api_key",
	    "authentication_error", "UNAUTHENTICATED",
	    "Invalid or missing API key." },
	{ 403, "permission_error", "permission_denied", "permission_error",
	    "PERMISSION_DENIED", "Permission denied." },
	{ 404, "invalid_request_error", "not_found", "not_found_error",
	    "NOT_FOUND", "Not found." },
	{ 408, "timeout", "timeout", "timeout_error", "DEADLINE_EXCEEDED",
	    "Request timed out." },
	{ 413, "invalid_request_error", "request_too_large",
	    "request_too_large", "INVALID_ARGUMENT", "Request too large." },
	{ 429, "requests", "rate_limit_exceeded", "rate_limit_error",
	    "RESOURCE_EXHAUSTED", "Rate limit reached, please retry later." },
	{ 500, "server_error", "server_error", "api_error", "INTERNAL",
	    "Internal server error." },
	{ 502, "server_error", "bad_gateway", "api_error", "UNAVAILABLE",
	    "Bad gateway." },
	{ 503, "server_error", "service_unavailable", "overloaded_error",
	    "UNAVAILABLE", "The service is unavailable, please retry later." },
	{ 504, "timeout", "timeout", "timeout_error", "DEADLINE_EXCEEDED",
	    "Gateway timeout." },
	{ 529, "server_error", "overloaded", "overloaded_error", "UNAVAILABLE",
	    "Overloaded." },
};

int
emit_error_body(struct buf *b, enum dialect d, int status, const char *message)
{
	static const struct status_row client = { 0, "invalid_request_error",
	    "invalid_request", "invalid_request_error", "FAILED_PRECONDITION",
	    "Request failed." };
	static const struct status_row server = { 0, "server_error",
	    "server_error", "api_error", "INTERNAL", "Server error." };
	const struct status_row *r = status < 500 ? &client : &server;
	const struct provider *p;
	size_t i;
	int rc = 0;

	for (i = 0; i < sizeof status_rows / sizeof status_rows[0]; i++)
		if (status_rows[i].status == status)
			r = &status_rows[i];
	if (message == NULL)
		message = r->msg;
	p = provider_get(d);
	rc = (p ? p : provider_at(0))->ops->error_body(b,
	    status, r, message);
	return rc ? -1 : 0;
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
