/* mock_record.h - llm-mock --record: each exchange kept as one capture
 * file, in sse-decode's NDJSON with recorded times ({"event","data","t"}
 * per event, {"comment","t"} per comment block; Ollama's lines as
 * {"data","t"}), each record also holding the frame's exact bytes in
 * "raw" (in base64 in "raw64" when they are not UTF-8), so that llm-mock
 * replays the bytes as they came and
 * stream-metrics measures the recorded times. Beside it, the request
 * (credentials already redacted by the caller) in STEM.request.json.
 *
 * Files are created 0600 with O_EXCL|O_NOFOLLOW: never through a
 * symbolic link, never over an existing file. One recorder per exchange,
 * used by one thread at a time. A non-streaming answer is kept as one
 * line holding its body (mock_rec_body). */
#ifndef LLMPIPE_MOCK_RECORD_H
#define LLMPIPE_MOCK_RECORD_H

#include <stddef.h>

#include "buf.h"

struct mock_rec;

/* mock_rec_new creates DIR/MODEL-YYYYMMDDTHHMMSSZ-N.ndjson (the model's
 * name made file-safe, so that --pick model finds it; N counts up, from
 * 1 in each process, until both names are free: a file or a symbolic
 * link already at either is passed over, never opened) and writes
 * req[0..reqlen) to the .request.json beside it. ndjson: the stream is
 * NDJSON lines, not SSE. Returns the recorder, or NULL with the reason
 * in err. */
struct mock_rec *mock_rec_new(const char *dir, const char *model, int ndjson,
    const char *req, size_t reqlen, char *err, size_t errlen);

/* mock_rec_body makes r keep a non-streaming answer: the body, whole,
 * as one line {"provider","t","body"} ("body64", base64, when it is not
 * UTF-8), which llm-mock serves as it is to a non-streaming request of
 * that provider. provider: its name (provider.h), kept by the caller
 * until mock_rec_close. Call it before the first bytes. */
void mock_rec_body(struct mock_rec *r, const char *provider);

/* mock_rec_bytes takes the next bytes of the answer, arrived t seconds
 * after the request was sent; each event they complete is written. */
void mock_rec_bytes(struct mock_rec *r, const char *p, size_t n, double t);

/* mock_rec_close writes what is left (an event without its blank line)
 * and closes the files. Returns 0, or -1 when a write failed (reason in
 * err). Frees r. */
int mock_rec_close(struct mock_rec *r, char *err, size_t errlen);

/* mock_rec_drop_body: when r keeps a non-streaming body (mock_rec_body),
 * removes its two files and frees r (a body cut short is no answer to
 * replay) and returns 1; else returns 0 and leaves r alone. */
int mock_rec_drop_body(struct mock_rec *r);

/* mock_rec_path: the capture's path (valid until mock_rec_close). */
const char *mock_rec_path(const struct mock_rec *r);

#endif
