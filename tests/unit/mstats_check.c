/* mstats_check - unit test of lib/metrics_stats, the statistics behind
 * stream-metrics: percentiles by linear interpolation as numpy's default,
 * mean and population standard deviation, the number format of the
 * reports, the -P list parser and the vector's cap. Expected values are
 * numpy's (numpy.percentile, numpy.std). TAP. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "mem.h"
#include "metrics_stats.h"
#include "tap.h"

/* near: equal within a relative 1e-12 (the maths is exact to that) */
static int
near(double got, double want)
{
	if (fabs(got - want) <= 1e-12 * (fabs(want) > 1 ? fabs(want) : 1))
		return 1;
	printf("# got %.17g want %.17g\n", got, want);
	return 0;
}

static int
fmt_is(double x, int decimals, const char *want)
{
	char out[64];

	mstats_fmt(out, sizeof out, x, decimals);
	if (strcmp(out, want) == 0)
		return 1;
	printf("# got '%s' want '%s'\n", out, want);
	return 0;
}

int
main(void)
{
	double four[] = { 1, 2, 3, 4 }, one[] = { 7 };
	double unsorted[] = { 9, 2, 5, 4, 7, 4, 5, 4 };
	double p[8];
	struct mstats s;
	struct dvec d;
	int i, bad;

	mem_init();
	ok(near(mstats_percentile(four, 4, 50), 2.5), "p50 of 1 2 3 4 is 2.5");
	ok(near(mstats_percentile(four, 4, 90), 3.7), "p90 of 1 2 3 4 is 3.7 (rank 2.7)");
	ok(near(mstats_percentile(four, 4, 99), 3.97), "p99 of 1 2 3 4 is 3.97");
	ok(near(mstats_percentile(four, 4, 0), 1), "p0 is the minimum");
	ok(near(mstats_percentile(four, 4, 100), 4), "p100 is the maximum");
	ok(near(mstats_percentile(four, 4, 100.0 / 3), 2),
	    "a rank that falls on an element is that element");
	ok(near(mstats_percentile(one, 1, 99), 7), "one value is every percentile");
	ok(isnan(mstats_percentile(four, 0, 50)), "no values: NaN");

	mstats_summary(unsorted, 8, &s);
	ok(s.n == 8 && near(s.mean, 5) && near(s.std, 2),
	    "mean 5 and population std 2 of 9 2 5 4 7 4 5 4");
	ok(near(s.min, 2) && near(s.max, 9), "min 2 and max 9");
	bad = 0;
	for (i = 1; i < 8; i++)
		bad += unsorted[i - 1] > unsorted[i];
	ok(bad == 0, "mstats_summary leaves the values sorted");
	ok(near(mstats_percentile(unsorted, 8, 75), 5.5), "p75 of them is 5.5");
	mstats_summary(unsorted, 0, &s);
	ok(s.n == 0 && isnan(s.mean) && isnan(s.std) && isnan(s.min) &&
	    isnan(s.max), "the summary of no values is NaN throughout");

	ok(fmt_is(412, 2, "412"), "format 412: no fraction");
	ok(fmt_is(11.5, 2, "11.5"), "format 11.5: no trailing zero");
	ok(fmt_is(0.001, 3, "0.001"), "format 0.001 at 3 decimals");
	ok(fmt_is(1.23456, 2, "1.23"), "format 1.23456 at 2 decimals: 1.23");
	ok(fmt_is(2.999, 2, "3"), "format 2.999 at 2 decimals rounds to 3");
	ok(fmt_is(NAN, 2, "null") && fmt_is(INFINITY, 2, "null"),
	    "NaN and infinity are null");

	ok(mstats_parse_percentiles("50,90,99.9", p, 8) == 3 &&
	    p[0] == 50 && p[1] == 90 && p[2] == 99.9, "-P 50,90,99.9");
	ok(mstats_parse_percentiles("0,100", p, 8) == 2, "-P 0,100: the bounds");
	ok(mstats_parse_percentiles("", p, 8) == -1, "-P '': refused");
	ok(mstats_parse_percentiles("101", p, 8) == -1, "-P 101: refused");
	ok(mstats_parse_percentiles("-1", p, 8) == -1, "-P -1: refused");
	ok(mstats_parse_percentiles("50,,90", p, 8) == -1, "-P 50,,90: refused");
	ok(mstats_parse_percentiles("50x", p, 8) == -1, "-P 50x: refused");
	ok(mstats_parse_percentiles("1,2,3", p, 2) == -1, "more than fit: refused");

	dvec_init(&d, 3);
	bad = 0;
	for (i = 0; i < 3; i++)
		bad += dvec_push(&d, i) != 0;
	ok(bad == 0 && dvec_push(&d, 3) == -1 && d.n == 3 && d.v[2] == 2,
	    "a vector of at most 3 takes 3 and refuses the 4th, unchanged");
	dvec_free(&d);

	return tap_end();
}
