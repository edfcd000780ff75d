/* tok.c - encodings, model table, pre-tokenizer and streaming encoder
 * (see tok.h) */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <errno.h>
#include <limits.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tok.h"

#ifndef LLMPIPE_DATADIR
#define LLMPIPE_DATADIR "/usr/local/share/llmpipe"
#endif

struct special {
	const char *text;
	uint32_t id;
};

/* The encodings' pre-tokenizer patterns and special tokens, as in the
 * tiktoken package's encoders (scripts/gen-ranks checks them) */
static const struct encdef {
	const char *name;
	const char *pat;
	struct special sp[6];
} encdefs[] = {
	{ "o200k_base",
	  "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
	  { { "<|endoftext|>", 199999 }, { "<|endofprompt|>", 200018 } } },
	{ "cl100k_base",
	  "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
	  { { "<|endoftext|>", 100257 }, { "<|fim_prefix|>", 100258 },
	    { "<|fim_middle|>", 100259 }, { "<|fim_suffix|>", 100260 },
	    { "<|endofprompt|>", 100276 } } },
};

/* tiktoken's model table (model_to_encoding.json, and the prefixes of
 * Python tiktoken's MODEL_PREFIX_TO_ENCODING for dated and fine-tuned
 * names), kept to the two encodings shipped; first match wins */
static const struct {
	const char *name;
	int prefix;
	const char *enc;
} models[] = {
	{ "gpt-4o", 0, "o200k_base" }, { "gpt-4o-", 1, "o200k_base" },
	{ "chatgpt-4o-", 1, "o200k_base" },
	{ "gpt-4.1", 0, "o200k_base" }, { "gpt-4.1-", 1, "o200k_base" },
	{ "gpt-4.5-", 1, "o200k_base" },
	{ "gpt-5", 0, "o200k_base" }, { "gpt-5-", 1, "o200k_base" },
	{ "o1", 0, "o200k_base" }, { "o1-", 1, "o200k_base" },
	{ "o3", 0, "o200k_base" }, { "o3-", 1, "o200k_base" },
	{ "o4-mini", 0, "o200k_base" }, { "o4-mini-", 1, "o200k_base" },
	{ "ft:gpt-4o", 1, "o200k_base" },
	{ "gpt-4", 0, "cl100k_base" }, { "gpt-4-", 1, "cl100k_base" },
	{ "gpt-3.5-turbo", 0, "cl100k_base" },
	{ "gpt-3.5-turbo-", 1, "cl100k_base" },
	{ "gpt-35-turbo", 0, "cl100k_base" },
	{ "gpt-35-turbo-", 1, "cl100k_base" },
	{ "ft:gpt-4", 1, "cl100k_base" },
	{ "ft:gpt-3.5-turbo", 1, "cl100k_base" },
	{ "davinci-002", 0, "cl100k_base" },
	{ "ft:davinci-002", 1, "cl100k_base" },
	{ "babbage-002", 0, "cl100k_base" },
	{ "ft:babbage-002", 1, "cl100k_base" },
	{ "text-embedding-ada-002", 0, "cl100k_base" },
	{ "text-embedding-3-small", 0, "cl100k_base" },
	{ "text-embedding-3-large", 0, "cl100k_base" },
};

struct tok_enc {
	const struct encdef *def;
	struct bpe bpe;
	pcre2_code *re;
	int jit;
	size_t maxsp; /* longest special token */
};

/* A cached piece: most text repeats its words, and a piece's ids never
 * change, so a direct-mapped cache of short pieces saves the hash table's
 * scattered lookups and the merges */
#define CACHE_N 65536
#define CACHE_KEY 22
#define CACHE_IDS 9
struct cent {
	unsigned char len, nids;
	unsigned char key[CACHE_KEY];
	uint32_t ids[CACHE_IDS];
};

struct tok_stream {
	const struct tok_enc *e;
	int special;
	tok_emit_fn fn;
	void *ctx;
	unsigned char *u; /* valid UTF-8 text not yet encoded: u[pos..len) */
	size_t len, cap, pos;
	unsigned char pend[4]; /* an unfinished UTF-8 sequence */
	int npend, need;
	unsigned lower, upper;
	pcre2_match_data *md;
	pcre2_match_context *mc;
	pcre2_jit_stack *js;
	uint32_t *ids;
	size_t idcap;
	struct bpe_work w;
	struct cent *cache; /* CACHE_N recent pieces and their ids */
	char err[160];
};

