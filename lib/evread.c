#include "evread.h"
#include "buf.h"
#include "clock.h"
#include "intr.h"
#include "jscan.h"
#include "jvx.h"
#include "out.h"
#include "sse.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define READ_SIZE (1024 * 1024)

struct reader {
	const struct evr_opts *o;
	ev_fn cb;
	struct evr_result *res;
	int64_t now;      /* arrival time of the current read */
	long seq;
	long lineno;      /* NDJSON: lines so far */
	struct buf line;  /* NDJSON: partial line */
	int plain;        /* NDJSON: the last line was a provider's object,
	                   * so a line the consumer's template matches is
	                   * one too (see evr_opts.vouch) */
};

jv
ev_json(struct ev *ev)
{
	return ev_json_with(ev, NULL);
}

jv
ev_json_with(struct ev *ev, struct jscan_strings *c)
{
	if (ev->json_state == 0) {
		ev->json_state = 1;
		if (ev->data)
			ev->json = jvx_parse_with(ev->data, ev->data_len, c);
	}
	return ev->json;
}

int
ev_is_done(const struct ev *ev)
{
	return ev->data && ev->data_len == 6 && memcmp(ev->data, "[DONE]", 6) == 0;
}

int
evr_open(const char *path)
{
	if (strcmp(path, "-") == 0)
		return STDIN_FILENO;
	return open(path, O_RDONLY | O_CLOEXEC);
}

void
ev_from_sse(struct ev *ev, const struct sse_event *se)
{
	memset(ev, 0, sizeof *ev);
	ev->type = se->type;
	ev->type_len = se->type_len;
	ev->data = se->data;
	ev->data_len = se->data_len;
	ev->id = se->id;
	ev->id_len = se->id_len;
	ev->line = se->line;
	ev->retry = se->retry;
	ev->json = jv_invalid();
}

void
ev_release(struct ev *ev)
{
	if (ev->json_state)
		jv_free(ev->json);
	ev->json_state = 0;
	ev->json = jv_invalid();
}

static int
deliver(struct reader *r, struct ev *ev)
{
	int rc;

	ev->seq = ++r->seq;
	ev->arrival_us = r->now;
	rc = r->cb(r->o->ctx, ev);
	ev_release(ev);
	return rc;
}

static int
on_sse_event(void *ctx, const struct sse_event *se)
{
	struct reader *r = ctx;
	struct ev ev;

	ev_from_sse(&ev, se);
	return deliver(r, &ev);
}

static int
on_sse_comment(void *ctx, const char *text, size_t len)
{
	struct reader *r = ctx;

	return r->o->on_comment(r->o->ctx, text, len, r->now);
}

/* One NDJSON line: an sse-decode record, or a provider's own object. */
static const char *const record_keys[] = { "data", "comment", NULL };

