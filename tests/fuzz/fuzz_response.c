/* fuzz_response - libFuzzer target for llm-request's handling of what a
 * server sends back (lib/req_spec): Retry-After and retry-after-ms header
 * values, error bodies, and redaction of a key from any text. The input is
 * split at NUL bytes into header values, body and key. Nothing may crash;
 * the error message must be one line within its buffer; a redacted text
 * must not contain the key. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "req_spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	char *s = malloc(n + 1), *parts[4] = { NULL, NULL, NULL, NULL };
	char msg[200];
	struct buf b;
	size_t i, k = 0;

	if (s == NULL)
		return 0;
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
