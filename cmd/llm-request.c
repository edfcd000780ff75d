/* llm-request - send one chat request with libcurl and write the response
 * body to stdout byte for byte, each piece as it arrives */
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jq.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "args.h"
#include "buf.h"
#include "clock.h"
#include "conv.h"
#include "conv_file.h"
#include "err.h"
#include "intr.h"
#include "jvx.h"
#include "mem.h"
#include "out.h"
#include "provider.h"
#include "req_spec.h"

static const char usage_text[] =
"Usage: llm-request [OPTIONS] [PROMPT...]\n"
"Send one chat request and write the response body to stdout exactly as\n"
"it arrives (SSE, or NDJSON for ollama). The prompt is the arguments\n"
"joined by spaces, or stdin when there is none (or it is -).\n"
"\n"
"  -p, --provider NAME      @PROVIDERS@\n"
"                           (default: from the model name, else openai)\n"
"  -m, --model MODEL        model (default $LLM_MODEL, else per provider)\n"
"  -s, --system TEXT        system prompt\n"
"      --max-tokens N       output token limit (anthropic default 4096)\n"
"      --temperature T      sampling temperature (range checked per provider)\n"
"      --max-tokens-field F auto, max_tokens or max_completion_tokens\n"
"                           (openai: default auto, by the host)\n"
"      --reasoning R        none, low, medium, high, or a token budget\n"
"      --tools FILE         tool definitions (JSON array: OpenAI's function\n"
"                           format, converted, or the provider's own)\n"
"      --messages FILE      conversation so far (JSON array, provider format)\n"
"      --conversation FILE  conversation file (llmpipe(7)): sent with the\n"
"                           prompt, which is appended once a 2xx arrives\n"
"      --body FILE|-        complete request body, sent as is (streaming forced)\n"
"      --jq FILTER          jq program applied to the body before sending\n"
"  -H, --header 'NAME: VALUE'  extra header (repeatable; @FILE reads lines)\n"
"      --no-stream          non-streaming request\n"
"      --base-url URL       server base URL (see the man page per provider)\n"
"      --api-key-file FILE  read the API key from FILE (not from argv)\n"
"  -v, --verbose            request and response headers on stderr (keys redacted)\n"
"      --dry-run            print method, URL, headers and body; send nothing\n"
"      --insecure           skip TLS verification (loopback test servers only)\n"
"      --connect-timeout S  connection timeout in seconds (default 30)\n"
"      --max-time S         limit for the whole request, retries included\n"
"                           (default 0: none)\n"
"      --idle-timeout S     abort when no byte arrives for S seconds once the\n"
"                           response started (default 300; 0: none)\n"
"      --retry N            retries before output starts (default 2)\n"
"      --retry-max-wait S   longest wait honoured from Retry-After (default 60)\n"
"      --fail-with-body     write an HTTP error's body to stdout\n"
"  -h, --help               show this help and exit\n"
"  -V, --version            show the version and exit\n"
"\n"
"Keys come from the environment (@KEY_VARS@) or --api-key-file, never from argv.\n"
"\n"
"Exit status: 0 success, 1 failure (I/O), 2 usage or bad input file,\n"
"4 HTTP error status, 5 network failure or timeout, 130 interrupted.\n";

enum {
	OPT_MAX_TOKENS = 256, OPT_TEMPERATURE, OPT_TOOLS, OPT_MESSAGES, OPT_BODY,
	OPT_JQ, OPT_NO_STREAM, OPT_BASE_URL, OPT_KEY_FILE, OPT_DRY_RUN,
	OPT_INSECURE, OPT_CONNECT_TIMEOUT, OPT_MAX_TIME, OPT_IDLE_TIMEOUT,
	OPT_RETRY, OPT_RETRY_MAX_WAIT, OPT_FAIL_WITH_BODY, OPT_MAX_FIELD,
	OPT_REASONING, OPT_CONVERSATION
};

