/* mock_record.c - llm-mock's recorder (mock_record.h). */
#include "mock_record.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "emit.h"
#include "jsonw.h"
#include "mem.h"
#include "out.h"

struct mock_rec {
	int fd, ndjson, failed, saved_errno;
	char path[4096];
	char rpath[4200];      /* the request beside it */
	struct buf pend;       /* bytes of the frame not yet complete */
	size_t scan;           /* pend[0..scan) already looked at */
	size_t line_len;       /* bytes of the current line so far */
	int content;           /* SSE: a non-blank line seen in the frame */
	int want_lf;           /* the blank line ending it was a CR: its LF
	                        * (if one comes) belongs to the frame */
	int skip_lf;           /* a line ended with CR: an LF next is its */
	struct buf line;       /* the record being written */
	const char *provider;  /* a non-streaming body: its provider's name */
	double t;              /* its last bytes' time */
};

static atomic_ulong seq;

/* safe_name copies s into out with every byte but [A-Za-z0-9._:-]
 * turned into '_' (no '/', no leading dot). */
static void
safe_name(const char *s, char *out, size_t n)
{
	size_t i;

	if (s == NULL || *s == '\0')
		s = "stream";
	for (i = 0; s[i] && i + 1 < n; i++) {
		char c = s[i];

		out[i] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		    (i > 0 && (c == '.' || c == ':')) ? c : '_';
	}
	out[i] = '\0';
}

static int
create(const char *path)
{
	return open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600);
}

struct mock_rec *
mock_rec_new(const char *dir, const char *model, int ndjson, const char *req,
    size_t reqlen, char *err, size_t errlen)
{
	struct mock_rec *r;
	char name[128], stamp[32], rpath[4200];
	time_t now = time(NULL);
	struct tm tm;
	int fd, tries;

	safe_name(model, name, sizeof name);
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
	r = xcalloc(1, sizeof *r);
	r->fd = -1;
	/* both names must be free: anything already there (a file, a
	 * symbolic link, dangling or not) moves on to the next N */
	fd = -1;
	for (tries = 0; tries < 10000; tries++) {
		snprintf(r->path, sizeof r->path, "%s/%s-%s-%lu.ndjson", dir,
		    name, stamp, (unsigned long)atomic_fetch_add(&seq, 1) + 1);
		if ((r->fd = create(r->path)) == -1) {
			if (errno != EEXIST)
				break;
			continue;
		}
		snprintf(rpath, sizeof rpath, "%.*s.request.json",
		    (int)(strlen(r->path) - strlen(".ndjson")), r->path);
		if ((fd = create(rpath)) != -1 || errno != EEXIST)
			break;
		/* ours alone, just made: taken back */
		unlink(r->path);
		close(r->fd);
		r->fd = -1;
	}
	if (r->fd == -1) {
		snprintf(err, errlen, "%s: %s", r->path, strerror(errno));
		free(r);
		return NULL;
	}
	if (fd == -1 || write_all(fd, req, reqlen) == -1) {
		snprintf(err, errlen, "%s: %s", rpath, strerror(errno));
		if (fd != -1) {
			close(fd);
			unlink(rpath);
		}
		close(r->fd);
		unlink(r->path);
		free(r);
		return NULL;
	}
	close(fd);
	memcpy(r->rpath, rpath, sizeof r->rpath);
	r->ndjson = ndjson;
	buf_init(&r->pend, 0);
	buf_init(&r->line, 0);
	return r;
}

const char *
mock_rec_path(const struct mock_rec *r)
{
	return r->path;
}

struct one {
	struct buf *line;
	int got;
	int bad;  /* a write to line went over its cap */
};

static int
on_ev(void *ctx, struct ev *ev)
{
	struct one *o = ctx;
	int bad = 0;

	if (ev->type_len && !(ev->type_len == 7 &&
	    memcmp(ev->type, "message", 7) == 0)) {
		bad |= buf_puts(o->line, "\"event\":");
		bad |= jsonw_string(o->line, ev->type, ev->type_len);
		bad |= buf_putc(o->line, ',');
	}
	bad |= buf_puts(o->line, "\"data\":");
	bad |= jsonw_string(o->line, ev->data ? ev->data : "",
	    ev->data ? ev->data_len : 0);
	bad |= buf_putc(o->line, ',');
	o->got = 1;
	o->bad |= bad;
	return 1; /* one event per frame */
}

/* utf8_ok: p[0..n) is valid UTF-8 throughout, as a JSON string keeps it */
static int
utf8_ok(const char *p, size_t n)
{
	size_t i = 0, len;

	while (i < n) {
		if ((unsigned char)p[i] < 0x80) {
			i++;
			continue;
		}
		if ((len = jsonw_utf8_seq(p + i, n - i)) == 0)
			return 0;
		i += len;
	}
	return 1;
}

