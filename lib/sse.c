#include "sse.h"

#include <string.h>

void
sse_init(struct sse_parser *p, size_t max_event, sse_event_fn on_event,
    sse_comment_fn on_comment, void *ctx)
{
	memset(p, 0, sizeof *p);
	p->max_event = max_event ? max_event : BUF_DEFAULT_MAX;
	buf_init(&p->line, p->max_event);
	buf_init(&p->data, p->max_event);
	buf_init(&p->type, p->max_event);
	buf_init(&p->id, p->max_event);
	p->retry = -1;
	p->on_event = on_event;
	p->on_comment = on_comment;
	p->ctx = ctx;
}

void
sse_free(struct sse_parser *p)
{
	buf_free(&p->line);
	buf_free(&p->data);
	buf_free(&p->type);
	buf_free(&p->id);
}

static int
dispatch(struct sse_parser *p)
{
	struct sse_event ev;
	int rc;

	p->has_fields = 0;
	/* "If the data buffer is an empty string, set the data buffer and the
	 * event type buffer to the empty string and return." */
	if (p->data.len == 0) {
		buf_reset(&p->type);
		return 0;
	}
	/* "If the data buffer's last character is a U+000A LINE FEED (LF)
	 * character, then remove the last character from the data buffer." */
	p->data.len--;
	p->data.p[p->data.len] = '\0';
	ev.type = p->type.len ? p->type.p : "message";
	ev.type_len = p->type.len ? p->type.len : 7;
	ev.data = p->data.p;
	ev.data_len = p->data.len;
	ev.id = p->id.len ? p->id.p : "";
	ev.id_len = p->id.len;
	ev.retry = p->retry;
	ev.line = p->data_line;
	p->retry = -1;
	rc = p->on_event(p->ctx, &ev);
	buf_reset(&p->data);
	buf_reset(&p->type);
	return rc;
}

static int
is_field(const char *name, size_t n, const char *want, size_t wn)
{
	return n == wn && memcmp(name, want, n) == 0;
}

/* Process one complete line (without its line end). */
static int
process_line(struct sse_parser *p, const char *s, size_t n)
{
	const char *colon, *value;
	size_t name_len, value_len, i;

	p->lineno++;
	if (n == 0)
		return dispatch(p);
	if (s[0] == ':') {
		if (p->on_comment)
			return p->on_comment(p->ctx, s + 1, n - 1);
		return 0;
	}
	colon = memchr(s, ':', n);
	if (colon) {
		name_len = (size_t)(colon - s);
		value = colon + 1;
		value_len = n - name_len - 1;
		if (value_len && *value == ' ') {
			value++;
			value_len--;
		}
	} else {
		name_len = n;
		value = s + n;
		value_len = 0;
	}
	p->has_fields = 1;
	p->field_lines++; /* undone below for an unknown field name */
	if (is_field(s, name_len, "data", 4)) {
		if (p->data.len == 0)
			p->data_line = p->lineno;
		if (buf_append(&p->data, value, value_len) == -1 ||
		    buf_putc(&p->data, '\n') == -1)
			return SSE_TOO_BIG;
	} else if (is_field(s, name_len, "event", 5)) {
		buf_reset(&p->type);
		if (buf_append(&p->type, value, value_len) == -1)
			return SSE_TOO_BIG;
	} else if (is_field(s, name_len, "id", 2)) {
		/* "If the field value does not contain U+0000 NULL, then set
		 * the last event ID buffer to the field value." */
		if (memchr(value, '\0', value_len) == NULL) {
			buf_reset(&p->id);
			if (buf_append(&p->id, value, value_len) == -1)
				return SSE_TOO_BIG;
		}
	} else if (is_field(s, name_len, "retry", 5)) {
		/* "If the field value consists of only ASCII digits..." */
		long long v = 0;

		for (i = 0; i < value_len; i++) {
			if (value[i] < '0' || value[i] > '9')
				break;
			/* exact up to 18 digits, then saturated (not the
			 * first 18 digits of a longer number) */
			if (v < 100000000000000000LL)
				v = v * 10 + (value[i] - '0');
			else
				v = 999999999999999999LL;
		}
		if (value_len > 0 && i == value_len)
			p->retry = v;
	} else {
		/* Other field names are ignored, but counted: an input of
		 * nothing else is not an event stream. */
		p->field_lines--;
		p->other_lines++;
	}
	return 0;
}

