/* mock_capture.c - loading a captured stream for llm-mock (mock_capture.h) */
#include "mock_capture.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "jsonw.h"
#include "jvx.h"
#include "mem.h"
#include "provider.h"

int
mock_split_sse(struct emit_stream *s, const char *p, size_t n)
{
	size_t i = 0, start = 0, ls, eol;
	int content = 0;

	while (i < n) {
		ls = i;
		while (i < n && p[i] != '\n' && p[i] != '\r')
			i++;
		eol = i;
		if (i < n) {
			if (p[i] == '\r' && i + 1 < n && p[i + 1] == '\n')
				i++;
			i++;
		}
		if (eol > ls) {
			content = 1;
		} else if (content && eol < n) {
			/* a blank line ends the frame */
			if (emit_frame_add(s, p + start, i - start, 0, 0) == -1)
				return -1;
			start = i;
			content = 0;
		}
	}
	if (start < n && emit_frame_add(s, p + start, n - start, 0, 0) == -1)
		return -1;
	return 0;
}

static int
detect_ev(void *ctx, struct ev *ev)
{
	enum dialect *d = ctx;

	*d = provider_detect(ev, ev_json(ev));
	return *d != DIALECT_AUTO;
}

enum dialect
mock_detect(const struct emit_stream *s)
{
	enum dialect d = DIALECT_AUTO;

	emit_events(s, s->n, detect_ev, &d);
	return d;
}

static int
read_file(const char *path, struct buf *b, char *err, size_t errlen)
{
	char tmp[65536];
	ssize_t r;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd == -1) {
		snprintf(err, errlen, "%s", strerror(errno));
		return -1;
	}
	for (;;) {
		r = read(fd, tmp, sizeof tmp);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(err, errlen, "read error: %s", strerror(errno));
			close(fd);
			return -1;
		}
		if (r == 0)
			break;
		if (buf_append(b, tmp, (size_t)r) == -1) {
			snprintf(err, errlen, "file too large");
			close(fd);
			return -1;
		}
	}
	close(fd);
	return 0;
}

/* record_frame turns one sse-decode record back into an SSE frame. */
static int
record_frame(struct emit_stream *s, jv rec, struct buf *f)
{
	jv x;
	const char *p, *nl;
	size_t n;
	double t = 0;
	int has_t = 0, rc = 0;

	buf_reset(f);
	x = jvx_get(rec, "t");
	if (jv_get_kind(x) == JV_KIND_NUMBER) {
		t = jv_number_value(x);
		has_t = 1;
	}
	jv_free(x);
	/* llm-mock --record's records keep the frame's exact bytes */
	x = jvx_get(rec, "raw");
	if ((p = jvx_str(x, &n)) != NULL) {
		rc |= buf_append(f, p, n);
		jv_free(x);
		goto add;
	}
	jv_free(x);
	x = jvx_get(rec, "raw64");
	if ((p = jvx_str(x, &n)) != NULL) {
		rc |= buf_put_unbase64(f, p, n);
		jv_free(x);
		goto add;
	}
	jv_free(x);
	x = jvx_get(rec, "comment");
	if ((p = jvx_str(x, &n)) != NULL) {
		rc |= buf_putc(f, ':');
		rc |= buf_append(f, p, n);
		rc |= buf_puts(f, "\n\n");
		jv_free(x);
		goto add;
	}
	jv_free(x);
	x = jvx_get(rec, "event");
	if ((p = jvx_str(x, &n)) != NULL && !(n == 7 &&
	    memcmp(p, "message", 7) == 0)) {
		rc |= buf_puts(f, "event: ");
		rc |= buf_append(f, p, n);
		rc |= buf_putc(f, '\n');
	}
	jv_free(x);
	x = jvx_get(rec, "id");
	if ((p = jvx_str(x, &n)) != NULL && n) {
		rc |= buf_puts(f, "id: ");
		rc |= buf_append(f, p, n);
		rc |= buf_putc(f, '\n');
	}
	jv_free(x);
	x = jvx_get(rec, "retry");
	if (jv_get_kind(x) == JV_KIND_NUMBER)
		rc |= buf_printf(f, "retry: %.0f\n", jv_number_value(x));
	jv_free(x);
	x = jvx_get(rec, "data");
	if (jv_get_kind(x) != JV_KIND_STRING) {
		/* sse-decode -j: the data is a JSON value */
		x = jv_dump_string(x, 0);
	}
	p = jvx_str(x, &n);
	for (;;) {
		nl = memchr(p, '\n', n);
		rc |= buf_puts(f, "data: ");
		rc |= buf_append(f, p, nl ? (size_t)(nl - p) : n);
		rc |= buf_putc(f, '\n');
		if (nl == NULL)
			break;
		n -= (size_t)(nl - p) + 1;
		p = nl + 1;
	}
	jv_free(x);
	rc |= buf_putc(f, '\n');
add:
	if (rc)
		return -1;
	return emit_frame_add(s, f->p, f->len, t, has_t);
}

/* raw_line: rec is a recorded NDJSON line (Ollama): its "raw" is its
 * "data" and a line end, where an SSE frame's raw has field names. */
static int
raw_line(jv rec)
{
	jv raw = jvx_get(rec, "raw"), data = jvx_get(rec, "data");
	size_t rn, dn;
	const char *r = jvx_str(raw, &rn), *d = jvx_str(data, &dn);
	int ok = r && d && rn > dn && memcmp(r, d, dn) == 0 &&
	    strspn(r + dn, "\r\n") == rn - dn;

	jv_free(raw);
	jv_free(data);
	return ok;
}

