/* mock_proxy.h - llm-mock --proxy: each request forwarded to the
 * upstream provider with libcurl, the key added from the environment or
 * a key file (the client's credentials are never forwarded), the answer
 * streamed back as it arrives (status, the headers that matter, the body
 * byte for byte), optionally recorded (mock_record.h).
 *
 * Redirects are not followed (a 3xx is passed back as it came); a
 * client that goes away ends the upstream transfer at once (its socket
 * is shut down), before the upstream's headers as after them; an
 * upstream silent for the timeout is given up (504 before its headers);
 * what is held per exchange is bounded (MOCK_PROXY_HELD). */
#ifndef LLMPIPE_MOCK_PROXY_H
#define LLMPIPE_MOCK_PROXY_H

#include <stddef.h>

#include <microhttpd.h>

#include "dialect.h"

/* Bytes of an answer held between upstream and client: upstream is read
 * no faster than the client takes it. */
#define MOCK_PROXY_HELD (64 * 1024)

/* Seconds an upstream may send nothing (before its headers, or less
 * than a byte a second after them) before the request is given up: a
 * non-streaming answer of a reasoning model can take minutes. */
#define MOCK_PROXY_TIMEOUT 600.0

/* mock_proxy_setup checks the upstream base URL (http or https, no query
 * or credentials in it) and keeps it; key: the key of every provider
 * (from --api-key-file), or NULL: each provider's from its environment
 * variables, read now. record_dir: where exchanges are recorded, or
 * NULL. max_total: the most bytes all exchanges together may hold (each
 * counts its body, MOCK_PROXY_HELD and its headers' cap); over it a
 * request is answered 503 with Retry-After. timeout_s: the longest
 * upstream silence (0: MOCK_PROXY_TIMEOUT); an upstream that has sent no
 * headers by then is answered 504. Returns 0, or -1 with the reason in
 * err. */
int mock_proxy_setup(const char *base, const char *key, const char *record_dir,
    size_t max_total, double timeout_s, char *err, size_t errlen);

/* mock_proxy_on: setup was done. */
int mock_proxy_on(void);

/* mock_proxy_answer forwards the request (method, url: the path, body
 * body[0..len), d: its provider by the path, model: for the recording's
 * name, may be NULL; logline: the request with credentials redacted, for
 * the recording) and queues the upstream's answer on c: the status and
 * the body as they come; 502 in the provider's error shape when the
 * upstream cannot be reached, 504 when it sends no headers in the
 * timeout; no answer (MHD_NO) when the client goes away first. */
enum MHD_Result mock_proxy_answer(struct MHD_Connection *c, const char *url,
    const char *method, enum dialect d, const char *model, const char *body,
    size_t len, const char *logline, size_t loglen);

/* mock_proxy_stop: the server is stopping: every proxied answer ends. */
void mock_proxy_stop(void);

/* mock_proxy_read_key reads a key file: one line, no line break inside.
 * Returns a new string, or NULL with the reason in err. */
char *mock_proxy_read_key(const char *path, char *err, size_t errlen);

#endif