/* is_data_line: the line is a data field ("data", "data:...") */
static int
is_data_line(const char *s, size_t n)
{
	return n >= 4 && memcmp(s, "data", 4) == 0 && (n == 4 || s[4] == ':');
}

/* Find the first CR or LF in s[0..n), or NULL. */
static const char *
find_eol(const char *s, size_t n, const char **lf_cache, const char *end)
{
	const char *lf, *cr;

	/* The cache holds the next LF at or after s (or end when none), so
	 * CR-only input is not scanned again for each line. */
	if (*lf_cache < s) {
		lf = memchr(s, '\n', (size_t)(end - s));
		*lf_cache = lf ? lf : end;
	}
	lf = *lf_cache;
	cr = memchr(s, '\r', (size_t)(lf - s) < n ? (size_t)(lf - s) : n);
	if (cr)
		return cr;
	return lf < s + n ? lf : NULL;
}

int
sse_push(struct sse_parser *p, const char *s, size_t len)
{
	const char *end = s + len, *eol, *lf_cache = NULL;
	int rc;

	/* One leading U+FEFF is ignored. It may arrive split across pushes. */
	while (p->bom_state < 3 && s < end) {
		static const unsigned char bom[3] = { 0xEF, 0xBB, 0xBF };

		if ((unsigned char)*s == bom[p->bom_state]) {
			p->bom_state++;
			s++;
			continue;
		}
		if (p->bom_state > 0) {
			/* A partial BOM that was not one: those bytes are data. */
			int k = p->bom_state;

			p->bom_state = 3;
			if ((rc = sse_push(p, (const char *)bom, (size_t)k)))
				return rc;
		}
		p->bom_state = 3;
	}
	if (p->cr_pending && s < end) {
		p->cr_pending = 0;
		if (*s == '\n')
			s++;
	}
	while (s < end) {
		eol = find_eol(s, (size_t)(end - s), &lf_cache, end);
		if (eol == NULL) {
			if (buf_append(&p->line, s, (size_t)(end - s)) == -1)
				return SSE_TOO_BIG;
			return 0;
		}
		if (p->line.len) {
			if (buf_append(&p->line, s, (size_t)(eol - s)) == -1)
				return SSE_TOO_BIG;
			rc = process_line(p, p->line.p, p->line.len);
			buf_reset(&p->line);
		} else
			rc = process_line(p, s, (size_t)(eol - s));
		if (rc)
			return rc;
		if (*eol == '\r') {
			if (eol + 1 == end) {
				p->cr_pending = 1;
				return 0;
			}
			if (eol[1] == '\n')
				eol++;
		}
		s = eol + 1;
	}
	return 0;
}

int
sse_finish(struct sse_parser *p, int flush_partial, int *pending)
{
	int rc;

	*pending = 0;
	/* A partial BOM at the very end is data too. */
	if (p->bom_state > 0 && p->bom_state < 3) {
		static const char bom[3] = { '\xEF', '\xBB', '\xBF' };
		int k = p->bom_state;

		p->bom_state = 3;
		if ((rc = sse_push(p, bom, (size_t)k)) != 0)
			return rc;
	}
	if (p->line.len == 0 && !p->has_fields)
		return 0;
	/* Only an event that a blank line would have dispatched is lost:
	 * one with data, or whose cut line is a data field. A cut comment,
	 * or id/event/retry fields with no data, dispatch nothing anyway. */
	if (p->data.len || is_data_line(p->line.p, p->line.len))
		*pending = 1;
	if (flush_partial) {
		if (p->line.len) {
			rc = process_line(p, p->line.p, p->line.len);
			buf_reset(&p->line);
			if (rc)
				return rc;
		}
		return dispatch(p);
	}
	buf_reset(&p->line);
	buf_reset(&p->data);
	buf_reset(&p->type);
	p->has_fields = 0;
	return 0;
}
