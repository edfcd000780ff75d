#include "metrics_stats.h"
#include "buf.h"
#include "mem.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
dvec_init(struct dvec *d, size_t max)
{
	d->v = NULL;
	d->n = d->cap = 0;
	d->max = max ? max : DVEC_DEFAULT_MAX;
}

void
dvec_free(struct dvec *d)
{
	free(d->v);
	d->v = NULL;
	d->n = d->cap = 0;
}

int
dvec_push(struct dvec *d, double x)
{
	if (d->n >= d->max)
		return -1;
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 64;

		if (cap > d->max)
			cap = d->max;
		d->v = xrealloc(d->v, cap * sizeof *d->v);
		d->cap = cap;
	}
	d->v[d->n++] = x;
	return 0;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

void
mstats_sort(double *v, size_t n)
{
	if (n > 1)
		qsort(v, n, sizeof *v, cmp_double);
}

double
mstats_percentile(const double *v, size_t n, double p)
{
	double rank, lo;
	size_t i;

	if (n == 0)
		return NAN;
	if (p <= 0)
		return v[0];
	if (p >= 100)
		return v[n - 1];
	rank = p / 100.0 * (double)(n - 1);
	lo = floor(rank);
	i = (size_t)lo;
	if (i + 1 >= n)
		return v[n - 1];
	return v[i] + (rank - lo) * (v[i + 1] - v[i]);
}

void
mstats_summary(double *v, size_t n, struct mstats *s)
{
	double sum = 0, sq = 0, mean;
	size_t i;

	s->n = n;
	if (n == 0) {
		s->mean = s->std = s->min = s->max = NAN;
		return;
	}
	mstats_sort(v, n);
	for (i = 0; i < n; i++)
		sum += v[i];
	mean = sum / (double)n;
	/* two passes: the textbook formula cancels badly on close values */
	for (i = 0; i < n; i++)
		sq += (v[i] - mean) * (v[i] - mean);
	s->mean = mean;
	s->std = sqrt(sq / (double)n);
	s->min = v[0];
	s->max = v[n - 1];
}

char *
mstats_fmt(char *out, size_t sz, double x, int decimals)
{
	char *dot, *e;

	if (!isfinite(x)) {
		snprintf(out, sz, "null");
		return out;
	}
	snprintf(out, sz, "%.*f", decimals, x);
	dot = strchr(out, '.');
	if (dot) {
		e = out + strlen(out) - 1;
		while (e > dot && *e == '0')
			*e-- = '\0';
		if (e == dot)
			*e = '\0';
	}
	if (strcmp(out, "-0") == 0)
		snprintf(out, sz, "0");
	return out;
}

int
mstats_parse_percentiles(const char *s, double *p, int max)
{
	const char *q = s;
	char *end;
	int n = 0;
	double v;

	if (s == NULL || *s == '\0')
		return -1;
	for (;;) {
		if (*q < '0' || *q > '9')
			return -1;
		errno = 0;
		v = strtod(q, &end);
		if (errno || end == q || !isfinite(v) || v < 0 || v > 100 ||
		    n >= max)
			return -1;
		p[n++] = v;
		if (*end == '\0')
			return n;
		if (*end != ',')
			return -1;
		q = end + 1;
	}
}

void
mstats_put_num(struct buf *b, const char *key, double x)
{
	char s[64];

	buf_printf(b, ",\"%s\":%s", key, mstats_fmt(s, sizeof s, x, 3));
}

void
mstats_put_int(struct buf *b, const char *key, long long x)
{
	if (x < 0)
		buf_printf(b, ",\"%s\":null", key);
	else
		buf_printf(b, ",\"%s\":%lld", key, x);
}

const char *
mstats_hnum(char *out, size_t n, double x, int prec)
{
	if (isnan(x))
		snprintf(out, n, "-");
	else
		snprintf(out, n, "%.*f", prec, x);
	return out;
}
