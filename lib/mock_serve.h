/* mock_serve.h - what llm-mock answers from a stream it holds (a capture
 * or a generated answer) besides the stream itself: the non-streaming
 * body the provider sends, its error when the stream ends in one, and
 * the stream reshaped for the endpoint it is served on. */
#ifndef LLMPIPE_MOCK_SERVE_H
#define LLMPIPE_MOCK_SERVE_H

#include "buf.h"
#include "emit.h"

/* mock_serve_native writes into out (reset first) the body the provider
 * answers a non-streaming request with, for the stream s, and returns
 * its HTTP status: 200 and the provider's own body (with the usage the
 * stream reported); a stream that ends in an in-stream error gets the
 * status that error stands for (mock_error_status) and the provider's
 * error body with its message; 500 and an error body when the stream
 * cannot be assembled. The accumulator's
 * dialect code is run under a lock of its own (thread-safe). */
int mock_serve_native(const struct emit_stream *s, struct buf *out);

/* mock_error_status: the HTTP status an in-stream error's type or code
 * stands for in d's vocabulary (the first status whose error body names
 * it: an overload 529, a rate limit 429; a numeric code as itself), 500
 * when none is known. */
int mock_error_status(enum dialect d, const char *type);

/* mock_reshape: when the frames of in are another endpoint's shape than
 * url's (Ollama's generate lines served on its chat endpoint, or the
 * other way), fills out (initialized here, the caller frees it) with
 * them rewritten and returns 1; else returns 0 and leaves out alone. */
int mock_reshape(const char *url, const struct emit_stream *in,
    struct emit_stream *out);

#endif
