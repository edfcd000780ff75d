/* evread.h - the event reader every consumer tool uses: raw SSE, or
 * sse-decode's NDJSON, or a provider's own NDJSON (Ollama), detected from
 * the first non-blank byte ('{' means NDJSON). */
#ifndef LLMPIPE_EVREAD_H
#define LLMPIPE_EVREAD_H

#include <jv.h>
#include <stddef.h>
#include <stdint.h>

/* One event. Everything is borrowed and valid only during the callback. */
struct ev {
	const char *type;   /* SSE event type, "message" by default */
	size_t type_len;
	const char *data;   /* data text; NULL when it came as a JSON value */
	size_t data_len;
	const char *id;     /* last event ID, "" when none */
	size_t id_len;
	double t;           /* recorded time ("t" from sse-decode -t) ... */
	int has_t;          /* ... when has_t is set */
	int64_t arrival_us; /* monotonic time of the read that completed it */
	long long retry;    /* SSE retry field before this event, or -1 */
	long line;          /* input line where the event's data began */
	long seq;           /* 1 for the first event, then 2, ... */
	/* private: use ev_json */
	jv json;
	int json_state;     /* 0 not parsed, 1 parsed (json valid or invalid) */
};

/* ev_json returns the event's data parsed as JSON, borrowed (do not free;
 * jv_copy to keep it). An invalid jv when the data is not JSON. Parses
 * at most once per event. */
jv ev_json(struct ev *ev);

struct jscan_strings;
/* ev_json_with is ev_json sharing long strings with c (jvx_parse_with). */
jv ev_json_with(struct ev *ev, struct jscan_strings *c);

struct sse_event;

/* ev_from_sse fills ev from a parsed SSE event (borrowing its strings,
 * seq and arrival left 0, data not yet parsed). Free what ev_json parsed
 * with ev_release. */
void ev_from_sse(struct ev *ev, const struct sse_event *se);

/* ev_release frees what ev_json parsed for ev. */
void ev_release(struct ev *ev);

/* ev_is_done tells whether the data is the OpenAI end marker [DONE]. */
int ev_is_done(const struct ev *ev);

typedef int (*ev_fn)(void *ctx, struct ev *ev);
/* A comment line (raw SSE ":..." without the colon); return as ev_fn. */
typedef int (*ev_comment_fn)(void *ctx, const char *text, size_t len,
    int64_t arrival_us);
/* Raw bytes as they were read, before parsing (for pass-through meters). */
typedef void (*ev_bytes_fn)(void *ctx, const char *p, size_t n,
    int64_t arrival_us);

enum evr_format { EVR_AUTO, EVR_SSE, EVR_NDJSON };

struct evr_opts {
	enum evr_format format; /* EVR_AUTO: detect */
	size_t max_event;       /* cap on one event or line; 0: 64 MiB */
	ev_bytes_fn on_bytes;   /* may be NULL */
	ev_comment_fn on_comment; /* may be NULL */
	int flush_partial;      /* dispatch an event cut by the end of input */
	/* NDJSON: 1 when the consumer knows the line for a provider's
	 * object already (acc_vouch: its fast path's template matches), so
	 * it is not checked here again; may be NULL */
	int (*vouch)(void *ctx, const char *s, size_t n);
	void *ctx;              /* passed to the callbacks */
};

enum evr_status {
	EVR_OK = 0,
	EVR_PARTIAL = 1,   /* input ended inside an event or NDJSON line
	                    * (it was dropped) */
	EVR_STOPPED = 2,   /* the callback returned non-zero */
	EVR_ERR_READ = -1, /* read error; msg says why */
	EVR_ERR_BIG = -2,  /* an event or line exceeded max_event */
	EVR_ERR_JSON = -3  /* an NDJSON line that is not JSON */
};

struct evr_result {
	enum evr_status status;
	enum evr_format format; /* what was detected */
	int cb_rc;              /* the callback's return when STOPPED */
	long line;              /* where the error was */
	char msg[256];          /* "line 3: not valid JSON: ..." etc. */
	uint64_t bytes;         /* bytes read */
	long field_lines;       /* SSE: data, event, id and retry lines */
	long other_lines;       /* SSE: lines neither blank, comment nor such */
};

/* evr_read reads fd to its end, calling cb for each event. Pending output
 * is flushed (out_flush) before every read, so each event's output is
 * out before the next read can block. name is used in messages. */
void evr_read(int fd, const struct evr_opts *o, ev_fn cb,
    struct evr_result *res);

/* evr_open opens FILE or "-" (stdin) for reading; returns the fd, or -1
 * with errno set. */
int evr_open(const char *path);

#endif
