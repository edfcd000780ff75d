/* mock_serve.c - llm-mock's non-streaming answers and reshaped streams
 * (mock_serve.h). */
#include "mock_serve.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "prov_priv.h"
#include "jvx.h"
#include "mem.h"

static pthread_mutex_t acc_mu = PTHREAD_MUTEX_INITIALIZER;

static int
feed(void *ctx, struct ev *ev)
{
	int rc = acc_event(ctx, ev, NULL, NULL);

	return rc < 0 ? rc : 0;
}

/* The statuses tried, in order, when an in-stream error's type is read
 * back to a status: the first whose error body, in the provider's own
 * vocabulary, names that type (so an overload is 529 before 503). */
static const int statuses[] = { 429, 529, 401, 403, 404, 408, 413, 400,
	503, 502, 504, 500 };

/* in-stream words that no error body uses but whose status is known:
 * the OpenAI family's quota error is a 429 */
static const struct { const char *type; int status; } extra[] = {
	{ "insufficient_quota", 429 }, { "tokens", 429 },
};

int
mock_error_status(enum dialect d, const char *type)
{
	struct buf b, w;
	size_t i;
	char *end;
	long n;
	int st = 0;

	if (type == NULL || *type == '\0')
		return 500;
	for (i = 0; i < sizeof extra / sizeof extra[0]; i++)
		if (strcmp(type, extra[i].type) == 0)
			return extra[i].status;
	n = strtol(type, &end, 10);
	if (*end == '\0' && n >= 400 && n <= 599)
		return (int)n;
	buf_init(&b, 0);
	buf_init(&w, 0);
	buf_putc(&w, '"');
	buf_puts(&w, type);
	buf_putc(&w, '"');
	for (i = 0; i < sizeof statuses / sizeof statuses[0] && !st; i++) {
		buf_reset(&b);
		emit_error_body(&b, d, statuses[i], "");
		if (b.p && memmem(b.p, b.len, w.p, w.len))
			st = statuses[i];
	}
	buf_free(&b);
	buf_free(&w);
	return st ? st : 500;
}

int
mock_serve_native(const struct emit_stream *s, struct buf *out)
{
	struct acc *a;
	const char *perr, *sep;
	char type[128];
	int frc, status = 200, is_obj;
	jv v;

	buf_reset(out);
	pthread_mutex_lock(&acc_mu);
	a = acc_new(s->d, 0);
	frc = emit_events(s, s->n, feed, a);
	if (frc == 0)
		acc_end(a, NULL, NULL);
	if (frc == 0 && acc_status(a) == ACC_ERROR &&
	    (perr = acc_provider_error(a)) != NULL) {
		/* "type: message", as fold_error made it */
		sep = strstr(perr, ": ");
		snprintf(type, sizeof type, "%.*s", sep ? (int)(sep - perr) :
		    0, perr);
		status = mock_error_status(s->d, type);
		emit_error_body(out, s->d, status, sep ? sep + 2 : perr);
	} else {
		v = frc == 0 ? acc_served(a) : jv_invalid();
		is_obj = jv_get_kind(v) == JV_KIND_OBJECT;
		/* (jvx_dump consumes v and leaves out empty when it fails) */
		if (!is_obj || jvx_dump(out, v) == -1) {
			int too_big = is_obj;

			if (!is_obj)
				jv_free(v);
			status = 500;
			if (too_big)
				buf_printf(out, "cannot assemble the answer: "
				    "over %zu bytes", out->max);
			else if (frc != 0)
				buf_printf(out, "cannot assemble the answer: "
				    "%s", acc_error(a));
			else
				buf_puts(out, "cannot assemble the answer");
			v = jv_string_sized(out->p, (int)out->len);
			buf_reset(out);
			emit_error_body(out, s->d, status, jv_string_value(v));
			jv_free(v);
		}
	}
	acc_free(a);
	pthread_mutex_unlock(&acc_mu);
	return status;
}

int
mock_reshape(const char *url, const struct emit_stream *in,
    struct emit_stream *out)
{
	const struct provider *p = provider_get(in->d);
	struct buf b;
	size_t i;
	int any = 0;

	if (p == NULL || p->ops->reshape == NULL)
		return 0;
	buf_init(&b, 0);
	for (i = 0; i < in->n && !any; i++)
		any = p->ops->reshape(url, in->v[i].p, in->v[i].len, &b);
	if (!any) {
		buf_free(&b);
		return 0;
	}
	emit_stream_init(out, in->d);
	out->name = in->name ? xstrdup(in->name) : NULL;
	for (i = 0; i < in->n; i++) {
		const struct emit_frame *f = &in->v[i];

		if (p->ops->reshape(url, f->p, f->len, &b))
			emit_frame_add(out, b.p, b.len, f->t, f->has_t);
		else
			emit_frame_add(out, f->p, f->len, f->t, f->has_t);
	}
	buf_free(&b);
	return 1;
}