static int
ndjson_line(struct reader *r, const char *s, size_t n)
{
	struct ev ev;
	jv v, data, f;
	int rc;

	r->lineno++;
	while (n && (s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n == 0)
		return 0;
	memset(&ev, 0, sizeof ev);
	ev.line = r->lineno;
	ev.type = "message";
	ev.type_len = 7;
	ev.id = "";
	ev.retry = -1;
	ev.json = jv_invalid();
	if ((r->plain && r->o->vouch && r->o->vouch(r->o->ctx, s, n)) ||
	    jscan_plain_object(s, n, record_keys)) {
		r->plain = 1;
		/* surely a provider's object (no record's keys): parsed only
		 * when the reader of the event asks (ev_json), which the
		 * accumulator's fast path mostly does not */
		ev.data = s;
		ev.data_len = n;
		return deliver(r, &ev);
	}
	v = jvx_parse(s, n);
	if (!jv_is_valid(v)) {
		jv m = jv_invalid_get_msg(v);

		r->res->line = r->lineno;
		snprintf(r->res->msg, sizeof r->res->msg,
		    "line %ld: not valid JSON: %s", r->lineno,
		    jv_get_kind(m) == JV_KIND_STRING ? jv_string_value(m) :
		    "parse error");
		jv_free(m);
		return EVR_ERR_JSON;
	}
	r->plain = 0;
	if (jv_get_kind(v) == JV_KIND_OBJECT &&
	    jv_object_has(jv_copy(v), jv_string("data"))) {
		/* sse-decode's record: {"event","data","id","t"} */
		f = jv_object_get(jv_copy(v), jv_string("event"));
		if (jv_get_kind(f) == JV_KIND_STRING) {
			ev.type = jv_string_value(f); /* borrowed from v */
			ev.type_len = (size_t)jv_string_length_bytes(jv_copy(f));
		}
		jv_free(f);
		f = jv_object_get(jv_copy(v), jv_string("id"));
		if (jv_get_kind(f) == JV_KIND_STRING) {
			ev.id = jv_string_value(f);
			ev.id_len = (size_t)jv_string_length_bytes(jv_copy(f));
		}
		jv_free(f);
		f = jv_object_get(jv_copy(v), jv_string("t"));
		if (jv_get_kind(f) == JV_KIND_NUMBER) {
			ev.t = jv_number_value(f);
			ev.has_t = 1;
		}
		jv_free(f);
		data = jv_object_get(jv_copy(v), jv_string("data"));
		if (jv_get_kind(data) == JV_KIND_STRING) {
			ev.data = jv_string_value(data);
			ev.data_len = (size_t)jv_string_length_bytes(jv_copy(data));
			jv_free(data);
		} else {
			/* sse-decode -j: the data is already a JSON value */
			ev.json = data;
			ev.json_state = 1;
		}
	} else if (jv_get_kind(v) == JV_KIND_OBJECT &&
	    jv_object_has(jv_copy(v), jv_string("comment"))) {
		jv_free(v);
		return 0;
	} else {
		/* A provider's NDJSON object (Ollama): the line is the data. */
		r->plain = 1;
		ev.data = s;
		ev.data_len = n;
		ev.json = jv_copy(v);
		ev.json_state = 1;
	}
	rc = deliver(r, &ev);
	jv_free(v);
	return rc;
}

static int
ndjson_push(struct reader *r, const char *s, size_t n)
{
	const char *end = s + n, *nl;
	int rc;

	while (s < end) {
		nl = memchr(s, '\n', (size_t)(end - s));
		if (nl == NULL) {
			if (buf_append(&r->line, s, (size_t)(end - s)) == -1)
				return EVR_ERR_BIG;
			return 0;
		}
		if (r->line.len) {
			if (buf_append(&r->line, s, (size_t)(nl - s)) == -1)
				return EVR_ERR_BIG;
			rc = ndjson_line(r, r->line.p, r->line.len);
			buf_reset(&r->line);
		} else
			rc = ndjson_line(r, s, (size_t)(nl - s));
		if (rc)
			return rc;
		s = nl + 1;
	}
	return 0;
}

static enum evr_format
detect(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		switch (s[i]) {
		case ' ': case '\t': case '\r': case '\n':
			continue;
		case '{':
			return EVR_NDJSON;
		default:
			return EVR_SSE;
		}
	}
	return EVR_AUTO;
}

/* arrived_unread: after SIGINT, how much of the input had arrived: what a
 * pipe, socket or terminal holds unread (FIONREAD), none of a file's rest */
static size_t
arrived_unread(int fd)
{
	struct stat st;
	int n = 0;

	if (fstat(fd, &st) == -1 || S_ISREG(st.st_mode) ||
	    ioctl(fd, FIONREAD, &n) == -1 || n < 0)
		return 0;
	return (size_t)n;
}

void
evr_read(int fd, const struct evr_opts *o, ev_fn cb, struct evr_result *res)
{
	static char rbuf[READ_SIZE];
	struct reader r;
	struct sse_parser sp;
	struct buf head; /* bytes held while the format is still unknown */
	enum evr_format fmt = o->format;
	ssize_t n;
	int rc = 0, ifd = intr_fd(), draining = 0;
	size_t left = 0; /* draining: what had arrived, still to read */

	memset(res, 0, sizeof *res);
	memset(&r, 0, sizeof r);
	r.o = o;
	r.cb = cb;
	r.res = res;
	buf_init(&r.line, o->max_event);
	buf_init(&head, o->max_event);
#ifdef F_SETPIPE_SZ
	/* A larger pipe means fewer wake-ups per megabyte; reads still return
	 * whatever is there, so latency is unchanged. Best effort. */
	{
		struct stat st;

		if (fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode))
			(void)fcntl(fd, F_SETPIPE_SZ, 1 << 20);
	}