/* frame writes pend[0..n) as one record and drops it from pend. */
static void
frame(struct mock_rec *r, size_t n, double t)
{
	struct emit_stream s;
	struct one o = { &r->line, 0, 0 };
	size_t i;
	int bad = 0;

	buf_reset(&r->line);
	bad |= buf_putc(&r->line, '{');
	if (r->ndjson) {
		bad |= buf_puts(&r->line, "\"data\":");
		i = n;
		while (i && (r->pend.p[i - 1] == '\n' ||
		    r->pend.p[i - 1] == '\r'))
			i--;
		bad |= jsonw_string(&r->line, r->pend.p, i);
		bad |= buf_putc(&r->line, ',');
	} else {
		emit_stream_init(&s, DIALECT_AUTO);
		emit_frame_add(&s, r->pend.p, n, 0, 0);
		emit_events(&s, 1, on_ev, &o);
		emit_stream_free(&s);
		if (!o.got) {
			/* a block of comments: its first line's text */
			const char *p = r->pend.p, *e = p + n;

			if (p < e && *p == ':')
				p++;
			for (i = 0; p + i < e && p[i] != '\r' &&
			    p[i] != '\n'; i++)
				;
			bad |= buf_puts(&r->line, "\"comment\":");
			bad |= jsonw_string(&r->line, p, i);
			bad |= buf_putc(&r->line, ',');
		}
	}
	bad |= buf_printf(&r->line, "\"t\":%.6f,", t);
	/* the exact bytes: as a JSON string when they are UTF-8, else in
	 * base64 (a JSON string would replace the bad bytes) */
	if (utf8_ok(r->pend.p, n)) {
		bad |= buf_puts(&r->line, "\"raw\":");
		bad |= jsonw_string(&r->line, r->pend.p, n);
	} else {
		bad |= buf_puts(&r->line, "\"raw64\":\"");
		bad |= buf_put_base64(&r->line, r->pend.p, n);
		bad |= buf_putc(&r->line, '"');
	}
	bad |= buf_puts(&r->line, "}\n");
	/* a record over the line's cap is not written cut: the recording
	 * fails (mock_rec_close says so) */
	if ((bad | o.bad) && !r->failed) {
		r->failed = 1;
		r->saved_errno = EFBIG;
	}
	if (!r->failed && write_all(r->fd, r->line.p, r->line.len) == -1) {
		r->failed = 1;
		r->saved_errno = errno;
	}
	memmove(r->pend.p, r->pend.p + n, r->pend.len - n);
	r->pend.len -= n;
	r->scan = 0;
	r->line_len = 0;
	r->content = r->want_lf = r->skip_lf = 0;
}

void
mock_rec_body(struct mock_rec *r, const char *provider)
{
	r->provider = provider;
}

void
mock_rec_bytes(struct mock_rec *r, const char *p, size_t n, double t)
{
	size_t i;
	char c;

	if (buf_append(&r->pend, p, n) == -1) {
		r->failed = 1;
		r->saved_errno = EFBIG;
		return;
	}
	r->t = t; /* the last bytes' time: a whole body's, a cut frame's */
	if (r->provider) {
		r->scan = r->pend.len;
		return;
	}
	/* the frames of mock_split_sse: an event ends at the blank line
	 * after its content (CR, LF or CRLF line ends); i = -1 restarts at
	 * the next frame, which frame() moved to the front */
	for (i = r->scan; i < r->pend.len; i++) {
		c = r->pend.p[i];
		if (r->ndjson) {
			if (c == '\n') {
				frame(r, i + 1, t);
				i = (size_t)-1;
			}
			continue;
		}
		if (r->want_lf) {
			frame(r, c == '\n' ? i + 1 : i, t);
			i = (size_t)-1;
			continue;
		}
		if (r->skip_lf) {
			r->skip_lf = 0;
			if (c == '\n')
				continue;
		}
		if (c != '\n' && c != '\r') {
			r->line_len++;
			continue;
		}
		r->skip_lf = c == '\r';
		if (r->line_len > 0) {
			r->content = 1;
			r->line_len = 0;
		} else if (r->content) {
			if (c == '\r')
				r->want_lf = 1;
			else {
				frame(r, i + 1, t);
				i = (size_t)-1;
			}
		}
	}
	r->scan = r->pend.len;
}

int
mock_rec_drop_body(struct mock_rec *r)
{
	if (r->provider == NULL)
		return 0;
	close(r->fd);
	unlink(r->path);
	unlink(r->rpath);
	buf_free(&r->pend);
	buf_free(&r->line);
	free(r);
	return 1;
}

int
mock_rec_close(struct mock_rec *r, char *err, size_t errlen)
{
	int rc = 0, bad = 0;

	if (r->provider) {
		buf_reset(&r->line);
		bad |= buf_puts(&r->line, "{\"provider\":");
		bad |= jsonw_string(&r->line, r->provider, strlen(r->provider));
		bad |= buf_printf(&r->line, ",\"t\":%.6f,", r->t);
		if (utf8_ok(r->pend.p, r->pend.len)) {
			bad |= buf_puts(&r->line, "\"body\":");
			bad |= jsonw_string(&r->line, r->pend.p, r->pend.len);
		} else {
			bad |= buf_puts(&r->line, "\"body64\":\"");
			bad |= buf_put_base64(&r->line, r->pend.p, r->pend.len);
			bad |= buf_putc(&r->line, '"');
		}
		bad |= buf_puts(&r->line, "}\n");
		if (bad && !r->failed) {
			r->failed = 1;
			r->saved_errno = EFBIG;
		}
		if (!r->failed && write_all(r->fd, r->line.p, r->line.len) ==
		    -1) {
			r->failed = 1;
			r->saved_errno = errno;
		}
	} else if (r->pend.len)
		frame(r, r->pend.len, r->t);
	if (r->failed) {
		snprintf(err, errlen, "%s: %s", r->path,
		    strerror(r->saved_errno));
		rc = -1;
	}
	if (close(r->fd) == -1 && rc == 0) {
		snprintf(err, errlen, "%s: %s", r->path, strerror(errno));
		rc = -1;
	}
	buf_free(&r->pend);
	buf_free(&r->line);
	free(r);
	return rc;
}
