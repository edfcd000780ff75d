/* delta-join - assemble one LLM response stream: the text as it streams,
 * or the normalized message, the provider's non-streaming body, the
 * normalized deltas, or each tool call once complete. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "args.h"
#include "conv.h"
#include "conv_file.h"
#include "dialect.h"
#include "err.h"
#include "evread.h"
#include "intr.h"
#include "jscan.h"
#include "jsonw.h"
#include "jvx.h"
#include "mem.h"
#include "out.h"
#include "provider.h"

static const char usage_text[] =
"Usage: delta-join [OPTIONS] [FILE...]\n"
"Assemble an LLM response stream (raw SSE, sse-decode NDJSON or Ollama\n"
"NDJSON; stdin when no FILE or FILE is -). By default write the answer\n"
"text of choice 0 as it streams.\n"
"\n"
"  -r, --reasoning       also write reasoning/thinking text to stderr\n"
"  -x, --exact           text as received: no newline added at the end\n"
"  -q, --quiet           text mode: no notice of a refusal, tool calls,\n"
"                        a cut by the token limit or a content filter\n"
"  -j, --json            at the end, one normalized JSON object per choice\n"
"  -n, --native          at the end, the provider's non-streaming body\n"
"  -e, --events          the normalized deltas, one JSON line each\n"
"  -T, --tool-calls      each tool call as one JSON line once complete\n"
"      --dialect NAME    @DIALECTS@ or auto (default: detect from the events)\n"
"      --conversation FILE  at the end, append the assistant message to\n"
"                        FILE (llmpipe(7)), marked incomplete when cut\n"
"      --max-size SIZE   cap on the assembled message (default 64M,\n"
"                        at most 256M)\n"
"      --max-event SIZE  largest event or line accepted (default 64M,\n"
"                        at most 1G)\n"
"  -h, --help            show this help and exit\n"
"  -V, --version         show the version and exit\n"
"\n"
"Exit status: 0 success, 1 failure (I/O, bad input, invalid tool-call\n"
"arguments, no input, not an event stream), 2 usage, 3 stream incomplete,\n"
"4 provider error in the stream.\n";

#define MAX_SIZE_LIMIT ((size_t)256 << 20)

enum { OPT_DIALECT = 256, OPT_MAX_SIZE, OPT_MAX_EVENT, OPT_CONVERSATION };

static const struct option long_opts[] = {
	{ "reasoning", no_argument, NULL, 'r' },
	{ "exact", no_argument, NULL, 'x' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "json", no_argument, NULL, 'j' },
	{ "native", no_argument, NULL, 'n' },
	{ "events", no_argument, NULL, 'e' },
	{ "tool-calls", no_argument, NULL, 'T' },
	{ "dialect", required_argument, NULL, OPT_DIALECT },
	{ "max-size", required_argument, NULL, OPT_MAX_SIZE },
	{ "max-event", required_argument, NULL, OPT_MAX_EVENT },
	{ "conversation", required_argument, NULL, OPT_CONVERSATION },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

enum mode { MODE_TEXT, MODE_JSON, MODE_NATIVE, MODE_EVENTS, MODE_TOOLS };

static struct {
	enum mode mode;
	int reasoning;
	int exact;      /* -x: no final newline added */
	int quiet;      /* -q: no notices in text mode */
	enum dialect dialect;
	size_t max_size;
	size_t max_event; /* 0: the event reader's default */
	const char *conversation; /* --conversation FILE */
} opt;

/* Per-file state. */
struct run {
	const char *name;
	struct acc *acc;
	int json_errors, index_error, faults, too_big, last_bad;
	char first_err[600];
	long events;
	char last_text;     /* last byte of text written (for the newline) */
	int wrote_text;
	char last_reason;
	int wrote_reason;
	int reason_errno;   /* -r: the first failed write to stderr */
	int refused;        /* choice 0 sent refusal text */
	char refusal[160];  /* its start, for the notice */
	size_t refusal_len;
	int ncalls;         /* tool calls of choice 0, for the notice */
	char calls[160];    /* their names, ", " separated */
};

static void
put_num(const char *key, long long v)
{
	if (v >= 0)
		buf_printf(&out_buf, ",\"%s\":%lld", key, v);
	else
		buf_printf(&out_buf, ",\"%s\":null", key);
}

static void
put_str(const char *key, const char *s, size_t n)
{
	buf_printf(&out_buf, ",\"%s\":", key);
	if (s == NULL)
		out_write("null", 4);
	else if (jsonw_string(&out_buf, s, n) == -1)
		die(LP_EXIT_FAIL, "write error: record too large");
}