static const struct option long_opts[] = {
	{ "provider", required_argument, NULL, 'p' },
	{ "model", required_argument, NULL, 'm' },
	{ "system", required_argument, NULL, 's' },
	{ "max-tokens", required_argument, NULL, OPT_MAX_TOKENS },
	{ "temperature", required_argument, NULL, OPT_TEMPERATURE },
	{ "max-tokens-field", required_argument, NULL, OPT_MAX_FIELD },
	{ "reasoning", required_argument, NULL, OPT_REASONING },
	{ "tools", required_argument, NULL, OPT_TOOLS },
	{ "messages", required_argument, NULL, OPT_MESSAGES },
	{ "conversation", required_argument, NULL, OPT_CONVERSATION },
	{ "body", required_argument, NULL, OPT_BODY },
	{ "jq", required_argument, NULL, OPT_JQ },
	{ "header", required_argument, NULL, 'H' },
	{ "no-stream", no_argument, NULL, OPT_NO_STREAM },
	{ "base-url", required_argument, NULL, OPT_BASE_URL },
	{ "api-key-file", required_argument, NULL, OPT_KEY_FILE },
	{ "verbose", no_argument, NULL, 'v' },
	{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
	{ "insecure", no_argument, NULL, OPT_INSECURE },
	{ "connect-timeout", required_argument, NULL, OPT_CONNECT_TIMEOUT },
	{ "max-time", required_argument, NULL, OPT_MAX_TIME },
	{ "idle-timeout", required_argument, NULL, OPT_IDLE_TIMEOUT },
	{ "retry", required_argument, NULL, OPT_RETRY },
	{ "retry-max-wait", required_argument, NULL, OPT_RETRY_MAX_WAIT },
	{ "fail-with-body", no_argument, NULL, OPT_FAIL_WITH_BODY },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

#define FILE_MAX ((size_t)64 << 20)     /* --body, --messages, --tools, stdin */
#define ERRBODY_MAX ((size_t)1 << 20)   /* HTTP error body kept for the message */
#define MAX_HEADERS 256

static struct {
	const char *provider_name, *model, *system, *tools, *messages, *body;
	const char *jq, *base_url, *key_file, *conversation;
	long max_tokens, retry;
	int has_temperature, no_stream, verbose, dry_run, insecure;
	int fail_with_body;
	struct req_params r;    /* --max-tokens-field, --reasoning */
	double temperature, connect_timeout, max_time, idle_timeout;
	double retry_max_wait;
	char *user_headers[MAX_HEADERS];
	int n_user_headers;
} opt = {
	.max_tokens = -1, .retry = 2, .connect_timeout = 30, .idle_timeout = 300,
	.retry_max_wait = 60
};

/* The API key, for redaction of anything the tool prints. */
static const char *secret;

/* --conversation: the user message appended once a 2xx status arrives
 * (jv_null() when none is pending), and whether appending failed. */
static jv conv_pending;
static int conv_failed;

static void
conv_commit(void)
{
	char err[512];

	if (jv_get_kind(conv_pending) != JV_KIND_OBJECT)
		return;
	if (conv_append(opt.conversation, conv_pending, err, sizeof err) == -1) {
		warnx("%s", err);
		conv_failed = 1;
	}
	conv_pending = jv_null();
}

/* The model sent and whether it was the provider's default, for the
 * message of an HTTP 404. */
static const char *model_used, *model_provider;
static int model_is_default;


/* read_path reads a whole file ("-" is stdin) into b, capped. Dies with
 * exit 2 naming the file, since it was named on the command line. */
static void
read_path(const char *path, struct buf *b)
{
	int fd = strcmp(path, "-") == 0 ? STDIN_FILENO : open(path, O_RDONLY);
	struct pollfd pfd[2] = { { fd, POLLIN, 0 }, { intr_fd(), POLLIN, 0 } };
	ssize_t r;

	if (fd == -1)
		die(LP_EXIT_USAGE, "%s: %s", path, strerror(errno));
	buf_init(b, FILE_MAX);
	for (;;) {
		if (buf_reserve(b, 65536) == -1)
			die(LP_EXIT_USAGE, "%s: larger than %zu MiB", path,
			    FILE_MAX >> 20);
		/* wait on the self-pipe too: a SIGINT that lands just before
		 * a blocking read would otherwise leave it blocked for good */
		if (poll(pfd, 2, -1) == -1 && errno != EINTR)
			die(LP_EXIT_USAGE, "%s: %s", path, strerror(errno));
		if (intr_caught())
			die(LP_EXIT_SIGINT, "interrupted while reading %s",
			    strcmp(path, "-") == 0 ? "stdin" : path);
		if (pfd[0].revents == 0)
			continue;
		r = read(fd, b->p + b->len, 65536);
		if (r == 0)
			break;
		if (r < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			die(LP_EXIT_USAGE, "%s: %s", path, strerror(errno));
		}
		b->len += (size_t)r;
		b->p[b->len] = '\0';
	}
	if (fd != STDIN_FILENO)
		close(fd);
}

/* parse_json parses text as one JSON value or dies with exit 2 naming the
 * file and the position. */
static jv
parse_json(const char *what, const char *text, size_t len)
{
	char msg[512], *cut;
	jv v = jvx_parse(text, len);

	if (jv_is_valid(v))
		return v;
	jvx_error_text(v, msg, sizeof msg);
	/* jq 1.6 appends the whole text; the position is enough. */
	if ((cut = strstr(msg, " (while parsing")) != NULL)
		*cut = '\0';
	die(LP_EXIT_USAGE, "%s: bad JSON: %s", what, msg);
}

static jv
json_file(const char *path, jv_kind want, const char *what)
{
	struct buf b;
	jv v;

	read_path(path, &b);
	v = parse_json(strcmp(path, "-") == 0 ? "stdin" : path, b.p, b.len);
	buf_free(&b);
	if (want != JV_KIND_INVALID && jv_get_kind(v) != want)
		die(LP_EXIT_USAGE, "%s: %s must be a JSON %s", path, what,
		    want == JV_KIND_ARRAY ? "array" : "object");
	return v;
}

static void
trim_end(struct buf *b)
{
	while (b->len > 0 && (b->p[b->len - 1] == '\n' ||
	    b->p[b->len - 1] == '\r' || b->p[b->len - 1] == ' ' ||
	    b->p[b->len - 1] == '\t'))
		b->p[--b->len] = '\0';
}

/* ---- headers ---------------------------------------------------------- */

struct hdrs {
	char *line[MAX_HEADERS + 16];
	int n;
};

static void
hdr_add(struct hdrs *h, const char *line)
{
	if (h->n >= (int)(sizeof h->line / sizeof h->line[0]))
		usage_error("too many headers");
	h->line[h->n++] = xstrdup(line);
}

static size_t
hdr_name_len(const char *line)
{
	return strcspn(line, ":;");
}

static int
user_has_header(const char *name)
{
	size_t n = strlen(name);
	int i;

	for (i = 0; i < opt.n_user_headers; i++) {
		if (hdr_name_len(opt.user_headers[i]) == n &&
		    strncasecmp(opt.user_headers[i], name, n) == 0)
			return 1;
	}
	return 0;
}

static void
check_header(const char *line, const char *from)
{
	size_t n = hdr_name_len(line);
	const char *c;

	if (n == 0 || (line[n] != ':' && line[n] != ';'))
		usage_error("%s: not a 'Name: value' header", from);
	for (c = line; *c; c++) {
		if (*c == '\r' || *c == '\n')
			usage_error("%s: header contains a line break", from);
		if (c < line + n && (*c == ' ' || *c == '\t'))
			usage_error("%s: space in a header name", from);
	}
}

static void
add_user_header(const char *arg)
{
	struct buf b;
	char *line, *next;
	size_t k;

	if (arg[0] != '@') {
		check_header(arg, "-H");
		/* argv is readable by every user of the machine (ps, /proc) */
		k = hdr_name_len(arg);
		if (arg[k] == ':' && req_header_is_secret(arg, k) &&
		    arg[k + 1 + strspn(arg + k + 1, " \t")] != '\0')
			usage_error("-H %.*s: a credential is not taken from the "
			    "command line, where every user can read it: put "
			    "the header in a file and give -H @FILE", (int)k,
			    arg);
		if (opt.n_user_headers >= MAX_HEADERS)
			usage_error("too many headers");
		opt.user_headers[opt.n_user_headers++] = xstrdup(arg);
		return;
	}
	read_path(arg + 1, &b);
	for (line = b.p; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		line[strcspn(line, "\r")] = '\0';
		if (*line == '\0')
			continue;
		check_header(line, arg + 1);
		if (opt.n_user_headers >= MAX_HEADERS)
			usage_error("too many headers");
		opt.user_headers[opt.n_user_headers++] = xstrdup(line);
	}
	buf_free(&b);
}

/* user_credential returns a copy of the value of the first credential
 * header given with -H (without a "Bearer " scheme), or NULL. */
static char *
user_credential(void)
{
	const char *v;
	size_t n;
	int i;

	for (i = 0; i < opt.n_user_headers; i++) {
		n = hdr_name_len(opt.user_headers[i]);
		if (opt.user_headers[i][n] != ':' ||
		    !req_header_is_secret(opt.user_headers[i], n))
			continue;
		v = opt.user_headers[i] + n + 1;
		while (*v == ' ' || *v == '\t')
			v++;
		if (strncasecmp(v, "Bearer ", 7) == 0)
			v += 7;
		while (*v == ' ' || *v == '\t')
			v++;
		if (*v)
			return xstrdup(v);
	}
	return NULL;
}

/* bearer returns "Bearer " when a header value uses that scheme, so that
 * redacted output still shows the scheme. */
static const char *
bearer(const char *value)
{
	while (*value == ' ')
		value++;
	return strncasecmp(value, "Bearer ", 7) == 0 ? "Bearer " : "";
}

/* print_header writes one request header line, secrets redacted. */
static void
print_header(FILE *f, const char *prefix, const char *line)
{
	size_t n = hdr_name_len(line);

	if (req_header_is_secret(line, n) && line[n] == ':')
		fprintf(f, "%s%.*s: %s<redacted>\n", prefix, (int)n, line,
		    bearer(line + n + 1));
	else
		fprintf(f, "%s%s\n", prefix, line);
}

/* model_note: a 404 (an unknown model, most often: the providers answer
 * so for one) names the model sent and how to choose another. */
static void
model_note(long status, char *msg, size_t n)
{
	size_t len = strlen(msg);

	if (status != 404 || model_used == NULL)
		return;
	snprintf(msg + len, n - len, " (model '%s'%s%s; choose one with -m "
	    "or $LLM_MODEL)", model_used, model_is_default ?
	    ", the default of " : "", model_is_default ? model_provider : "");
}

/* ---- the transfer ----------------------------------------------------- */

struct xfer {
	CURL *easy;
	struct req_resp r;      /* status line and the headers kept */
	int64_t started_us;     /* final response headers complete, 0 before */
	int64_t last_us;        /* last byte of the response */
	size_t body_bytes;      /* written to stdout */
	struct buf errbody;     /* body of an HTTP error status, capped */
	char errbuf[CURL_ERROR_SIZE];
	int tls_watched;        /* TLS through OpenSSL: close_notify seen */
	int tls_close_notify;   /* the server's close_notify arrived */
};

/* libcurl reports its limit on one header line as CURLE_OUT_OF_MEMORY,
 * and some of its failed allocations (in its resolver thread) as the
 * network error they caused: its allocations go through these, so that a
 * real failure is known, whatever libcurl makes of it. */
static atomic_int curl_alloc_failed;

static void *
c_malloc(size_t n)
{
	void *p = malloc(n);

	if (p == NULL && n != 0)
		atomic_store(&curl_alloc_failed, 1);
	return p;
}

static void *
c_calloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (p == NULL && n != 0 && size != 0)
		atomic_store(&curl_alloc_failed, 1);
	return p;
}

static void *
c_realloc(void *p, size_t n)
{
	void *q = realloc(p, n);

	if (q == NULL && n != 0)
		atomic_store(&curl_alloc_failed, 1);
	return q;
}

static char *
c_strdup(const char *s)
{
	char *p = strdup(s);

	if (p == NULL)
		atomic_store(&curl_alloc_failed, 1);
	return p;
}

/* on_tls_msg notes the server's close_notify alert: over TLS it is what
 * tells a body delimited by the connection's close from a cut one. */
static void
on_tls_msg(int write_p, int version, int content_type, const void *buf,
    size_t len, SSL *ssl, void *arg)
{
	struct xfer *x = arg;
	const unsigned char *b = buf;

	(void)version;
	(void)ssl;
	if (!write_p && content_type == SSL3_RT_ALERT && len >= 2 &&
	    b[1] == SSL_AD_CLOSE_NOTIFY)
		x->tls_close_notify = 1;
}

/* on_ssl_ctx: libcurl (7.88 with OpenSSL 3) takes a TLS connection
 * closed without close_notify for the end of a body delimited by the
 * close, so a cut looks complete: watch for the alert ourselves. */
static CURLcode
on_ssl_ctx(CURL *easy, void *ctx, void *arg)
{
	struct xfer *x = arg;

	(void)easy;
	SSL_CTX_set_msg_callback(ctx, on_tls_msg);
	SSL_CTX_set_msg_callback_arg(ctx, x);
	x->tls_watched = 1;
	return CURLE_OK;
}

static size_t
on_body(char *p, size_t size, size_t nmemb, void *ud)
{
	struct xfer *x = ud;
	size_t n = size * nmemb, room;

	x->last_us = clock_mono_us();
	if (x->r.status == 0)
		curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &x->r.status);
	if (x->r.status < 200 || x->r.status >= 300) {
		room = ERRBODY_MAX - x->errbody.len;
		buf_append(&x->errbody, p, n < room ? n : room);
		return n;
	}
	/* The product: each piece reaches the reader the moment it arrives.
	 * A reader gone (EPIPE) ends the process quietly inside out_*. */
	out_write_now(p, n);
	x->body_bytes += n;
	return n;
}

