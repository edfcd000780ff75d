/* sse-decode - text/event-stream to NDJSON, one event per line */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "args.h"
#include "clock.h"
#include "err.h"
#include "evread.h"
#include "jsonw.h"
#include "jvx.h"
#include "mem.h"
#include "out.h"

static const char usage_text[] =
"Usage: sse-decode [OPTIONS] [FILE...]\n"
"Read text/event-stream (stdin when no FILE or FILE is -) and write one\n"
"JSON object per dispatched event, one per line:\n"
"  {\"event\":\"message\",\"data\":\"...\",\"id\":\"...\",\"retry\":N,\"t\":S}\n"
"\n"
"  -j, --json            data as its parsed JSON value when it is JSON\n"
"  -d, --data-only       print only each event's data, one per line\n"
"  -t, --timestamps      add \"t\", seconds since start (monotonic clock)\n"
"  -c, --comments        also print comments as {\"comment\":\"...\"}\n"
"      --until-done      stop after the event whose data is [DONE]\n"
"      --flush-partial   dispatch an event cut off by the end of input\n"
"      --max-event SIZE  largest event or line accepted (default 64M,\n"
"                        at most 1G)\n"
"  -h, --help            show this help and exit\n"
"  -V, --version         show the version and exit\n"
"\n"
"Exit status: 0 success, 1 failure (I/O, bad input), 2 usage,\n"
"3 stream incomplete (input ended inside an event).\n";


enum { OPT_UNTIL_DONE = 256, OPT_FLUSH_PARTIAL, OPT_MAX_EVENT };

static const struct option long_opts[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "data-only", no_argument, NULL, 'd' },
	{ "timestamps", no_argument, NULL, 't' },
	{ "comments", no_argument, NULL, 'c' },
	{ "until-done", no_argument, NULL, OPT_UNTIL_DONE },
	{ "flush-partial", no_argument, NULL, OPT_FLUSH_PARTIAL },
	{ "max-event", required_argument, NULL, OPT_MAX_EVENT },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

static struct {
	int json, data_only, timestamps, comments, until_done;
	int64_t start_us;
} opt;

static void
put_time(int64_t arrival_us)
{
	int64_t us = arrival_us - opt.start_us;

	if (us < 0)
		us = 0;
	buf_printf(&out_buf, ",\"t\":%lld.%06lld", (long long)(us / 1000000),
	    (long long)(us % 1000000));
}

/* strict_tokens tells whether every bare token of the JSON text s[0..n)
 * (outside strings) is true, false, null or an RFC 8259 number. libjq 1.6
 * also parses nan, infinity, inf, .5, 1., +1 and 01, so data such as
 * "nan" would become null; only valid JSON is written as a value. */
static int
strict_tokens(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n, *t;
	size_t len;

	while (p < end) {
		switch (*p) {
		case '"':
			for (p++; p < end && *p != '"'; p++)
				if (*p == '\\' && p + 1 < end)
					p++;
			if (p < end)
				p++;
			continue;
		case '{': case '}': case '[': case ']': case ':': case ',':
		case ' ': case '\t': case '\n': case '\r':
			p++;
			continue;
		}
		for (t = p; p < end && (isalnum(*p) || *p == '+' || *p == '-' ||
		    *p == '.'); p++)
			;
		len = (size_t)(p - t);
		if ((len == 4 && memcmp(t, "true", 4) == 0) ||
		    (len == 5 && memcmp(t, "false", 5) == 0) ||
		    (len == 4 && memcmp(t, "null", 4) == 0))
			continue;
		/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
		if (*t == '-')
			t++;
		if (t < p && *t == '0')
			t++;
		else if (t < p && *t >= '1' && *t <= '9')
			while (t < p && *t >= '0' && *t <= '9')
				t++;
		else
			return 0;
		if (t < p && *t == '.') {
			if (++t == p || *t < '0' || *t > '9')
				return 0;
			while (t < p && *t >= '0' && *t <= '9')
				t++;
		}
		if (t < p && (*t == 'e' || *t == 'E')) {
			if (++t < p && (*t == '+' || *t == '-'))
				t++;
			if (t == p || *t < '0' || *t > '9')
				return 0;
			while (t < p && *t >= '0' && *t <= '9')
				t++;
		}
		if (t != p)
			return 0;
	}
	return 1;
}

