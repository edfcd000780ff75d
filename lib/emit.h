/* emit.h - writing a stream in a provider dialect.
 *
 * A stream is a list of frames: the exact bytes of one SSE event (with its
 * blank line) or one NDJSON line (Ollama), each with an optional recorded
 * time. llm-mock builds its built-in answers and its --echo answers with
 * emit_message, its in-stream faults with emit_error_event and its HTTP
 * error bodies with emit_error_body; captures loaded from files use the
 * same frame list (mock_capture.h). The shapes follow the providers' real
 * streams in tests/fixtures/real. */
#ifndef LLMPIPE_EMIT_H
#define LLMPIPE_EMIT_H

#include <stddef.h>

#include "buf.h"
#include "dialect.h"
#include "evread.h"

struct emit_frame {
	char *p;      /* owned bytes, NUL-terminated */
	size_t len;
	double t;     /* recorded seconds since the request, when has_t */
	int has_t;
};

/* A stream owns its frames and its name. */
struct emit_stream {
	enum dialect d;
	int ndjson;   /* frames are NDJSON lines (Ollama), else SSE events */
	char *name;   /* file name or built-in name; may be NULL */
	struct emit_frame *v;
	size_t n, cap;
	size_t max_bytes; /* cap on the sum of frame sizes (0: 64 MiB) */
	size_t bytes;
	char *body;       /* a recorded non-streaming body, served as it is
	                   * (no frames then), or NULL */
	size_t body_len;
};

/* emit_stream_init empties s for dialect d (ndjson set for Ollama). */
void emit_stream_init(struct emit_stream *s, enum dialect d);

/* emit_stream_free releases the frames and the name. */
void emit_stream_free(struct emit_stream *s);

/* emit_frame_add appends a copy of p[0..n) as a frame. Returns 0, or -1
 * when the stream would exceed its byte cap. */
int emit_frame_add(struct emit_stream *s, const char *p, size_t n, double t,
    int has_t);

struct emit_call {
	const char *id;            /* call id (NULL: made up) */
	const char *name;          /* function name */
	const char *const *args;   /* argument fragments; joined: a JSON object */
	size_t nargs;
};

/* What a message says; everything is borrowed. */
struct emit_msg {
	const char *model;         /* NULL: "llm-mock" */
	const char *id;            /* response id stem (NULL: "mock") */
	long long created;         /* unix seconds in the stream */
	const char *const *reasoning; /* reasoning deltas, sent before the
	                           * text (NULL and 0: none) */
	size_t nreasoning;
	const char *const *text;   /* answer text deltas, in order */
	size_t ntext;
	const struct emit_call *calls;
	size_t ncalls;
	long long input_tokens;    /* usage reported (< 0: 0) */
	long long output_tokens;   /* < 0: the number of deltas */
};

/* emit_message appends the whole stream of message m in s->d: start
 * events, the reasoning and text deltas, the tool calls, finish reason,
 * usage and the
 * dialect's terminal event, as the provider's file writes them (its
 * write operation). Returns 0 or -1 over the cap. */
int emit_message(struct emit_stream *s, const struct emit_msg *m);

/* emit_error_event appends the dialect's in-stream error, as the providers
 * send it after HTTP 200: an OpenAI-compatible data: {"error":{...}},
 * Anthropic event: error, Responses error then
 * response.failed, a Gemini error object, Ollama {"error":...}. m may be
 * NULL (then generic ids). Returns 0 or -1 over the cap. */
int emit_error_event(struct emit_stream *s, const struct emit_msg *m);

/* emit_error_body appends the JSON body a provider of dialect d sends with
 * HTTP status (OpenAI {"error":{"message","type","param","code"}},
 * Anthropic {"type":"error","error":{"type","message"}}, Gemini
 * {"error":{"code","message","status"}}, Ollama {"error":"..."}). message
 * NULL: a default text for the status. Returns 0 or -1 over b's cap. */
int emit_error_body(struct buf *b, enum dialect d, int status,
    const char *message);

/* emit_content_type: "text/event-stream" or "application/x-ndjson". */
const char *emit_content_type(enum dialect d);

/* emit_events parses the first nframes frames of s (all when nframes is
 * larger) back into events and calls cb for each, as evread would for the
 * same bytes (comments are skipped). Stops at a non-zero return and
 * returns it; 0 at the end, -1 when a frame is too big. */
int emit_events(const struct emit_stream *s, size_t nframes, ev_fn cb,
    void *ctx);

#endif
