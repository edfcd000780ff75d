/* stream-metrics - a pass-through meter for LLM response streams: time to
 * first token, inter-token latency and tokens per second, per stream and
 * (-a) over a batch of runs. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "args.h"
#include "buf.h"
#include "clock.h"
#include "dialect.h"
#include "err.h"
#include "evread.h"
#include "intr.h"
#include "jsonw.h"
#include "jvx.h"
#include "mem.h"
#include "metrics_agg.h"
#include "metrics_stats.h"
#include "out.h"
#include "provider.h"
#include "tok.h"

static const char usage_text[] =
"Usage: stream-metrics [OPTIONS] [FILE]\n"
"       stream-metrics [OPTIONS] -- COMMAND [ARG...]\n"
"       stream-metrics -a [OPTIONS] [REPORT...]\n"
"Copy an LLM response stream (raw SSE, sse-decode NDJSON or a provider's\n"
"NDJSON; stdin when no FILE or FILE is -) to stdout unchanged, each read at\n"
"once, and report time to first token, inter-token latency and tokens/s on\n"
"stderr at the end. With -- COMMAND, run COMMAND with its stdout on a pipe\n"
"and meter that (t0 is when COMMAND starts). With -a, read many -j reports\n"
"and summarize the batch on stdout.\n"
"\n"
"  -j, --json               report as one JSON line (one write(2))\n"
"  -o, --output FILE        append the report to FILE instead of stderr\n"
"  -q, --quiet              copy nothing to stdout, only measure\n"
"  -N, --label NAME         name the run in the report\n"
"  -p, --progress           live figures on the terminal's last line (only\n"
"                           when stderr is a tty); the text above is kept\n"
"      --t0 WHEN            start, the default (process or COMMAND start),\n"
"                           or first-byte\n"
"      --dialect NAME       @DIALECTS@ or auto (default: detect from the events)\n"
"      --encoding NAME      count output tokens without usage with this\n"
"                           tokenizer: o200k_base, cl100k_base, or none\n"
"                           (default: the model's, as tiktoken maps it)\n"
"      --max-event SIZE     largest event or line accepted (default 64M,\n"
"                           at most 1G)\n"
"  -a, --aggregate          summarize -j reports (files or stdin)\n"
"      --percentiles LIST   with -a: percentiles (default 50,90,95,99)\n"
"      --goodput SLOS       with -a: count requests meeting every SLO, e.g.\n"
"                           ttft:500,tpot:50 (ms; keys ttft, tpot, e2el)\n"
"  -h, --help               show this help and exit\n"
"  -V, --version            show the version and exit\n"
"\n"
"Times are from t0 on CLOCK_MONOTONIC; when the input is sse-decode -t\n"
"NDJSON its recorded \"t\" values are used instead of arrival times. A frame\n"
"is token-bearing when it carries text, reasoning, refusal or tool-call\n"
"arguments (not role-only deltas, usage, [DONE], pings or comments).\n"
"  ttfb_ms    first byte (recorded input: first event)\n"
"  ttft_ms    first token-bearing frame\n"
"  ttfo_ms    first token-bearing frame that is not reasoning\n"
"  e2el_ms    last token-bearing frame\n"
"  total_ms   end of input (recorded input: last event)\n"
"  decode_ms  e2el_ms - ttft_ms\n"
"  output_tokens  usage reported by the provider (source \"usage\"), else\n"
"             llama.cpp timings (\"server\"), else the tokens of the\n"
"             streamed text when the model's encoding is known\n"
"             (\"tokenizer:o200k_base\", as tiktoken counts), else the\n"
"             number of token-bearing frames (\"chunks\", an estimate);\n"
"             a count reported before the last token-bearing frame is\n"
"             not used\n"
"  tpot_ms    decode_ms / (output_tokens - 1), null below 2 tokens\n"
"  decode_tps 1000 / tpot_ms\n"
"  e2e_tps    output_tokens / (e2el_ms / 1000)\n"
"  itl_ms     gaps between consecutive token-bearing frames; p50, p90,\n"
"             p99 and max (percentiles linear-interpolated, as numpy)\n"
"Unlike guidellm, tpot excludes the first token (guidellm's includes\n"
"TTFT); unlike llmperf, the first ITL gap starts at the first token\n"
"(llmperf's first gap is TTFT). vLLM's benchmark uses these definitions\n"
"but ends e2el at the last chunk of any kind; -a uses its key names and\n"
"pools every stream's ITL gaps.\n"
"\n"
"The report names what happened: status complete, incomplete, error (HTTP\n"
"or provider error, network failure, no input; \"error\" says which) or\n"
"interrupted. On a terminal it is written once the reader of stdout is\n"
"done (at most 2 s), so it starts on a line of its own.\n"
"\n"
"Exit status: 0 complete, 1 failure (I/O, bad input, no input), 2 usage,\n"
"3 stream incomplete, 4 provider error in the stream, 130 interrupted\n"
"(SIGINT: the report of what arrived is still written); in wrapper mode\n"
"a failing COMMAND's status (126/127 when it cannot be run).\n";

enum {
	OPT_T0 = 256, OPT_DIALECT, OPT_MAX_EVENT, OPT_PERCENTILES,
	OPT_GOODPUT, OPT_ENCODING
};

static const struct option long_opts[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "output", required_argument, NULL, 'o' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "label", required_argument, NULL, 'N' },
	{ "progress", no_argument, NULL, 'p' },
	{ "t0", required_argument, NULL, OPT_T0 },
	{ "dialect", required_argument, NULL, OPT_DIALECT },
	{ "encoding", required_argument, NULL, OPT_ENCODING },
	{ "max-event", required_argument, NULL, OPT_MAX_EVENT },
	{ "aggregate", no_argument, NULL, 'a' },
	{ "percentiles", required_argument, NULL, OPT_PERCENTILES },
	{ "goodput", required_argument, NULL, OPT_GOODPUT },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

static struct {
	int json, quiet, progress, aggregate, t0_first_byte;
	const char *label, *output;
	enum dialect dialect;
	size_t max_event;
	int report_fd;
} opt;
static struct magg AGG; /* -a: the options, then what was read */

/* ---------------------------------------------------------------- */
/* One stream */

