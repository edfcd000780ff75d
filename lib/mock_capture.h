/* mock_capture.h - loading a captured stream for llm-mock to replay.
 *
 * A capture is raw text/event-stream (kept byte for byte, one frame per
 * event including its blank line, comments and CRLF as they were),
 * sse-decode NDJSON (each record turned back into one SSE frame, its "t"
 * kept for --timing recorded), or a provider's NDJSON (Ollama: one frame
 * per line). The dialect is detected from the content. A file of one
 * object {"provider","body"} (llm-mock --record's non-streaming answer)
 * is no stream: its body is kept in s->body, for non-streaming requests,
 * and its dialect is the provider named. */
#ifndef LLMPIPE_MOCK_CAPTURE_H
#define LLMPIPE_MOCK_CAPTURE_H

#include <stddef.h>

#include "emit.h"

/* mock_capture_load reads path into s (initialized here; the caller frees
 * it with emit_stream_free) and sets s->d, s->ndjson and s->name (the
 * path). max_bytes caps the file (0: 64 MiB). Returns 0, or -1 with a
 * reason in err ("not valid JSON on line 3", "cannot tell the dialect"). */
int mock_capture_load(const char *path, struct emit_stream *s,
    size_t max_bytes, char *err, size_t errlen);

/* mock_split_sse splits SSE bytes p[0..n) into frames appended to s:
 * each frame ends after the blank line that dispatches an event (or ends
 * a block of comments); trailing bytes without one form a last frame.
 * Returns 0 or -1 over s's cap. */
int mock_split_sse(struct emit_stream *s, const char *p, size_t n);

/* mock_detect returns the dialect s's events are in (DIALECT_AUTO when
 * nothing tells). */
enum dialect mock_detect(const struct emit_stream *s);

#endif