/* event_line writes one normalized delta as NDJSON (-e). */
static void
event_line(const struct delta *d)
{
	static const char *const kinds[] = { "text", "reasoning", "refusal",
		"tool_call", "usage", "finish", "error", "done" };

	buf_printf(&out_buf, "{\"type\":\"%s\"", kinds[d->kind]);
	switch (d->kind) {
	case DELTA_TEXT:
	case DELTA_REASONING:
	case DELTA_REFUSAL:
		buf_printf(&out_buf, ",\"index\":%d", d->choice);
		put_str("text", d->text, d->len);
		break;
	case DELTA_TOOL_CALL:
		buf_printf(&out_buf, ",\"index\":%d,\"call\":%d", d->choice,
		    d->call);
		if (d->id)
			put_str("id", d->id, strlen(d->id));
		if (d->name)
			put_str("name", d->name, strlen(d->name));
		put_str("arguments", d->text ? d->text : "", d->len);
		break;
	case DELTA_USAGE:
		put_num("input_tokens", d->input_tokens);
		put_num("output_tokens", d->output_tokens);
		put_num("reasoning_tokens", d->reasoning_tokens);
		put_num("cached_tokens", d->cached_tokens);
		break;
	case DELTA_FINISH:
		buf_printf(&out_buf, ",\"index\":%d", d->choice);
		put_str("reason", d->text, d->len);
		break;
	case DELTA_ERROR:
		put_str("error_type", d->name, strlen(d->name));
		put_str("message", d->text, d->len);
		break;
	case DELTA_DONE:
		break;
	}
	out_write("}\n", 2);
	out_maybe_flush();
}

static int
on_delta(void *ctx, const struct delta *d)
{
	struct run *r = ctx;

	if (opt.reasoning && d->kind == DELTA_REASONING && d->choice == 0 &&
	    d->len && r->reason_errno == 0) {
		out_flush(); /* keep stdout and stderr in arrival order */
		if (write_all(STDERR_FILENO, d->text, d->len) == 0) {
			r->wrote_reason = 1;
			r->last_reason = d->text[d->len - 1];
		} else
			r->reason_errno = errno ? errno : EIO;
	}
	if (d->kind == DELTA_REFUSAL && d->choice == 0 && d->len) {
		size_t k = sizeof r->refusal - 1 - r->refusal_len;

		r->refused = 1;
		if (k > d->len)
			k = d->len;
		memcpy(r->refusal + r->refusal_len, d->text, k);
		r->refusal_len += k;
		r->refusal[r->refusal_len] = '\0';
	}
	switch (opt.mode) {
	case MODE_TEXT:
		if (d->kind == DELTA_TEXT && d->choice == 0 && d->len) {
			/* the answer starts on a line of its own after the
			 * reasoning, and after a blank line on a terminal */
			if (r->wrote_reason && !r->wrote_text &&
			    r->reason_errno == 0) {
				if (r->last_reason != '\n' && !opt.exact)
					(void)write_all(STDERR_FILENO, "\n", 1);
				if (isatty(STDERR_FILENO))
					(void)write_all(STDERR_FILENO, "\n", 1);
				r->last_reason = '\n';
			}
			out_write(d->text, d->len);
			r->wrote_text = 1;
			r->last_text = d->text[d->len - 1];
		}
		break;
	case MODE_EVENTS:
		event_line(d);
		break;
	default:
		break;
	}
	return 0;
}

static void
tool_line(void *ctx, int choice, int call, const char *id, const char *name,
    const char *args, size_t len, int canonical)
{
	jv v;

	(void)ctx;
	(void)choice;
	(void)call;
	out_write("{\"id\":", 6);
	if (id)
		jsonw_string(&out_buf, id, strlen(id));
	else
		out_write("null", 4);
	out_write(",\"name\":", 8);
	if (name)
		jsonw_string(&out_buf, name, strlen(name));
	else
		out_write("null", 4);
	out_write(",\"arguments\":", 13);
	/* as libjq's parse and dump write them: a canonical text as it is,
	 * others by jscan when it is sure, else by libjq */
	if (canonical)
		out_write(args, len);
	else if (len == 0 || jscan_canonical(args, len, &out_buf) == -1) {
		v = len ? jvx_parse(args, len) : jv_object();
		if (jv_is_valid(v)) {
			if (jvx_dump(&out_buf, v) == -1)
				die(LP_EXIT_FAIL,
				    "write error: record too large");
		} else {
			/* kept verbatim as a string; reported at the end */
			jv_free(v);
			jsonw_string(&out_buf, args, len);
		}
	}
	out_write("}\n", 2);
	out_maybe_flush();
}