struct meter {
	struct acc *acc;
	int64_t mono_start, wall_start; /* when stream-metrics started */
	int64_t t0;           /* on the timeline below; -1 until known */
	int recorded;         /* 1: timeline is the recorded t, in us */
	int decided;          /* recorded/live decided at the first event */
	int64_t first_byte;   /* live arrival of the first byte, or -1 */
	int64_t first_ev, last_ev;
	int64_t first_tok, last_tok, first_out;
	int64_t end;          /* end of input on the timeline */
	long long frames, chunks;
	unsigned long long bytes;
	struct dvec itl;      /* gaps in microseconds */
	int frame_out;        /* the current frame carried non-reasoning output */
	int frame_usage;      /* ... an output token count */
	long long usage_chunks; /* chunks when output tokens were last
				 * reported (-1: never): a count reported
				 * before later token-bearing frames (the
				 * placeholder count at the start of a cut
				 * Anthropic stream) does not cover them */
	int bad_input;        /* events the dialect could not read */
	int last_bad;         /* ... the last event was one of them */
	int read_error;       /* the reader failed (then the rest is copied) */
	int itl_full;         /* more gaps than the cap of itl */
	char errmsg[300];
	int64_t last_draw;
	int tty;
	int rows;             /* -p: the terminal's height, 0: no live line */
	long long text_bytes; /* -p: text so far, for the tok/s estimate */
	long long live_out;   /* -p: output tokens reported so far, or -1 */
	int no_input;         /* not one byte arrived */
	int cmd_status;       /* wrapper mode: COMMAND's exit status */
	char cmd_err[300];    /* wrapper mode: its last stderr line */
};

static struct meter M;

/* mwarn is warnx with the run's label (-N) first, so a batch's stderr
 * lines say which prompt they are about. */
static void mwarn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void
mwarn(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (opt.label)
		warnx("%s: %s", opt.label, msg);
	else
		warnx("%s", msg);
}

static int64_t
ev_time(struct meter *m, const struct ev *ev)
{
	if (!m->decided) {
		m->decided = 1;
		m->recorded = ev->has_t;
		if (opt.t0_first_byte)
			m->t0 = m->recorded ? llround(ev->t * 1e6) :
			    m->first_byte;
		else if (m->recorded)
			m->t0 = 0; /* the recording's own start */
	}
	if (m->recorded)
		return ev->has_t ? llround(ev->t * 1e6) :
		    (m->last_ev >= 0 ? m->last_ev : 0);
	return ev->arrival_us;
}

static void
on_bytes(void *ctx, const char *p, size_t n, int64_t arrival_us)
{
	struct meter *m = ctx;

	if (m->first_byte < 0)
		m->first_byte = arrival_us;
	m->bytes += n;
	if (!opt.quiet)
		out_write_now(p, n);
}

/* Output tokens when the stream reports none: the streamed text (answer,
 * reasoning, refusal, each tool call's arguments, each a stream of its
 * own) through the tokenizer of the model's encoding, as tiktoken counts
 * it. Most streams end with their usage, so the text is held (up to
 * TK_HOLD bytes with its list of runs of one stream each) and tokenized
 * at the end only when no usage came; past TK_HOLD it is tokenized as it comes and
 * not kept, so memory stays bounded. The tokenizer is fed the same bytes
 * in the same order either way, so the count does not depend on it. */
#define TK_HOLD (1 << 20)

struct tk_run {
	int kind, call;
	size_t len;
};

static struct {
	const char *forced;   /* --encoding, or NULL: the model's */
	int tried;            /* the encoding was decided (at the first text) */
	struct tok_enc *enc;  /* NULL: no tokenizer, chunks are counted */
	int used;             /* enc was opened: n is the count */
	struct tok_stream *s[4];
	int call;             /* the tool call s[DELTA_TOOL_CALL] is in */
	long long n;
	char source[40];
	struct buf held;      /* text not yet tokenized ... */
	struct tk_run *runs;  /* ... in runs of one kind (and tool call) */
	size_t nruns, runs_cap;
	int streaming;        /* past TK_HOLD: tokenized as it comes */
} TK;

static int
tk_count(void *ctx, const uint32_t *ids, size_t n)
{
	(void)ctx;
	(void)ids;
	TK.n += (long long)n;
	return 0;
}

static void
tk_open(struct meter *m)
{
	const char *name = TK.forced;
	char why[4200];
	jv msg, model;

	TK.tried = 1;
	if (!name) {
		msg = acc_json(m->acc, 0);
		model = jvx_get(msg, "model");
		if (jv_get_kind(model) == JV_KIND_STRING)
			name = tok_model_encoding(jv_string_value(model));
		jv_free(model);
		jv_free(msg);
	}
	if (!name || strcmp(name, "none") == 0)
		return;
	/* a missing rank file leaves the chunk estimate, labelled as such */
	if ((TK.enc = tok_open(name, why, sizeof why)) && (TK.used = 1))
		snprintf(TK.source, sizeof TK.source, "tokenizer:%s", name);
}

/* tk_write tokenizes text of one kind now; a tool call other than the
 * last one's starts a stream of its own */
static void
tk_write(int kind, int call, const char *text, size_t len)
{
	struct tok_stream **s = &TK.s[kind];

	if (kind == DELTA_TOOL_CALL && *s && call != TK.call) {
		tok_stream_finish(*s);
		tok_stream_free(*s);
		*s = NULL;
	}
	TK.call = call;
	if (!*s && !(*s = tok_stream_new(TK.enc, 0, tk_count, NULL)))
		die(LP_EXIT_FAIL, "out of memory");
	if (tok_stream_write(*s, text, len) == -1)
		die(LP_EXIT_FAIL, "tokenizer: %s", tok_stream_error(*s));
}

/* tk_write_held tokenizes the held text, run by run, and lets it go */
static void
tk_write_held(void)
{
	size_t i, at = 0;

	for (i = 0; i < TK.nruns; i++) {
		tk_write(TK.runs[i].kind, TK.runs[i].call, TK.held.p + at,
		    TK.runs[i].len);
		at += TK.runs[i].len;
	}
	TK.nruns = 0;
	buf_free(&TK.held);
}

