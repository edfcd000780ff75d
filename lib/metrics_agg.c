/* metrics_agg.c - stream-metrics -a (metrics_agg.h). */
#include "metrics_agg.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "args.h"
#include "err.h"
#include "jvx.h"
#include "mem.h"

static const char *const ag_name[MAGG_N] = { "ttft", "tpot", "itl", "e2el" };

void
magg_init(struct magg *g)
{
	int i;

	memset(g, 0, sizeof *g);
	g->npct = 4;
	g->pct[0] = 50, g->pct[1] = 90, g->pct[2] = 95, g->pct[3] = 99;
	g->slo_ttft = g->slo_tpot = g->slo_e2el = NAN;
	g->first_start = g->last_end = NAN;
	for (i = 0; i < MAGG_N; i++)
		dvec_init(&g->v[i], 0);
}

void
magg_free(struct magg *g)
{
	int i;

	for (i = 0; i < MAGG_N; i++)
		dvec_free(&g->v[i]);
}

static double
num_or_nan(jv obj, const char *key)
{
	jv v = jvx_get(obj, key);
	double x = jv_get_kind(v) == JV_KIND_NUMBER ? jv_number_value(v) : NAN;

	jv_free(v);
	return x;
}

static void
agg_push(struct magg *g, struct dvec *d, double x)
{
	if (!isnan(x) && dvec_push(d, x) == -1)
		g->full = 1;
}

int
magg_report(struct magg *g, jv r)
{
	double start = num_or_nan(r, "start_unix"),
	    total = num_or_nan(r, "total_ms"), ttft, tpot, e2el, x;
	jv st = jvx_get(r, "status"), itl;
	const char *s = jvx_str(st, NULL);
	int i, n, good;

	g->count++;
	if (!isnan(start)) {
		double end = start + (isnan(total) ? 0 : total / 1000);

		if (isnan(g->first_start) || start < g->first_start)
			g->first_start = start;
		if (isnan(g->last_end) || end > g->last_end)
			g->last_end = end;
	}
	if (s == NULL || strcmp(s, "complete") != 0) {
		g->failed++;
		if (s && strcmp(s, "incomplete") == 0)
			g->f_incomplete++;
		else if (s && strcmp(s, "interrupted") == 0)
			g->f_interrupted++;
		else
			g->f_error++; /* error, or a report without a status */
		jv_free(st);
		return 0;
	}
	jv_free(st);
	g->completed++;
	x = num_or_nan(r, "output_tokens");
	if (!isnan(x))
		g->out_tokens += (long long)x;
	x = num_or_nan(r, "input_tokens");
	if (!isnan(x))
		g->in_tokens += (long long)x;
	ttft = num_or_nan(r, "ttft_ms");
	tpot = num_or_nan(r, "tpot_ms");
	e2el = num_or_nan(r, "e2el_ms");
	agg_push(g, &g->v[MAGG_TTFT], ttft);
	agg_push(g, &g->v[MAGG_TPOT], tpot);
	agg_push(g, &g->v[MAGG_E2EL], e2el);
	itl = jvx_get(r, "itl_ms");
	if (jv_get_kind(itl) == JV_KIND_ARRAY) {
		n = jv_array_length(jv_copy(itl));
		for (i = 0; i < n; i++) {
			jv e = jv_array_get(jv_copy(itl), i);

			if (jv_get_kind(e) == JV_KIND_NUMBER)
				agg_push(g, &g->v[MAGG_ITL], jv_number_value(e));
			jv_free(e);
		}
	}
	jv_free(itl);
	/* vLLM's goodput: a null tpot (under 2 tokens) counts as 0 */
	good = 1;
	if (!isnan(g->slo_ttft) && !(ttft <= g->slo_ttft))
		good = 0;
	if (!isnan(g->slo_tpot) && !isnan(tpot) && !(tpot <= g->slo_tpot))
		good = 0;
	if (!isnan(g->slo_e2el) && !(e2el <= g->slo_e2el))
		good = 0;
	g->good += good;
	return g->full ? -1 : 0;
}