static size_t
on_header(char *p, size_t size, size_t nmemb, void *ud)
{
	struct xfer *x = ud;
	size_t n = size * nmemb, len;

	len = n;
	while (len > 0 && (p[len - 1] == '\n' || p[len - 1] == '\r'))
		len--;
	if (opt.verbose) {
		/* A server may echo the key back (a debugging proxy does). */
		struct buf rb;

		buf_init(&rb, 0);
		req_redact(&rb, p, len, secret);
		fprintf(stderr, "< %.*s\n", (int)rb.len, rb.p ? rb.p : "");
		buf_free(&rb);
	}
	if (req_resp_header(&x->r, p, n) == 1 && x->r.status >= 200) {
		x->started_us = x->last_us = clock_mono_us();
		if (x->r.status < 300)
			conv_commit();
	}
	return n;
}

enum end {
	END_DONE,        /* curl finished; see rc */
	END_IDLE,        /* --idle-timeout */
	END_DEADLINE,    /* --max-time */
	END_INTERRUPTED  /* SIGINT */
};

/* reader_check ends the process quietly, as a write would (by SIGPIPE),
 * when stdout is a pipe whose reader has gone: a stalled stream (a model
 * thinking for minutes) must not hold the connection until its next
 * byte. The poll of the transfer wakes for it too, since a pipe's write
 * end reports POLLERR whatever the events asked. */
static void
reader_check(void)
{
	struct pollfd o = { STDOUT_FILENO, 0, 0 };

	if (poll(&o, 1, 0) == 1 && (o.revents & POLLERR)) {
		signal(SIGPIPE, SIG_DFL);
		raise(SIGPIPE);
		_exit(128 + SIGPIPE);
	}
}

/* perform runs one attempt, waking at once on SIGINT, and enforcing the
 * idle and whole-request limits itself. */
static enum end
perform(CURLM *multi, struct xfer *x, int64_t deadline_us, CURLcode *rc)
{
	struct curl_waitfd wfd[2];
	int64_t idle_us = (int64_t)(opt.idle_timeout * 1e6), now, left;
	enum end why = END_DONE;
	CURLMsg *msg;
	int running = 1, timeout, nq, nwfd = 0;

	/* the SIGINT self-pipe (none when SIGINT is ignored), and stdout,
	 * unless it is closed: that would wake every poll (POLLNVAL) */
	if (intr_fd() >= 0)
		wfd[nwfd++] = (struct curl_waitfd){ intr_fd(), CURL_WAIT_POLLIN,
		    0 };
	if (fcntl(STDOUT_FILENO, F_GETFD) != -1)
		wfd[nwfd++] = (struct curl_waitfd){ STDOUT_FILENO, 0, 0 };

	*rc = CURLE_OK;
	curl_multi_add_handle(multi, x->easy);
	for (;;) {
		if (curl_multi_perform(multi, &running) != CURLM_OK) {
			*rc = CURLE_FAILED_INIT;
			break;
		}
		if (intr_caught()) {
			why = END_INTERRUPTED;
			break;
		}
		if (running == 0)
			break;
		now = clock_mono_us();
		timeout = 1000;
		if (x->started_us && idle_us > 0) {
			left = x->last_us + idle_us - now;
			if (left <= 0) {
				why = END_IDLE;
				break;
			}
			if (left / 1000 + 1 < timeout)
				timeout = (int)(left / 1000 + 1);
		}
		if (deadline_us) {
			left = deadline_us - now;
			if (left <= 0) {
				why = END_DEADLINE;
				break;
			}
			if (left / 1000 + 1 < timeout)
				timeout = (int)(left / 1000 + 1);
		}
		if (curl_multi_poll(multi, wfd, (unsigned)nwfd, timeout,
		    NULL) != CURLM_OK) {
			*rc = CURLE_FAILED_INIT;
			break;
		}
		reader_check();
	}
	if (why == END_DONE) {
		while ((msg = curl_multi_info_read(multi, &nq)) != NULL) {
			if (msg->msg == CURLMSG_DONE)
				*rc = msg->data.result;
		}
	}
	curl_multi_remove_handle(multi, x->easy);
	return why;
}