static void
tk_feed(struct meter *m, const struct delta *d)
{
	struct tk_run *r;

	if (!TK.tried)
		tk_open(m);
	if (!TK.enc || d->kind > DELTA_TOOL_CALL)
		return;
	/* (the runs count against TK_HOLD too: fragments of one byte, kind
	 * after kind, are a run each) */
	if (!TK.streaming && d->len + sizeof *TK.runs <= TK_HOLD -
	    TK.held.len - TK.nruns * sizeof *TK.runs) {
		r = TK.nruns ? &TK.runs[TK.nruns - 1] : NULL;
		if (!r || r->kind != (int)d->kind ||
		    (d->kind == DELTA_TOOL_CALL && r->call != d->call)) {
			if (TK.nruns == TK.runs_cap) {
				TK.runs_cap = TK.runs_cap ? 2 * TK.runs_cap : 16;
				TK.runs = xrealloc(TK.runs,
				    TK.runs_cap * sizeof *TK.runs);
			}
			r = &TK.runs[TK.nruns++];
			r->kind = (int)d->kind;
			r->call = d->call;
			r->len = 0;
		}
		if (buf_append(&TK.held, d->text, d->len) == -1)
			die(LP_EXIT_FAIL, "out of memory");
		r->len += d->len;
		return;
	}
	if (!TK.streaming) {
		TK.streaming = 1;
		tk_write_held();
	}
	tk_write((int)d->kind, d->call, d->text, d->len);
}

/* tk_end counts what is held and what the streams still hold when the
 * count is wanted (the stream reported no output tokens), and frees it
 * all */
static void
tk_end(int wanted)
{
	int i;

	if (wanted && TK.enc)
		tk_write_held();
	for (i = 0; i < 4; i++) {
		if (wanted && TK.s[i] && tok_stream_finish(TK.s[i]) == -1)
			die(LP_EXIT_FAIL, "tokenizer: %s",
			    tok_stream_error(TK.s[i]));
		tok_stream_free(TK.s[i]);
		TK.s[i] = NULL;
	}
	buf_free(&TK.held);
	free(TK.runs);
	TK.runs = NULL;
	TK.nruns = TK.runs_cap = 0;
	tok_close(TK.enc);
	TK.enc = NULL;
}

static int
on_delta(void *ctx, const struct delta *d)
{
	struct meter *m = ctx;

	if (d->kind <= DELTA_TOOL_CALL && d->text && d->len)
		tk_feed(m, d);

	switch (d->kind) {
	case DELTA_TEXT:
	case DELTA_REFUSAL:
	case DELTA_TOOL_CALL:
		if (d->text && d->len)
			m->frame_out = 1;
		m->text_bytes += (long long)d->len;
		break;
	case DELTA_REASONING:
		m->text_bytes += (long long)d->len;
		break;
	case DELTA_USAGE:
		if (d->output_tokens >= 0) {
			m->frame_usage = 1;
			m->live_out = d->output_tokens;
		}
		break;
	default:
		break;
	}
	return 0;
}

static void draw_progress(struct meter *m, int final);

/* vouch: the accumulator knows an NDJSON line (see acc_vouch) */
static int
vouch(void *ctx, const char *s, size_t n)
{
	return acc_vouch(((struct meter *)ctx)->acc, s, n);
}

static int
on_event(void *ctx, struct ev *ev)
{
	struct meter *m = ctx;
	int64_t t = ev_time(m, ev);
	int rc;

	m->frames++;
	if (m->first_ev < 0)
		m->first_ev = t;
	m->last_ev = t;
	m->frame_out = m->frame_usage = 0;
	rc = acc_event(m->acc, ev, on_delta, m);
	m->last_bad = rc < 0;
	if (rc < 0) {
		if (!m->bad_input)
			snprintf(m->errmsg, sizeof m->errmsg, "%s",
			    acc_error(m->acc));
		m->bad_input++;
		rc = 0;
	}
	if (rc > 0) {
		m->chunks++;
		if (m->first_tok < 0)
			m->first_tok = t;
		else if (dvec_push(&m->itl, (double)(t - m->last_tok)) == -1)
			m->itl_full = 1; /* keep metering; gaps past the cap
					  * are left out of the percentiles */
		m->last_tok = t;
		if (m->frame_out && m->first_out < 0)
			m->first_out = t;
	}
	if (m->frame_usage)
		m->usage_chunks = m->chunks;
	if (opt.progress && m->tty)
		draw_progress(m, 0);
	return 0;
}

/* The figures of a finished (or running) stream; NaN where null. */
struct figures {
	double ttfb, ttft, ttfo, e2el, total, decode;
	long long out, in, reasoning, cached;
	const char *source;
	double tpot, decode_tps, e2e_tps;
	double p50, p90, p99, max;
	const char *status, *finish, *dialect;
};

static double
since_t0(const struct meter *m, int64_t t)
{
	if (t < 0 || m->t0 < 0)
		return NAN;
	return (double)(t - m->t0) / 1000.0;
}

/* reported_out returns the output tokens the stream reported (its usage,
 * when no chunk came after it, or the server's count) and says which in
 * *source; -1 when it reported none */
static long long
reported_out(struct meter *m, const char **source)
{
	long long u_in, u_out, u_rs, u_ca, s_in, s_out;

	acc_usage(m->acc, &u_in, &u_out, &u_rs, &u_ca);
	acc_server_tokens(m->acc, &s_in, &s_out);
	if (u_out >= 0 && m->usage_chunks == m->chunks) {
		*source = "usage";
		return u_out;
	}
	if (s_out >= 0) {
		*source = "server";
		return s_out;
	}
	return -1;
}

static void
compute(struct meter *m, struct figures *f, double *sorted)
{
	long long u_in, u_out, u_rs, u_ca, s_in, s_out;
	enum acc_status st = acc_status(m->acc);
	size_t n = m->itl.n, i;

	f->ttfb = m->recorded ? (m->first_ev >= 0 ? since_t0(m, m->first_ev) :
	    NAN) : (m->first_byte >= 0 ? since_t0(m, m->first_byte) : NAN);
	f->ttft = m->first_tok >= 0 ? since_t0(m, m->first_tok) : NAN;
	f->ttfo = m->first_out >= 0 ? since_t0(m, m->first_out) : NAN;
	f->e2el = m->last_tok >= 0 ? since_t0(m, m->last_tok) : NAN;
	f->total = m->end >= 0 ? since_t0(m, m->end) : NAN;
	f->decode = m->first_tok >= 0 ?
	    (double)(m->last_tok - m->first_tok) / 1000.0 : NAN;
	acc_usage(m->acc, &u_in, &u_out, &u_rs, &u_ca);
	acc_server_tokens(m->acc, &s_in, &s_out);
	if ((f->out = reported_out(m, &f->source)) >= 0) {
		/* the stream's own count */
	} else if (TK.used) {
		f->out = TK.n;
		f->source = TK.source;
	} else {
		f->out = m->chunks;
		f->source = "chunks";
	}
	f->in = u_in >= 0 ? u_in : s_in;
	f->reasoning = u_rs;
	f->cached = u_ca;
	f->tpot = f->decode_tps = f->e2e_tps = NAN;
	if (f->out >= 2 && !isnan(f->decode))
		f->tpot = f->decode / (double)(f->out - 1);
	if (f->tpot > 0)
		f->decode_tps = 1000.0 / f->tpot;
	if (f->e2el > 0)
		f->e2e_tps = (double)f->out / (f->e2el / 1000.0);
	for (i = 0; i < n; i++)
		sorted[i] = m->itl.v[i] / 1000.0;
	mstats_sort(sorted, n);
	f->p50 = mstats_percentile(sorted, n, 50);
	f->p90 = mstats_percentile(sorted, n, 90);
	f->p99 = mstats_percentile(sorted, n, 99);
	f->max = n ? sorted[n - 1] : NAN;
	f->status = st == ACC_COMPLETE ? "complete" :
	    st == ACC_ERROR ? "error" : "incomplete";
	/* what happened, not only that the stream was short: a failed
	 * COMMAND (HTTP error, network failure), unreadable or no input */
	if (st != ACC_COMPLETE && (m->cmd_status > 0 || m->read_error ||
	    m->no_input))
		f->status = "error";
	if (intr_caught())
		f->status = "interrupted";
	f->finish = acc_finish_reason(m->acc);
	f->dialect = dialect_name(acc_dialect(m->acc));
}

