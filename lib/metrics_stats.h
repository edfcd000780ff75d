/* metrics_stats.h - the statistics behind stream-metrics: a capped vector
 * of doubles, linear-interpolated percentiles and summaries computed the
 * way vLLM's benchmark computes them (numpy's mean, population std and
 * "linear" percentiles), so numbers from either tool can be compared. */
#ifndef LLMPIPE_METRICS_STATS_H
#define LLMPIPE_METRICS_STATS_H

#include <stddef.h>

struct buf;

/* A growable array of doubles with a maximum length. Owns v. */
struct dvec {
	double *v;
	size_t n, cap;
	size_t max; /* most elements accepted; 0 means DVEC_DEFAULT_MAX */
};

#define DVEC_DEFAULT_MAX ((size_t)16 << 20) /* 16 Mi values, 128 MiB */

/* dvec_init empties d and sets its maximum length (0: the default). */
void dvec_init(struct dvec *d, size_t max);
void dvec_free(struct dvec *d);

/* dvec_push appends x. Returns 0, or -1 when d is full (d unchanged).
 * Dies on out of memory (xrealloc). */
int dvec_push(struct dvec *d, double x);

/* mstats_sort sorts v[0..n) ascending (NaN never expected). */
void mstats_sort(double *v, size_t n);

/* mstats_percentile returns the p-th percentile (0 <= p <= 100) of the
 * ascending array v[0..n) by linear interpolation between closest ranks,
 * as numpy.percentile's default: rank = p/100 * (n - 1), value =
 * v[floor(rank)] + (rank - floor(rank)) * (v[floor+1] - v[floor]).
 * Returns NaN when n == 0. */
double mstats_percentile(const double *v, size_t n, double p);

/* Summary of a sample; every field is NaN when n == 0. */
struct mstats {
	size_t n;
	double mean, std, min, max; /* std: population (divides by n) */
};

/* mstats_summary sorts v[0..n) in place and fills s. */
void mstats_summary(double *v, size_t n, struct mstats *s);

/* mstats_fmt writes x into out (size sz) with at most `decimals`
 * fractional digits and no trailing zeros ("412", "11.5", "0.001"); NaN
 * and infinities become "null". Returns out. */
char *mstats_fmt(char *out, size_t sz, double x, int decimals);

/* mstats_parse_percentiles parses "50,90,99.9" into p (room for max
 * values), each in [0, 100]. Returns how many, or -1 when s is not such
 * a list (empty, a bad number, out of range or too many). */
int mstats_parse_percentiles(const char *s, double *p, int max);

/* The reports' pieces. mstats_put_num appends ,"key":x (mstats_fmt, 3
 * decimals; null when not a number); mstats_put_int ,"key":x (null when
 * negative, unknown). */
void mstats_put_num(struct buf *b, const char *key, double x);
void mstats_put_int(struct buf *b, const char *key, long long x);

/* mstats_hnum writes x with prec decimals into out, "-" when it is not a
 * number (the tables people read). Returns out. */
const char *mstats_hnum(char *out, size_t n, double x, int prec);

#endif
