/* stats_check - unit test of stream-metrics' statistics (lib/
 * metrics_stats): numpy's "linear" percentiles, mean and population std,
 * the number format and the percentile list parser. TAP. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "mem.h"
#include "metrics_stats.h"

static int t, failed;

static void
near(double got, double want, const char *name)
{
	int good = isnan(want) ? isnan(got) : fabs(got - want) < 1e-9;

	printf("%s %d - %s", good ? "ok" : "not ok", ++t, name);
	if (!good)
		printf(" (got %.12g, want %.12g)", got, want);
	printf("\n");
	if (!good)
		failed++;
}

static void
streq(const char *got, const char *want, const char *name)
{
	int good = strcmp(got, want) == 0;

	printf("%s %d - %s", good ? "ok" : "not ok", ++t, name);
	if (!good)
		printf(" (got '%s', want '%s')", got, want);
	printf("\n");
	if (!good)
		failed++;
}

int
main(void)
{
	/* numpy.percentile([1, 2, 3, 4, 10], p) */
	double v[] = { 10, 3, 1, 4, 2 }, one[] = { 7 }, p[8];
	struct mstats s;
	struct dvec d;
	char out[64];
	int i, n;

	mem_init();
	mstats_sort(v, 5);
	near(v[0] + v[4] * 10, 101, "mstats_sort: ascending");
	near(mstats_percentile(v, 5, 0), 1, "p0 is the minimum");
	near(mstats_percentile(v, 5, 50), 3, "p50 of an odd count: the median");
	near(mstats_percentile(v, 5, 90), 7.6, "p90 interpolates (4 + 0.6 * 6)");
	near(mstats_percentile(v, 5, 99), 9.76, "p99 interpolates");
	near(mstats_percentile(v, 5, 100), 10, "p100 is the maximum");
	near(mstats_percentile(v, 4, 50), 2.5,
	    "p50 of an even count: between the middle two");
	near(mstats_percentile(one, 1, 99), 7, "one value: every percentile");
	near(mstats_percentile(v, 0, 50), NAN, "no values: NaN");

	mstats_summary(v, 5, &s);
	near((double)s.n, 5, "summary: n");
	near(s.mean, 4, "summary: mean");
	near(s.std, sqrt(10), "summary: population std (divides by n)");
	near(s.min + s.max, 11, "summary: min and max");
	mstats_summary(v, 0, &s);
	near(s.mean, NAN, "summary of nothing: NaN");

	streq(mstats_fmt(out, sizeof out, 412, 3), "412", "fmt: integer");
	streq(mstats_fmt(out, sizeof out, 11.5, 3), "11.5",
	    "fmt: no trailing zeros");
	streq(mstats_fmt(out, sizeof out, 0.0012, 3), "0.001",
	    "fmt: at most the decimals asked");
	streq(mstats_fmt(out, sizeof out, NAN, 3), "null", "fmt: NaN is null");
	streq(mstats_fmt(out, sizeof out, INFINITY, 3), "null",
	    "fmt: infinity is null");

	n = mstats_parse_percentiles("50,90,99.9", p, 8);
	near(n == 3 ? p[0] + p[1] + p[2] : -1, 239.9, "percentiles: a list");
	near(mstats_parse_percentiles("", p, 8), -1, "percentiles: empty fails");
	near(mstats_parse_percentiles("50,101", p, 8), -1,
	    "percentiles: over 100 fails");
	near(mstats_parse_percentiles("50,x", p, 8), -1,
	    "percentiles: a bad number fails");
	near(mstats_parse_percentiles("1,2,3", p, 2), -1,
	    "percentiles: too many fails");

	dvec_init(&d, 3);
	for (i = 0, n = 0; i < 5; i++)
		n += dvec_push(&d, i) == 0;
	near(n, 3, "dvec: holds at most its maximum");
	near(d.n, 3, "dvec: a push over the maximum leaves it unchanged");
	dvec_free(&d);
	printf("1..%d\n", t);
	return failed != 0;
}