static void
put_str(struct buf *b, const char *key, const char *s)
{
	buf_printf(b, ",\"%s\":", key);
	if (s)
		jsonw_string(b, s, strlen(s));
	else
		buf_puts(b, "null");
}

static void
iso_time(char *out, size_t n, int64_t wall_us)
{
	time_t sec = (time_t)(wall_us / 1000000);
	struct tm tm;
	size_t k;

	gmtime_r(&sec, &tm);
	k = strftime(out, n, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + k, n - k, ".%03dZ", (int)(wall_us % 1000000 / 1000));
}

static int64_t
wall_t0(const struct meter *m)
{
	int64_t zero = m->recorded ? 0 : m->mono_start;

	return m->wall_start + ((m->t0 >= 0 ? m->t0 : zero) - zero);
}

static void
report_json(struct meter *m, const struct figures *f, struct buf *b)
{
	const char *perr = acc_provider_error(m->acc);
	char when[64];
	int64_t w = wall_t0(m);
	size_t i;

	iso_time(when, sizeof when, w);
	buf_puts(b, "{\"label\":");
	if (opt.label)
		jsonw_string(b, opt.label, strlen(opt.label));
	else
		buf_puts(b, "null");
	put_str(b, "start", when);
	buf_printf(b, ",\"start_unix\":%lld.%06lld", (long long)(w / 1000000),
	    (long long)(w % 1000000));
	put_str(b, "dialect", f->dialect);
	put_str(b, "status", f->status);
	put_str(b, "finish_reason", f->finish);
	mstats_put_num(b, "ttfb_ms", f->ttfb);
	mstats_put_num(b, "ttft_ms", f->ttft);
	mstats_put_num(b, "ttfo_ms", f->ttfo);
	mstats_put_num(b, "e2el_ms", f->e2el);
	mstats_put_num(b, "decode_ms", f->decode);
	mstats_put_num(b, "total_ms", f->total);
	mstats_put_int(b, "output_tokens", f->out);
	put_str(b, "output_tokens_source", f->source);
	mstats_put_int(b, "input_tokens", f->in);
	mstats_put_int(b, "reasoning_tokens", f->reasoning);
	mstats_put_int(b, "cached_tokens", f->cached);
	mstats_put_num(b, "tpot_ms", f->tpot);
	mstats_put_num(b, "decode_tps", f->decode_tps);
	mstats_put_num(b, "e2e_tps", f->e2e_tps);
	mstats_put_num(b, "itl_p50_ms", f->p50);
	mstats_put_num(b, "itl_p90_ms", f->p90);
	mstats_put_num(b, "itl_p99_ms", f->p99);
	mstats_put_num(b, "itl_max_ms", f->max);
	mstats_put_int(b, "chunks", m->chunks);
	mstats_put_int(b, "frames", m->frames);
	mstats_put_int(b, "bytes", (long long)m->bytes);
	put_str(b, "error", perr ? perr : m->errmsg[0] ? m->errmsg : NULL);
	mstats_put_int(b, "command_status", m->cmd_status >= 0 ? m->cmd_status : -1);
	buf_puts(b, ",\"itl_ms\":[");
	for (i = 0; i < m->itl.n; i++) {
		char s[64];

		buf_printf(b, "%s%s", i ? "," : "",
		    mstats_fmt(s, sizeof s, m->itl.v[i] / 1000.0, 3));
	}
	buf_puts(b, "]}\n");
}

/* hms formats a duration in ms for people: "412 ms", "11.5 ms", "6.40 s". */
static const char *
hms(char *out, size_t n, double ms)
{
	if (isnan(ms))
		snprintf(out, n, "-");
	else if (ms < 10)
		snprintf(out, n, "%.2f ms", ms);
	else if (ms < 100)
		snprintf(out, n, "%.1f ms", ms);
	else if (ms < 1000)
		snprintf(out, n, "%.0f ms", ms);
	else if (ms < 10000)
		snprintf(out, n, "%.2f s", ms / 1000);
	else
		snprintf(out, n, "%.1f s", ms / 1000);
	return out;
}

static const char *
hnum(char *out, size_t n, double x)
{
	return mstats_hnum(out, n, x, 1);
}