const char *
tok_model_encoding(const char *model)
{
	size_t i, n;

	for (i = 0; i < sizeof models / sizeof models[0]; i++) {
		n = strlen(models[i].name);
		if (models[i].prefix ? strncmp(model, models[i].name, n) == 0 :
		    strcmp(model, models[i].name) == 0)
			return models[i].enc;
	}
	return NULL;
}

static const struct encdef *
find_def(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof encdefs / sizeof encdefs[0]; i++)
		if (strcmp(encdefs[i].name, name) == 0)
			return &encdefs[i];
	return NULL;
}

int
tok_encoding_known(const char *name)
{
	return find_def(name) != NULL;
}

void
tok_data_dir(char *out, size_t n)
{
	const char *env = getenv("LLMPIPE_DATA_DIR");
	char exe[PATH_MAX], *slash;
	ssize_t k;
	struct stat st;

	if (env && *env) {
		snprintf(out, n, "%s", env);
		return;
	}
	k = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (k > 0) {
		exe[k] = '\0';
		if ((slash = strrchr(exe, '/'))) {
			*slash = '\0';
			snprintf(out, n, "%s/../share/llmpipe", exe);
			if (stat(out, &st) == 0 && S_ISDIR(st.st_mode))
				return;
		}
	}
	snprintf(out, n, "%s", LLMPIPE_DATADIR);
}

/* The White_Space property (stable since Unicode 6.3), which \s is in
 * tiktoken's regex engine; PCRE2 10.42's \s also takes U+180E, no longer
 * a space since Unicode 6.3 */
#define WS "\\t-\\r\\x{20}\\x{85}\\x{a0}\\x{1680}\\x{2000}-\\x{200a}" \
	"\\x{2028}\\x{2029}\\x{202f}\\x{205f}\\x{3000}"

/* pattern_for writes pat into out with \s and \S spelled as WS */
static int
pattern_for(const char *pat, char *out, size_t n)
{
	size_t o = 0, k;
	int in_class = 0;
	const char *add;

	for (; *pat; pat++) {
		add = NULL;
		if (pat[0] == '\\' && (pat[1] == 's' || pat[1] == 'S')) {
			if (in_class && pat[1] == 's')
				add = WS;
			else if (!in_class)
				add = pat[1] == 's' ? "[" WS "]" : "[^" WS "]";
			else
				return -1; /* \S in a class: not in the patterns */
			pat++;
		} else if (pat[0] == '\\' && pat[1]) {
			if (o + 2 >= n)
				return -1;
			out[o++] = *pat++;
			out[o++] = *pat;
			continue;
		} else if (*pat == '[')
			in_class = 1;
		else if (*pat == ']')
			in_class = 0;
		k = add ? strlen(add) : 1;
		if (o + k >= n)
			return -1;
		memcpy(out + o, add ? add : pat, k);
		o += k;
	}
	out[o] = '\0';
	return 0;
}

