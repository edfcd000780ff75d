/* llm-tokens - count, encode, decode, truncate and split text in OpenAI
 * tokens, exactly as tiktoken does */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "args.h"
#include "buf.h"
#include "err.h"
#include "evread.h"
#include "jsonw.h"
#include "mem.h"
#include "out.h"
#include "tok.h"

static const char usage_text[] =
"Usage: llm-tokens [OPTIONS] [FILE...]\n"
"Count the OpenAI tokens of text (stdin when no FILE or FILE is -), as\n"
"tiktoken's encode_ordinary does: one count per FILE, and a total when\n"
"there are several.\n"
"\n"
"  -e, --encoding NAME   o200k_base (default) or cl100k_base\n"
"  -m, --model MODEL     the encoding of MODEL (gpt-4o, gpt-4.1, gpt-5,\n"
"                        o1, o3, o4-mini: o200k_base; gpt-4,\n"
"                        gpt-3.5-turbo, text-embedding-3-*: cl100k_base)\n"
"      --encode          write the token ids, one line per FILE\n"
"  -j, --json            with --encode: the ids as a JSON array\n"
"      --decode          read token ids (any separators) and write text\n"
"      --truncate N      write the longest prefix of at most N tokens\n"
"      --split N         cut the text into pieces of at most N tokens,\n"
"                        written as NDJSON {\"index\",\"tokens\",\"text\"}\n"
"      --prefix PREFIX   with --split: each piece into the file\n"
"                        PREFIX000000, PREFIX000001 ..., names on stdout\n"
"      --special         encode special tokens (<|endoftext|> ...) as\n"
"                        their ids, not as text\n"
"  -h, --help            show this help and exit\n"
"  -V, --version         show the version and exit\n"
"\n"
"Invalid UTF-8 is read as U+FFFD, as tiktoken's JavaScript binding sees\n"
"it. Pieces and truncations are cut where a token and a character end.\n"
"\n"
"Exit status: 0 success, 1 failure (I/O, bad input), 2 usage.\n";

enum { OPT_ENCODE = 256, OPT_DECODE, OPT_TRUNCATE, OPT_SPLIT, OPT_PREFIX,
	OPT_SPECIAL };