static void
report_human(struct meter *m, const struct figures *f, struct buf *b)
{
	const char *perr = acc_provider_error(m->acc);
	char when[64], a[32], c[32], d[32], e[32];

	if (opt.label)
		buf_printf(b, "label   %s\n", opt.label);
	iso_time(when, sizeof when, wall_t0(m));
	buf_printf(b, "start   %s\n", when);
	buf_printf(b, "status  %s · finish %s · %s\n", f->status,
	    f->finish ? f->finish : "-", f->dialect);
	if (perr || m->errmsg[0])
		buf_printf(b, "error   %s\n", perr ? perr : m->errmsg);
	buf_printf(b, "ttft    %s · ttfb %s · ttfo %s\n",
	    hms(a, sizeof a, f->ttft), hms(c, sizeof c, f->ttfb),
	    hms(d, sizeof d, f->ttfo));
	buf_printf(b, "tokens  %lld output (%s%s)", f->out, f->source,
	    strcmp(f->source, "chunks") == 0 ? ", an estimate" : "");
	if (f->in >= 0)
		buf_printf(b, " · %lld input", f->in);
	if (f->reasoning >= 0)
		buf_printf(b, " · %lld reasoning", f->reasoning);
	if (f->cached >= 0)
		buf_printf(b, " · %lld cached", f->cached);
	buf_puts(b, "\n");
	buf_printf(b, "speed   %s tok/s decode · %s tok/s end-to-end · "
	    "tpot %s\n", hnum(a, sizeof a, f->decode_tps),
	    hnum(c, sizeof c, f->e2e_tps), hms(d, sizeof d, f->tpot));
	buf_printf(b, "itl     p50 %s · p90 %s · p99 %s · max %s\n",
	    hms(a, sizeof a, f->p50), hms(c, sizeof c, f->p90),
	    hms(d, sizeof d, f->p99), hms(e, sizeof e, f->max));
	buf_printf(b, "time    e2el %s · decode %s · total %s\n",
	    hms(a, sizeof a, f->e2el), hms(c, sizeof c, f->decode),
	    hms(d, sizeof d, f->total));
	buf_printf(b, "count   %lld frames · %lld chunks · %llu bytes\n",
	    m->frames, m->chunks, m->bytes);
}

/* The live line of -p. It is drawn after events and, while none arrive
 * (a long wait for the first token), by a SIGALRM timer, so it is built
 * with async-signal-safe code only: no stdio, no allocation. */
static volatile sig_atomic_t drawing;

static char *
put_str_safe(char *p, char *end, const char *s)
{
	while (*s && p < end)
		*p++ = *s++;
	return p;
}

static char *
put_uint_safe(char *p, char *end, unsigned long long v)
{
	char d[24];
	int n = 0;

	do
		d[n++] = (char)('0' + v % 10);
	while ((v /= 10) && n < (int)sizeof d);
	while (n && p < end)
		*p++ = d[--n];
	return p;
}

/* x >= 0 with dec (0-2) decimals, rounded */
static char *
put_fixed_safe(char *p, char *end, double x, int dec)
{
	unsigned long long scale = dec == 2 ? 100 : dec == 1 ? 10 : 1, v;

	if (!(x >= 0) || x > 1e15)
		return put_str_safe(p, end, "-");
	v = (unsigned long long)(x * (double)scale + 0.5);
	p = put_uint_safe(p, end, v / scale);
	if (dec) {
		p = put_str_safe(p, end, ".");
		if (dec == 2 && v % scale < 10)
			p = put_str_safe(p, end, "0");
		p = put_uint_safe(p, end, v % scale);
	}
	return p;
}

/* as hms: "412 ms", "11.5 ms", "6.40 s" */
static char *
put_ms_safe(char *p, char *end, double ms)
{
	if (!(ms >= 0))
		return put_str_safe(p, end, "-");
	if (ms < 10)
		return put_str_safe(put_fixed_safe(p, end, ms, 2), end, " ms");
	if (ms < 100)
		return put_str_safe(put_fixed_safe(p, end, ms, 1), end, " ms");
	if (ms < 1000)
		return put_str_safe(put_fixed_safe(p, end, ms, 0), end, " ms");
	if (ms < 10000)
		return put_str_safe(put_fixed_safe(p, end, ms / 1000, 2),
		    end, " s");
	return put_str_safe(put_fixed_safe(p, end, ms / 1000, 1), end, " s");
}

/* The live line lives on the terminal's last row, below a scroll region
 * that holds everything else (as apt's progress bar does): the answer
 * that another process streams to the same terminal scrolls above it and
 * is never overwritten. Each draw is one write(2) that saves the cursor,
 * draws on the last row and restores the cursor, so it cannot split a
 * write of the text. */
static void
draw_line(struct meter *m, int64_t now)
{
	char line[400], *p = line, *end = line + sizeof line - 8;
	int64_t first = m->first_tok, last = m->last_tok;
	long long chunks = m->chunks, toks;
	double el;

	m->last_draw = now;
	if (m->rows < 2)
		return;
	p = put_str_safe(p, end, "\0337\033[");
	p = put_uint_safe(p, end, (unsigned long long)m->rows);
	p = put_str_safe(p, end, ";1H\033[Kttft ");
	p = put_ms_safe(p, end, first >= 0 && m->t0 >= 0 ?
	    (double)(first - m->t0) / 1000.0 : -1);
	p = put_str_safe(p, end, " \xc2\xb7 ");
	p = put_uint_safe(p, end, chunks > 0 ? (unsigned long long)chunks : 0);
	p = put_str_safe(p, end, " chunks \xc2\xb7 ");
	el = first >= 0 && last > first ? (double)(last - first) / 1e6 : 0;
	p = put_fixed_safe(p, end, chunks > 1 && el > 0 ?
	    (double)(chunks - 1) / el : -1, 1);
	p = put_str_safe(p, end, " chunks/s \xc2\xb7 ");
	/* tokens: as reported so far, else estimated at 4 bytes of text
	 * each (OpenAI's rule of thumb), marked "~" */
	toks = m->live_out >= 0 ? m->live_out : m->text_bytes / 4;
	if (m->live_out < 0)
		p = put_str_safe(p, end, "~");
	p = put_fixed_safe(p, end, toks > 0 && el > 0 ?
	    (double)toks / el : -1, 1);
	p = put_str_safe(p, end, " tok/s \xc2\xb7 ");
	p = put_ms_safe(p, end, (double)(now - m->mono_start) / 1000.0);
	p = put_str_safe(p, end, "\0338");
	write_all(STDERR_FILENO, line, (size_t)(p - line));
}

/* progress_begin reserves the last row: a new line first (the screen
 * scrolls when the cursor is at the bottom), then the scroll region
 * 1..rows-1, the cursor back where the text goes. */
static void
progress_begin(struct meter *m)
{
	struct winsize ws;
	char s[64];
	int n;

	const char *lines = getenv("LINES");

	/* a terminal that does not tell its size (a bare pty) is taken
	 * to have $LINES or 24 rows, as curses does */
	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == -1 || ws.ws_row == 0)
		ws.ws_row = lines && atoi(lines) > 0 ? (unsigned short)atoi(lines) :
		    24;
	if (ws.ws_row < 3)
		return;
	m->rows = ws.ws_row;
	n = snprintf(s, sizeof s, "\n\0337\033[1;%dr\0338\033[1A", m->rows - 1);
	write_all(STDERR_FILENO, s, (size_t)n);
}