static int
on_event(void *ctx, struct ev *ev)
{
	struct run *r = ctx;
	int rc = acc_event(r->acc, ev, on_delta, r);
	const char *fault = acc_take_fault(r->acc);

	if (fault && r->faults++ < 10)
		warnx("%s: %s", r->name, fault);
	r->events++;
	r->last_bad = 0;
	if (rc == ACC_ERR_JSON) {
		if (r->json_errors++ == 0)
			snprintf(r->first_err, sizeof r->first_err, "%s",
			    acc_error(r->acc));
		r->last_bad = 1;
	} else if (rc == ACC_ERR_INDEX) {
		if (!r->index_error++)
			warnx("%s: %s", r->name, acc_error(r->acc));
	} else if (rc == ACC_ERR_TOO_BIG) {
		r->too_big = 1;
		return 1; /* stop reading: the cap is reached */
	}
	if (opt.mode == MODE_TOOLS)
		acc_tool_calls_ready(r->acc, 0, tool_line, r);
	return 0;
}

/* vouch: the accumulator knows an NDJSON line (see acc_vouch) */
static int
vouch(void *ctx, const char *s, size_t n)
{
	return acc_vouch(((struct run *)ctx)->acc, s, n);
}

static void
report_bad_args(void *ctx, int choice, const char *call)
{
	struct run *r = ctx;

	if (choice)
		warnx("%s: choice %d: tool call %s: arguments are not valid "
		    "JSON (kept verbatim)", r->name, choice, call);
	else
		warnx("%s: tool call %s: arguments are not valid JSON (kept "
		    "verbatim)", r->name, call);
}

static void
write_final(struct run *r)
{
	int i, n;
	jv v;

	switch (opt.mode) {
	case MODE_TEXT:
		/* text ends with a newline, as llm's does, in files and
		 * pipes too; -x keeps the bytes exact */
		if (r->wrote_text && r->last_text != '\n' && !opt.exact)
			out_write("\n", 1);
		break;
	case MODE_JSON:
		n = acc_choices(r->acc);
		for (i = 0; i < (n ? n : 1); i++) {
			v = acc_json(r->acc, i);
			if (jvx_dump(&out_buf, v) == -1)
				die(LP_EXIT_FAIL, "write error: record too large");
			out_write("\n", 1);
		}
		break;
	case MODE_NATIVE:
		v = acc_native(r->acc);
		if (jvx_dump(&out_buf, v) == -1)
			die(LP_EXIT_FAIL, "write error: record too large");
		out_write("\n", 1);
		break;
	case MODE_TOOLS:
		acc_tool_calls_ready(r->acc, 1, tool_line, r);
		break;
	case MODE_EVENTS:
		break;
	}
	out_flush();
	if (r->wrote_reason && r->last_reason != '\n' && !opt.exact &&
	    r->reason_errno == 0)
		(void)write_all(STDERR_FILENO, "\n", 1);
}

static void
note_call(void *ctx, int choice, int call, const char *id, const char *name,
    const char *args, size_t len, int canonical)
{
	struct run *r = ctx;
	size_t k = strlen(r->calls);

	(void)call;
	(void)id;
	(void)args;
	(void)len;
	(void)canonical;
	if (choice != 0)
		return;
	r->ncalls++;
	snprintf(r->calls + k, sizeof r->calls - k, "%s%s", k ? ", " : "",
	    name ? name : "(no name)");
}

/* one_line: s with control characters as spaces, cut with "..." */
static const char *
one_line(char *out, size_t n, const char *s, int cut)
{
	size_t i;

	snprintf(out, n, "%s%s", s, cut ? "..." : "");
	for (i = 0; out[i]; i++)
		if ((unsigned char)out[i] < 0x20 || out[i] == 0x7f)
			out[i] = ' ';
	return out;
}

/* notices: text mode cannot show a refusal, tool calls, or why the answer
 * stopped short; one line each on stderr tells it (-q: not) */