struct tok_enc *
tok_open(const char *name, char *why, size_t whylen)
{
	const struct encdef *d = find_def(name);
	struct tok_enc *e;
	char dir[PATH_MAX], path[PATH_MAX + 64];
	PCRE2_UCHAR msg[120];
	PCRE2_SIZE eoff;
	char pat[2048];
	long line;
	int ec;
	size_t i;

	if (!d) {
		snprintf(why, whylen, "unknown encoding '%s'", name);
		return NULL;
	}
	if (!(e = calloc(1, sizeof *e))) {
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	e->def = d;
	tok_data_dir(dir, sizeof dir);
	/* the build's binary form, else the text form it is made from */
	snprintf(path, sizeof path, "%s/%s.ranks", dir, name);
	if (bpe_map(&e->bpe, path) == 0)
		line = 0;
	else if (snprintf(path, sizeof path, "%s/%s.tiktoken", dir, name),
	    bpe_load(&e->bpe, path, &line) == -1) {
		if (errno == EINVAL)
			snprintf(why, whylen, "%s:%ld: not a rank file", path,
			    line);
		else
			snprintf(why, whylen, "%s: %s", path, strerror(errno));
		free(e);
		return NULL;
	}
	if (pattern_for(d->pat, pat, sizeof pat) == -1) {
		snprintf(why, whylen, "%s: pattern too long", name);
		bpe_free(&e->bpe);
		free(e);
		return NULL;
	}
	e->re = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED,
	    PCRE2_UTF | PCRE2_UCP | PCRE2_NO_UTF_CHECK, &ec, &eoff, NULL);
	if (!e->re) {
		pcre2_get_error_message(ec, msg, sizeof msg);
		/* PCRE2's own words for a failed malloc are not ours */
		if (ec == PCRE2_ERROR_HEAP_FAILED)
			snprintf(why, whylen, "%s: out of memory", name);
		else
			snprintf(why, whylen, "%s: pattern: %s", name,
			    (char *)msg);
		bpe_free(&e->bpe);
		free(e);
		return NULL;
	}
	/* no JIT (a platform without it) is slower, not different */
	e->jit = pcre2_jit_compile(e->re, PCRE2_JIT_COMPLETE |
	    PCRE2_JIT_PARTIAL_HARD) == 0;
	for (i = 0; i < 6 && d->sp[i].text; i++)
		if (strlen(d->sp[i].text) > e->maxsp)
			e->maxsp = strlen(d->sp[i].text);
	return e;
}

void
tok_close(struct tok_enc *e)
{
	if (!e)
		return;
	pcre2_code_free(e->re);
	bpe_free(&e->bpe);
	free(e);
}

const char *
tok_name(const struct tok_enc *e)
{
	return e->def->name;
}

const unsigned char *
tok_token(const struct tok_enc *e, uint32_t id, size_t *len)
{
	size_t i;

	for (i = 0; i < 6 && e->def->sp[i].text; i++)
		if (e->def->sp[i].id == id) {
			*len = strlen(e->def->sp[i].text);
			return (const unsigned char *)e->def->sp[i].text;
		}
	return bpe_token(&e->bpe, id, len);
}

long
tok_special_id(const struct tok_enc *e, const void *text, size_t n)
{
	size_t i;

	for (i = 0; i < 6 && e->def->sp[i].text; i++)
		if (strlen(e->def->sp[i].text) == n &&
		    memcmp(e->def->sp[i].text, text, n) == 0)
			return e->def->sp[i].id;
	return -1;
}

struct tok_stream *
tok_stream_new(const struct tok_enc *e, int special, tok_emit_fn fn,
    void *ctx)
{
	struct tok_stream *s = calloc(1, sizeof *s);

	if (!s)
		return NULL;
	s->e = e;
	s->special = special;
	s->fn = fn;
	s->ctx = ctx;
	s->md = pcre2_match_data_create_from_pattern(e->re, NULL);
	s->mc = pcre2_match_context_create(NULL);
	/* a long run of spaces can take the matcher deep: room to 16M */
	s->js = e->jit ? pcre2_jit_stack_create(32 << 10, 16 << 20, NULL) : NULL;
	if (!s->md || !s->mc || (e->jit && !s->js)) {
		tok_stream_free(s);
		return NULL;
	}
	if (s->js)
		pcre2_jit_stack_assign(s->mc, NULL, s->js);
	return s;
}

void
tok_stream_free(struct tok_stream *s)
{
	if (!s)
		return;
	pcre2_match_data_free(s->md);
	pcre2_match_context_free(s->mc);
	pcre2_jit_stack_free(s->js);
	bpe_work_free(&s->w);
	free(s->cache);
	free(s->ids);
	free(s->u);
	free(s);
}

const char *
tok_stream_error(const struct tok_stream *s)
{
	return s->err;
}

static int
fail(struct tok_stream *s, const char *why)
{
	snprintf(s->err, sizeof s->err, "%s", why);
	return -1;
}

static int
reserve(struct tok_stream *s, size_t n)
{
	size_t want;
	unsigned char *p;

	if (s->cap - s->len >= n)
		return 0;
	want = s->cap ? s->cap : 1 << 16;
	while (want - s->len < n)
		want *= 2;
	if (!(p = realloc(s->u, want)))
		return fail(s, "out of memory");
	s->u = p;
	s->cap = want;
	return 0;
}