static void
on_alarm(int sig)
{
	int e = errno;
	int64_t now = clock_mono_us();

	(void)sig;
	if (!drawing && now - M.last_draw >= 200000)
		draw_line(&M, now);
	errno = e;
}

/* progress_timer starts (on) or stops the SIGALRM that redraws the line
 * while no event arrives. */
static void
progress_timer(int on)
{
	struct itimerval it;
	struct sigaction sa;

	memset(&it, 0, sizeof it);
	if (on) {
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = on_alarm;
		sa.sa_flags = SA_RESTART;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGALRM, &sa, NULL);
		it.it_interval.tv_usec = it.it_value.tv_usec = 250000;
	}
	setitimer(ITIMER_REAL, &it, NULL);
}

static void
draw_progress(struct meter *m, int final)
{
	int64_t now = clock_mono_us();

	drawing = 1;
	if (final && m->rows >= 2) {
		char s[64];
		int n = snprintf(s, sizeof s, "\0337\033[%d;1H\033[K"
		    "\033[1;%dr\0338", m->rows, m->rows);

		/* the last row cleared, the whole screen scrolls again */
		write_all(STDERR_FILENO, s, (size_t)n);
		m->rows = 0;
	} else if (!final && now - m->last_draw >= 200000)
		draw_line(m, now);
	drawing = 0;
}

/* Wrapper mode: COMMAND's stderr goes through a pipe that a thread
 * copies to ours at once, keeping the last line for the report. */
static struct {
	int fd;
	pthread_mutex_t lock;
	char line[300], cur[300];
	size_t cur_len;
	int done;
} cerr = { -1, PTHREAD_MUTEX_INITIALIZER, "", "", 0, 0 };

static void *
cerr_copy(void *arg)
{
	char b[4096];
	ssize_t n, i;

	(void)arg;
	for (;;) {
		n = read(cerr.fd, b, sizeof b);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		(void)write_all(STDERR_FILENO, b, (size_t)n);
		pthread_mutex_lock(&cerr.lock);
		for (i = 0; i < n; i++) {
			if (b[i] == '\n') {
				if (cerr.cur_len) {
					memcpy(cerr.line, cerr.cur, cerr.cur_len);
					cerr.line[cerr.cur_len] = '\0';
				}
				cerr.cur_len = 0;
			} else if (cerr.cur_len < sizeof cerr.cur - 1)
				cerr.cur[cerr.cur_len++] = b[i];
		}
		pthread_mutex_unlock(&cerr.lock);
	}
	pthread_mutex_lock(&cerr.lock);
	if (cerr.cur_len) { /* a last line without its newline */
		memcpy(cerr.line, cerr.cur, cerr.cur_len);
		cerr.line[cerr.cur_len] = '\0';
	}
	cerr.done = 1;
	pthread_mutex_unlock(&cerr.lock);
	close(cerr.fd);
	return NULL;
}

/* run_command starts argv with its stdout on a pipe; returns the read end. */
static int
run_command(char **argv, pid_t *pid)
{
	int p[2], e[2];
	pthread_t th;

	if (pipe2(p, O_CLOEXEC) == -1 || pipe2(e, O_CLOEXEC) == -1)
		die(LP_EXIT_FAIL, "pipe: %s", strerror(errno));
	*pid = fork();
	if (*pid == -1)
		die(LP_EXIT_FAIL, "fork: %s", strerror(errno));
	if (*pid == 0) {
		if (dup2(p[1], STDOUT_FILENO) == -1 ||
		    dup2(e[1], STDERR_FILENO) == -1)
			_exit(126);
		signal(SIGPIPE, SIG_DFL);
		intr_restore_default();
		execvp(argv[0], argv);
		warnx("%s: %s", argv[0], strerror(errno));
		_exit(errno == ENOENT ? 127 : 126);
	}
	close(p[1]);
	close(e[1]);
	cerr.fd = e[0];
	if (pthread_create(&th, NULL, cerr_copy, NULL) != 0)
		die(LP_EXIT_FAIL, "thread: cannot start");
	pthread_detach(th);
	return p[0];
}

/* cerr_last copies COMMAND's last stderr line, once its stderr is closed
 * (waiting at most 1 s for a descendant that keeps it open). */
static void
cerr_last(char *out, size_t n)
{
	int64_t until = clock_mono_us() + 1000000;
	int done = 0;

	while (!done && clock_mono_us() < until) {
		pthread_mutex_lock(&cerr.lock);
		done = cerr.done;
		pthread_mutex_unlock(&cerr.lock);
		if (!done)
			usleep(2000);
	}
	pthread_mutex_lock(&cerr.lock);
	snprintf(out, n, "%s", cerr.line);
	pthread_mutex_unlock(&cerr.lock);
}

/* pipe_read_held tells whether a process other than this one holds the
 * read end of pipe ino (from /proc: the link and the access mode). */
static int
pipe_read_held(unsigned long ino)
{
	char want[64], path[600], link[64], info[512];
	DIR *proc, *fds;
	struct dirent *p, *f;
	ssize_t k;
	int held = 0, fd;
	size_t wl;
	long self = (long)getpid();

	snprintf(want, sizeof want, "pipe:[%lu]", ino);
	wl = strlen(want);
	if ((proc = opendir("/proc")) == NULL)
		return 0;
	while (!held && (p = readdir(proc)) != NULL) {
		if (p->d_name[0] < '1' || p->d_name[0] > '9' ||
		    strtol(p->d_name, NULL, 10) == self)
			continue;
		snprintf(path, sizeof path, "/proc/%s/fd", p->d_name);
		if ((fds = opendir(path)) == NULL)
			continue;
		while (!held && (f = readdir(fds)) != NULL) {
			if (f->d_name[0] == '.')
				continue;
			snprintf(path, sizeof path, "/proc/%s/fd/%s",
			    p->d_name, f->d_name);
			k = readlink(path, link, sizeof link);
			if (k != (ssize_t)wl || memcmp(link, want, wl) != 0)
				continue;
			/* the write end has the same name: read its mode */
			snprintf(path, sizeof path, "/proc/%s/fdinfo/%s",
			    p->d_name, f->d_name);
			if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
				continue;
			k = read(fd, info, sizeof info - 1);
			close(fd);
			if (k > 0) {
				char *fl;

				info[k] = '\0';
				fl = strstr(info, "flags:");
				if (fl && (strtol(fl + 6, NULL, 8) & O_ACCMODE) !=
				    O_WRONLY)
					held = 1;
			}
		}
		closedir(fds);
	}
	closedir(proc);
	return held;
}