static void
notices(struct run *r)
{
	const char *fin = acc_finish_reason(r->acc);
	char s[200];

	/* a provider error is reported anyway, once */
	if (opt.mode != MODE_TEXT || opt.quiet || acc_provider_error(r->acc))
		return;
	if (r->refused)
		warnx("%s: refused: %s", r->name, one_line(s, sizeof s,
		    r->refusal, r->refusal_len == sizeof r->refusal - 1));
	acc_tool_calls_ready(r->acc, 1, note_call, r);
	if (r->ncalls && !r->wrote_text)
		warnx("%s: no text, %d tool call%s: %s (-T writes them)",
		    r->name, r->ncalls, r->ncalls > 1 ? "s" : "", r->calls);
	if (fin && strcmp(fin, "length") == 0)
		warnx("%s: answer cut off by the token limit", r->name);
	else if (fin && strcmp(fin, "content_filter") == 0 && !r->refused)
		warnx("%s: answer stopped by the content filter", r->name);
}

/* append_message: --conversation: the assistant message goes to the
 * file, whatever else happened (nothing that was paid for is lost). */
static int
append_message(struct run *r, int incomplete)
{
	char err[600];
	jv m = conv_from_acc(r->acc, incomplete);

	if (jv_get_kind(m) == JV_KIND_NULL)
		return 0;
	if (conv_append(opt.conversation, m, err, sizeof err) == -1) {
		warnx("%s", err);
		return -1;
	}
	return 0;
}

/* join_file returns the exit status this file calls for. */
static int
join_file(const char *path)
{
	struct evr_opts o;
	struct evr_result res;
	struct run r;
	const char *perr;
	int fd, st = LP_EXIT_OK, truncated = 0;

	memset(&r, 0, sizeof r);
	r.name = strcmp(path, "-") == 0 ? "stdin" : path;
	if ((fd = evr_open(path)) == -1) {
		warnx("%s: %s", path, strerror(errno));
		return LP_EXIT_FAIL;
	}
	r.acc = acc_new(opt.dialect, opt.max_size);
	/* only -j and -n need the whole text; the others stream it */
	acc_keep_text(r.acc, opt.mode == MODE_JSON || opt.mode == MODE_NATIVE ||
	    opt.conversation);
	memset(&o, 0, sizeof o);
	o.format = EVR_AUTO;
	o.max_event = opt.max_event;
	/* An event cut by the end of input is still fed: nothing that
	 * arrived is lost; if its JSON is cut too, the stream is reported
	 * as incomplete below. */
	o.flush_partial = 1;
	o.vouch = vouch;
	o.ctx = &r;
	evr_read(fd, &o, on_event, &res);
	acc_end(r.acc, on_delta, &r);
	if (fd != STDIN_FILENO)
		close(fd);
	write_final(&r);
	/* The last event's JSON cut short at the end of an unfinished
	 * stream is truncation, not garbage. */
	if (r.last_bad && r.json_errors == 1 &&
	    acc_status(r.acc) == ACC_RUNNING && res.status == EVR_OK) {
		truncated = 1;
		r.json_errors = 0;
	}
	/* what a failed command upstream leaves: say it once, plainly */
	if (res.bytes == 0 && !intr_caught() && (res.status == EVR_OK ||
	    res.status == EVR_PARTIAL)) {
		warnx("%s: no input", r.name);
		acc_free(r.acc);
		return LP_EXIT_FAIL;
	}
	/* an HTML page or any other text: the same verdict as sse-decode */
	if (res.format == EVR_SSE && r.events == 0 && res.field_lines == 0 &&
	    res.other_lines > 0 && (res.status == EVR_OK ||
	    res.status == EVR_PARTIAL)) {
		warnx("%s: not an event stream: no data, event, id or retry "
		    "field in %ld lines", r.name, res.other_lines);
		acc_free(r.acc);
		return LP_EXIT_FAIL;
	}
	notices(&r);
	if (opt.conversation && append_message(&r, truncated || intr_caught() ||
	    acc_status(r.acc) != ACC_COMPLETE || res.status != EVR_OK) == -1)
		st = LP_EXIT_FAIL;
	switch (res.status) {
	case EVR_OK:
	case EVR_STOPPED:
	case EVR_PARTIAL:
		break;
	case EVR_ERR_JSON:
		warnx("%s: %s", r.name, res.msg);
		st = LP_EXIT_FAIL;
		break;
	default:
		warnx("%s: %s", r.name, res.msg);
		st = LP_EXIT_FAIL;
		break;
	}
	if (r.too_big) {
		warnx("%s: %s", r.name, acc_error(r.acc));
		st = LP_EXIT_FAIL;
	}
	if (r.json_errors) {
		warnx("%s: %s%s", r.name, r.first_err, r.json_errors > 1 ?
		    " (and more lines like it)" : "");
		st = LP_EXIT_FAIL;
	}
	if (r.index_error || r.faults)
		st = LP_EXIT_FAIL;
	/* -r asked for the reasoning: losing it is an I/O failure */
	if (r.reason_errno) {
		warnx("reasoning: write error: %s", strerror(r.reason_errno));
		st = LP_EXIT_FAIL;
	}
	if (acc_tool_args_check(r.acc, report_bad_args, &r) > 0)
		st = LP_EXIT_FAIL;
	if ((perr = acc_provider_error(r.acc)) != NULL) {
		warnx("%s: provider error: %s", r.name, perr);
		st = LP_EXIT_PROVIDER;
	} else if (intr_caught()) {
		warnx("%s: interrupted: what arrived is written", r.name);
		st = LP_EXIT_SIGINT;
	} else if (st == LP_EXIT_OK && acc_status(r.acc) == ACC_RUNNING &&
	    !r.too_big) {
		if (truncated)
			warnx("%s: stream incomplete: the last event was cut "
			    "off", r.name);
		else
			warnx("%s: stream incomplete: no terminal event "
			    "(%s)", r.name, acc_dialect(r.acc) ==
			    DIALECT_AUTO ? "no provider events seen" :
			    dialect_name(acc_dialect(r.acc)));
		st = LP_EXIT_INCOMPLETE;
	}
	acc_free(r.acc);
	return st;
}