static void
put_data(struct ev *ev)
{
	if (opt.json) {
		jv v = ev_json(ev);

		if (jv_is_valid(v) && strict_tokens(ev->data, ev->data_len)) {
			if (jvx_dump(&out_buf, jv_copy(v)) == -1)
				die(LP_EXIT_FAIL, "write error: record too large");
			return;
		}
	}
	if (jsonw_string(&out_buf, ev->data, ev->data_len) == -1)
		die(LP_EXIT_FAIL, "write error: record too large");
}

static int
on_event(void *ctx, struct ev *ev)
{
	(void)ctx;
	if (opt.data_only) {
		put_data(ev);
	} else {
		out_write("{\"event\":", 9);
		jsonw_string(&out_buf, ev->type, ev->type_len);
		out_write(",\"data\":", 8);
		put_data(ev);
		if (ev->id_len) {
			out_write(",\"id\":", 6);
			jsonw_string(&out_buf, ev->id, ev->id_len);
		}
		if (ev->retry >= 0)
			buf_printf(&out_buf, ",\"retry\":%lld", ev->retry);
		if (opt.timestamps)
			put_time(ev->arrival_us);
		out_write("}", 1);
	}
	out_write("\n", 1);
	out_maybe_flush();
	if (opt.until_done && ev_is_done(ev))
		return 1;
	return 0;
}

static int
on_comment(void *ctx, const char *text, size_t len, int64_t arrival_us)
{
	(void)ctx;
	if (opt.data_only)
		return 0;
	out_write("{\"comment\":", 11);
	jsonw_string(&out_buf, text, len);
	if (opt.timestamps)
		put_time(arrival_us);
	out_write("}\n", 2);
	out_maybe_flush();
	return 0;
}

/* decode_file returns the exit status this file calls for. */
static int
decode_file(const char *path, struct evr_opts *o, int *stop)
{
	struct evr_result res;
	const char *name = strcmp(path, "-") == 0 ? "stdin" : path;
	int fd = evr_open(path);

	if (fd == -1) {
		warnx("%s: %s", path, strerror(errno));
		return LP_EXIT_FAIL;
	}
	evr_read(fd, o, on_event, &res);
	if (fd != STDIN_FILENO)
		close(fd);
	/* Lines, but not one SSE field: an HTML error page, a binary file.
	 * The spec decodes that to no events; saying so beats a silent 0. */
	if (res.field_lines == 0 && res.other_lines > 0 &&
	    (res.status == EVR_OK || res.status == EVR_PARTIAL)) {
		warnx("%s: not an event stream: no data, event, id or retry "
		    "field in %ld lines", name, res.other_lines);
		return LP_EXIT_FAIL;
	}
	switch (res.status) {
	case EVR_OK:
		return LP_EXIT_OK;
	case EVR_STOPPED:
		*stop = 1;
		return LP_EXIT_OK;
	case EVR_PARTIAL:
		warnx("%s: input ended inside an event; it was not dispatched "
		    "(--flush-partial dispatches it)", name);
		return LP_EXIT_INCOMPLETE;
	default:
		warnx("%s: %s", name, res.msg);
		return LP_EXIT_FAIL;
	}
}

int
main(int argc, char **argv)
{
	char why[128];
	struct evr_opts o;
	size_t max_event = 0;
	int c, i, status = LP_EXIT_OK, st, stop = 0;

	err_init(argv);
	err_usage(usage_text);
	mem_init();
	opt.start_us = clock_mono_us();
	memset(&o, 0, sizeof o);
	while ((c = getopt_long(argc, argv, "jdtchV", long_opts, NULL)) != -1) {
		switch (c) {
		case 'j': opt.json = 1; break;
		case 'd': opt.data_only = 1; break;
		case 't': opt.timestamps = 1; break;
		case 'c': opt.comments = 1; break;
		case OPT_UNTIL_DONE: opt.until_done = 1; break;
		case OPT_FLUSH_PARTIAL: o.flush_partial = 1; break;
		case OPT_MAX_EVENT:
			if (args_max_event(optarg, &max_event, why,
			    sizeof why) == -1)
				usage_error("--max-event: %s", why);
			break;
		case 'h':
			print_help(usage_text);
		case 'V':
			print_version();
		default:
			usage_hint();
		}
	}
	o.format = EVR_SSE;
	o.max_event = max_event;
	if (opt.comments)
		o.on_comment = on_comment;
	if (optind == argc) {
		status = decode_file("-", &o, &stop);
	} else {
		for (i = optind; i < argc && !stop; i++) {
			st = decode_file(argv[i], &o, &stop);
			if (status == LP_EXIT_OK)
				status = st; /* the first failure decides */
		}
	}
	out_close();
	return status;
}
