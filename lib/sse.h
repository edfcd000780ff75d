/* sse.h - incremental text/event-stream parser (WHATWG HTML, "Parsing an
 * event stream" and "Interpreting an event stream").
 *
 * Bytes are pushed in any chunking; events come out through a callback,
 * identically for every split of the same input. Works on bytes: all the
 * syntax is ASCII, and invalid UTF-8 is left for the writer to replace. */
#ifndef LLMPIPE_SSE_H
#define LLMPIPE_SSE_H

#include <stddef.h>

#include "buf.h"

/* One dispatched event. All pointers are borrowed from the parser and valid
 * only during the callback; strings are NUL-terminated (data may also
 * contain NUL bytes, so use the lengths). */
struct sse_event {
	const char *type; /* "message" unless an event field set it */
	size_t type_len;
	const char *data; /* data lines joined with LF */
	size_t data_len;
	const char *id; /* last event ID; persists across events */
	size_t id_len;
	long long retry; /* retry field seen since the last event, or -1 */
	long line;       /* input line (from 1) of the event's first data */
};

/* Callbacks return 0 to go on, or non-zero to stop: sse_push then
 * returns that value. */
typedef int (*sse_event_fn)(void *ctx, const struct sse_event *ev);
typedef int (*sse_comment_fn)(void *ctx, const char *text, size_t len);

enum {
	SSE_OK = 0,
	SSE_TOO_BIG = -1 /* a line or an event grew past max_event */
};

struct sse_parser {
	struct buf line;   /* partial line carried between pushes */
	struct buf data;   /* data buffer */
	struct buf type;   /* event type buffer */
	struct buf id;     /* last event ID buffer */
	long long retry;   /* pending retry value, or -1 */
	size_t max_event;  /* cap on one line and on one event's data */
	int cr_pending;    /* last push ended in CR: skip a leading LF */
	int bom_state;     /* bytes of a leading BOM matched so far, 3 = done */
	int has_fields;    /* a field line was seen since the last dispatch */
	long lineno;       /* lines completed so far */
	long field_lines;  /* data, event, id and retry lines seen */
	long other_lines;  /* lines neither blank, comment nor such a field */
	long data_line;    /* line of the first data field of this event */
	sse_event_fn on_event;
	sse_comment_fn on_comment; /* may be NULL */
	void *ctx;
};

/* sse_init prepares p. max_event 0 means the default (64 MiB). */
void sse_init(struct sse_parser *p, size_t max_event, sse_event_fn on_event,
    sse_comment_fn on_comment, void *ctx);

/* sse_free releases p's buffers. */
void sse_free(struct sse_parser *p);

/* sse_push feeds len bytes. Returns SSE_OK, SSE_TOO_BIG (the parser must
 * not be used further), or a callback's non-zero return. */
int sse_push(struct sse_parser *p, const char *s, size_t len);

/* sse_finish ends the input. An event not yet terminated by a blank line
 * is discarded, as the spec says, unless flush_partial is set, in which
 * case the partial line is taken as a line and the event dispatched.
 * *pending is set to 1 when an event that a blank line would have
 * dispatched was there (data, or a cut data line), else 0.
 * Returns as sse_push does. */
int sse_finish(struct sse_parser *p, int flush_partial, int *pending);

#endif