static int
curl_retryable(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_GOT_NOTHING:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_PARTIAL_FILE:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return 1;
	/* not CURLE_SSL_CONNECT_ERROR nor any certificate error: a TLS
	 * failure (a plain-http port, a bad certificate) will not heal in
	 * a second */
	default:
		return 0;
	}
}

/* wait_ms sleeps, returning early (1) on SIGINT. */
static int
wait_ms(int64_t ms)
{
	int64_t end = clock_mono_us() + ms * 1000, left;
	struct pollfd pfd = { intr_fd(), POLLIN, 0 };

	while (!intr_caught() && (left = end - clock_mono_us()) > 0)
		(void)poll(&pfd, 1, (int)(left / 1000 + 1));
	return intr_caught();
}

static double
rnd01(void)
{
	static int seeded;

	if (!seeded) {
		srand48((long)(clock_wall_us() ^ getpid()));
		seeded = 1;
	}
	return drand48();
}

/* interrupted: what arrived is out, say so; the caller returns 130 after
 * cleaning up, so nothing is left allocated. */
static int
interrupted(size_t bytes)
{
	out_flush();
	warnx("interrupted after %zu bytes of the response", bytes);
	return LP_EXIT_SIGINT;
}

/* say prints a message on stderr with the key redacted. */
static void
say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* tidy makes s one clean clause: control characters (a provider's
 * multi-line message) as spaces, no trailing spaces or full stop, so
 * "; retry 1 of 2" does not follow a "." */
static void
tidy(char *s)
{
	size_t n;

	for (n = 0; s[n]; n++)
		if ((unsigned char)s[n] < 0x20 || s[n] == 0x7f)
			s[n] = ' ';
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '.'))
		s[--n] = '\0';
}

static void
say(const char *fmt, ...)
{
	char msg[1024];
	struct buf b;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	tidy(msg);
	buf_init(&b, 0);
	req_redact(&b, msg, strlen(msg), secret);
	warnx("%s", b.p ? b.p : "");
	buf_free(&b);
}

static int attempts(struct xfer *xp, CURLM *multi, const char *url,
    struct curl_slist *headers, int64_t deadline_us);

/* curl_need dies with a clear message when libcurl could not allocate
 * what a setting needed (it copies strings such as the URL). */
static void
curl_need(CURLcode c)
{
	if (c == CURLE_OUT_OF_MEMORY)
		die(LP_EXIT_FAIL, "out of memory");
}

static int
send_request(const char *url, struct curl_slist *headers, const char *body,
    size_t body_len)
{
	struct xfer x;
	CURLM *multi;
	int64_t deadline_us = 0;
	int status;

	memset(&x, 0, sizeof x);
	buf_init(&x.errbody, ERRBODY_MAX + 1);
	x.easy = curl_easy_init();
	multi = curl_multi_init();
	if (x.easy == NULL || multi == NULL) /* a failed allocation */
		die(LP_EXIT_FAIL, "cannot initialise libcurl: out of memory");
	if (opt.max_time > 0)
		deadline_us = clock_mono_us() + (int64_t)(opt.max_time * 1e6);

	curl_need(curl_easy_setopt(x.easy, CURLOPT_URL, url));
	curl_need(curl_easy_setopt(x.easy, CURLOPT_PROTOCOLS_STR, "http,https"));
	curl_need(curl_easy_setopt(x.easy, CURLOPT_POST, 1L));
	curl_need(curl_easy_setopt(x.easy, CURLOPT_POSTFIELDS, body));
	curl_need(curl_easy_setopt(x.easy, CURLOPT_POSTFIELDSIZE_LARGE,
	    (curl_off_t)body_len));
	curl_need(curl_easy_setopt(x.easy, CURLOPT_HTTPHEADER, headers));
	curl_need(curl_easy_setopt(x.easy, CURLOPT_WRITEFUNCTION, on_body));
	curl_need(curl_easy_setopt(x.easy, CURLOPT_WRITEDATA, &x));
	curl_need(curl_easy_setopt(x.easy, CURLOPT_HEADERFUNCTION, on_header));
	curl_need(curl_easy_setopt(x.easy, CURLOPT_HEADERDATA, &x));
	curl_need(curl_easy_setopt(x.easy, CURLOPT_ERRORBUFFER, x.errbuf));
	/* A redirect would carry the key elsewhere: never follow one. */
	curl_need(curl_easy_setopt(x.easy, CURLOPT_FOLLOWLOCATION, 0L));
	curl_need(curl_easy_setopt(x.easy, CURLOPT_HTTP_VERSION,
	    (long)CURL_HTTP_VERSION_2TLS));
	curl_need(curl_easy_setopt(x.easy, CURLOPT_NOSIGNAL, 1L));
	curl_need(curl_easy_setopt(x.easy, CURLOPT_CONNECTTIMEOUT_MS,
	    (long)(opt.connect_timeout * 1000)));
	curl_need(curl_easy_setopt(x.easy, CURLOPT_TCP_KEEPALIVE, 1L));
	curl_need(curl_easy_setopt(x.easy, CURLOPT_USERAGENT, NULL));
	/* Compressed streams would be buffered by the decoder: ask for none. */
	curl_need(curl_easy_setopt(x.easy, CURLOPT_ACCEPT_ENCODING, NULL));
	/* A loopback server is this machine's: a proxy cannot reach it, and
	 * would get the key over plain http. */
	if (req_url_is_loopback(url))
		curl_need(curl_easy_setopt(x.easy, CURLOPT_NOPROXY, "*"));
	/* the SSL_CTX is OpenSSL's only when libcurl is built with it */
	if (strncmp(curl_version_info(CURLVERSION_NOW)->ssl_version ?
	    curl_version_info(CURLVERSION_NOW)->ssl_version : "", "OpenSSL/",
	    8) == 0) {
		curl_need(curl_easy_setopt(x.easy, CURLOPT_SSL_CTX_FUNCTION,
		    on_ssl_ctx));
		curl_need(curl_easy_setopt(x.easy, CURLOPT_SSL_CTX_DATA, &x));
	}
	if (opt.insecure) {
		curl_need(curl_easy_setopt(x.easy, CURLOPT_SSL_VERIFYPEER, 0L));
		curl_need(curl_easy_setopt(x.easy, CURLOPT_SSL_VERIFYHOST, 0L));
	}

	status = attempts(&x, multi, url, headers, deadline_us);
	curl_easy_cleanup(x.easy);
	curl_multi_cleanup(multi);
	buf_free(&x.errbody);
	return status;
}

