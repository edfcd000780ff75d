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

/* The in-stream error types and codes the providers send, and the HTTP
 * status they answer the same failure with before a stream starts. */
static const struct { const char *type; int status; } err_status[] = {
	{ "overloaded_error", 529 }, { "overloaded", 529 },
	{ "rate_limit_error", 429 }, { "rate_limit_exceeded", 429 },
	{ "insufficient_quota", 429 }, { "requests", 429 },
	{ "tokens", 429 }, { "RESOURCE_EXHAUSTED", 429 },
	{ "invalid_request_error", 400 }, { "INVALID_ARGUMENT", 400 },
	{ "authentication_error", 401 }, { "UNAUTHENTICATED", 401 },
	{ "permission_error", 403 }, { "PERMISSION_DENIED", 403 },
	{ "not_found_error", 404 }, { "NOT_FOUND", 404 },
	{ "timeout_error", 504 }, { "DEADLINE_EXCEEDED", 504 },
	{ "service_unavailable", 503 }, { "UNAVAILABLE", 503 },
	{ "api_error", 500 }, { "server_error", 500 }, { "INTERNAL", 500 },
};

int
mock_error_status(const char *type)
{
	size_t i;
	char *end;
	long n;

	if (type == NULL)
		return 500;
	for (i = 0; i < sizeof err_status / sizeof err_status[0]; i++)
		if (strcmp(type, err_status[i].type) == 0)
			return err_status[i].status;
	n = strtol(type, &end, 10);
	if (*type && *end == '\0' && n >= 400 && n <= 599)
		return (int)n;
	return 500;
}

int
mock_serve_native(const struct emit_stream *s, struct buf *out)
{
	struct acc *a;
	const char *perr, *sep;
	char type[128];
	int frc, status = 200;
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
		status = mock_error_status(type);
		emit_error_body(out, s->d, status, sep ? sep + 2 : perr);
	} else {
		v = frc == 0 ? acc_served(a) : jv_invalid();
		if (jv_get_kind(v) == JV_KIND_OBJECT)
			jvx_dump(out, v);
		else {
			jv_free(v);
			status = 500;
			if (frc != 0)
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