static int
load_ndjson(struct emit_stream *s, const char *p, size_t n, char *err,
    size_t errlen)
{
	struct buf f;
	const char *end = p + n, *nl;
	long line = 0;
	int records = -1; /* unknown yet; 1 sse-decode, 0 provider NDJSON */
	int raw_lines = 1; /* every record is a recorded NDJSON line */
	size_t len;
	jv v;

	buf_init(&f, 0);
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		line++;
		while (len && (p[len - 1] == '\r' || p[len - 1] == ' ' ||
		    p[len - 1] == '\t'))
			len--;
		if (len) {
			v = jvx_parse(p, len);
			if (!jv_is_valid(v) || jv_get_kind(v) != JV_KIND_OBJECT) {
				jv_free(v);
				snprintf(err, errlen, "line %ld: not a JSON object",
				    line);
				buf_free(&f);
				return -1;
			}
			if (records == -1)
				records = jv_object_has(jv_copy(v),
				    jv_string("data")) || jv_object_has(
				    jv_copy(v), jv_string("comment"));
			if (records) {
				raw_lines &= raw_line(v);
				if (record_frame(s, v, &f) == -1) {
					jv_free(v);
					snprintf(err, errlen, "too large");
					buf_free(&f);
					return -1;
				}
			} else {
				buf_reset(&f);
				buf_append(&f, p, len);
				if (buf_putc(&f, '\n') == -1 ||
				    emit_frame_add(s, f.p, f.len, 0, 0) == -1) {
					jv_free(v);
					snprintf(err, errlen, "too large");
					buf_free(&f);
					return -1;
				}
			}
			jv_free(v);
		}
		p = nl ? nl + 1 : end;
	}
	buf_free(&f);
	s->ndjson = records == 0 || (records == 1 && raw_lines);
	return 0;
}

/* load_body: p[0..n) is one JSON object with "provider" and "body" (or
 * "body64"), llm-mock --record's non-streaming answer: its body kept in
 * s->body, s->d from the provider's name. Returns 1 so loaded, 0 when
 * it is not one, -1 on error (reason in err). */
static int
load_body(struct emit_stream *s, const char *p, size_t n, char *err,
    size_t errlen)
{
	jv v = jvx_parse(p, n), x;
	const char *str;
	size_t len;
	struct buf b;
	enum dialect d;
	int rc = 0;

	if (!jv_is_valid(v) || jv_get_kind(v) != JV_KIND_OBJECT ||
	    !jv_object_has(jv_copy(v), jv_string("provider"))) {
		jv_free(v);
		return 0;
	}
	x = jvx_get(v, "provider");
	if ((str = jvx_str(x, &len)) == NULL || provider_parse(str, &d) ==
	    -1) {
		snprintf(err, errlen, "a recorded body of no known provider");
		jv_free(x);
		jv_free(v);
		return -1;
	}
	jv_free(x);
	buf_init(&b, s->max_bytes ? s->max_bytes : 0);
	x = jvx_get(v, "body");
	if ((str = jvx_str(x, &len)) != NULL)
		rc = buf_append(&b, str, len);
	else {
		jv_free(x);
		x = jvx_get(v, "body64");
		if ((str = jvx_str(x, &len)) != NULL)
			rc = buf_put_unbase64(&b, str, len);
		else
			rc = -2;
	}
	jv_free(x);
	jv_free(v);
	if (rc != 0) {
		snprintf(err, errlen, rc == -2 ? "a recorded answer without "
		    "its body" : "bad or too large body");
		buf_free(&b);
		return -1;
	}
	s->d = d;
	s->ndjson = provider_get(d)->ndjson;
	s->body = xmemdup(b.p ? b.p : "", b.len);
	s->body_len = b.len;
	buf_free(&b);
	return 1;
}

int
mock_capture_load(const char *path, struct emit_stream *s, size_t max_bytes,
    char *err, size_t errlen)
{
	struct buf b;
	size_t i;
	int rc;

	emit_stream_init(s, DIALECT_AUTO);
	s->max_bytes = max_bytes;
	buf_init(&b, max_bytes);
	if (read_file(path, &b, err, errlen) == -1) {
		buf_free(&b);
		return -1;
	}
	for (i = 0; i < b.len; i++)
		if (b.p[i] != ' ' && b.p[i] != '\t' && b.p[i] != '\r' &&
		    b.p[i] != '\n')
			break;
	if (i < b.len && b.p[i] == '{' && (rc = load_body(s, b.p, b.len,
	    err, errlen)) != 0) {
		buf_free(&b);
		if (rc == -1)
			return -1;
		s->name = xstrdup(path);
		return 0;
	} else if (i < b.len && b.p[i] == '{') {
		rc = load_ndjson(s, b.p, b.len, err, errlen);
	} else {
		rc = mock_split_sse(s, b.p ? b.p : "", b.len);
		if (rc == -1)
			snprintf(err, errlen, "file too large");
	}
	buf_free(&b);
	if (rc == -1)
		return -1;
	if (s->n == 0) {
		snprintf(err, errlen, "no events");
		return -1;
	}
	s->d = mock_detect(s);
	if (s->d == DIALECT_AUTO) {
		snprintf(err, errlen, "cannot tell the dialect from the events");
		return -1;
	}
	if (provider_get(s->d)->ndjson && !s->ndjson) {
		snprintf(err, errlen, "%s events must be NDJSON lines",
		    provider_get(s->d)->name);
		return -1;
	}
	s->name = xstrdup(path);
	return 0;
}