int
magg_read(struct magg *g, const char *name, int fd)
{
	char b[65536];
	struct jv_parser *p = jv_parser_new(0);
	ssize_t n;
	jv v;
	int rc = 0, eof = 0;

	while (!eof && rc == 0) {
		n = read(fd, b, sizeof b);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			warnx("%s: read error: %s", name, strerror(errno));
			rc = -1;
			break;
		}
		eof = n == 0;
		jv_parser_set_buf(p, b, (int)n, !eof);
		while (jv_is_valid(v = jv_parser_next(p))) {
			if (jv_get_kind(v) != JV_KIND_OBJECT)
				warnx("%s: not a report object: skipped", name);
			else if (magg_report(g, v) == -1) {
				jv_free(v);
				jv_parser_free(p);
				return -1;
			}
			jv_free(v);
		}
		if (jv_invalid_has_msg(jv_copy(v))) {
			char msg[256];

			jvx_error_text(v, msg, sizeof msg);
			warnx("%s: not valid JSON: %s", name, msg);
			rc = -1;
		} else
			jv_free(v);
	}
	jv_parser_free(p);
	return rc;
}

static const char *
hnum2(char *out, size_t n, double x)
{
	return mstats_hnum(out, n, x, 2);
}

/* hfmt: mstats_fmt for people, "-" where JSON has null */
static const char *
hfmt(char *out, size_t n, double x)
{
	if (!isfinite(x)) {
		snprintf(out, n, "-");
		return out;
	}
	return mstats_fmt(out, n, x, 3);
}

static void
pct_key(char *out, size_t n, double p)
{
	char s[32];

	snprintf(out, n, "p%s", mstats_fmt(s, sizeof s, p, 3));
}

/* rate_fmt: a throughput (per second) with 3 decimals, or 4 significant
 * digits below 1, so a slow batch (1 request in 40 minutes) is not
 * 0 req/s; "-" (JSON: null) when it is not a number */
static const char *
rate_fmt(char *out, size_t n, double x, int json)
{
	int dec = 3;

	if (!isfinite(x)) {
		snprintf(out, n, "%s", json ? "null" : "-");
		return out;
	}
	if (x != 0 && fabs(x) < 1)
		dec = 3 + (int)ceil(-log10(fabs(x)));
	return mstats_fmt(out, n, x, dec > 12 ? 12 : dec);
}

static void
put_rate(struct buf *b, const char *key, double x)
{
	char s[64];

	buf_printf(b, ",\"%s\":%s", key, rate_fmt(s, sizeof s, x, 1));
}

