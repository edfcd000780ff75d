/* retry_check - unit test of llm-request's retry policy (lib/req_spec):
 * which statuses are retried, Retry-After and retry-after-ms parsing, and
 * the backoff schedule, without sleeping. TAP. */
#include <stdio.h>
#include <string.h>

#include "mem.h"
#include "req_spec.h"

static int t, failed;

static void
is(long long got, long long want, const char *name)
{
	printf("%s %d - %s", got == want ? "ok" : "not ok", ++t, name);
	if (got != want)
		printf(" (got %lld, want %lld)", got, want);
	printf("\n");
	if (got != want)
		failed++;
}

int
main(void)
{
	/* Sun, 06 Nov 1994 08:49:37 GMT */
	const int64_t date = 784111777;
	static const long retry[] = { 408, 409, 429, 500, 502, 503, 504, 529 };
	static const long no_retry[] = { 200, 400, 401, 403, 404, 413, 422,
		501, 505 };
	size_t i;
	char name[64];

	mem_init();
	for (i = 0; i < sizeof retry / sizeof retry[0]; i++) {
		snprintf(name, sizeof name, "status %ld is retried", retry[i]);
		is(req_status_retryable(retry[i]), 1, name);
	}
	for (i = 0; i < sizeof no_retry / sizeof no_retry[0]; i++) {
		snprintf(name, sizeof name, "status %ld is not retried",
		    no_retry[i]);
		is(req_status_retryable(no_retry[i]), 0, name);
	}

	is(req_retry_after_ms(NULL, "3", 0), 3000, "Retry-After: 3 is 3 s");
	is(req_retry_after_ms(NULL, "0", 0), 0, "Retry-After: 0 is now");
	is(req_retry_after_ms(NULL, "1.5", 0), 1500,
	    "Retry-After: fractional seconds");
	is(req_retry_after_ms("250", "3", 0), 250,
	    "retry-after-ms wins over Retry-After");
	is(req_retry_after_ms("12.7", NULL, 0), 13,
	    "retry-after-ms: fractional milliseconds, rounded");
	is(req_retry_after_ms("x", "2", 0), 2000,
	    "a bad retry-after-ms falls back to Retry-After");
	is(req_retry_after_ms(NULL, NULL, 0), -1, "no hint: -1");
	is(req_retry_after_ms(NULL, "-1", 0), -1, "negative seconds: -1");
	is(req_retry_after_ms(NULL, "soon", 0), -1, "not a number or date: -1");
	is(req_retry_after_ms(NULL, "Sun, 06 Nov 1994 08:49:37 GMT",
	    date - 10), 10000, "Retry-After: an HTTP date 10 s ahead");
	is(req_retry_after_ms(NULL, "Sun, 06 Nov 1994 08:49:37 GMT",
	    date + 60), 0, "Retry-After: an HTTP date in the past is now");
	is(req_retry_after_ms(NULL, "Sun, 06 Nov 1994 08:49:37 UTC", 0), -1,
	    "Retry-After: a date not in IMF-fixdate form: -1");

	is(req_backoff_ms(1, 0), 500, "backoff: first retry 0.5 s");
	is(req_backoff_ms(2, 0), 1000, "backoff: doubles (1 s)");
	is(req_backoff_ms(3, 0), 2000, "backoff: doubles (2 s)");
	is(req_backoff_ms(4, 0), 4000, "backoff: doubles (4 s)");
	is(req_backoff_ms(5, 0), 8000, "backoff: up to 8 s");
	is(req_backoff_ms(9, 0), 8000, "backoff: never over 8 s");
	is(req_backoff_ms(1, 0.5), 437, "backoff: jitter takes up to 25 %");
	is(req_backoff_ms(5, 0.999999), 6000,
	    "backoff: at most 25 % less (8 s -> 6 s)");
	printf("1..%d\n", t);
	return failed != 0;
}
