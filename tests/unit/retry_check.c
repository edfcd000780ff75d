/* retry_check - unit test of llm-request's retry policy in lib/req_spec:
 * which statuses are retried, the server's retry-after-ms and Retry-After
 * hints (seconds or an HTTP date), and the backoff schedule without a
 * hint, all as pure functions of their inputs (nothing sleeps). TAP. */
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "req_spec.h"
#include "tap.h"

/* is_ms checks one req_retry_after_ms answer, naming the inputs */
static void
is_ms(const char *ms, const char *ra, int64_t now, int64_t want)
{
	int64_t got = req_retry_after_ms(ms, ra, now);
	char name[200];

	snprintf(name, sizeof name,
	    "retry-after-ms %s%s%s, Retry-After %s%s%s at %lld: %lld ms",
	    ms ? "'" : "", ms ? ms : "absent", ms ? "'" : "",
	    ra ? "'" : "", ra ? ra : "absent", ra ? "'" : "", (long long)now,
	    (long long)want);
	if (got != want)
		printf("# got %lld\n", (long long)got);
	ok(got == want, name);
}

int
main(void)
{
	static const long retried[] = { 408, 409, 429, 500, 502, 503, 504, 529 };
	static const long not_retried[] = { 200, 400, 401, 403, 404, 413, 422,
	    501, 505, 599 };
	/* Sun, 06 Nov 1994 08:49:37 GMT, the example date of RFC 9110 */
	const int64_t date = 784111777;
	size_t i;
	int n, bad;

	bad = 0;
	for (i = 0; i < sizeof retried / sizeof *retried; i++)
		bad += !req_status_retryable(retried[i]);
	ok(bad == 0, "408 409 429 500 502 503 504 529 are retried");
	bad = 0;
	for (i = 0; i < sizeof not_retried / sizeof *not_retried; i++)
		bad += req_status_retryable(not_retried[i]);
	ok(bad == 0, "200 400 401 403 404 413 422 501 505 599 are not");

	/* retry-after-ms (OpenAI's SDKs) wins over Retry-After */
	is_ms("1500", "9", 0, 1500);
	is_ms("250.4", NULL, 0, 250);
	is_ms("0.6", NULL, 0, 1);
	is_ms("0", "9", 0, 0);
	/* an unusable retry-after-ms falls back on Retry-After */
	is_ms("soon", "2", 0, 2000);
	is_ms("-5", "2", 0, 2000);
	is_ms("", "2", 0, 2000);
	is_ms("-5", NULL, 0, -1);
	/* Retry-After in seconds: blanks around it, fractions, bounds */
	is_ms(NULL, "3", 0, 3000);
	is_ms(NULL, " 3\t", 0, 3000);
	is_ms(NULL, "1.5", 0, 1500);
	is_ms(NULL, "0", 0, 0);
	is_ms(NULL, "3s", 0, -1);
	is_ms(NULL, "-1", 0, -1);
	is_ms(NULL, "", 0, -1);
	is_ms(NULL, "1e20", 0, -1);
	is_ms(NULL, NULL, 0, -1);
	/* Retry-After as an HTTP date, against the time now */
	is_ms(NULL, "Sun, 06 Nov 1994 08:49:37 GMT", date - 10, 10000);
	is_ms(NULL, " Sun, 06 Nov 1994 08:49:37 GMT", date - 1, 1000);
	is_ms(NULL, "Sun, 06 Nov 1994 08:49:37 GMT", date, 0);
	is_ms(NULL, "Sun, 06 Nov 1994 08:49:37 GMT", date + 60, 0);
	is_ms(NULL, "Sun, 06 Nov 1994 08:49:37 UTC", date - 10, -1);
	is_ms(NULL, "Sun, 06 Nov 1994 08:49:37 GMT x", date - 10, -1);

	/* backoff: 0.5 s doubling per retry up to 8 s, minus up to 25 % */
	{
		static const int64_t want[] = { 500, 1000, 2000, 4000, 8000,
		    8000, 8000 };

		bad = 0;
		for (n = 1; n <= 7; n++)
			if (req_backoff_ms(n, 0) != want[n - 1]) {
				printf("# retry %d: %lld ms\n", n,
				    (long long)req_backoff_ms(n, 0));
				bad++;
			}
		ok(bad == 0, "backoff without jitter: 500 1000 2000 4000 8000 8000 8000 ms");
	}
	ok(req_backoff_ms(1000, 0) == 8000, "backoff of retry 1000 is still 8 s");
	ok(req_backoff_ms(1, 0.5) == 437, "backoff jitter 0.5 on retry 1: 437 ms");
	ok(req_backoff_ms(5, 0.999999) == 6000, "backoff with the most jitter: 75 % of 8 s");
	bad = 0;
	for (n = 1; n <= 6; n++) {
		int64_t hi = req_backoff_ms(n, 0), lo = req_backoff_ms(n, 0.999999);

		bad += !(lo >= hi * 3 / 4 && lo < hi);
	}
	ok(bad == 0, "every retry's jitter stays within 25 % below its delay");

	return tap_end();
}