/* attempts sends the request until it succeeds, fails for good or the
 * retries run out; returns the exit status. */
static int
attempts(struct xfer *xp, CURLM *multi, const char *url,
    struct curl_slist *headers, int64_t deadline_us)
{
	CURLcode rc;
	enum end why;
	int64_t delay, left;
	long attempt;
	char what[600], msg[512];
	const char *cerr;

	for (attempt = 0;; attempt++) {
		req_resp_reset(&xp->r);
		xp->started_us = xp->last_us = 0;
		xp->errbuf[0] = '\0';
		xp->tls_watched = xp->tls_close_notify = 0;
		atomic_store(&curl_alloc_failed, 0);
		buf_reset(&xp->errbody);
		if (opt.verbose) {
			struct curl_slist *h;

			fprintf(stderr, "> POST %s\n", url);
			for (h = headers; h; h = h->next) {
				if (strcmp(h->data, "Expect:") != 0)
					print_header(stderr, "> ", h->data);
			}
		}
		why = perform(multi, xp, deadline_us, &rc);
		if (why == END_DONE && rc != CURLE_OK &&
		    atomic_load(&curl_alloc_failed))
			rc = CURLE_OUT_OF_MEMORY;
		/* A body that ends with the connection, over TLS without the
		 * server's close_notify, may have been cut by anyone on the
		 * way: it is not a success. (Over plain http nothing tells.) */
		if (why == END_DONE && rc == CURLE_OK && xp->tls_watched &&
		    !xp->tls_close_notify && xp->r.status >= 200 &&
		    xp->r.status < 300 && xp->r.status != 204 &&
		    req_resp_close_delimited(&xp->r)) {
			rc = CURLE_PARTIAL_FILE;
			snprintf(xp->errbuf, sizeof xp->errbuf, "the TLS "
			    "connection ended without close_notify before a "
			    "body delimited by its close");
		}
		if (why == END_INTERRUPTED)
			return interrupted(xp->body_bytes);
		if (why == END_DEADLINE) {
			say("--max-time %g s reached after %zu bytes of the "
			    "response", opt.max_time, xp->body_bytes);
			return LP_EXIT_NETWORK;
		}
		delay = -1;
		if (why == END_IDLE) {
			snprintf(what, sizeof what, "no data for %g s "
			    "(--idle-timeout)", opt.idle_timeout);
			if (xp->body_bytes > 0) {
				say("%s: stopped after %zu bytes of the response",
				    what, xp->body_bytes);
				return LP_EXIT_NETWORK;
			}
		} else if (rc == CURLE_OUT_OF_MEMORY &&
		    !atomic_load(&curl_alloc_failed) &&
		    xp->started_us == 0) {
			/* libcurl's limit on one line, not a failed allocation */
			say("%s: response header too large: a status or header "
			    "line over %d bytes", url, CURL_MAX_HTTP_HEADER);
			return LP_EXIT_NETWORK;
		} else if (rc == CURLE_URL_MALFORMAT) {
			say("%s: %s", url, xp->errbuf[0] ? xp->errbuf :
			    curl_easy_strerror(rc));
			return LP_EXIT_USAGE;
		} else if (rc == CURLE_OUT_OF_MEMORY) {
			/* what arrived is already on stdout */
			say("%s: out of memory after %zu bytes of the response",
			    url, xp->body_bytes);
			return LP_EXIT_FAIL;
		} else if (rc != CURLE_OK) {
			cerr = xp->errbuf[0] ? xp->errbuf : curl_easy_strerror(rc);
			if (strstr(cerr, "chunked-encoding")) {
				/* the server's framing is broken, not a cut */
				snprintf(what, sizeof what, "malformed chunked "
				    "encoding after %zu bytes of the response: %s",
				    xp->body_bytes, cerr);
				if (xp->body_bytes > 0) {
					say("%s", what);
					return LP_EXIT_NETWORK;
				}
			} else if (xp->body_bytes > 0) {
				say("connection cut after %zu bytes of the "
				    "response: %s", xp->body_bytes, cerr);
				return LP_EXIT_NETWORK;
			} else {
				snprintf(what, sizeof what, "%s: %s", url, cerr);
			}
			tidy(what);
			if (!curl_retryable(rc)) {
				say("%s", what);
				return LP_EXIT_NETWORK;
			}
		} else if (xp->r.status >= 200 && xp->r.status < 300) {
			return LP_EXIT_OK;
		} else {
			if (xp->r.status >= 300 && xp->r.status < 400 &&
			    xp->r.location[0])
				snprintf(msg, sizeof msg, "redirect to %s not "
				    "followed (the key goes to no other URL)",
				    xp->r.location);
			else if (req_error_message(xp->errbody.p,
			    xp->errbody.len, msg, sizeof msg) == -1)
				snprintf(msg, sizeof msg, "%s", xp->r.reason[0] ?
				    xp->r.reason : "no message");
			tidy(msg);
			model_note(xp->r.status, msg, sizeof msg);
			snprintf(what, sizeof what, "HTTP %ld: %s", xp->r.status,
			    msg);
			if (xp->r.should_retry == 0 || (xp->r.should_retry == -1 &&
			    !req_status_retryable(xp->r.status)) ||
			    attempt >= opt.retry) {
				say("%s", what);
				if (opt.fail_with_body) {
					struct buf b;

					buf_init(&b, 0);
					req_redact(&b, xp->errbody.p ? xp->errbody.p :
					    "", xp->errbody.len, secret);
					out_write_now(b.p, b.len);
					buf_free(&b);
				}
				return LP_EXIT_PROVIDER;
			}
			delay = req_retry_after_ms(xp->r.retry_after_ms[0] ?
			    xp->r.retry_after_ms : NULL, xp->r.retry_after[0] ?
			    xp->r.retry_after : NULL, clock_wall_us() / 1000000);
			/* As the SDKs do: a longer wait than we honour is
			 * replaced by the ordinary backoff. */
			if (delay > (int64_t)(opt.retry_max_wait * 1000)) {
				snprintf(what + strlen(what), sizeof what -
				    strlen(what), " (asks for %.1f s, over "
				    "--retry-max-wait)", (double)delay / 1000);
				delay = -1;
			}
		}
		if (attempt >= opt.retry) {
			say("%s", what);
			return LP_EXIT_NETWORK;
		}
		if (delay < 0)
			delay = req_backoff_ms((int)attempt + 1, rnd01());
		if (deadline_us) {
			left = (deadline_us - clock_mono_us()) / 1000;
			if (delay >= left) {
				say("%s; no time left for a retry (--max-time)",
				    what);
				return xp->r.status >= 300 && why == END_DONE &&
				    rc == CURLE_OK ? LP_EXIT_PROVIDER :
				    LP_EXIT_NETWORK;
			}
		}
		say("%s; retry %ld of %ld in %.1f s", what, attempt + 1,
		    opt.retry, (double)delay / 1000);
		if (wait_ms(delay))
			return interrupted(0);
	}
}

/* ---- building the request ----------------------------------------------- */

