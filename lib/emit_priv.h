/* emit_priv.h - the stream writer shared by emit.c and the provider files
 * (prov_*.c), which write their own dialect's frames with it. Only lib/
 * includes it. */
#ifndef LLMPIPE_EMIT_PRIV_H
#define LLMPIPE_EMIT_PRIV_H

#include "emit.h"

#define LIT(b, s) buf_append((b), (s), sizeof(s) - 1)

#define W_OVERLOADED "The server is overloaded, please try again later."

/* The writer: one frame is built in w->b, then added (w_end). Errors are
 * sticky in w->err; w_done reports them. */
struct w {
	struct emit_stream *s;
	const struct emit_msg *m;
	struct buf b;
	int err;
	long seq;         /* Responses sequence_number */
	const char *model;
	char id[96];
};

/* One word of an API's error vocabulary: the word its error bodies use
 * for an HTTP status. A provider's list ends with status 0. */
struct status_word {
	int status;
	const char *word;
};

/* status_word: status's word in v, else client (a status below 500) or
 * server. */
const char *status_word(const struct status_word *v, int status,
    const char *client, const char *server);

void w_init(struct w *w, struct emit_stream *s, const struct emit_msg *m);
void w_str(struct w *w, const char *s);   /* a JSON string */
void w_lit(struct w *w, const char *s);   /* raw bytes */
void w_num(struct w *w, long long n);
/* w_sse_begin starts an SSE frame with an event line when event != NULL. */
void w_sse_begin(struct w *w, const char *event);
/* w_end appends tail and adds the frame to the stream. */
void w_end(struct w *w, const char *tail);
/* w_done frees the writer: 0, or -1 when a frame went over the cap. */
int w_done(struct w *w);
/* the usage numbers a message reports (m->output_tokens < 0: one token per
 * text delta and argument fragment) */
long long w_out_tokens(const struct emit_msg *m);
long long w_in_tokens(const struct emit_msg *m);
/* w_joined appends all fragments into b (a scratch buffer). */
void w_joined(struct buf *b, const char *const *v, size_t n);
/* w_call_id: c's id, or prefix followed by i. */
void w_call_id(char *out, size_t n, const char *prefix,
    const struct emit_call *c, size_t i);
/* w_args_object appends the joined arguments as a JSON object value
 * (Gemini and Ollama send objects); {} when they are not JSON. */
void w_args_object(struct w *w, const struct emit_call *c);

/* openai_error_body: the error body of the OpenAI family (chat
 * completions, Responses, every OpenAI-compatible server). Returns 0 or
 * non-zero over b's cap. */
int openai_error_body(struct buf *b, int status, const char *message);

#endif
