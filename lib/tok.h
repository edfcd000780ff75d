/* tok.h - OpenAI's tokenizers (o200k_base, cl100k_base) as tiktoken has
 * them: the encodings and the model table, the pre-tokenizer (the
 * encoding's pattern, run by PCRE2 with its JIT) and a streaming encoder
 * over bpe.h that keeps only the unfinished end of its input.
 *
 * Input bytes are read as the tiktoken JavaScript binding sees a file read
 * with Buffer.toString(): invalid UTF-8 becomes U+FFFD, one for each
 * maximal ill-formed subpart (the WHATWG Encoding standard). Nothing here
 * prints or exits: failures are return values, with a reason in text. */
#ifndef LLMPIPE_TOK_H
#define LLMPIPE_TOK_H

#include <stddef.h>
#include <stdint.h>

#include "bpe.h"

/* An encoding opened by tok_open; owns its ranks and compiled pattern. */
struct tok_enc;

/* tok_model_encoding returns the encoding tiktoken uses for model (its
 * model_to_encoding table and the prefixes of dated and fine-tuned
 * names), or NULL for a model it does not know or one whose encoding is
 * not o200k_base or cl100k_base. */
const char *tok_model_encoding(const char *model);

/* tok_encoding_known tells whether name is an encoding tok_open can load. */
int tok_encoding_known(const char *name);

/* tok_data_dir writes into out (size n) the folder the rank files are
 * read from: $LLMPIPE_DATA_DIR when set; else ../share/llmpipe beside
 * the running binary (/proc/self/exe) when it holds them, as in the build
 * tree; else the folder compiled in (LLMPIPE_DATADIR, the install's). */
void tok_data_dir(char *out, size_t n);

/* tok_open loads encoding name (ranks from tok_data_dir: NAME.ranks,
 * the binary form the build makes, mapped; else NAME.tiktoken, parsed;
 * pattern compiled). Returns it, owned by the caller (tok_close), or NULL with a
 * reason such as "/x/o200k_base.tiktoken: No such file or directory"
 * in why (size whylen). */
struct tok_enc *tok_open(const char *name, char *why, size_t whylen);

/* tok_close frees e (NULL is fine). */
void tok_close(struct tok_enc *e);

/* tok_name returns e's name (borrowed). */
const char *tok_name(const struct tok_enc *e);

/* tok_token returns the bytes of token id (borrowed from e), a special
 * token's text included, and sets *len; NULL when e has no such id. */
const unsigned char *tok_token(const struct tok_enc *e, uint32_t id,
    size_t *len);

/* tok_special_id returns the id of special token text[0..n), or -1. */
long tok_special_id(const struct tok_enc *e, const void *text, size_t n);

/* The emit callback gets the ids of one piece of input at a time, in
 * order (borrowed until it returns). A nonzero return stops the encoder,
 * which returns that value. */
typedef int (*tok_emit_fn)(void *ctx, const uint32_t *ids, size_t n);

/* Largest unfinished piece (a run of letters, digits, spaces ...) a
 * stream holds back while waiting for its end: 16 MiB. */
#define TOK_MAX_PIECE ((size_t)16 << 20)

/* A streaming encoder; owns its buffers (tok_stream_free). */
struct tok_stream;

/* tok_stream_new starts encoding text with e (borrowed: keep it open).
 * With special nonzero, the encoding's special tokens (<|endoftext|> ...)
 * in the text are encoded as their ids, as tiktoken's encode() with
 * allowed_special "all"; otherwise they are text (encode_ordinary).
 * Returns NULL when out of memory. */
struct tok_stream *tok_stream_new(const struct tok_enc *e, int special,
    tok_emit_fn fn, void *ctx);

/* tok_stream_write feeds n more bytes; ids go to the callback as soon as
 * no later byte can change them. Returns 0, the callback's nonzero value,
 * or -1 with the reason in tok_stream_error (out of memory, a piece
 * longer than TOK_MAX_PIECE, a pattern-engine failure). */
int tok_stream_write(struct tok_stream *s, const void *p, size_t n);

/* tok_stream_finish ends the input and encodes what is left. Returns as
 * tok_stream_write does. The stream may then only be freed. */
int tok_stream_finish(struct tok_stream *s);

/* tok_stream_error returns why the last call failed (borrowed). */
const char *tok_stream_error(const struct tok_stream *s);

/* tok_stream_free frees s (NULL is fine). */
void tok_stream_free(struct tok_stream *s);

/* tok_count returns the number of tokens of text p[0..n) (ordinary
 * encoding), or -1 on failure (out of memory). */
long long tok_count(const struct tok_enc *e, const void *p, size_t n);

#endif