#endif
	sse_init(&sp, o->max_event, on_sse_event,
	    o->on_comment ? on_sse_comment : NULL, &r);
	for (;;) {
		out_flush();
		/* With SIGINT caught (lib/intr), wait on its self-pipe too: a
		 * SIGINT just before a blocking read would be slept through.
		 * After it, what had arrived is read and the input ends. */
		if (ifd >= 0 && !draining) {
			struct pollfd p[2] = { { fd, POLLIN, 0 },
			    { ifd, POLLIN, 0 } };

			if (!intr_caught() && poll(p, 2, -1) == -1 &&
			    errno == EINTR)
				continue;
			if (intr_caught()) {
				draining = 1;
				left = arrived_unread(fd);
			}
		}
		if (draining && left == 0)
			break;
		n = read(fd, rbuf, draining && left < sizeof rbuf ? left :
		    sizeof rbuf);
		if (n > 0 && draining)
			left -= (size_t)n;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			res->status = EVR_ERR_READ;
			snprintf(res->msg, sizeof res->msg, "read error: %s",
			    strerror(errno));
			break;
		}
		r.now = clock_mono_us();
		if (n == 0)
			break;
		res->bytes += (uint64_t)n;
		if (o->on_bytes)
			o->on_bytes(o->ctx, rbuf, (size_t)n, r.now);
		if (fmt == EVR_AUTO) {
			fmt = detect(rbuf, (size_t)n);
			if (fmt == EVR_AUTO) {
				/* only blanks so far: hold them */
				if (buf_append(&head, rbuf, (size_t)n) == -1) {
					rc = EVR_ERR_BIG;
					break;
				}
				continue;
			}
			if (head.len) {
				rc = fmt == EVR_SSE ?
				    sse_push(&sp, head.p, head.len) :
				    ndjson_push(&r, head.p, head.len);
				buf_free(&head);
				if (rc)
					break;
			}
		}
		rc = fmt == EVR_SSE ? sse_push(&sp, rbuf, (size_t)n) :
		    ndjson_push(&r, rbuf, (size_t)n);
		if (rc)
			break;
	}
	res->format = fmt;
	res->field_lines = sp.field_lines;
	res->other_lines = sp.other_lines;
	if (res->status == EVR_OK) {
		if (rc == 0) {
			if (fmt == EVR_SSE) {
				int pending;

				rc = sse_finish(&sp, o->flush_partial, &pending);
				if (pending && rc == 0 && !o->flush_partial)
					res->status = EVR_PARTIAL;
			} else if (fmt == EVR_NDJSON && r.line.len) {
				/* A last line with no newline that is not JSON
				 * was cut off: the input is incomplete, as for
				 * an SSE event cut by the end of input. */
				rc = ndjson_line(&r, r.line.p, r.line.len);
				if (rc == EVR_ERR_JSON) {
					rc = 0;
					res->status = EVR_PARTIAL;
					res->msg[0] = '\0';
				}
			}
		}
		if (rc == SSE_TOO_BIG || rc == EVR_ERR_BIG) {
			res->status = EVR_ERR_BIG;
			snprintf(res->msg, sizeof res->msg,
			    "event larger than the %zu-byte limit",
			    sp.max_event);
		} else if (rc == EVR_ERR_JSON) {
			res->status = EVR_ERR_JSON;
		} else if (rc) {
			res->status = EVR_STOPPED;
			res->cb_rc = rc < 0 ? -rc : rc;
		}
	}
	out_flush();
	sse_free(&sp);
	buf_free(&r.line);
	buf_free(&head);
}