void
magg_print(struct magg *g, struct buf *b)
{
	struct mstats ms[MAGG_N];
	char s[64], k[160];
	double dur = NAN, *v;
	int i, j;

	for (i = 0; i < MAGG_N; i++)
		mstats_summary(g->v[i].v, g->v[i].n, &ms[i]);
	if (!isnan(g->first_start))
		dur = g->last_end - g->first_start;
	if (!(dur > 0))
		dur = NAN;
	if (g->json) {
		buf_printf(b, "{\"count\":%lld,\"completed\":%lld,"
		    "\"failed\":%lld,\"failed_error\":%lld,"
		    "\"failed_incomplete\":%lld,\"failed_interrupted\":%lld",
		    g->count, g->completed, g->failed, g->f_error,
		    g->f_incomplete, g->f_interrupted);
		mstats_put_num(b, "duration", dur);
		buf_printf(b, ",\"total_input_tokens\":%lld,"
		    "\"total_output_tokens\":%lld", g->in_tokens,
		    g->out_tokens);
		put_rate(b, "request_throughput",
		    (double)g->completed / dur);
		put_rate(b, "output_throughput",
		    (double)g->out_tokens / dur);
		put_rate(b, "total_token_throughput",
		    (double)(g->in_tokens + g->out_tokens) / dur);
		if (g->goodput) {
			mstats_put_int(b, "good_requests", g->good);
			put_rate(b, "request_goodput",
			    (double)g->good / dur);
		}
		for (i = 0; i < MAGG_N; i++) {
			v = g->v[i].v;
			snprintf(k, sizeof k, "mean_%s_ms", ag_name[i]);
			mstats_put_num(b, k, ms[i].mean);
			snprintf(k, sizeof k, "std_%s_ms", ag_name[i]);
			mstats_put_num(b, k, ms[i].std);
			snprintf(k, sizeof k, "median_%s_ms", ag_name[i]);
			mstats_put_num(b, k,
			    mstats_percentile(v, ms[i].n, 50));
			snprintf(k, sizeof k, "min_%s_ms", ag_name[i]);
			mstats_put_num(b, k, ms[i].min);
			for (j = 0; j < g->npct; j++) {
				pct_key(s, sizeof s, g->pct[j]);
				snprintf(k, sizeof k, "%s_%s_ms", s,
				    ag_name[i]);
				mstats_put_num(b, k, mstats_percentile(v,
				    ms[i].n, g->pct[j]));
			}
			snprintf(k, sizeof k, "max_%s_ms", ag_name[i]);
			mstats_put_num(b, k, ms[i].max);
		}
		buf_puts(b, "}\n");
		return;
	}
	buf_printf(b, "requests    %lld · %lld completed · %lld failed",
	    g->count, g->completed, g->failed);
	if (g->failed) {
		/* by kind, the kinds that happened */
		const char *sep = " (";

		if (g->f_error)
			buf_printf(b, "%s%lld error", sep, g->f_error), sep = ", ";
		if (g->f_incomplete)
			buf_printf(b, "%s%lld incomplete", sep, g->f_incomplete),
			    sep = ", ";
		if (g->f_interrupted)
			buf_printf(b, "%s%lld interrupted", sep,
			    g->f_interrupted);
		buf_puts(b, ")");
	}
	buf_puts(b, "\n");
	buf_printf(b, "duration    %s s\n", hfmt(s, sizeof s, dur));
	buf_printf(b, "throughput  %s req/s", rate_fmt(s, sizeof s,
	    (double)g->completed / dur, 0));
	buf_printf(b, " · %s output tok/s", rate_fmt(s, sizeof s,
	    (double)g->out_tokens / dur, 0));
	buf_printf(b, " · %lld output tokens · %lld input tokens\n",
	    g->out_tokens, g->in_tokens);
	if (g->goodput)
		buf_printf(b, "goodput     %s req/s · %lld of %lld "
		    "requests meet %s\n", rate_fmt(s, sizeof s,
		    (double)g->good / dur, 0), g->good, g->count, g->goodput);
	buf_printf(b, "%-10s %6s %9s %9s %9s", "ms", "n", "mean", "std",
	    "min");
	for (j = 0; j < g->npct; j++) {
		pct_key(s, sizeof s, g->pct[j]);
		buf_printf(b, " %9s", s);
	}
	buf_printf(b, " %9s\n", "max");
	for (i = 0; i < MAGG_N; i++) {
		v = g->v[i].v;
		buf_printf(b, "%-10s %6zu", ag_name[i], ms[i].n);
		buf_printf(b, " %9s", hnum2(s, sizeof s, ms[i].mean));
		buf_printf(b, " %9s", hnum2(s, sizeof s, ms[i].std));
		buf_printf(b, " %9s", hnum2(s, sizeof s, ms[i].min));
		for (j = 0; j < g->npct; j++)
			buf_printf(b, " %9s", hnum2(s, sizeof s,
			    mstats_percentile(v, ms[i].n, g->pct[j])));
		buf_printf(b, " %9s\n", hnum2(s, sizeof s, ms[i].max));
	}
}

int
magg_parse_slos(struct magg *g, const char *s)
{
	char *copy = xstrdup(s), *save = NULL, *tok, *colon;
	double v;
	int rc = 0, n = 0;

	for (tok = strtok_r(copy, ",", &save); tok && rc == 0;
	    tok = strtok_r(NULL, ",", &save)) {
		colon = strchr(tok, ':');
		if (colon == NULL || args_double(colon + 1, &v) == -1) {
			rc = -1;
			break;
		}
		*colon = '\0';
		if (strcmp(tok, "ttft") == 0)
			g->slo_ttft = v;
		else if (strcmp(tok, "tpot") == 0)
			g->slo_tpot = v;
		else if (strcmp(tok, "e2el") == 0)
			g->slo_e2el = v;
		else
			rc = -1;
		n++;
	}
	free(copy);
	return rc == 0 && n > 0 ? 0 : -1;
}