/* set_mode: -j, -n, -e and -T are alternatives (the SYNOPSIS says so):
 * two different ones are a usage error, not a silent pick of the last */
static void
set_mode(int mode, int ch)
{
	static int mode_opt;

	if (mode_opt != 0 && mode_opt != ch)
		usage_error("-%c and -%c cannot be used together", mode_opt, ch);
	mode_opt = ch;
	opt.mode = mode;
}

int
main(int argc, char **argv)
{
	char why[128];
	int c, i, st = LP_EXIT_OK, s;


	err_init(argv);
	err_usage(usage_text);
	mem_init();
	opt.mode = MODE_TEXT;
	opt.dialect = DIALECT_AUTO;
	while ((c = getopt_long(argc, argv, "rxqjneThV", long_opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			opt.reasoning = 1;
			break;
		case 'x':
			opt.exact = 1;
			break;
		case 'q':
			opt.quiet = 1;
			break;
		case 'j':
			set_mode(MODE_JSON, 'j');
			break;
		case 'n':
			set_mode(MODE_NATIVE, 'n');
			break;
		case 'e':
			set_mode(MODE_EVENTS, 'e');
			break;
		case 'T':
			set_mode(MODE_TOOLS, 'T');
			break;
		case OPT_DIALECT:
			if (dialect_parse(optarg, &opt.dialect) == -1)
				usage_error("unknown dialect '%s' (%s, auto)",
				    optarg, provider_names(", "));
			break;
		case OPT_MAX_SIZE:
			if (args_size(optarg, &opt.max_size) == -1 ||
			    opt.max_size == 0)
				usage_error("invalid size '%s'", optarg);
			/* the assembled text, escaped, must stay a jv string
			 * (int length) and fit the output record */
			if (opt.max_size > MAX_SIZE_LIMIT)
				usage_error("--max-size: '%s' is over the 256M "
				    "limit", optarg);
			break;
		case OPT_CONVERSATION:
			opt.conversation = optarg;
			break;
		case OPT_MAX_EVENT:
			if (args_max_event(optarg, &opt.max_event, why,
			    sizeof why) == -1)
				usage_error("--max-event: %s", why);
			break;
		case 'h':
			print_help(provider_usage(usage_text));
		case 'V':
			print_version();
		default:
			usage_hint();
		}
	}
	/* SIGINT ends the input: what arrived is still assembled and
	 * written, then the exit status is 130 */
	intr_catch();
	if (optind == argc)
		st = join_file("-");
	for (i = optind; i < argc && !intr_caught(); i++) {
		s = join_file(argv[i]);
		/* the gravest status wins: provider error, failure, incomplete */
		if (s == LP_EXIT_PROVIDER || (s == LP_EXIT_FAIL &&
		    st != LP_EXIT_PROVIDER) || (s == LP_EXIT_INCOMPLETE &&
		    st == LP_EXIT_OK))
			st = s;
	}
	out_close();
	return intr_caught() ? LP_EXIT_SIGINT : st;
}