/* wait_reader: the report goes to the terminal the reader of our stdout
 * (delta-join) writes to; once our stdout is closed the reader writes its
 * last bytes (the final newline) and exits. Waiting until no process
 * holds the pipe's read end (at most 2 s) puts the report after them
 * every time, instead of racing them. */
static void
wait_reader(unsigned long ino)
{
	int64_t until = clock_mono_us() + 2000000;

	while (pipe_read_held(ino) && clock_mono_us() < until)
		usleep(5000);
}

/* drain copies the rest of fd through after a parse failure. */
static void
drain(int fd, struct meter *m)
{
	static char b[65536];
	ssize_t n;

	for (;;) {
		n = read(fd, b, sizeof b);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		on_bytes(m, b, (size_t)n, clock_mono_us());
	}
}

static int
meter_stream(const char *path, char **cmd)
{
	struct evr_opts o;
	struct evr_result res;
	struct figures f;
	struct buf rep;
	struct stat so, si;
	double *sorted;
	pid_t pid = -1;
	int fd, status = LP_EXIT_OK, wst, cmd_status = 0, in_file = 0;
	unsigned long out_pipe = 0;
	const char *name = cmd ? cmd[0] : strcmp(path, "-") == 0 ? "stdin" :
	    path;

	memset(&o, 0, sizeof o);
	o.format = EVR_AUTO;
	o.max_event = opt.max_event;
	o.on_bytes = on_bytes;
	/* An event cut off by the end of input still counts, as in
	 * delta-join; if its JSON is cut too, the stream is incomplete. */
	o.flush_partial = 1;
	o.vouch = vouch;
	o.ctx = &M;
	M.acc = acc_new(opt.dialect, 0);
	acc_keep_text(M.acc, 0); /* counts and times, never the text */
	M.t0 = opt.t0_first_byte ? -1 : M.mono_start;
	M.first_byte = M.first_ev = M.last_ev = -1;
	M.first_tok = M.last_tok = M.first_out = M.end = -1;
	M.usage_chunks = -1;
	M.live_out = -1;
	M.cmd_status = cmd ? 0 : -1;
	M.tty = isatty(STDERR_FILENO);
	/* the reader of a pipe to wait for before a report on a terminal */
	if (!opt.quiet && isatty(opt.report_fd) && fstat(STDOUT_FILENO,
	    &so) == 0 && S_ISFIFO(so.st_mode))
		out_pipe = (unsigned long)so.st_ino;
	dvec_init(&M.itl, (size_t)1 << 18); /* 2 MiB: past any real answer */
	intr_catch(); /* SIGINT ends the input: the report is still written */
	if (cmd) {
		if (!opt.t0_first_byte)
			M.t0 = clock_mono_us();
		fd = run_command(cmd, &pid);
	} else {
		fd = evr_open(path);
		if (fd == -1)
			die(LP_EXIT_FAIL, "%s%s%s: %s", opt.label ? opt.label :
			    "", opt.label ? ": " : "", path, strerror(errno));
		in_file = fstat(fd, &si) == 0 && S_ISREG(si.st_mode);
	}
	intr_child(pid);
	if (opt.progress && M.tty) {
		progress_begin(&M);
		progress_timer(1);
	}
	evr_read(fd, &o, on_event, &res);
	switch (res.status) {
	case EVR_OK:
	case EVR_STOPPED:
	case EVR_PARTIAL:
		break;
	default:
		/* the report's "error" says it; a second line on stderr
		 * would spoil a file of -j reports */
		if (opt.output)
			mwarn("%s: %s", name, res.msg);
		if (!M.bad_input)
			snprintf(M.errmsg, sizeof M.errmsg, "%s", res.msg);
		M.read_error = 1;
		drain(fd, &M);
	}
	/* The last event's JSON cut short at the end of an unfinished
	 * stream is truncation, not garbage. */
	if (M.last_bad && M.bad_input == 1 && !M.read_error &&
	    acc_status(M.acc) == ACC_RUNNING) {
		M.bad_input = 0;
		M.errmsg[0] = '\0';
	}
	if (M.bad_input && opt.output)
		mwarn("%s%s", M.errmsg, M.bad_input > 1 ?
		    " (and more events like it)" : "");
	M.end = M.recorded ? M.last_ev : clock_mono_us();
	if (M.t0 < 0 && M.first_byte >= 0)
		M.t0 = M.first_byte; /* --t0 first-byte and no event */
	if (fd != STDIN_FILENO)
		close(fd);
	out_close();
	if (pid > 0) {
		while (waitpid(pid, &wst, 0) == -1 && errno == EINTR)
			;
		intr_child(-1);
		if (WIFEXITED(wst))
			cmd_status = WEXITSTATUS(wst);
		else if (WIFSIGNALED(wst))
			cmd_status = 128 + WTERMSIG(wst);
		M.cmd_status = cmd_status;
		cerr_last(M.cmd_err, sizeof M.cmd_err);
	}
	M.no_input = M.bytes == 0 && !M.read_error;
	/* the error text says what happened, the first thing first */
	if (!M.errmsg[0] && !acc_provider_error(M.acc)) {
		if (intr_caught())
			snprintf(M.errmsg, sizeof M.errmsg, "interrupted");
		else if (cmd_status != 0 && acc_status(M.acc) != ACC_COMPLETE)
			snprintf(M.errmsg, sizeof M.errmsg, "%s", M.cmd_err[0] ?
			    M.cmd_err : "COMMAND failed");
		else if (M.no_input)
			snprintf(M.errmsg, sizeof M.errmsg, "no input");
	}
	if (out_pipe)
		wait_reader(out_pipe);
	if (opt.progress && M.tty) {
		progress_timer(0);
		draw_progress(&M, 1);
	}
	if (M.no_input && !cmd && !intr_caught() && !(opt.json && !opt.output))
		mwarn("%s: no input", name);
	/* a saved raw stream has no times of its own: say what the
	 * figures are (with -j on stderr a line would spoil the file) */
	if (in_file && !M.recorded && M.frames > 0 && !(opt.json &&
	    !opt.output))
		mwarn("%s: no recorded times: the figures are read times, not "
		    "the stream's (record with sse-decode -t)", name);
	if (M.itl_full)
		mwarn("more than %zu token-bearing frames: the ITL figures "
		    "cover the first ones only", M.itl.max);
	tk_end(reported_out(&M, &f.source) < 0);
	sorted = xmalloc((M.itl.n ? M.itl.n : 1) * sizeof *sorted);
	compute(&M, &f, sorted);
	free(sorted);
	buf_init(&rep, 0);
	if (opt.json)
		report_json(&M, &f, &rep);
	else
		report_human(&M, &f, &rep);
	/* one write, so reports appended to one file by parallel runs stay
	 * whole lines */
	if (write_all(opt.report_fd, rep.p, rep.len) == -1)
		die(LP_EXIT_FAIL, "%s%s%s: write error: %s", opt.label ?
		    opt.label : "", opt.label ? ": " : "",
		    opt.output ? opt.output : "stderr", strerror(errno));
	buf_free(&rep);
	/* the same order as delta-join: provider error, bad input,
	 * incomplete */
	if (acc_status(M.acc) == ACC_ERROR)
		status = LP_EXIT_PROVIDER;
	else if (M.bad_input || M.read_error || M.no_input)
		status = LP_EXIT_FAIL;
	else if (strcmp(f.status, "complete") != 0)
		status = LP_EXIT_INCOMPLETE;
	if (cmd_status != 0)
		status = cmd_status;
	if (intr_caught())
		status = LP_EXIT_SIGINT;
	acc_free(M.acc);
	dvec_free(&M.itl);
	return status;
}