static char *
read_key_file(const char *path)
{
	struct buf b;
	char *k;

	read_path(path, &b);
	trim_end(&b);
	if (b.len == 0)
		die(LP_EXIT_USAGE, "%s: empty key file", path);
	if (memchr(b.p, '\n', b.len) || memchr(b.p, '\r', b.len))
		die(LP_EXIT_USAGE, "%s: the key file must hold one line", path);
	k = xmemdup(b.p, b.len);
	buf_free(&b);
	return k;
}

static void
on_jq_error(void *data, jv msg)
{
	(void)data;
	if (jv_get_kind(msg) == JV_KIND_STRING)
		warnx("--jq: %s", jv_string_value(msg));
	jv_free(msg);
}

static jv
apply_jq(jv body)
{
	jq_state *jq = jq_init();
	jv r, extra;
	char msg[512];

	if (jq == NULL)
		die(LP_EXIT_FAIL, "cannot initialise libjq");
	jq_set_error_cb(jq, on_jq_error, NULL);
	if (!jq_compile(jq, opt.jq)) {
		jq_teardown(&jq);
		die(LP_EXIT_USAGE, "--jq: the filter does not compile");
	}
	jq_start(jq, body, 0);
	r = jq_next(jq);
	if (!jv_is_valid(r)) {
		if (jv_invalid_has_msg(jv_copy(r))) {
			jv m = jv_invalid_get_msg(r);

			if (jv_get_kind(m) == JV_KIND_STRING)
				snprintf(msg, sizeof msg, "%s",
				    jv_string_value(m));
			else
				snprintf(msg, sizeof msg, "error");
			jv_free(m);
			jq_teardown(&jq);
			die(LP_EXIT_USAGE, "--jq: %s", msg);
		}
		jv_free(r);
		jq_teardown(&jq);
		die(LP_EXIT_USAGE, "--jq: the filter gave no result");
	}
	extra = jq_next(jq);
	if (jv_is_valid(extra)) {
		jv_free(extra);
		jv_free(r);
		jq_teardown(&jq);
		die(LP_EXIT_USAGE, "--jq: the filter gave more than one result");
	}
	jv_free(extra);
	jq_teardown(&jq);
	if (jv_get_kind(r) != JV_KIND_OBJECT)
		die(LP_EXIT_USAGE, "--jq: the result must be a JSON object");
	return r;
}

/* read_prompt joins the arguments, or reads stdin. Returns NULL when
 * there is no prompt and none is required. */
static char *
read_prompt(int argc, char **argv, int required)
{
	struct buf b;
	char *p;
	int i;

	if (argc == 1 && strcmp(argv[0], "-") == 0) {
		read_path("-", &b);
	} else if (argc > 0) {
		buf_init(&b, FILE_MAX);
		for (i = 0; i < argc; i++) {
			if ((i && buf_putc(&b, ' ') == -1) ||
			    buf_puts(&b, argv[i]) == -1)
				usage_error("prompt too long");
		}
	} else if (!required) {
		return NULL;
	} else if (isatty(STDIN_FILENO)) {
		usage_error("no prompt: give it as arguments or on stdin");
	} else {
		read_path("-", &b);
	}
	trim_end(&b);
	if (b.len == 0 || strlen(b.p) != b.len) {
		if (b.len == 0)
			usage_error("empty prompt");
		usage_error("the prompt contains a NUL byte");
	}
	p = xmemdup(b.p, b.len);
	buf_free(&b);
	return p;
}

/* conversation: the --conversation file as d's message list, its
 * system messages (with -s after them) in *system. Dies with exit 2 on
 * a file that is not a conversation, naming the line. */
static jv
conversation(enum dialect d, char **system, int *need_prompt)
{
	char err[600];
	char *sys;
	const char *role;
	jv conv, msgs, last;
	int dropped, n;

	if (opt.messages)
		usage_error("--conversation and --messages cannot be used "
		    "together");
	if (conv_load(opt.conversation, &conv, err, sizeof err) == -1)
		die(LP_EXIT_USAGE, "%s", err);
	/* no prompt is needed where the model is to answer tool results
	 * or a user message already in the file */
	n = jv_array_length(jv_copy(conv));
	last = n ? jv_array_get(jv_copy(conv), n - 1) : jv_null();
	role = conv_str(last, "role");
	*need_prompt = role == NULL || (strcmp(role, "tool") != 0 &&
	    strcmp(role, "user") != 0);
	jv_free(last);
	conv_request(d, conv, &msgs, &sys, &dropped);
	jv_free(conv);
	if (dropped)
		warnx("%s: note: %d assistant message%s' provider_data left "
		    "out (only the provider that wrote it takes it back)",
		    opt.conversation, dropped, dropped > 1 ? "s" : "");
	if (sys && opt.system) {
		*system = xmalloc(strlen(sys) + strlen(opt.system) + 3);
		sprintf(*system, "%s\n\n%s", sys, opt.system);
		free(sys);
	} else {
		*system = sys ? sys : opt.system ? xstrdup(opt.system) : NULL;
	}
	return msgs;
}

/* check_url: a URL libcurl cannot parse (two '@' in the authority, a
 * port over 65535, a space in the host) is the user's mistake, exit 2,
 * found before anything is sent. */
static void
check_url(const char *url)
{
	CURLU *cu = curl_url();
	CURLUcode uc;

	if (cu == NULL)
		die(LP_EXIT_FAIL, "out of memory");
	uc = curl_url_set(cu, CURLUPART_URL, url, 0);
	curl_url_cleanup(cu);
	if (uc == CURLUE_OUT_OF_MEMORY)
		die(LP_EXIT_FAIL, "out of memory");
	if (uc != CURLUE_OK)
		die(LP_EXIT_USAGE, "%s: not a valid URL: %s", url,
		    curl_url_strerror(uc));
}

static double
seconds_arg(const char *name, const char *s)
{
	double v;

	if (args_double(s, &v) == -1 || v > 1e7)
		usage_error("%s: not a number of seconds: '%s'", name, s);
	return v;
}

/* choose sets *prov (unless -p gave it) from the explicit base URL and
 * model, says why under -v, and returns the base URL to use. */
static const char *
choose(enum dialect *prov, const char *model)
{
	const char *base, *from = "-p";

	if (opt.provider_name == NULL)
		*prov = provider_choose(model, opt.base_url, &from);
	if (opt.verbose)
		warnx("provider %s (from %s)", provider_get(*prov)->name, from);
	base = opt.base_url;
	if (base == NULL && provider_get(*prov)->base_env)
		base = getenv(provider_get(*prov)->base_env);
	if (base == NULL || *base == '\0')
		base = provider_get(*prov)->default_base;
	return base;
}

/* check_request: a refusal the provider documents is a usage error,
 * found before anything is sent; one the model family is known for, a
 * note. */
static void
check_request(const struct req_params *r)
{
	struct buf why;
	int rc;

	buf_init(&why, 0);
	rc = req_check(r, &why);
	if (rc == -1)
		usage_error("%s", why.p);
	if (rc == 1)
		warnx("%s", why.p);
	buf_free(&why);
}

/* no_core_dumps: the API key will be in this process's memory, so a
 * crash must not write it to a core file, and other processes of the
 * user must not read it through ptrace or /proc/PID/mem (as ssh-agent
 * does). Best effort: failing to set these is no reason to stop. */
