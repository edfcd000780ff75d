/* fuzz_response - libFuzzer target for llm-request's handling of what a
 * server sends back (lib/req_spec): the response's header lines as libcurl
 * hands them over (status lines, Retry-After, retry-after-ms, Location,
 * x-should-retry; not NUL-terminated), Retry-After and retry-after-ms
 * values, error bodies, and redaction of a key from any text. The input
 * is read whole as header lines (each line given without a NUL after it),
 * then split at NUL bytes into header values, body and key. Nothing may
 * crash or read past a line; what is kept must be within its buffers; the
 * error message must be one line within its buffer; a redacted text must
 * not contain the key. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "req_spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);

/* feed_headers gives each line of d[0..n) to req_resp_header in a buffer
 * of its exact size (so ASan sees a read past it) and checks what r holds */
static void
feed_headers(const uint8_t *d, size_t n)
{
	struct req_resp r;
	const uint8_t *nl;
	size_t len;
	char *line;

	req_resp_reset(&r);
	while (n > 0) {
		nl = memchr(d, '\n', n);
		len = nl ? (size_t)(nl - d) + 1 : n;
		if ((line = malloc(len ? len : 1)) == NULL)
			return;
		memcpy(line, d, len);
		(void)req_resp_header(&r, line, len);
		free(line);
		if (r.status < 0 || r.status > 999 || r.should_retry < -1 ||
		    r.should_retry > 1 ||
		    strnlen(r.reason, sizeof r.reason) == sizeof r.reason ||
		    strnlen(r.retry_after, sizeof r.retry_after) ==
		    sizeof r.retry_after ||
		    strnlen(r.retry_after_ms, sizeof r.retry_after_ms) ==
		    sizeof r.retry_after_ms ||
		    strnlen(r.location, sizeof r.location) == sizeof r.location)
			abort();
		d += len;
		n -= len;
	}
	(void)req_retry_after_ms(r.retry_after_ms[0] ? r.retry_after_ms : NULL,
	    r.retry_after[0] ? r.retry_after : NULL, 1700000000);
}

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	char *s = malloc(n + 1), *parts[4] = { NULL, NULL, NULL, NULL };
	char msg[200];
	struct buf b;
	size_t i, k = 0;

	if (s == NULL)
		return 0;
	feed_headers(d, n);
	memcpy(s, d, n);
	s[n] = '\0';
	parts[0] = s;
	for (i = 0; i < n && k < 3; i++)
		if (s[i] == '\0')
			parts[++k] = s + i + 1;
	(void)req_retry_after_ms(parts[0], parts[1], 1700000000);
	(void)req_retry_after_ms(NULL, parts[0], 1700000000);
	if (req_error_message(d ? (const char *)d : "", n, msg, sizeof msg) == 0 &&
	    (strlen(msg) >= sizeof msg || strchr(msg, '\n') != NULL))
		abort();
	if (parts[2] && parts[3] && strlen(parts[3]) >= 8) {
		buf_init(&b, 0);
		if (req_redact(&b, parts[2], strlen(parts[2]), parts[3]) == 0 &&
		    b.p && strstr(b.p, parts[3]) != NULL &&
		    strstr(parts[3], "<redacted>") == NULL)
			abort();
		buf_free(&b);
	}
	free(s);
	return 0;
}