/* aggregate: -a, the reports in the files (stdin when none) summed up */
static int
aggregate(int argc, char **argv)
{
	struct buf b;
	int i, fd, rc = 0;

	AGG.json = opt.json;
	for (i = 0; i < (argc ? argc : 1) && !AGG.full; i++) {
		const char *name = argc == 0 || strcmp(argv[i], "-") == 0 ?
		    "stdin" : argv[i];

		fd = argc ? evr_open(argv[i]) : STDIN_FILENO;
		if (fd == -1) {
			warnx("%s: %s", argv[i], strerror(errno));
			rc = -1;
			continue;
		}
		rc |= magg_read(&AGG, name, fd);
		if (fd != STDIN_FILENO)
			close(fd);
	}
	if (AGG.full)
		die(LP_EXIT_FAIL, "aggregate: more than %zu values",
		    (size_t)DVEC_DEFAULT_MAX);
	/* nothing to summarize: the error alone, no table of dashes */
	if (AGG.count == 0) {
		warnx("no valid report");
		magg_free(&AGG);
		out_close();
		return LP_EXIT_FAIL;
	}
	buf_init(&b, 0);
	magg_print(&AGG, &b);
	if (opt.output) {
		if (write_all(opt.report_fd, b.p, b.len) == -1)
			die(LP_EXIT_FAIL, "%s: write error: %s", opt.output,
			    strerror(errno));
	} else
		out_write(b.p, b.len);
	buf_free(&b);
	magg_free(&AGG);
	out_close();
	return rc ? LP_EXIT_FAIL : LP_EXIT_OK;
}


int
main(int argc, char **argv)
{
	char why[128];
	char **cmd = NULL;
	int c, i, dashdash = -1, pct_set = 0;

	err_init(argv);
	err_usage(usage_text);
	mem_init();
	M.mono_start = clock_mono_us();
	M.wall_start = clock_wall_us();
	opt.dialect = DIALECT_AUTO;
	opt.report_fd = STDERR_FILENO;
	magg_init(&AGG);
	/* Everything after the first "--" is COMMAND: options are parsed
	 * only before it. */
	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "--") == 0) {
			dashdash = i;
			break;
		}
	while ((c = getopt_long(dashdash >= 0 ? dashdash : argc, argv,
	    "jo:qN:pahV", long_opts, NULL)) != -1) {
		switch (c) {
		case 'j': opt.json = 1; break;
		case 'o': opt.output = optarg; break;
		case 'q': opt.quiet = 1; break;
		case 'N': opt.label = optarg; break;
		case 'p': opt.progress = 1; break;
		case 'a': opt.aggregate = 1; break;
		case OPT_T0:
			if (strcmp(optarg, "start") == 0)
				opt.t0_first_byte = 0;
			else if (strcmp(optarg, "first-byte") == 0)
				opt.t0_first_byte = 1;
			else
				usage_error("--t0: expected start or "
				    "first-byte, not '%s'", optarg);
			break;
		case OPT_ENCODING:
			if (strcmp(optarg, "none") != 0 &&
			    !tok_encoding_known(optarg))
				usage_error("--encoding: unknown encoding '%s' "
				    "(o200k_base, cl100k_base or none)", optarg);
			TK.forced = optarg;
			break;
		case OPT_DIALECT:
			if (dialect_parse(optarg, &opt.dialect) == -1)
				usage_error("--dialect: unknown dialect '%s'",
				    optarg);
			break;
		case OPT_MAX_EVENT:
			if (args_max_event(optarg, &opt.max_event, why,
			    sizeof why) == -1)
				usage_error("--max-event: %s", why);
			break;
		case OPT_PERCENTILES:
			AGG.npct = mstats_parse_percentiles(optarg, AGG.pct,
			    MAGG_MAX_PCT);
			pct_set = 1;
			if (AGG.npct < 1)
				usage_error("--percentiles: expected numbers "
				    "0-100 separated by commas, not '%s'",
				    optarg);
			break;
		case OPT_GOODPUT:
			if (magg_parse_slos(&AGG, optarg) == -1)
				usage_error("--goodput: expected KEY:MS,... "
				    "with keys ttft, tpot, e2el, not '%s'",
				    optarg);
			AGG.goodput = optarg;
			break;
		case 'h':
			print_help(provider_usage(usage_text));
		case 'V':
			print_version();
		default:
			usage_hint();
		}
	}
	if (dashdash >= 0) {
		if (optind < dashdash)
			usage_error("FILE and -- COMMAND cannot be combined");
		if (opt.aggregate)
			usage_error("-a reads reports, not a COMMAND");
		if (dashdash + 1 >= argc)
			usage_error("-- needs a COMMAND");
		cmd = argv + dashdash + 1;
	}
	if (!opt.aggregate && (AGG.goodput || pct_set))
		usage_error("--percentiles and --goodput go with -a");
	if (opt.output) {
		opt.report_fd = open(opt.output,
		    O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (opt.report_fd == -1)
			die(LP_EXIT_FAIL, "%s: %s", opt.output,
			    strerror(errno));
	}
	if (opt.aggregate)
		return aggregate(argc - optind, argv + optind);
	if (optind + 1 < (dashdash >= 0 ? dashdash : argc))
		usage_error("one stream at a time (use -a to combine reports)");
	return meter_stream(optind < argc && !cmd ? argv[optind] : "-", cmd);
}