static const unsigned char repl[3] = { 0xef, 0xbf, 0xbd }; /* U+FFFD */

/* utf8_feed appends p[0..n) to the text, each maximal ill-formed
 * subpart replaced by U+FFFD (WHATWG UTF-8 decode, as Node's
 * Buffer.toString and TextDecoder do); an unfinished sequence at the end
 * waits in pend for the next bytes */
static int
utf8_feed(struct tok_stream *s, const unsigned char *p, size_t n)
{
	unsigned char *o;
	size_t i = 0;
	unsigned c;

	if (reserve(s, 3 * n + 8) == -1)
		return -1;
	o = s->u + s->len;
	while (i < n) {
		c = p[i];
		if (s->need == 0) {
			if (c < 0x80) {
				*o++ = (unsigned char)c;
				i++;
				continue;
			}
			i++;
			s->lower = 0x80;
			s->upper = 0xbf;
			if (c >= 0xc2 && c <= 0xdf)
				s->need = 1;
			else if (c >= 0xe0 && c <= 0xef) {
				if (c == 0xe0)
					s->lower = 0xa0;
				if (c == 0xed)
					s->upper = 0x9f;
				s->need = 2;
			} else if (c >= 0xf0 && c <= 0xf4) {
				if (c == 0xf0)
					s->lower = 0x90;
				if (c == 0xf4)
					s->upper = 0x8f;
				s->need = 3;
			} else {
				memcpy(o, repl, 3);
				o += 3;
				continue;
			}
			s->pend[0] = (unsigned char)c;
			s->npend = 1;
			continue;
		}
		if (c < s->lower || c > s->upper) {
			/* the subpart so far is one U+FFFD; c starts anew */
			memcpy(o, repl, 3);
			o += 3;
			s->need = s->npend = 0;
			continue;
		}
		i++;
		s->lower = 0x80;
		s->upper = 0xbf;
		s->pend[s->npend++] = (unsigned char)c;
		if (--s->need == 0) {
			memcpy(o, s->pend, (size_t)s->npend);
			o += s->npend;
			s->npend = 0;
		}
	}
	s->len = (size_t)(o - s->u);
	return 0;
}

static size_t
cache_slot(const unsigned char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return (size_t)(h ^ h >> 31) & (CACHE_N - 1);
}

static int
emit_piece(struct tok_stream *s, const unsigned char *p, size_t n)
{
	struct cent *c = NULL;
	long k;

	if (n <= CACHE_KEY) {
		if (!s->cache && !(s->cache = calloc(CACHE_N, sizeof *s->cache)))
			return fail(s, "out of memory");
		c = &s->cache[cache_slot(p, n)];
		if (c->len == n && c->nids && memcmp(c->key, p, n) == 0)
			return s->fn(s->ctx, c->ids, c->nids);
	}

	if (n > s->idcap) {
		size_t want = n < 256 ? 256 : n;
		uint32_t *q = realloc(s->ids, want * sizeof *q);

		if (!q)
			return fail(s, "out of memory");
		s->ids = q;
		s->idcap = want;
	}
	if ((k = bpe_encode(&s->e->bpe, p, n, s->ids, &s->w)) < 0)
		return fail(s, errno == ENOMEM ? "out of memory" :
		    "a byte has no rank (a damaged rank file)");
	if (c && k <= CACHE_IDS) {
		c->len = (unsigned char)n;
		c->nids = (unsigned char)k;
		memcpy(c->key, p, n);
		memcpy(c->ids, s->ids, (size_t)k * sizeof *s->ids);
	}
	return s->fn(s->ctx, s->ids, (size_t)k);
}

/* next_special finds the first special token at or after from: returns
 * its offset and sets *id and *n; or returns the offset of a "<|" too near
 * the end to tell yet (*n = 0) when more text may come; or s->len */