static void
no_core_dumps(void)
{
	static const struct rlimit none = { 0, 0 };

	(void)setrlimit(RLIMIT_CORE, &none);
	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

int
main(int argc, char **argv)
{
	enum dialect prov = provider_at(0)->id;
	const char *model, *base, *key_env, *key_alt, *ct, *extra;
	char accept[64];
	char *url, *prompt, *key = NULL, *body_text, line[512];
	char *model_copy = NULL, *user_key = NULL, *conv_system = NULL;
	struct buf body_file;
	struct hdrs h;
	struct req_auth auth;
	struct curl_slist *slist = NULL;
	struct curl_slist *sl;
	size_t body_len;
	jv body = jv_null(), bmodel;
	int c, i, as_is = 0, loopback, need_key, status, need;
	long l;
	CURLcode cc;

	err_init(argv);
	err_usage(usage_text);
	mem_init();
	no_core_dumps();
	buf_init(&body_file, 0);
	while ((c = getopt_long(argc, argv, "p:m:s:H:vhV", long_opts,
	    NULL)) != -1) {
		switch (c) {
		case 'p':
			if (provider_parse(optarg, &prov) == -1)
				usage_error("--provider: unknown provider '%s' "
				    "(%s)", optarg,
				    provider_usage("@PROVIDERS@"));
			opt.provider_name = optarg;
			break;
		case 'm': opt.model = optarg; break;
		case 's': opt.system = optarg; break;
		case OPT_MAX_TOKENS:
			if (args_long(optarg, 1, 100000000, &l) == -1)
				usage_error("--max-tokens: not a positive "
				    "integer: '%s'", optarg);
			opt.max_tokens = l;
			break;
		case OPT_TEMPERATURE:
			if (args_double(optarg, &opt.temperature) == -1 ||
			    opt.temperature > 100)
				usage_error("--temperature: not a number: '%s'",
				    optarg);
			opt.has_temperature = 1;
			break;
		case OPT_MAX_FIELD:
			if (strcmp(optarg, "auto") == 0)
				opt.r.max_field = REQ_MAX_AUTO;
			else if (strcmp(optarg, "max_tokens") == 0)
				opt.r.max_field = REQ_MAX_TOKENS;
			else if (strcmp(optarg, "max_completion_tokens") == 0)
				opt.r.max_field = REQ_MAX_COMPLETION;
			else
				usage_error("--max-tokens-field: not auto, "
				    "max_tokens or max_completion_tokens: '%s'",
				    optarg);
			break;
		case OPT_REASONING:
			if (req_reasoning_parse(optarg, &opt.r) == -1)
				usage_error("--reasoning: not none, low, medium, "
				    "high or a number of tokens: '%s'", optarg);
			break;
		case OPT_TOOLS: opt.tools = optarg; break;
		case OPT_MESSAGES: opt.messages = optarg; break;
		case OPT_CONVERSATION: opt.conversation = optarg; break;
		case OPT_BODY: opt.body = optarg; break;
		case OPT_JQ: opt.jq = optarg; break;
		case 'H': add_user_header(optarg); break;
		case OPT_NO_STREAM: opt.no_stream = 1; break;
		case OPT_BASE_URL: opt.base_url = optarg; break;
		case OPT_KEY_FILE: opt.key_file = optarg; break;
		case 'v': opt.verbose = 1; break;
		case OPT_DRY_RUN: opt.dry_run = 1; break;
		case OPT_INSECURE: opt.insecure = 1; break;
		case OPT_CONNECT_TIMEOUT:
			opt.connect_timeout = seconds_arg("--connect-timeout",
			    optarg);
			break;
		case OPT_MAX_TIME:
			opt.max_time = seconds_arg("--max-time", optarg);
			break;
		case OPT_IDLE_TIMEOUT:
			opt.idle_timeout = seconds_arg("--idle-timeout", optarg);
			break;
		case OPT_RETRY:
			if (args_long(optarg, 0, 100, &opt.retry) == -1)
				usage_error("--retry: not an integer in 0..100: "
				    "'%s'", optarg);
			break;
		case OPT_RETRY_MAX_WAIT:
			opt.retry_max_wait = seconds_arg("--retry-max-wait",
			    optarg);
			break;
		case OPT_FAIL_WITH_BODY: opt.fail_with_body = 1; break;
		case 'h':
			print_help(provider_usage(usage_text));
		case 'V':
			print_version();
		default:
			usage_hint();
		}
	}
	argc -= optind;
	argv += optind;

	/* SIGINT must wake the transfer loop at once: lib/intr's self-pipe.
	 * Writes to a closed stdout return EPIPE, which out_* turns into a
	 * quiet death by SIGPIPE. */
	intr_catch();
	signal(SIGPIPE, SIG_IGN);

	if (opt.body) {
		if (argc > 0)
			usage_error("a prompt cannot be combined with --body");
		if (opt.system || opt.tools || opt.messages || opt.conversation ||
		    opt.max_tokens >= 0 || opt.has_temperature ||
		    opt.r.reasoning != REQ_REASON_UNSET)
			usage_error("--body is sent as is: -s, --max-tokens, "
			    "--temperature, --reasoning, --tools, --messages "
			    "and --conversation do not apply (use --jq)");
	}

	/* The body first: a bad file fails before anything else. */
	model = opt.model;
	if (opt.body) {
		read_path(opt.body, &body_file);
		body = parse_json(strcmp(opt.body, "-") == 0 ? "stdin" :
		    opt.body, body_file.p, body_file.len);
		if (jv_get_kind(body) != JV_KIND_OBJECT)
			die(LP_EXIT_USAGE, "%s: the body must be a JSON object",
			    opt.body);
		bmodel = jvx_get(body, "model");
		if (model == NULL && jv_get_kind(bmodel) == JV_KIND_STRING)
			model = model_copy = xstrdup(jv_string_value(bmodel));
		jv_free(bmodel);
	}
	if (model == NULL || *model == '\0')
		model = getenv("LLM_MODEL");
	base = choose(&prov, model);
	if (model == NULL || *model == '\0') {
		model = provider_get(prov)->default_model;
		model_is_default = 1;
	}
	model_used = model;
	model_provider = provider_get(prov)->name;
	if (opt.body) {
		if (opt.model && !provider_get(prov)->model_in_path)
			body = jv_object_set(body, jv_string("model"),
			    jv_string(opt.model));
		as_is = opt.model == NULL && opt.jq == NULL &&
		    req_body_ready(body, prov, !opt.no_stream, base);
		if (!as_is)
			body = req_body_finish(body, prov, !opt.no_stream, base);
	} else {
		struct req_params r = opt.r;

		r.messages = opt.messages ? json_file(opt.messages,
		    JV_KIND_ARRAY, "--messages") : jv_null();
		r.tools = opt.tools ? json_file(opt.tools, JV_KIND_ARRAY,
		    "--tools") : jv_null();
		need = opt.messages == NULL;
		if (opt.conversation)
			r.messages = conversation(prov, &conv_system, &need);
		prompt = read_prompt(argc, argv, need);
		if ((opt.messages || opt.conversation) && prompt == NULL &&
		    jv_array_length(jv_copy(r.messages)) == 0)
			usage_error("empty prompt");
		if (opt.conversation && prompt)
			conv_pending = conv_user(prompt);
		r.provider = prov;
		r.model = model;
		r.base = base;
		r.system = conv_system ? conv_system : opt.system;
		r.prompt = prompt;
		r.max_tokens = opt.max_tokens;
		r.has_temperature = opt.has_temperature;
		r.temperature = opt.temperature;
		r.stream = !opt.no_stream;
		check_request(&r);
		body = req_build_body(&r);
		free(prompt);
		free(conv_system);
		jv_free(r.messages);
		jv_free(r.tools);
	}
	if (opt.jq)
		body = apply_jq(body);
	if (as_is) {
		body_text = xmemdup(body_file.p, body_file.len);
		body_len = body_file.len;
		jv_free(body);
	} else {
		jv s = jv_dump_string(body, 0);

		body_len = (size_t)jv_string_length_bytes(jv_copy(s));
		body_text = xmemdup(jv_string_value(s), body_len);
		jv_free(s);
	}
	buf_free(&body_file);

	url = req_url(prov, base, model, !opt.no_stream);
	if (strncasecmp(url, "http://", 7) != 0 && !req_url_is_https(url))
		usage_error("--base-url: only http:// and https:// URLs");
	check_url(url);
	loopback = req_url_is_loopback(url);
	if (opt.insecure && !loopback)
		usage_error("--insecure is only for loopback test servers");

	req_auth(prov, base, &auth);
	key_env = auth.key_env;
	key_alt = auth.key_env_alt;
	if (opt.key_file) {
		key = read_key_file(opt.key_file);
	} else if (key_env) {
		const char *k = getenv(key_env);

		if ((k == NULL || *k == '\0') && key_alt)
			k = getenv(key_alt);
		if (k && *k)
			key = xstrdup(k);
	}
	if (key && strpbrk(key, "\r\n"))
		die(LP_EXIT_USAGE, "the API key contains a line break");
	/* A credential header given with -H (from @FILE, as the man page
	 * advises) is the key: none is required then, the environment's is
	 * not sent beside it, and its value is redacted like one. */
	user_key = user_credential();
	secret = user_key ? user_key : key;
	/* No key is needed where none could be sent: a loopback server, or
	 * one on plain http (a vLLM or llama.cpp box on the local network),
	 * where a key would be refused below. */
	need_key = key_env && !loopback && req_url_is_https(url);
	if (key == NULL && user_key == NULL && need_key && !opt.dry_run) {
		if (key_alt)
			die(LP_EXIT_USAGE, "no API key: set %s (or %s) or use "
			    "--api-key-file", key_env, key_alt);
		die(LP_EXIT_USAGE, "no API key: set %s or use --api-key-file",
		    key_env);
	}

	/* Headers: ours, unless the user gave the same name. */
	memset(&h, 0, sizeof h);
	if (!user_has_header("Content-Type"))
		hdr_add(&h, "Content-Type: application/json");
	if (opt.no_stream)
		ct = "Accept: application/json";
	else {
		snprintf(accept, sizeof accept, "Accept: %s",
		    provider_get(prov)->content_type);
		ct = accept;
	}
	if (!user_has_header("Accept"))
		hdr_add(&h, ct);
	if (!user_has_header("User-Agent"))
		hdr_add(&h, "User-Agent: llm-request/" LLMPIPE_VERSION
		    " (llmpipe)");
	if ((extra = provider_get(prov)->extra_header) != NULL) {
		char name[64];

		snprintf(name, sizeof name, "%.*s", (int)strcspn(extra, ":"),
		    extra);
		if (!user_has_header(name))
			hdr_add(&h, extra);
	}
	/* a credential header of the user's (-H @FILE) is the only one */
	if (key && auth.header && user_key == NULL) {
		const char *name = auth.header;
		struct buf kb;

		if (!user_has_header(name)) {
			buf_init(&kb, 0);
			buf_printf(&kb, "%s: %s%s", name, auth.prefix, key);
			hdr_add(&h, kb.p);
			buf_free(&kb);
		}
	}
	for (i = 0; i < opt.n_user_headers; i++)
		hdr_add(&h, opt.user_headers[i]);

	if (!req_url_is_https(url) && !loopback) {
		for (i = 0; i < h.n; i++) {
			if (req_header_is_secret(h.line[i],
			    hdr_name_len(h.line[i])))
				die(LP_EXIT_USAGE, "refusing to send the API "
				    "key over plain http to a non-loopback "
				    "host: use https (or unset the key for a "
				    "server that needs none)");
		}
	}

	if (opt.dry_run) {
		if (key == NULL && user_key == NULL && need_key)
			warnx("no API key: %s is not set (needed to send)",
			    key_env);
		out_flush();
		fflush(stdout);
		snprintf(line, sizeof line, "POST %s\n", url);
		out_puts(line);
		for (i = 0; i < h.n; i++) {
			size_t n = hdr_name_len(h.line[i]);

			if (req_header_is_secret(h.line[i], n) &&
			    h.line[i][n] == ':') {
				out_write(h.line[i], n);
				out_puts(": ");
				out_puts(bearer(h.line[i] + n + 1));
				out_puts("<redacted>\n");
			} else {
				out_puts(h.line[i]);
				out_puts("\n");
			}
		}
		out_puts("\n");
		out_write(body_text, body_len);
		if (body_len == 0 || body_text[body_len - 1] != '\n')
			out_puts("\n");
		status = LP_EXIT_OK;
		goto done;
	}

	if ((cc = curl_global_init_mem(CURL_GLOBAL_DEFAULT, c_malloc, free,
	    c_realloc, c_strdup, c_calloc)) != CURLE_OK)
		die(LP_EXIT_FAIL, "cannot initialise libcurl: %s",
		    cc == CURLE_OUT_OF_MEMORY ? "out of memory" :
		    curl_easy_strerror(cc));
	for (i = 0; i < h.n; i++) {
		sl = curl_slist_append(slist, h.line[i]);
		if (sl == NULL)
			die(LP_EXIT_FAIL, "out of memory");
		slist = sl;
	}
	/* No "Expect: 100-continue" round trip before large bodies. */
	if ((sl = curl_slist_append(slist, "Expect:")) == NULL)
		die(LP_EXIT_FAIL, "out of memory");
	slist = sl;
	status = send_request(url, slist, body_text, body_len);
	if (conv_failed && status == LP_EXIT_OK)
		status = LP_EXIT_FAIL;
	curl_slist_free_all(slist);
	curl_global_cleanup();
done:
	for (i = 0; i < h.n; i++) {
		/* The key's copies are wiped before they are freed. */
		explicit_bzero(h.line[i], strlen(h.line[i]));
		free(h.line[i]);
	}
	for (i = 0; i < opt.n_user_headers; i++)
		free(opt.user_headers[i]);
	if (key) {
		explicit_bzero(key, strlen(key));
		free(key);
	}
	if (user_key) {
		explicit_bzero(user_key, strlen(user_key));
		free(user_key);
	}
	free(url);
	free(body_text);
	free(model_copy);
	jv_free(conv_pending);
	out_close();
	return status;
}
