/* metrics_agg.h - stream-metrics -a: many -j reports summed up, as
 * vLLM's benchmark_serving reports a run: counts by outcome, throughput,
 * goodput against SLOs, and the mean, spread and percentiles of TTFT,
 * TPOT, ITL and end-to-end latency. */
#ifndef LLMPIPE_METRICS_AGG_H
#define LLMPIPE_METRICS_AGG_H

#include <jv.h>

#include "buf.h"
#include "metrics_stats.h"

#define MAGG_MAX_PCT 16
enum { MAGG_TTFT, MAGG_TPOT, MAGG_ITL, MAGG_E2EL, MAGG_N };

struct magg {
	/* what to print: set after magg_init */
	double pct[MAGG_MAX_PCT]; /* the percentiles (default 50 90 95 99) */
	int npct;
	double slo_ttft, slo_tpot, slo_e2el; /* NaN: no SLO */
	const char *goodput;  /* the SLOs as given (NULL: no goodput) */
	int json;             /* one JSON object, not the table */
	/* what was read */
	long long count, completed, failed, good;
	long long f_error, f_incomplete, f_interrupted; /* failed, by kind */
	long long in_tokens, out_tokens;
	double first_start, last_end; /* unix seconds; NaN when unknown */
	struct dvec v[MAGG_N];
	int full;             /* a sample reached its maximum length */
};

/* magg_init empties g (owned by the caller; magg_free releases it). */
void magg_init(struct magg *g);
void magg_free(struct magg *g);

/* magg_report adds one -j report (borrowed). Returns 0, or -1 when a
 * sample is full (g->full: the caller says so and stops). */
int magg_report(struct magg *g, jv r);

/* magg_read adds every report in the JSON text read from fd (named name
 * in its messages, written with warnx); a value that is not an object is
 * skipped with a warning. Returns 0, or -1 on a read error or invalid
 * JSON (said) or a full sample (g->full, not said: the caller says it). */
int magg_read(struct magg *g, const char *name, int fd);

/* magg_print appends the summary to b: the table, or with g->json one
 * JSON object and a newline. */
void magg_print(struct magg *g, struct buf *b);

/* magg_parse_slos reads "ttft:500,tpot:50,e2el:2000" (milliseconds, any
 * of the three) into g's SLOs. Returns 0 or -1. */
int magg_parse_slos(struct magg *g, const char *s);

#endif