static size_t
next_special(struct tok_stream *s, size_t from, int eof, uint32_t *id,
    size_t *n)
{
	const unsigned char *q = s->u + from, *end = s->u + s->len;
	const struct encdef *d = s->e->def;
	size_t i, l;

	while ((q = memchr(q, '<', (size_t)(end - q)))) {
		for (i = 0; i < 6 && d->sp[i].text; i++) {
			l = strlen(d->sp[i].text);
			if ((size_t)(end - q) >= l &&
			    memcmp(q, d->sp[i].text, l) == 0) {
				*id = d->sp[i].id;
				*n = l;
				return (size_t)(q - s->u);
			}
		}
		if (!eof && (size_t)(end - q) < s->e->maxsp) {
			*n = 0;
			return (size_t)(q - s->u);
		}
		q++;
	}
	*n = 0;
	return s->len;
}

/* process encodes the pieces of u[pos..len) that no later text can
 * change. A match found with PCRE2_PARTIAL_HARD is complete only if the
 * matcher never needed to look past the end of the text it was given,
 * so it is final; a partial one waits for more text */
static int
process(struct tok_stream *s, int eof)
{
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(s->md);
	size_t end, spn = 0;
	uint32_t spid = 0;
	int hard, rc;

	while (s->pos < s->len) {
		end = s->len;
		hard = eof;
		if (s->special) {
			end = next_special(s, s->pos, eof, &spid, &spn);
			if (spn)
				hard = 1; /* the text before a special ends there */
			else if (end < s->len)
				hard = 0;
		}
		while (s->pos < end) {
			if (s->e->jit)
				rc = pcre2_jit_match(s->e->re, s->u, end, s->pos,
				    PCRE2_NO_UTF_CHECK | (hard ? 0 :
				    PCRE2_PARTIAL_HARD), s->md, s->mc);
			else
				rc = pcre2_match(s->e->re, s->u, end, s->pos,
				    PCRE2_NO_UTF_CHECK | (hard ? 0 :
				    PCRE2_PARTIAL_HARD), s->md, s->mc);
			if (rc == PCRE2_ERROR_NOMATCH) {
				s->pos = end;
				break;
			}
			if (rc == PCRE2_ERROR_PARTIAL) {
				s->pos = ov[0];
				goto more;
			}
			if (rc < 0) {
				PCRE2_UCHAR msg[120];

				pcre2_get_error_message(rc, msg, sizeof msg);
				snprintf(s->err, sizeof s->err,
				    "pattern matching: %s", rc ==
				    PCRE2_ERROR_NOMEMORY ? "out of memory" :
				    (char *)msg);
				return -1;
			}
			if ((rc = emit_piece(s, s->u + ov[0], ov[1] - ov[0])))
				return rc;
			s->pos = ov[1];
		}
		if (!hard)
			goto more;
		if (spn) {
			if ((rc = s->fn(s->ctx, &spid, 1)))
				return rc;
			s->pos += spn;
		}
	}
more:
	if (s->pos > 0) {
		memmove(s->u, s->u + s->pos, s->len - s->pos);
		s->len -= s->pos;
		s->pos = 0;
	}
	if (s->len > TOK_MAX_PIECE)
		return fail(s, "a piece of text longer than 16M without a "
		    "break (a run of letters, digits or spaces)");
	return 0;
}

int
tok_stream_write(struct tok_stream *s, const void *p, size_t n)
{
	const unsigned char *q = p;
	size_t k;
	int rc;

	/* in slices, so that the held-back text stays small */
	while (n > 0) {
		k = n < (1 << 16) ? n : 1 << 16;
		if (utf8_feed(s, q, k) == -1)
			return -1;
		if ((rc = process(s, 0)))
			return rc;
		q += k;
		n -= k;
	}
	return 0;
}

int
tok_stream_finish(struct tok_stream *s)
{
	if (s->npend) {
		if (reserve(s, 3) == -1)
			return -1;
		memcpy(s->u + s->len, repl, 3);
		s->len += 3;
		s->npend = s->need = 0;
	}
	return process(s, 1);
}

static int
count_cb(void *ctx, const uint32_t *ids, size_t n)
{
	(void)ids;
	*(long long *)ctx += (long long)n;
	return 0;
}

long long
tok_count(const struct tok_enc *e, const void *p, size_t n)
{
	long long c = 0;
	struct tok_stream *s = tok_stream_new(e, 0, count_cb, &c);
	int rc;

	if (!s)
		return -1;
	rc = tok_stream_write(s, p, n);
	if (rc == 0)
		rc = tok_stream_finish(s);
	tok_stream_free(s);
	return rc ? -1 : c;
}