static const struct option long_opts[] = {
	{ "encoding", required_argument, NULL, 'e' },
	{ "model", required_argument, NULL, 'm' },
	{ "encode", no_argument, NULL, OPT_ENCODE },
	{ "json", no_argument, NULL, 'j' },
	{ "decode", no_argument, NULL, OPT_DECODE },
	{ "truncate", required_argument, NULL, OPT_TRUNCATE },
	{ "split", required_argument, NULL, OPT_SPLIT },
	{ "prefix", required_argument, NULL, OPT_PREFIX },
	{ "special", no_argument, NULL, OPT_SPECIAL },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

enum mode { COUNT, ENCODE, DECODE, TRUNCATE, SPLIT };

static struct {
	enum mode mode;
	int json, special;
	long n;
	const char *prefix;
} opt;

static struct tok_enc *enc;

/* what the callbacks of one file share */
struct run {
	long long count;
	int first;            /* no id written yet (--encode) */
	struct buf text;      /* --truncate, --split: text held back */
	long held;            /* tokens in text */
	size_t cut;           /* text[0..cut) ends on a character */
	long cut_tokens;      /* tokens in text[0..cut) */
	const char *name;
};

static long long split_index;

/* char_end tells whether text p[0..n), a prefix of valid UTF-8, ends
 * where a character ends */
static int
char_end(const unsigned char *p, size_t n)
{
	size_t i, back;
	unsigned c;

	for (back = 1; back <= 4 && back <= n; back++) {
		c = p[n - back];
		if ((c & 0xc0) == 0x80)
			continue;
		i = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
		return i == back;
	}
	return n == 0;
}

static int
on_count(void *ctx, const uint32_t *ids, size_t n)
{
	(void)ids;
	((struct run *)ctx)->count += (long long)n;
	return 0;
}

static int
on_encode(void *ctx, const uint32_t *ids, size_t n)
{
	struct run *r = ctx;
	size_t i;

	for (i = 0; i < n; i++) {
		if (!r->first)
			out_write(opt.json ? "," : " ", 1);
		r->first = 0;
		buf_printf(&out_buf, "%lu", (unsigned long)ids[i]);
	}
	r->count += (long long)n;
	out_maybe_flush();
	return 0;
}

/* add_token appends id's bytes to the held text, noting the last place
 * where a token and a character both end */
static void
add_token(struct run *r, uint32_t id)
{
	size_t len;
	const unsigned char *p = tok_token(enc, id, &len);

	if (!p || buf_append(&r->text, p, len) == -1)
		die(LP_EXIT_FAIL, "%s: out of memory", r->name);
	r->held++;
	if (char_end((unsigned char *)r->text.p, r->text.len)) {
		r->cut = r->text.len;
		r->cut_tokens = r->held;
	}
}

static int
on_truncate(void *ctx, const uint32_t *ids, size_t n)
{
	struct run *r = ctx;
	size_t i;

	for (i = 0; i < n; i++) {
		if (r->count == opt.n)
			return 1; /* the rest is not needed */
		r->count++;
		add_token(r, ids[i]);
		if (r->cut == r->text.len) {
			out_write(r->text.p, r->text.len);
			buf_reset(&r->text);
			r->cut = 0;
		}
	}
	out_maybe_flush();
	return r->count == opt.n;
}

static void
split_put(struct run *r, const char *p, size_t len, long tokens)
{
	char path[4096];
	FILE *f;

	if (opt.prefix) {
		if (snprintf(path, sizeof path, "%s%06lld", opt.prefix,
		    split_index) >= (int)sizeof path)
			die(LP_EXIT_FAIL, "%s: name too long", opt.prefix);
		if (!(f = fopen(path, "w")) || fwrite(p, 1, len, f) != len ||
		    fclose(f) == EOF)
			die(LP_EXIT_FAIL, "%s: %s", path, strerror(errno));
		out_puts(path);
		out_write("\n", 1);
	} else {
		buf_printf(&out_buf, "{\"index\":%lld,\"tokens\":%ld,\"text\":",
		    split_index, tokens);
		if (jsonw_string(&out_buf, p, len) == -1)
			die(LP_EXIT_FAIL, "write error: record too large");
		out_write("}\n", 2);
	}
	split_index++;
	out_maybe_flush();
}

static int
on_split(void *ctx, const uint32_t *ids, size_t n)
{
	struct run *r = ctx;
	size_t i, rest;

	for (i = 0; i < n; i++) {
		if (r->held == opt.n) {
			if (r->cut_tokens == 0)
				die(LP_EXIT_FAIL, "%s: --split %ld: a character "
				    "needs more tokens than that", r->name,
				    opt.n);
			split_put(r, r->text.p, r->cut, r->cut_tokens);
			rest = r->text.len - r->cut;
			memmove(r->text.p, r->text.p + r->cut, rest);
			r->text.len = rest;
			r->held -= r->cut_tokens;
			r->cut = 0;
			r->cut_tokens = 0;
		}
		add_token(r, ids[i]);
		r->count++;
	}
	return 0;
}

/* read_all feeds fd to the stream; returns 0, or -1 after a message */
static int
read_all(int fd, struct tok_stream *s, const char *name)
{
	static char blk[1 << 16];
	ssize_t k;
	int rc = 0;

	for (;;) {
		out_flush();
		k = read(fd, blk, sizeof blk);
		if (k == -1 && errno == EINTR)
			continue;
		if (k == -1) {
			warnx("%s: %s", name, strerror(errno));
			return -1;
		}
		if (k == 0)
			break;
		if ((rc = tok_stream_write(s, blk, (size_t)k)))
			break;
	}
	if (rc == 0)
		rc = tok_stream_finish(s);
	if (rc == -1) {
		warnx("%s: %s", name, tok_stream_error(s));
		return -1;
	}
	return 0;
}

/* decode_fd writes the text of the ids read from fd */
static int
decode_fd(int fd, const char *name)
{
	static char blk[1 << 16];
	unsigned long long id = 0;
	int digits = 0;
	ssize_t k, i;
	size_t len;
	const unsigned char *p;

	for (;;) {
		k = read(fd, blk, sizeof blk);
		if (k == -1 && errno == EINTR)
			continue;
		if (k == -1) {
			warnx("%s: %s", name, strerror(errno));
			return -1;
		}
		for (i = 0; i <= k; i++) {
			int c = i < k ? (unsigned char)blk[i] : -1;

			if (c >= '0' && c <= '9') {
				if (++digits > 10) {
					warnx("%s: token id too large", name);
					return -1;
				}
				id = id * 10 + (unsigned)(c - '0');
				continue;
			}
			if (c == -1 && k > 0)
				break; /* a number may go on in the next block */
			if (digits) {
				if (id > UINT32_MAX ||
				    !(p = tok_token(enc, (uint32_t)id, &len))) {
					warnx("%s: %llu: not a token of %s",
					    name, id, tok_name(enc));
					return -1;
				}
				out_write(p, len);
				id = 0;
				digits = 0;
			}
			if (c != -1 && !(c == ' ' || c == ',' || c == '[' ||
			    c == ']' || c == '\n' || c == '\t' || c == '\r')) {
				warnx("%s: expected token ids, found '%c'",
				    name, c);
				return -1;
			}
		}
		out_maybe_flush();
		if (k == 0)
			return 0;
	}
}

/* do_file handles one FILE; returns 0, or 1 after a message */
static int
do_file(const char *path, long long *total, int named)
{
	const char *name = strcmp(path, "-") == 0 ? "stdin" : path;
	int fd = evr_open(path), bad = 0;
	struct run r;
	struct tok_stream *s;
	tok_emit_fn fn = opt.mode == ENCODE ? on_encode :
	    opt.mode == TRUNCATE ? on_truncate :
	    opt.mode == SPLIT ? on_split : on_count;

	if (fd == -1) {
		warnx("%s: %s", name, strerror(errno));
		return 1;
	}
	memset(&r, 0, sizeof r);
	r.first = 1;
	r.name = name;
	buf_init(&r.text, 0);
	if (opt.mode == DECODE) {
		bad = decode_fd(fd, name) == -1;
		goto done;
	}
	if (!(s = tok_stream_new(enc, opt.special, fn, &r)))
		die(LP_EXIT_FAIL, "out of memory");
	if (opt.mode == ENCODE && opt.json)
		out_write("[", 1);
	bad = read_all(fd, s, name) == -1;
	tok_stream_free(s);
	switch (opt.mode) {
	case COUNT:
		if (!bad) {
			*total += r.count;
			buf_printf(&out_buf, named ? "%lld %s\n" : "%lld\n",
			    r.count, path);
		}
		break;
	case ENCODE:
		out_write(opt.json ? "]\n" : "\n", opt.json ? 2 : 1);
		break;
	case SPLIT:
		if (!bad && r.held > 0)
			split_put(&r, r.text.p, r.text.len, r.held);
		break;
	default:
		break;
	}
done:
	buf_free(&r.text);
	if (fd != 0)
		close(fd);
	out_maybe_flush();
	return bad;
}

int
main(int argc, char *argv[])
{
	const char *encoding = "o200k_base", *model = NULL;
	char why[4200];
	long long total = 0;
	int c, i, status = 0, nfiles;

	err_init(argv);
	err_usage(usage_text);
	mem_init();
	while ((c = getopt_long(argc, argv, "e:m:jhV", long_opts, NULL)) != -1) {
		switch (c) {
		case 'e':
			if (!tok_encoding_known(optarg))
				usage_error("--encoding: unknown encoding '%s' "
				    "(o200k_base or cl100k_base)", optarg);
			encoding = optarg;
			break;
		case 'm':
			model = optarg;
			break;
		case 'j':
			opt.json = 1;
			break;
		case OPT_ENCODE:
			opt.mode = ENCODE;
			break;
		case OPT_DECODE:
			opt.mode = DECODE;
			break;
		case OPT_TRUNCATE:
		case OPT_SPLIT:
			if (args_long(optarg, c == OPT_SPLIT ? 1 : 0,
			    1L << 40, &opt.n) == -1)
				usage_error("--%s: expected a number of tokens",
				    c == OPT_SPLIT ? "split" : "truncate");
			opt.mode = c == OPT_SPLIT ? SPLIT : TRUNCATE;
			break;
		case OPT_PREFIX:
			opt.prefix = optarg;
			break;
		case OPT_SPECIAL:
			opt.special = 1;
			break;
		case 'h':
			print_help(usage_text);
		case 'V':
			print_version();
		default:
			usage_hint();
		}
	}
	if (opt.prefix && opt.mode != SPLIT)
		usage_error("--prefix goes with --split");
	if (opt.json && opt.mode != ENCODE)
		usage_error("--json goes with --encode");
	if (model) {
		const char *e = tok_model_encoding(model);

		if (!e)
			usage_error("--model: %s: no known encoding (the "
			    "encodings are o200k_base and cl100k_base: use -e)",
			    model);
		encoding = e;
	}
	if (!(enc = tok_open(encoding, why, sizeof why)))
		die(LP_EXIT_FAIL, "%s", why);
	nfiles = argc - optind;
	if (nfiles == 0)
		status |= do_file("-", &total, 0);
	for (i = optind; i < argc; i++)
		status |= do_file(argv[i], &total, 1);
	if (opt.mode == COUNT && nfiles > 1)
		buf_printf(&out_buf, "%lld total\n", total);
	tok_close(enc);
	out_close();
	return status ? LP_EXIT_FAIL : LP_EXIT_OK;
}
