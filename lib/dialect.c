/* dialect.c - provider dialects: each provider's events become normalized
 * deltas (emit), folded into one normalized message per choice, plus the
 * state each provider's non-streaming body needs (acc_native mirrors the
 * official SDK accumulators field by field: openai ChatCompletionStream,
 * openai ResponseStream/ResponseAccumulator, @anthropic-ai/sdk
 * MessageStream).
 *
 * Cost: every text fragment is appended to a capped buf (amortized O(1));
 * jv values kept across events are replaced, never grown per delta, except
 * Anthropic citations (bounded by the size cap). Events that carry nothing
 * (pings, empty deltas) allocate nothing that outlives the event. */
#include "dialect.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "jscan.h"
#include "jvx.h"
#include "mem.h"

#define MAX_CHOICES 128
#define MAX_CALLS 1024
#define MAX_ITEMS 4096 /* Responses output items, Anthropic blocks, parts */

/* ---------------------------------------------------------------- state */

struct tcall {
	int seen, complete, reported;
	int pend;        /* a high surrogate half held back (see sent_*) */
	struct buf args;
	char *id, *name;
	/* openai-chat native */
	char *type;
	jv extra;        /* other tool-call fields, object (or invalid) */
};

/* A jv object with one string field kept in a buf (Responses items and
 * parts, Anthropic blocks, Gemini parts): the text grows in O(1). */
struct slot {
	jv obj;
	const char *field; /* static name of the buffered field, or NULL */
	struct buf text;
	/* Anthropic tool_use input JSON */
	struct buf json;
	int has_json;
	int has_field;     /* the buffered field is present */
	jv citations;      /* Anthropic text citations (array) or invalid */
	/* Responses: nested content / summary parts */
	struct slot *content, *summary;
	int ncontent, nsummary, capcontent, capsummary;
	int has_content, has_summary;
	/* Gemini */
	int thought;
	int call;          /* normalized tool-call index, or -1 */
};

struct choice {
	int seen;
	struct buf content, reasoning, refusal;
	int has_content, has_reasoning, has_refusal;
	int pend[3];       /* high halves held back, by kind (see sent_*) */
	struct tcall *calls;
	int ncalls, capcalls, cur_call, first_unreported;
	int interleaved;   /* fragments of earlier calls came back: calls
	                    * complete only at the end of the choice */
	char *finish;      /* normalized */
	char *finish_raw;  /* as the provider sent it */
	/* openai-chat native */
	char *role;
	jv msg_rest, choice_rest, logprobs;
	int content_blocks;     /* Magistral: content arrays seen */
	int reasoning_keys;     /* 1 reasoning_content, 2 reasoning */
	int has_fc;
	char *fc_name;
	struct buf fc_args;
	/* gemini native */
	struct slot *parts;
	int nparts, capparts;
	jv cand_rest;
	/* ollama native */
	jv ollama_calls;
};

struct acc {
	enum dialect d;
	enum acc_status st;
	size_t max, total;
	char err[512];
	char *perr;           /* "type: message" */
	struct choice *ch[MAX_CHOICES];
	int nchoices;
	long long u_in, u_out, u_reason, u_cached;
	int has_usage;
	char *id, *model;
	int calls_dirty;
	/* callback of the event being fed */
	delta_fn cb;
	void *ctx;
	int cbrc, tokens, fail;
	int soft;             /* an error found while folding, folded anyway
	                       * (nothing is dropped): see acc_take_fault */
	char soft_msg[512];
	/* native state */
	jv top;               /* chat: merged chunk fields; responses: the
	                       * response; anthropic: the message; gemini:
	                       * merged top fields; ollama: last object */
	struct slot *items;   /* responses output items, anthropic blocks */
	int nitems, capitems;
	int ollama_generate;
	int ot_stale;         /* responses: output_text must be recomputed */
	int drop_text;        /* acc_keep_text(a, 0): text is not kept */
	int sent;             /* a lone surrogate half came (see sent_*) */
	struct buf s_text, s_id, s_name; /* resolved delta strings */
	/* what the event being fed emitted (for learning the fast path) */
	int ev_ndeltas;
	enum delta_kind ev_kind;
	int ev_choice;
	const char *ev_text;
	size_t ev_len;
	struct fast {
		int valid;
		enum delta_kind kind; /* DELTA_TEXT or DELTA_REASONING */
		int choice;
		int block;            /* anthropic: the block that grows */
		struct buf type;      /* event type learned from */
		/* the data around the string tokens: pre TEXT post, or with
		 * a chat chunk's "obfuscation" string (aux) as well, pre TEXT
		 * mid AUX post or pre AUX mid TEXT post (aux_first) */
		struct buf pre, mid, post;
		int aux, aux_first;
		int aux_top;          /* aux goes into the merged chunk fields */
		struct buf text;      /* the decoded string of one event */
		struct buf auxv;      /* the decoded aux string */
	} fast;
};

static const char *const names[] = {
	"auto", "openai-chat", "openai-responses", "anthropic", "gemini",
	"ollama"
};

const char *
dialect_name(enum dialect d)
{
	if ((unsigned)d >= sizeof names / sizeof names[0])
		return "auto";
	return names[d];
}

int
dialect_parse(const char *name, enum dialect *d)
{
	size_t i;

	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(name, names[i]) == 0) {
			*d = (enum dialect)i;
			return 0;
		}
	if (strcmp(name, "openai") == 0 || strcmp(name, "chat") == 0) {
		*d = DIALECT_OPENAI_CHAT;
		return 0;
	}
	if (strcmp(name, "responses") == 0) {
		*d = DIALECT_OPENAI_RESPONSES;
		return 0;
	}
	return -1;
}

/* -------------------------------------------------------------- helpers */

/* str: obj[key] when it is a string (borrowed from obj), else NULL. */
static const char *
str(jv obj, const char *key, size_t *len)
{
	jv v = jvx_get(obj, key);
	const char *s = jvx_str(v, len);

	jv_free(v);
	return s;
}

/* nestr: like str, NULL for the empty string too. */
static const char *
nestr(jv obj, const char *key, size_t *len)
{
	size_t n;
	const char *s = str(obj, key, &n);

	if (s == NULL || n == 0)
		return NULL;
	if (len)
		*len = n;
	return s;
}

static int
kind(jv obj, const char *key)
{
	jv v = jvx_get(obj, key);
	int k = jv_get_kind(v);

	jv_free(v);
	return k;
}

static long long
num(jv obj, const char *key)
{
	jv v = jvx_get(obj, key);
	long long n = -1;

	if (jv_get_kind(v) == JV_KIND_NUMBER && jv_number_value(v) >= 0 &&
	    jv_number_value(v) < 9e18)
		n = (long long)jv_number_value(v);
	jv_free(v);
	return n;
}

/* index: obj[key] as an index: dflt when absent, -1 when it is not a
 * number in [0, 1e9). */
static long long
index_of(jv obj, const char *key, long long dflt)
{
	jv v = jvx_get(obj, key);
	double d;

	if (jv_get_kind(v) != JV_KIND_NUMBER) {
		int null = jv_get_kind(v) == JV_KIND_NULL;

		jv_free(v);
		return null ? dflt : -1;
	}
	d = jv_number_value(v);
	jv_free(v);
	return d >= 0 && d < 1e9 ? (long long)d : -1;
}

/* path2: obj[a][b] as a number, or -1. */
static long long
num2(jv obj, const char *a, const char *b)
{
	jv v = jvx_get(obj, a);
	long long n = num(v, b);

	jv_free(v);
	return n;
}

static int
streq(const char *s, const char *lit)
{
	return s && lit && strcmp(s, lit) == 0;
}

static int
prefix(const char *s, const char *p)
{
	return s && strncmp(s, p, strlen(p)) == 0;
}

static void
setstr(char **dst, const char *s, size_t n)
{
	free(*dst);
	*dst = xmemdup(s, n);
}

static jv
jstr(const struct buf *b)
{
	return jv_string_sized(b->len ? b->p : "", (int)b->len);
}

static jv
jcstr(const char *s)
{
	return s ? jv_string(s) : jv_null();
}

/* without: a copy of obj without the listed keys (NULL-terminated). */
static jv
without(jv obj, const char *const *keys)
{
	jv r = jv_copy(obj);

	if (jv_get_kind(r) != JV_KIND_OBJECT) {
		jv_free(r);
		return jv_object();
	}
	for (; *keys; keys++)
		r = jv_object_delete(r, jv_string(*keys));
	return r;
}

static int
fail(struct acc *a, int code, const char *fmt, const char *arg, long line)
{
	if (line > 0)
		snprintf(a->err, sizeof a->err, "line %ld: ", line);
	else
		a->err[0] = 0;
	snprintf(a->err + strlen(a->err), sizeof a->err - strlen(a->err),
	    fmt, arg ? arg : "");
	a->fail = code;
	return code;
}

/* grow: make room for one more element in a (*p, *n, *cap) array. */
static void *
grow(void *p, int n, int *cap, size_t size)
{
	if (n < *cap)
		return p;
	*cap = *cap ? *cap * 2 : 4;
	return xrealloc(p, (size_t)*cap * size);
}

/* app: append to an assembled buffer, counting against the cap. */
static int
app(struct acc *a, struct buf *b, const char *p, size_t n)
{
	if (n == 0)
		return 0;
	if (a->total + n > a->max || buf_append(b, p, n) == -1)
		return fail(a, ACC_ERR_TOO_BIG,
		    "assembled message over the size cap%s", "", 0);
	a->total += n;
	return 0;
}

/* app_text: app for answer, reasoning and refusal text, which a reader
 * that only streams it (acc_keep_text(a, 0)) does not keep. Tool-call
 * arguments always go through app. */
static int
app_text(struct acc *a, struct buf *b, const char *p, size_t n)
{
	return a->drop_text ? 0 : app(a, b, p, n);
}

static void
slot_init(struct slot *s, jv obj, const char *field)
{
	memset(s, 0, sizeof *s);
	s->obj = obj;
	s->field = field;
	s->citations = jv_invalid();
	s->call = -1;
	buf_init(&s->text, 0);
	buf_init(&s->json, 0);
}

static void
slot_free(struct slot *s)
{
	int i;

	jv_free(s->obj);
	jv_free(s->citations);
	buf_free(&s->text);
	buf_free(&s->json);
	for (i = 0; i < s->ncontent; i++)
		slot_free(&s->content[i]);
	for (i = 0; i < s->nsummary; i++)
		slot_free(&s->summary[i]);
	free(s->content);
	free(s->summary);
	memset(s, 0, sizeof *s);
	s->obj = jv_invalid();
	s->citations = jv_invalid();
}

/* slot_set: take obj (consumed) with its field text moved into the buf. */
static int
slot_set(struct acc *a, struct slot *s, jv obj, const char *field)
{
	size_t n;
	const char *t;

	slot_init(s, obj, field);
	if (field && (t = str(obj, field, &n)) != NULL) {
		if (app(a, &s->text, t, n))
			return a->fail;
		s->obj = jv_object_delete(s->obj, jv_string(field));
		s->has_field = 1;
	}
	return 0;
}

/* slot_jv: the slot's object with its buffered field put back. */
static jv
slot_jv(const struct slot *s)
{
	jv o = jv_copy(s->obj);

	if (s->field && (s->has_field || s->text.len) &&
	    jv_get_kind(o) == JV_KIND_OBJECT)
		o = jv_object_set(o, jv_string(s->field), jstr(&s->text));
	return o;
}

static struct choice *
choice_at(struct acc *a, long long idx)
{
	struct choice *c;

	if (idx < 0 || idx >= MAX_CHOICES) {
		fail(a, ACC_ERR_INDEX, "choice index out of range%s", "", 0);
		return NULL;
	}
	if (a->ch[idx])
		return a->ch[idx];
	c = xcalloc(1, sizeof *c);
	buf_init(&c->content, 0);
	buf_init(&c->reasoning, 0);
	buf_init(&c->refusal, 0);
	buf_init(&c->fc_args, 0);
	c->cur_call = -1;
	c->msg_rest = jv_object();
	c->choice_rest = jv_object();
	c->logprobs = jv_null();
	c->cand_rest = jv_object();
	c->ollama_calls = jv_invalid();
	a->ch[idx] = c;
	if (idx + 1 > a->nchoices)
		a->nchoices = (int)idx + 1;
	return c;
}

static struct tcall *
call_at(struct acc *a, struct choice *c, long long idx)
{
	struct tcall *t;

	if (idx < 0 || idx >= MAX_CALLS) {
		fail(a, ACC_ERR_INDEX, "tool-call index out of range%s", "", 0);
		return NULL;
	}
	if (idx >= c->capcalls) {
		int cap = c->capcalls ? c->capcalls : 4;

		while (cap <= idx)
			cap *= 2;
		c->calls = xrealloc(c->calls, (size_t)cap * sizeof *c->calls);
		memset(c->calls + c->capcalls, 0,
		    (size_t)(cap - c->capcalls) * sizeof *c->calls);
		c->capcalls = cap;
	}
	t = &c->calls[idx];
	if (!t->seen) {
		t->seen = 1;
		buf_init(&t->args, 0);
		t->extra = jv_invalid();
	}
	if (idx + 1 > c->ncalls)
		c->ncalls = (int)idx + 1;
	return t;
}

static void
complete_calls(struct acc *a, struct choice *c)
{
	int i;

	for (i = 0; i < c->ncalls; i++)
		if (c->calls[i].seen && !c->calls[i].complete) {
			c->calls[i].complete = 1;
			a->calls_dirty = 1;
		}
}

/* switch_complete: the next call started, so t is complete, if its
 * arguments are already a whole JSON text (with interleaved or header-first
 * fragments they are not yet; such calls complete when the choice ends). */
static void
switch_complete(struct acc *a, struct tcall *t)
{
	jv v;

	if (t->complete || t->args.len == 0)
		return;
	v = jvx_parse(t->args.p, t->args.len);
	if (jv_is_valid(v)) {
		t->complete = 1;
		a->calls_dirty = 1;
	}
	jv_free(v);
}

/* ------------------------------------------------------------ surrogates */

/*
 * A server that cuts UTF-16 text between the two halves of a surrogate
 * pair sends "a\ud83d" in one chunk and "\ude00b" in the next: valid JSON
 * each, and JavaScript's string concatenation (the SDK accumulators)
 * rejoins them. jq 1.6 rejects a lone high half and reads a lone low half
 * as U+FFFD, so before parsing, each lone half escape is rewritten to a
 * sentinel that survives jv: the UTF-8 of the Supplementary Private Use
 * code point U+10F800 + (half - 0xD800) (F4 8F A0-BF 80-BF). Assembled
 * buffers keep sentinels as they come, so two fragments' halves end up
 * side by side; every output resolves them (sent_resolve): a high
 * sentinel followed by a low one becomes the real character, any other
 * becomes U+FFFD. Streamed deltas are resolved per key (kind, choice,
 * call): a trailing high half is held back until the next fragment of the
 * same key, the choice's finish, the terminal event or an error.
 */
#define SENT_BASE 0x10F800L

static int
sent_at(const unsigned char *p, size_t n)
{
	if (n < 4 || p[0] != 0xF4 || p[1] != 0x8F || p[2] < 0xA0 ||
	    p[2] > 0xBF || p[3] < 0x80 || p[3] > 0xBF)
		return 0;
	return 0xD800 + (((p[2] & 0x3F) - 0x20) << 6 | (p[3] & 0x3F));
}

static void
sent_put(char *o, long c)
{
	o[0] = (char)(0xF0 | (c >> 18));
	o[1] = (char)(0x80 | ((c >> 12) & 0x3F));
	o[2] = (char)(0x80 | ((c >> 6) & 0x3F));
	o[3] = (char)(0x80 | (c & 0x3F));
}

static int
hex4(const char *p)
{
	int i, v = 0;

	for (i = 0; i < 4; i++) {
		char c = p[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
			v |= (c | 0x20) - 'a' + 10;
		else
			return -1;
	}
	return v;
}

/* sent_rewrite: a copy of s[0..n) with every lone surrogate escape (a
 * high half not followed by a low-half escape, a low half not preceded by
 * a high one) replaced by its sentinel, its length in *len; NULL when
 * there is none (a memmem gates the scan). */
static char *
sent_rewrite(const char *s, size_t n, size_t *len)
{
	char *c = NULL, *o = NULL;
	size_t i, from = 0;
	int v, w;

	if (memmem(s, n, "\\ud", 3) == NULL && memmem(s, n, "\\uD", 3) == NULL)
		return NULL;
	for (i = 0; i + 1 < n; i++) {
		if (s[i] != '\\')
			continue;
		if (s[i + 1] != 'u' || i + 6 > n) {
			i++;
			continue;
		}
		v = hex4(s + i + 2);
		if (v < 0xd800 || v > 0xdfff) {
			i += 5;
			continue;
		}
		if (v <= 0xdbff) {
			w = i + 12 <= n && s[i + 6] == '\\' &&
			    s[i + 7] == 'u' ? hex4(s + i + 8) : -1;
			if (w >= 0xdc00 && w <= 0xdfff) {
				i += 11;
				continue;
			}
		}
		if (c == NULL)
			o = c = xmalloc(n + 1);
		memcpy(o, s + from, i - from);
		o += i - from;
		sent_put(o, SENT_BASE + (v - 0xD800));
		o += 4;
		from = i + 6;
		i += 5;
	}
	if (c == NULL)
		return NULL;
	memcpy(o, s + from, n - from);
	o += n - from;
	*o = '\0';
	*len = (size_t)(o - c);
	return c;
}

/* sent_resolve appends p[0..n) to out with its sentinels resolved. *pend
 * (when not NULL) is a high half held from the previous fragment of the
 * same key (0: none); with hold set, a high half that ends p is held
 * there instead of written as U+FFFD. -1 when out is full. */
static int
sent_resolve(struct buf *out, const char *p, size_t n, int *pend, int hold)
{
	const unsigned char *u = (const unsigned char *)p;
	const unsigned char *q;
	size_t i = 0, k;
	int h, l;
	char ch[4];

	if (pend && *pend) {
		h = *pend;
		*pend = 0;
		if ((l = sent_at(u, n)) >= 0xDC00) {
			sent_put(ch, 0x10000 + ((long)(h - 0xD800) << 10) +
			    (l - 0xDC00));
			if (buf_append(out, ch, 4) == -1)
				return -1;
			i = 4;
		} else if (buf_append(out, "\xEF\xBF\xBD", 3) == -1)
			return -1;
	}
	while (i < n) {
		q = memchr(u + i, 0xF4, n - i);
		k = q ? (size_t)(q - u) : n;
		if (buf_append(out, p + i, k - i) == -1)
			return -1;
		if ((i = k) >= n)
			break;
		if ((h = sent_at(u + i, n - i)) == 0) {
			if (buf_append(out, p + i, 1) == -1)
				return -1;
			i++;
			continue;
		}
		if (h < 0xDC00 && (l = sent_at(u + i + 4, n - i - 4)) >= 0xDC00) {
			sent_put(ch, 0x10000 + ((long)(h - 0xD800) << 10) +
			    (l - 0xDC00));
			if (buf_append(out, ch, 4) == -1)
				return -1;
			i += 8;
			continue;
		}
		i += 4;
		if (h < 0xDC00 && i == n && hold && pend) {
			*pend = h;
			break;
		}
		if (buf_append(out, "\xEF\xBF\xBD", 3) == -1)
			return -1;
	}
	return 0;
}

/* sent_jv: v with the sentinels of every string resolved (consumed). */
static jv
sent_jv(jv v)
{
	struct buf b;
	jv r;
	int i, n;

	switch (jv_get_kind(v)) {
	case JV_KIND_STRING:
		if (memmem(jv_string_value(v), (size_t)jv_string_length_bytes(
		    jv_copy(v)), "\xF4\x8F", 2) == NULL)
			return v;
		buf_init(&b, 0);
		if (sent_resolve(&b, jv_string_value(v),
		    (size_t)jv_string_length_bytes(jv_copy(v)), NULL, 0) == -1) {
			buf_free(&b);
			return v;
		}
		r = jv_string_sized(b.p ? b.p : "", (int)b.len);
		buf_free(&b);
		jv_free(v);
		return r;
	case JV_KIND_ARRAY:
		n = jv_array_length(jv_copy(v));
		for (i = 0; i < n; i++)
			v = jv_array_set(v, i, sent_jv(jv_array_get(jv_copy(v),
			    i)));
		return v;
	case JV_KIND_OBJECT:
		r = jv_object();
		jv_object_foreach(v, key, val)
			r = jv_object_set(r, sent_jv(key), sent_jv(val));
		jv_free(v);
		return r;
	default:
		return v;
	}
}

/* ----------------------------------------------------------------- emit */

/* emit folds one normalized delta into the normalized message and hands
 * it to the callback. Returns 0, or an ACC_ERR_* from the fold. */
/* sent_str: s (NUL-terminated, n bytes) with its sentinels resolved, in
 * b when it has any. */
static const char *
sent_str(struct buf *b, const char *s, size_t n, size_t *len)
{
	if (len)
		*len = n;
	if (s == NULL || memmem(s, n, "\xF4\x8F", 2) == NULL)
		return s;
	buf_reset(b);
	if (sent_resolve(b, s, n, NULL, 0) == -1 || buf_putc(b, 0) == -1)
		return s;
	b->len--;
	if (len)
		*len = b->len;
	return b->p;
}

/* sent_flush hands the callback a U+FFFD for each high half held back in
 * choice ci (all choices when ci < 0). */
static void
sent_flush(struct acc *a, int ci)
{
	struct delta e;
	struct choice *c;
	int i, k;

	for (i = ci < 0 ? 0 : ci; i < (ci < 0 ? a->nchoices : ci + 1); i++) {
		if (i >= MAX_CHOICES || (c = a->ch[i]) == NULL)
			continue;
		memset(&e, 0, sizeof e);
		e.choice = i;
		e.text = "\xEF\xBF\xBD";
		e.len = 3;
		for (k = 0; k < 3; k++)
			if (c->pend[k]) {
				c->pend[k] = 0;
				e.kind = (enum delta_kind)k;
				if (a->cb && a->cbrc == 0)
					a->cbrc = a->cb(a->ctx, &e);
			}
		e.kind = DELTA_TOOL_CALL;
		for (k = 0; k < c->ncalls; k++)
			if (c->calls[k].pend) {
				c->calls[k].pend = 0;
				e.call = k;
				if (a->cb && a->cbrc == 0)
					a->cbrc = a->cb(a->ctx, &e);
			}
	}
}

static int
emit(struct acc *a, struct delta *d)
{
	struct choice *c = NULL;
	struct tcall *t = NULL;
	struct delta e;
	int i, *pend = NULL;

	if (a->sent) {
		/* names, ids, reasons and messages: resolved before they are
		 * kept (text-like fragments are kept as they come) */
		if (d->id)
			d->id = sent_str(&a->s_id, d->id, strlen(d->id), NULL);
		if (d->name)
			d->name = sent_str(&a->s_name, d->name,
			    strlen(d->name), NULL);
		if (d->text && (d->kind == DELTA_FINISH ||
		    d->kind == DELTA_ERROR))
			d->text = sent_str(&a->s_text, d->text, d->len,
			    &d->len);
	}
	if (d->kind <= DELTA_FINISH && d->kind != DELTA_USAGE) {
		if ((c = choice_at(a, d->choice)) == NULL)
			return a->fail;
		c->seen = 1;
	}
	switch (d->kind) {
	case DELTA_TEXT:
		if (app_text(a, &c->content, d->text, d->len))
			return a->fail;
		c->has_content = 1;
		break;
	case DELTA_REASONING:
		if (app_text(a, &c->reasoning, d->text, d->len))
			return a->fail;
		c->has_reasoning = 1;
		break;
	case DELTA_REFUSAL:
		if (app_text(a, &c->refusal, d->text, d->len))
			return a->fail;
		c->has_refusal = 1;
		break;
	case DELTA_TOOL_CALL:
		/* A fragment of an earlier call after another one started:
		 * the calls are interleaved, so "the next index starts" no
		 * longer tells that a call is complete. */
		if (c->cur_call >= 0 && d->call != c->cur_call &&
		    d->call < c->ncalls && c->calls[d->call].seen)
			c->interleaved = 1;
		if ((t = call_at(a, c, d->call)) == NULL)
			return a->fail;
		if (c->cur_call != d->call && c->cur_call >= 0 &&
		    c->cur_call < c->ncalls && !c->interleaved)
			switch_complete(a, &c->calls[c->cur_call]);
		c->cur_call = d->call;
		if (d->id && *d->id && t->id && strcmp(t->id, d->id) != 0 &&
		    !a->soft) {
			/* The SDKs let the new id and name replace the old
			 * ones and join the arguments: folded the same way,
			 * but an error. */
			snprintf(a->soft_msg, sizeof a->soft_msg,
			    "tool-call index %d collides: call %.200s, then "
			    "call %.200s", d->call, t->id, d->id);
			a->soft = ACC_ERR_INDEX;
		}
		if (d->text && d->len && t->reported && !a->soft) {
			snprintf(a->soft_msg, sizeof a->soft_msg,
			    "tool call %.200s: arguments arrived after it "
			    "was complete",
			    t->id ? t->id : t->name ? t->name : "(no id)");
			a->soft = ACC_ERR_INDEX;
		}
		if (d->id && *d->id)
			setstr(&t->id, d->id, strlen(d->id));
		/* A repeated name (Kimi) replaces, never appends. */
		if (d->name && *d->name)
			setstr(&t->name, d->name, strlen(d->name));
		if (d->text && app(a, &t->args, d->text, d->len))
			return a->fail;
		break;
	case DELTA_FINISH:
		if (d->text && *d->text) {
			setstr(&c->finish, d->text, d->len);
			complete_calls(a, c);
		}
		break;
	case DELTA_USAGE:
		/* Cumulative everywhere: the latest report replaces. */
		a->u_in = d->input_tokens;
		a->u_out = d->output_tokens;
		a->u_reason = d->reasoning_tokens;
		a->u_cached = d->cached_tokens;
		a->has_usage = 1;
		break;
	case DELTA_ERROR:
		if (a->perr)
			return 0; /* one error per stream (Responses sends two) */
		a->perr = xmalloc(strlen(d->name) + d->len + 3);
		sprintf(a->perr, "%s: %.*s", d->name, (int)d->len, d->text);
		a->st = ACC_ERROR;
		break;
	case DELTA_DONE:
		if (a->st != ACC_ERROR)
			a->st = ACC_COMPLETE;
		for (i = 0; i < a->nchoices; i++)
			if (a->ch[i])
				complete_calls(a, a->ch[i]);
		break;
	}
	if ((d->kind <= DELTA_TOOL_CALL && d->len > 0))
		a->tokens++;
	a->ev_ndeltas++;
	a->ev_kind = d->kind;
	a->ev_choice = d->choice;
	a->ev_text = d->text;
	a->ev_len = d->len;
	if (a->cb == NULL || a->cbrc)
		return 0;
	e = *d;
	if (a->sent) {
		if (d->kind <= DELTA_REFUSAL)
			pend = &c->pend[d->kind];
		else if (d->kind == DELTA_TOOL_CALL)
			pend = &t->pend;
		if (pend && d->len) {
			buf_reset(&a->s_text);
			if (sent_resolve(&a->s_text, d->text ? d->text : "",
			    d->len, pend, 1) == -1)
				return fail(a, ACC_ERR_TOO_BIG,
				    "assembled message over the size cap%s", "",
				    0);
			e.text = a->s_text.p;
			e.len = a->s_text.len;
			/* only a held-back half: nothing to hand on yet */
			if (e.len == 0 && d->len && (d->kind != DELTA_TOOL_CALL ||
			    (e.id == NULL && e.name == NULL)))
				return 0;
		}
		if (d->kind == DELTA_FINISH)
			sent_flush(a, d->choice);
		else if (d->kind == DELTA_DONE || d->kind == DELTA_ERROR)
			sent_flush(a, -1);
		if (a->cbrc)
			return 0;
	}
	a->cbrc = a->cb(a->ctx, &e);
	return 0;
}

static int
emit_text(struct acc *a, enum delta_kind k, int choice, const char *s,
    size_t n)
{
	struct delta d;

	if (s == NULL || n == 0)
		return 0;
	memset(&d, 0, sizeof d);
	d.kind = k;
	d.choice = choice;
	d.text = s;
	d.len = n;
	return emit(a, &d);
}

static int
emit_call(struct acc *a, int choice, int call, const char *id,
    const char *name, const char *args, size_t len)
{
	struct delta d;

	memset(&d, 0, sizeof d);
	d.kind = DELTA_TOOL_CALL;
	d.choice = choice;
	d.call = call;
	d.id = id;
	d.name = name;
	d.text = args;
	d.len = args ? len : 0;
	return emit(a, &d);
}

static int
emit_finish(struct acc *a, int choice, const char *norm, const char *raw,
    size_t rawlen)
{
	struct delta d;
	struct choice *c;

	if (norm == NULL || *norm == 0)
		return 0;
	if ((c = choice_at(a, choice)) == NULL)
		return a->fail;
	if (raw)
		setstr(&c->finish_raw, raw, rawlen);
	memset(&d, 0, sizeof d);
	d.kind = DELTA_FINISH;
	d.choice = choice;
	d.text = norm;
	d.len = strlen(norm);
	return emit(a, &d);
}

static int
emit_usage(struct acc *a, long long in, long long out, long long reason,
    long long cached)
{
	struct delta d;

	memset(&d, 0, sizeof d);
	d.kind = DELTA_USAGE;
	d.input_tokens = in;
	d.output_tokens = out;
	d.reasoning_tokens = reason;
	d.cached_tokens = cached;
	return emit(a, &d);
}

static int
emit_simple(struct acc *a, enum delta_kind k)
{
	struct delta d;

	memset(&d, 0, sizeof d);
	d.kind = k;
	return emit(a, &d);
}

/* emit_error reports an error object ({"type"|"code"|"status",
 * "message"}) or string. */
static int
emit_error(struct acc *a, jv e)
{
	struct delta d;
	char tbuf[64];
	const char *type = NULL, *msg = NULL;
	size_t mlen = 0;
	jv dump = jv_invalid();
	int rc;

	memset(&d, 0, sizeof d);
	d.kind = DELTA_ERROR;
	if (jv_get_kind(e) == JV_KIND_STRING) {
		msg = jvx_str(e, &mlen);
	} else if (jv_get_kind(e) == JV_KIND_OBJECT) {
		type = nestr(e, "type", NULL);
		if (type == NULL)
			type = nestr(e, "status", NULL);
		if (type == NULL)
			type = nestr(e, "code", NULL);
		if (type == NULL && kind(e, "code") == JV_KIND_NUMBER) {
			snprintf(tbuf, sizeof tbuf, "%lld", num(e, "code"));
			type = tbuf;
		}
		msg = str(e, "message", &mlen);
		if (msg == NULL) {
			dump = jv_dump_string(jv_copy(e), 0);
			msg = jvx_str(dump, &mlen);
		}
	}
	d.name = type ? type : "error";
	d.text = msg ? msg : "";
	d.len = msg ? mlen : 0;
	rc = emit(a, &d);
	jv_free(dump);
	return rc;
}

static void
set_meta(struct acc *a, const char *id, const char *model)
{
	if (id && *id && !streq(a->id, id))
		setstr(&a->id, id, strlen(id));
	if (model && *model && !streq(a->model, model))
		setstr(&a->model, model, strlen(model));
}

/* -------------------------------------------------------------- detect */

static int
ev_type_is(const struct ev *ev, const char *want)
{
	size_t n = strlen(want);

	return ev->type && ev->type_len == n && memcmp(ev->type, want, n) == 0;
}

static enum dialect
detect(const struct ev *ev, jv j)
{
	char type[64];
	const char *dt;
	size_t n = ev->type_len < sizeof type - 1 ? ev->type_len :
	    sizeof type - 1;

	memcpy(type, ev->type ? ev->type : "", n);
	type[n] = 0;
	dt = str(j, "type", NULL);
	if (prefix(type, "response.") || prefix(dt, "response."))
		return DIALECT_OPENAI_RESPONSES;
	if (streq(type, "message_start") || prefix(type, "content_block_") ||
	    streq(type, "ping") || streq(type, "message_delta") ||
	    streq(type, "message_stop") || streq(dt, "message_start") ||
	    prefix(dt, "content_block_") || streq(dt, "ping") ||
	    streq(dt, "message_delta") || streq(dt, "message_stop"))
		return DIALECT_ANTHROPIC;
	if (jv_get_kind(j) != JV_KIND_OBJECT)
		return DIALECT_AUTO;
	if (jv_object_has(jv_copy(j), jv_string("candidates")) ||
	    jv_object_has(jv_copy(j), jv_string("usageMetadata")))
		return DIALECT_GEMINI;
	if (jv_object_has(jv_copy(j), jv_string("done")) &&
	    jv_object_has(jv_copy(j), jv_string("model")) &&
	    (jv_object_has(jv_copy(j), jv_string("message")) ||
	    jv_object_has(jv_copy(j), jv_string("response"))))
		return DIALECT_OLLAMA;
	if (jv_object_has(jv_copy(j), jv_string("choices")) ||
	    streq(str(j, "object", NULL), "chat.completion.chunk"))
		return DIALECT_OPENAI_CHAT;
	return DIALECT_AUTO;
}

/* --------------------------------------------------------- openai chat */

static const char *
norm_openai_finish(const char *r)
{
	if (streq(r, "function_call"))
		return "tool_calls";
	return r;
}

static int
chat_usage(struct acc *a, jv u)
{
	if (jv_get_kind(u) != JV_KIND_OBJECT)
		return 0;
	return emit_usage(a, num(u, "prompt_tokens"),
	    num(u, "completion_tokens"),
	    num2(u, "completion_tokens_details", "reasoning_tokens"),
	    num2(u, "prompt_tokens_details", "cached_tokens"));
}

/* chat_content: delta.content as a string, or Magistral's array of
 * {type:thinking,thinking:[{type:text,text}]} / {type:text,text} blocks. */
static int
chat_content(struct acc *a, struct choice *c, int ci, jv content)
{
	int i, j, n, m;
	size_t len;
	const char *s;

	if (jv_get_kind(content) == JV_KIND_STRING) {
		s = jvx_str(content, &len);
		return emit_text(a, DELTA_TEXT, ci, s, len);
	}
	if (jv_get_kind(content) != JV_KIND_ARRAY)
		return 0;
	c->content_blocks = 1;
	n = jv_array_length(jv_copy(content));
	for (i = 0; i < n; i++) {
		jv b = jv_array_get(jv_copy(content), i);
		const char *bt = str(b, "type", NULL);
		int rc = 0;

		if (streq(bt, "text")) {
			s = str(b, "text", &len);
			rc = emit_text(a, DELTA_TEXT, ci, s, len);
		} else if (streq(bt, "thinking")) {
			jv th = jvx_get(b, "thinking");

			if (jv_get_kind(th) == JV_KIND_STRING) {
				s = jvx_str(th, &len);
				rc = emit_text(a, DELTA_REASONING, ci, s, len);
			} else if (jv_get_kind(th) == JV_KIND_ARRAY) {
				m = jv_array_length(jv_copy(th));
				for (j = 0; j < m && rc == 0; j++) {
					jv p = jv_array_get(jv_copy(th), j);

					s = str(p, "text", &len);
					rc = emit_text(a, DELTA_REASONING, ci,
					    s, len);
					jv_free(p);
				}
			}
			jv_free(th);
		}
		jv_free(b);
		if (rc)
			return rc;
	}
	return 0;
}

static int
chat_tool_calls(struct acc *a, struct choice *c, int ci, jv tcs)
{
	static const char *const known[] = { "index", "id", "type",
		"function", NULL };
	int i, n, rc;

	n = jv_array_length(jv_copy(tcs));
	for (i = 0; i < n; i++) {
		jv tc = jv_array_get(jv_copy(tcs), i);
		jv fn = jvx_get(tc, "function");
		jv argv = jvx_get(fn, "arguments");
		jv dump = jv_invalid();
		const char *id = nestr(tc, "id", NULL);
		const char *name = nestr(fn, "name", NULL);
		const char *args = NULL, *type;
		size_t alen = 0;
		long long idx;
		struct tcall *t;
		int k;

		if (jv_get_kind(argv) == JV_KIND_STRING)
			args = jvx_str(argv, &alen);
		else if (jv_get_kind(argv) != JV_KIND_NULL &&
		    jv_is_valid(argv)) {
			/* an object where a string belongs: keep it as JSON */
			dump = jv_dump_string(jv_copy(argv), 0);
			args = jvx_str(dump, &alen);
		}
		if (kind(tc, "index") != JV_KIND_NULL) {
			idx = index_of(tc, "index", 0);
		} else {
			/* Mistral omits index: same id continues a call, a new
			 * id starts one, no id continues the current one. */
			idx = c->cur_call >= 0 ? c->cur_call : 0;
			if (id) {
				idx = c->ncalls;
				for (k = 0; k < c->ncalls; k++)
					if (c->calls[k].seen &&
					    streq(c->calls[k].id, id))
						idx = k;
			}
		}
		rc = idx < 0 || idx >= MAX_CALLS ?
		    fail(a, ACC_ERR_INDEX, "tool-call index out of range%s",
		    "", 0) : emit_call(a, ci, (int)idx, id, name, args, alen);
		if (rc == 0 && (t = call_at(a, c, idx)) != NULL) {
			jv extra = without(tc, known);

			if ((type = nestr(tc, "type", NULL)) != NULL)
				setstr(&t->type, type, strlen(type));
			if (jv_object_length(jv_copy(extra)) > 0)
				t->extra = jv_is_valid(t->extra) ?
				    jv_object_merge(t->extra, extra) : extra;
			else
				jv_free(extra);
		}
		jv_free(dump);
		jv_free(argv);
		jv_free(fn);
		jv_free(tc);
		if (rc)
			return rc;
		if (a->fail)
			return a->fail;
	}
	return 0;
}

static int
chat_logprobs(struct choice *c, jv lp)
{
	static const char *const keys[] = { "content", "refusal", NULL };
	int i;

	if (jv_get_kind(lp) != JV_KIND_OBJECT)
		return 0;
	if (jv_get_kind(c->logprobs) != JV_KIND_OBJECT) {
		jv_free(c->logprobs);
		c->logprobs = jv_copy(lp);
		return 0;
	}
	c->logprobs = jv_object_merge(c->logprobs, without(lp, keys));
	for (i = 0; keys[i]; i++) {
		jv add = jvx_get(lp, keys[i]);
		jv have;

		if (jv_get_kind(add) != JV_KIND_ARRAY) {
			jv_free(add);
			continue;
		}
		have = jvx_get(c->logprobs, keys[i]);
		if (jv_get_kind(have) != JV_KIND_ARRAY) {
			jv_free(have);
			have = jv_array();
		} else
			/* the object lets go of the array (its key keeps its
			 * place), so the concatenation grows it in place
			 * instead of copying it for every chunk */
			c->logprobs = jv_object_set(c->logprobs,
			    jv_string(keys[i]), jv_null());
		have = jv_array_concat(have, add);
		c->logprobs = jv_object_set(c->logprobs, jv_string(keys[i]),
		    have);
	}
	return 0;
}

static int
chat_choice(struct acc *a, jv ch)
{
	static const char *const cknown[] = { "delta", "finish_reason",
		"index", "logprobs", NULL };
	static const char *const dknown[] = { "audio", "content", "refusal",
		"function_call", "role", "tool_calls", NULL };
	long long ci = index_of(ch, "index", 0);
	struct choice *c;
	jv delta, lp, v;
	const char *s, *fr;
	size_t n, frn = 0;
	int rc = 0;

	if ((c = choice_at(a, ci)) == NULL)
		return a->fail;
	c->seen = 1;
	lp = jvx_get(ch, "logprobs");
	chat_logprobs(c, lp);
	jv_free(lp);
	v = without(ch, cknown);
	c->choice_rest = jv_object_merge(c->choice_rest, v);
	delta = jvx_get(ch, "delta");
	if (jv_get_kind(delta) == JV_KIND_OBJECT) {
		if ((s = nestr(delta, "role", &n)) != NULL)
			setstr(&c->role, s, n);
		v = jvx_get(delta, "content");
		rc = chat_content(a, c, (int)ci, v);
		jv_free(v);
		if (rc == 0 && (s = str(delta, "reasoning_content", &n)) != NULL) {
			c->reasoning_keys |= 1;
			rc = emit_text(a, DELTA_REASONING, (int)ci, s, n);
		} else if (rc == 0 && (s = str(delta, "reasoning", &n)) != NULL) {
			c->reasoning_keys |= 2;
			rc = emit_text(a, DELTA_REASONING, (int)ci, s, n);
		}
		if (rc == 0 && (s = str(delta, "refusal", &n)) != NULL) {
			rc = emit_text(a, DELTA_REFUSAL, (int)ci, s, n);
		}
		v = jvx_get(delta, "function_call");
		if (rc == 0 && jv_get_kind(v) == JV_KIND_OBJECT) {
			/* legacy function_call: one call, also shown as call 0 */
			const char *name = nestr(v, "name", NULL);
			const char *args = str(v, "arguments", &n);

			c->has_fc = 1;
			if (name)
				setstr(&c->fc_name, name, strlen(name));
			if (args && app(a, &c->fc_args, args, n))
				rc = a->fail;
			if (rc == 0)
				rc = emit_call(a, (int)ci, 0, NULL, name, args,
				    args ? n : 0);
		}
		jv_free(v);
		v = jvx_get(delta, "tool_calls");
		if (rc == 0 && jv_get_kind(v) == JV_KIND_ARRAY)
			rc = chat_tool_calls(a, c, (int)ci, v);
		jv_free(v);
		if (rc == 0) {
			v = without(delta, dknown);
			if (jv_object_length(jv_copy(v)) > 0)
				c->msg_rest = jv_object_merge(c->msg_rest, v);
			else
				jv_free(v);
		}
	}
	jv_free(delta);
	if (rc == 0 && (fr = nestr(ch, "finish_reason", &frn)) != NULL)
		rc = emit_finish(a, (int)ci, norm_openai_finish(fr), fr, frn);
	return rc;
}

static int
chat_event(struct acc *a, struct ev *ev, jv j)
{
	static const char *const tknown[] = { "choices", NULL };
	jv choices, rest, e;
	int i, n, rc = 0;

	if (ev_is_done(ev))
		return emit_simple(a, DELTA_DONE);
	if (jv_get_kind(j) != JV_KIND_OBJECT)
		return 0;
	/* The SDK takes the first chunk whole, then later chunks' fields
	 * when they have an id (Azure's first chunk has id ""). */
	rest = without(j, tknown);
	if (!jv_is_valid(a->top)) {
		a->top = rest;
	} else if (nestr(j, "id", NULL)) {
		a->top = jv_object_merge(a->top, rest);
	} else
		jv_free(rest);
	set_meta(a, nestr(j, "id", NULL), nestr(j, "model", NULL));
	e = jvx_get(j, "error");
	if (jv_get_kind(e) != JV_KIND_NULL)
		rc = emit_error(a, e);
	jv_free(e);
	choices = jvx_get(j, "choices");
	if (jv_get_kind(choices) == JV_KIND_ARRAY) {
		n = jv_array_length(jv_copy(choices));
		for (i = 0; i < n && rc == 0; i++) {
			jv ch = jv_array_get(jv_copy(choices), i);

			rc = chat_choice(a, ch);
			jv_free(ch);
		}
	}
	jv_free(choices);
	if (rc == 0) {
		e = jvx_get(j, "usage");
		if (jv_get_kind(e) != JV_KIND_OBJECT) {
			jv x = jvx_get(j, "x_groq");

			jv_free(e);
			e = jvx_get(x, "usage");
			jv_free(x);
		}
		rc = chat_usage(a, e);
		jv_free(e);
	}
	return rc;
}

static jv
chat_native(const struct acc *a)
{
	static const char *const tdrop[] = { "id", "choices", "created",
		"model", "system_fingerprint", "object", NULL };
	jv top = jv_is_valid(a->top) ? jv_copy(a->top) : jv_object();
	jv out = without(top, tdrop), choices = jv_array();
	const char *fp;
	int i, k;

	if (jv_object_has(jv_copy(top), jv_string("id")))
		out = jv_object_set(out, jv_string("id"), jvx_get(top, "id"));
	for (i = 0; i < a->nchoices; i++) {
		const struct choice *c = a->ch[i];
		jv ch, msg;

		if (c == NULL || !c->seen)
			continue;
		if (c->has_fc) {
			msg = jv_object();
		} else {
			msg = jv_copy(c->msg_rest);
			/* The SDK keeps only the last value of fields it does not
			 * know; reasoning is assembled in full, as the provider's
			 * non-streaming body has it. */
			if (c->reasoning_keys & 1)
				msg = jv_object_set(msg,
				    jv_string("reasoning_content"),
				    c->has_reasoning ? jstr(&c->reasoning) :
				    jv_null());
			if (c->reasoning_keys & 2)
				msg = jv_object_set(msg, jv_string("reasoning"),
				    c->has_reasoning ? jstr(&c->reasoning) :
				    jv_null());
		}
		msg = jv_object_set(msg, jv_string("role"),
		    jv_string(c->role ? c->role : "assistant"));
		if (c->content_blocks) {
			jv arr = jv_array();

			if (c->has_reasoning)
				arr = jv_array_append(arr, JV_OBJECT(
				    jv_string("type"), jv_string("thinking"),
				    jv_string("thinking"), JV_ARRAY(JV_OBJECT(
				    jv_string("type"), jv_string("text"),
				    jv_string("text"), jstr(&c->reasoning)))));
			if (c->has_content)
				arr = jv_array_append(arr, JV_OBJECT(
				    jv_string("type"), jv_string("text"),
				    jv_string("text"), jstr(&c->content)));
			msg = jv_object_set(msg, jv_string("content"), arr);
		} else
			msg = jv_object_set(msg, jv_string("content"),
			    c->has_content ? jstr(&c->content) : jv_null());
		msg = jv_object_set(msg, jv_string("refusal"),
		    c->has_refusal ? jstr(&c->refusal) : jv_null());
		if (c->has_fc) {
			msg = jv_object_set(msg, jv_string("function_call"),
			    JV_OBJECT(jv_string("arguments"), jstr(&c->fc_args),
			    jv_string("name"), jcstr(c->fc_name ? c->fc_name :
			    "")));
		} else if (c->ncalls > 0) {
			jv tcs = jv_array();

			for (k = 0; k < c->ncalls; k++) {
				const struct tcall *t = &c->calls[k];
				jv tc;

				if (!t->seen)
					continue;
				tc = jv_is_valid(t->extra) ? jv_copy(t->extra) :
				    jv_object();
				tc = jv_object_set(tc, jv_string("id"),
				    jcstr(t->id));
				tc = jv_object_set(tc, jv_string("type"),
				    jv_string(t->type ? t->type : "function"));
				tc = jv_object_set(tc, jv_string("function"),
				    JV_OBJECT(jv_string("name"),
				    jv_string(t->name ? t->name : ""),
				    jv_string("arguments"), jstr(&t->args)));
				tcs = jv_array_append(tcs, tc);
			}
			msg = jv_object_set(msg, jv_string("tool_calls"), tcs);
		}
		ch = jv_copy(c->choice_rest);
		ch = jv_object_set(ch, jv_string("index"), jv_number(i));
		ch = jv_object_set(ch, jv_string("message"), msg);
		ch = jv_object_set(ch, jv_string("finish_reason"),
		    jcstr(c->finish_raw));
		ch = jv_object_set(ch, jv_string("logprobs"),
		    jv_copy(c->logprobs));
		choices = jv_array_append(choices, ch);
	}
	out = jv_object_set(out, jv_string("choices"), choices);
	if (jv_object_has(jv_copy(top), jv_string("created")))
		out = jv_object_set(out, jv_string("created"),
		    jvx_get(top, "created"));
	if (jv_object_has(jv_copy(top), jv_string("model")))
		out = jv_object_set(out, jv_string("model"),
		    jvx_get(top, "model"));
	out = jv_object_set(out, jv_string("object"),
	    jv_string("chat.completion"));
	if ((fp = nestr(top, "system_fingerprint", NULL)) != NULL)
		out = jv_object_set(out, jv_string("system_fingerprint"),
		    jv_string(fp));
	jv_free(top);
	return out;
}

/* ------------------------------------------------------ openai responses */

static const char *
item_field(const char *type)
{
	if (streq(type, "function_call") || streq(type, "mcp_call"))
		return "arguments";
	if (streq(type, "custom_tool_call"))
		return "input";
	if (streq(type, "code_interpreter_call"))
		return "code";
	return NULL;
}

static const char *
part_field(const char *type)
{
	if (streq(type, "refusal"))
		return "refusal";
	if (streq(type, "output_text") || streq(type, "reasoning_text") ||
	    streq(type, "summary_text"))
		return "text";
	return NULL;
}

/* parts_load fills (*arr, *n, *cap) from a JSON array of parts. */
static int
parts_load(struct acc *a, jv arr, struct slot **p, int *n, int *cap)
{
	int i, len = jv_array_length(jv_copy(arr));

	for (i = 0; i < len && i < MAX_ITEMS; i++) {
		jv part = jv_array_get(jv_copy(arr), i);
		const char *f = part_field(str(part, "type", NULL));

		*p = grow(*p, *n, cap, sizeof **p);
		if (slot_set(a, &(*p)[(*n)++], part, f))
			return a->fail;
	}
	return 0;
}

/* item_load takes an output item (consumed) into slot s. */
static int
item_load(struct acc *a, struct slot *s, jv item)
{
	static const char *const arrays[] = { "content", "summary", NULL };
	jv content = jvx_get(item, "content"), summary = jvx_get(item, "summary");
	/* an item that is no object (absent, hostile) loads as {} */
	int rc = slot_set(a, s, without(item, arrays),
	    item_field(str(item, "type", NULL)));

	if (rc == 0 && jv_get_kind(content) == JV_KIND_ARRAY) {
		s->has_content = 1;
		rc = parts_load(a, content, &s->content, &s->ncontent,
		    &s->capcontent);
	} else if (rc == 0 && jv_get_kind(item) == JV_KIND_OBJECT &&
	    jv_object_has(jv_copy(item), jv_string("content")))
		s->obj = jv_object_set(s->obj, jv_string("content"),
		    jv_copy(content));
	if (rc == 0 && jv_get_kind(summary) == JV_KIND_ARRAY) {
		s->has_summary = 1;
		rc = parts_load(a, summary, &s->summary, &s->nsummary,
		    &s->capsummary);
	}
	jv_free(content);
	jv_free(summary);
	jv_free(item);
	return rc;
}

static jv
item_jv(const struct slot *s)
{
	jv o = slot_jv(s), arr;
	int i;

	if (s->has_content) {
		arr = jv_array();
		for (i = 0; i < s->ncontent; i++)
			arr = jv_array_append(arr, slot_jv(&s->content[i]));
		o = jv_object_set(o, jv_string("content"), arr);
	}
	if (s->has_summary) {
		arr = jv_array();
		for (i = 0; i < s->nsummary; i++)
			arr = jv_array_append(arr, slot_jv(&s->summary[i]));
		o = jv_object_set(o, jv_string("summary"), arr);
	}
	return o;
}

static void
items_clear(struct acc *a)
{
	int i;

	for (i = 0; i < a->nitems; i++)
		slot_free(&a->items[i]);
	a->nitems = 0;
}

/* resp_item_call: give a function_call item its normalized tool call
 * (once), and send its arguments when no delta sent them. */
static int
resp_item_call(struct acc *a, struct slot *s, int done)
{
	struct choice *c;
	const char *id, *name;

	if (!streq(str(s->obj, "type", NULL), "function_call"))
		return 0;
	if ((c = choice_at(a, 0)) == NULL)
		return a->fail;
	id = nestr(s->obj, "call_id", NULL);
	name = nestr(s->obj, "name", NULL);
	if (s->call < 0) {
		s->call = c->ncalls;
		if (emit_call(a, 0, s->call, id, name, NULL, 0))
			return a->fail;
	}
	if (s->call < c->ncalls && c->calls[s->call].args.len == 0 &&
	    s->text.len)
		if (emit_call(a, 0, s->call, id, name, s->text.p, s->text.len))
			return a->fail;
	if (done && s->call < c->ncalls && !c->calls[s->call].complete) {
		c->calls[s->call].complete = 1;
		a->calls_dirty = 1;
	}
	return 0;
}

static int
resp_lifecycle(struct acc *a, jv r, int done)
{
	jv out = jvx_get(r, "output");
	int i, n, *calls = NULL, ncalls = a->nitems;
	int rc = 0;

	if (jv_get_kind(r) != JV_KIND_OBJECT) {
		jv_free(out);
		return 0;
	}
	/* The SDK replaces its snapshot with the event's response. */
	calls = xcalloc((size_t)ncalls + 1, sizeof *calls);
	for (i = 0; i < ncalls; i++)
		calls[i] = a->items[i].call;
	items_clear(a);
	jv_free(a->top);
	a->top = jv_copy(r);
	a->ot_stale = 0;
	set_meta(a, nestr(r, "id", NULL), nestr(r, "model", NULL));
	n = jv_get_kind(out) == JV_KIND_ARRAY ? jv_array_length(jv_copy(out)) :
	    0;
	for (i = 0; i < n && i < MAX_ITEMS && rc == 0; i++) {
		a->items = grow(a->items, a->nitems, &a->capitems,
		    sizeof *a->items);
		rc = item_load(a, &a->items[a->nitems],
		    jv_array_get(jv_copy(out), i));
		a->nitems++;
		if (i < ncalls)
			a->items[i].call = calls[i];
		if (rc == 0)
			rc = resp_item_call(a, &a->items[i], done);
	}
	free(calls);
	jv_free(out);
	return rc;
}

static int
resp_usage(struct acc *a, jv r)
{
	jv u = jvx_get(r, "usage");
	int rc = 0;

	if (jv_get_kind(u) == JV_KIND_OBJECT)
		rc = emit_usage(a, num(u, "input_tokens"),
		    num(u, "output_tokens"),
		    num2(u, "output_tokens_details", "reasoning_tokens"),
		    num2(u, "input_tokens_details", "cached_tokens"));
	jv_free(u);
	return rc;
}

static struct slot *
resp_item(struct acc *a, jv j)
{
	long long i = index_of(j, "output_index", -1);

	return i >= 0 && i < a->nitems ? &a->items[i] : NULL;
}

static struct slot *
resp_part(struct slot *it, jv j, const char *key, int summary)
{
	long long i = index_of(j, key, -1);

	if (it == NULL)
		return NULL;
	if (summary)
		return i >= 0 && i < it->nsummary ? &it->summary[i] : NULL;
	return i >= 0 && i < it->ncontent ? &it->content[i] : NULL;
}

/* part_slot: the content (or summary) part slot a *_part.added or
 * *_part.done event of item it names: a new one when added, else the
 * indexed one, emptied. NULL when there is none; a->fail is then set if
 * that is an error (too many parts). */
static struct slot *
part_slot(struct acc *a, struct slot *it, jv j, int added, int summary)
{
	struct slot **arr = summary ? &it->summary : &it->content;
	int *n = summary ? &it->nsummary : &it->ncontent;
	int *cap = summary ? &it->capsummary : &it->capcontent;
	struct slot *p;

	if (added) {
		if (*n >= MAX_ITEMS) {
			fail(a, ACC_ERR_INDEX, summary ?
			    "too many summary parts%s" :
			    "too many content parts%s", "", 0);
			return NULL;
		}
		if (summary)
			it->has_summary = 1;
		else
			it->has_content = 1;
		*arr = grow(*arr, *n, cap, sizeof **arr);
		return &(*arr)[(*n)++];
	}
	p = resp_part(it, j, summary ? "summary_index" : "content_index",
	    summary);
	if (p)
		slot_free(p);
	return p;
}

/* resp_text: a text delta (append) or done (replace) into a slot whose
 * object has type want. k: the normalized kind to emit, or -1. */
static int
resp_text(struct acc *a, struct slot *s, const char *want, jv j,
    const char *key, int replace, int k)
{
	size_t n;
	const char *t = str(j, key, &n);

	if (s == NULL || t == NULL || !streq(str(s->obj, "type", NULL), want))
		return 0;
	if (replace) {
		a->total -= s->text.len < a->total ? s->text.len : a->total;
		buf_reset(&s->text);
	}
	s->has_field = 1;
	if ((k == DELTA_TEXT || k == DELTA_REASONING || k == DELTA_REFUSAL ?
	    app_text(a, &s->text, t, n) : app(a, &s->text, t, n)))
		return a->fail;
	if (!replace && k >= 0)
		return emit_text(a, (enum delta_kind)k, 0, t, n);
	return 0;
}

static const char *
resp_type(const struct ev *ev, jv j, char *tmp, size_t size)
{
	const char *t = str(j, "type", NULL);
	size_t n;

	if (t)
		return t;
	n = ev->type_len < size - 1 ? ev->type_len : size - 1;
	if (ev->type == NULL)
		n = 0;
	else
		memcpy(tmp, ev->type, n);
	tmp[n] = 0;
	return tmp;
}

static int
resp_set_status(struct slot *s, const char *want, const char *status)
{
	if (s && streq(str(s->obj, "type", NULL), want))
		s->obj = jv_object_set(s->obj, jv_string("status"),
		    jv_string(status));
	return 0;
}

/* resp_orphan: a delta event t whose output item or part does not exist
 * (the SDK throws "missing output at index"): its text (j[key]) is still
 * written where it streams, kind k (-1: none), but it has no place in the
 * response: an index error. */
static int
resp_orphan(struct acc *a, jv j, const char *t, const char *key, int k)
{
	size_t n;
	const char *p = str(j, key, &n);
	int rc = 0;

	if (k >= 0 && p != NULL)
		rc = emit_text(a, (enum delta_kind)k, 0, p, n);
	return rc ? rc : fail(a, ACC_ERR_INDEX, "%s for an output item or "
	    "part that does not exist (index out of range)", t, 0);
}

static int
resp_event(struct acc *a, struct ev *ev, jv j)
{
	char tmp[128];
	const char *t;
	struct slot *it, *p;
	jv v;
	int rc = 0;

	if (ev_is_done(ev))
		return emit_simple(a, DELTA_DONE);
	if (jv_get_kind(j) != JV_KIND_OBJECT)
		return 0;
	t = resp_type(ev, j, tmp, sizeof tmp);
	it = resp_item(a, j);
	if (streq(t, "error")) {
		v = jvx_get(j, "error");
		if (jv_get_kind(v) != JV_KIND_OBJECT) {
			jv_free(v);
			v = JV_OBJECT(jv_string("code"), jvx_get(j, "code"),
			    jv_string("message"), jvx_get(j, "message"));
		}
		rc = emit_error(a, v);
		jv_free(v);
		return rc;
	}
	if (streq(t, "response.created") || streq(t, "response.queued") ||
	    streq(t, "response.in_progress") ||
	    streq(t, "response.completed") || streq(t, "response.failed") ||
	    streq(t, "response.incomplete")) {
		jv r = jvx_get(j, "response");
		int fin = !streq(t, "response.created") &&
		    !streq(t, "response.queued") &&
		    !streq(t, "response.in_progress");

		rc = resp_lifecycle(a, r, fin);
		if (rc == 0 && fin)
			rc = resp_usage(a, r);
		if (rc == 0 && streq(t, "response.completed")) {
			struct choice *c = choice_at(a, 0);

			rc = c == NULL ? a->fail : emit_finish(a, 0,
			    c->ncalls ? "tool_calls" : "stop", NULL, 0);
			if (rc == 0)
				rc = emit_simple(a, DELTA_DONE);
		} else if (rc == 0 && streq(t, "response.incomplete")) {
			jv d = jvx_get(r, "incomplete_details");
			const char *why = nestr(d, "reason", NULL);

			rc = emit_finish(a, 0, streq(why, "max_output_tokens") ?
			    "length" : why ? why : "incomplete", NULL, 0);
			jv_free(d);
			if (rc == 0)
				rc = emit_simple(a, DELTA_DONE);
		} else if (rc == 0 && streq(t, "response.failed")) {
			v = jvx_get(r, "error");
			if (jv_get_kind(v) == JV_KIND_NULL)
				v = JV_OBJECT(jv_string("code"),
				    jv_string("response_failed"),
				    jv_string("message"),
				    jv_string("response failed"));
			rc = emit_error(a, v);
			jv_free(v);
		}
		jv_free(r);
		return rc;
	}
	if (!jv_is_valid(a->top))
		a->top = JV_OBJECT(jv_string("output"), jv_array());
	/* The SDK recomputes output_text as output text changes. */
	if (strstr(t, "output_item") || strstr(t, "content_part") ||
	    strstr(t, "output_text"))
		a->ot_stale = 1;
	if (streq(t, "response.output_item.added") ||
	    streq(t, "response.output_item.done")) {
		int done = streq(t, "response.output_item.done");
		struct slot *s;
		int call = -1;

		/* a done without its item keeps what arrived; an added one
		 * still takes its output index, as an empty item */
		if (done && kind(j, "item") != JV_KIND_OBJECT)
			return 0;
		if (!done) {
			if (a->nitems >= MAX_ITEMS)
				return fail(a, ACC_ERR_INDEX,
				    "too many output items%s", "", 0);
			a->items = grow(a->items, a->nitems, &a->capitems,
			    sizeof *a->items);
			s = &a->items[a->nitems++];
		} else if ((s = it) == NULL)
			return 0;
		else {
			call = s->call;
			slot_free(s);
		}
		rc = item_load(a, s, jvx_get(j, "item"));
		s->call = call;
		if (rc == 0)
			rc = resp_item_call(a, s, done);
		return rc;
	}
	if (streq(t, "response.content_part.added") ||
	    streq(t, "response.content_part.done")) {
		jv part = jvx_get(j, "part");
		const char *pt = str(part, "type", NULL);
		const char *ot = it ? str(it->obj, "type", NULL) : NULL;
		int ok = (streq(ot, "message") && !streq(pt, "reasoning_text")) ||
		    (streq(ot, "reasoning") && streq(pt, "reasoning_text"));

		if (!ok) {
			jv_free(part);
			return 0;
		}
		p = part_slot(a, it, j, streq(t, "response.content_part.added"),
		    0);
		if (p == NULL) {
			jv_free(part);
			return a->fail;
		}
		return slot_set(a, p, part, part_field(pt));
	}
	if (streq(t, "response.reasoning_summary_part.added") ||
	    streq(t, "response.reasoning_summary_part.done")) {
		jv part = jvx_get(j, "part");

		if (it == NULL || !streq(str(it->obj, "type", NULL), "reasoning")) {
			jv_free(part);
			return 0;
		}
		p = part_slot(a, it, j,
		    streq(t, "response.reasoning_summary_part.added"), 1);
		if (p == NULL) {
			jv_free(part);
			return a->fail;
		}
		return slot_set(a, p, part, "text");
	}
	if (streq(t, "response.output_text.delta") ||
	    streq(t, "response.output_text.done")) {
		int done = streq(t, "response.output_text.done");

		if (!done && (it == NULL ||
		    (streq(str(it->obj, "type", NULL), "message") &&
		    resp_part(it, j, "content_index", 0) == NULL)))
			return resp_orphan(a, j, t, "delta", DELTA_TEXT);
		if (it == NULL || !streq(str(it->obj, "type", NULL), "message"))
			return 0;
		return resp_text(a, resp_part(it, j, "content_index", 0),
		    "output_text", j, done ? "text" : "delta", done, DELTA_TEXT);
	}
	if (streq(t, "response.refusal.delta") ||
	    streq(t, "response.refusal.done")) {
		int done = streq(t, "response.refusal.done");

		if (!done && (it == NULL ||
		    (streq(str(it->obj, "type", NULL), "message") &&
		    resp_part(it, j, "content_index", 0) == NULL)))
			return resp_orphan(a, j, t, "delta", DELTA_REFUSAL);
		if (it == NULL || !streq(str(it->obj, "type", NULL), "message"))
			return 0;
		return resp_text(a, resp_part(it, j, "content_index", 0),
		    "refusal", j, done ? "refusal" : "delta", done,
		    DELTA_REFUSAL);
	}
	if (streq(t, "response.reasoning_text.delta") ||
	    streq(t, "response.reasoning_text.done")) {
		int done = streq(t, "response.reasoning_text.done");

		if (!done && (it == NULL ||
		    (streq(str(it->obj, "type", NULL), "reasoning") &&
		    resp_part(it, j, "content_index", 0) == NULL)))
			return resp_orphan(a, j, t, "delta", DELTA_REASONING);
		if (it == NULL || !streq(str(it->obj, "type", NULL), "reasoning"))
			return 0;
		return resp_text(a, resp_part(it, j, "content_index", 0),
		    "reasoning_text", j, done ? "text" : "delta", done,
		    DELTA_REASONING);
	}
	if (streq(t, "response.reasoning_summary_text.delta") ||
	    streq(t, "response.reasoning_summary_text.done")) {
		int done = streq(t, "response.reasoning_summary_text.done");
		struct slot *sp;

		if (!done && (it == NULL ||
		    (streq(str(it->obj, "type", NULL), "reasoning") &&
		    resp_part(it, j, "summary_index", 1) == NULL)))
			return resp_orphan(a, j, t, "delta", DELTA_REASONING);
		if (it == NULL || !streq(str(it->obj, "type", NULL), "reasoning"))
			return 0;
		sp = resp_part(it, j, "summary_index", 1);
		if (sp == NULL)
			return 0;
		/* summary parts are typed summary_text */
		return resp_text(a, sp, str(sp->obj, "type", NULL), j,
		    done ? "text" : "delta", done, DELTA_REASONING);
	}
	if (streq(t, "response.output_text.annotation.added")) {
		long long ai = index_of(j, "annotation_index", -1);
		jv anns;

		p = it && streq(str(it->obj, "type", NULL), "message") ?
		    resp_part(it, j, "content_index", 0) : NULL;
		if (p == NULL || ai < 0 || ai >= MAX_ITEMS ||
		    !streq(str(p->obj, "type", NULL), "output_text"))
			return 0;
		anns = jvx_get(p->obj, "annotations");
		if (jv_get_kind(anns) != JV_KIND_ARRAY) {
			jv_free(anns);
			anns = jv_array();
		} else /* set in place, not copied (see chat_logprobs) */
			p->obj = jv_object_set(p->obj, jv_string("annotations"),
			    jv_null());
		anns = jv_array_set(anns, (int)ai, jvx_get(j, "annotation"));
		p->obj = jv_object_set(p->obj, jv_string("annotations"), anns);
		return 0;
	}
	if (streq(t, "response.function_call_arguments.delta") ||
	    streq(t, "response.function_call_arguments.done") ||
	    streq(t, "response.mcp_call_arguments.delta") ||
	    streq(t, "response.mcp_call_arguments.done") ||
	    streq(t, "response.custom_tool_call_input.delta") ||
	    streq(t, "response.custom_tool_call_input.done") ||
	    streq(t, "response.code_interpreter_call_code.delta") ||
	    streq(t, "response.code_interpreter_call_code.done")) {
		int done = strstr(t, ".done") != NULL;
		const char *want = prefix(t, "response.function_call") ?
		    "function_call" : prefix(t, "response.mcp") ? "mcp_call" :
		    prefix(t, "response.custom") ? "custom_tool_call" :
		    "code_interpreter_call";
		const char *key = done ? item_field(want) : "delta";
		size_t n;
		const char *d;

		if (!done && it == NULL)
			return resp_orphan(a, j, t, "delta", -1);
		rc = resp_text(a, it, want, j, key, done, -1);
		/* a delta for an item of another type carries nothing */
		if (rc == 0 && !done && streq(want, "function_call") &&
		    it != NULL && streq(str(it->obj, "type", NULL), want) &&
		    (d = str(j, "delta", &n)) != NULL) {
			if (it->call < 0)
				rc = resp_item_call(a, it, 0);
			if (rc == 0)
				rc = emit_call(a, 0, it->call, NULL, NULL, d, n);
		}
		return rc;
	}
	if (prefix(t, "response.") && (strstr(t, "_call.") != NULL)) {
		/* status events: in_progress, searching, completed, ... */
		const char *dot = strrchr(t, '.');
		char want[96];
		size_t n = (size_t)(dot - t) - 9;

		if (n >= sizeof want)
			return 0;
		memcpy(want, t + 9, n);
		want[n] = 0;
		return resp_set_status(it, want, dot + 1);
	}
	return 0;
}

static jv
resp_native(const struct acc *a)
{
	jv out = jv_is_valid(a->top) ? jv_copy(a->top) : jv_object();
	jv arr = jv_array(), ot;
	struct buf text;
	int i, k;

	buf_init(&text, 0);
	for (i = 0; i < a->nitems; i++) {
		const struct slot *s = &a->items[i];

		arr = jv_array_append(arr, item_jv(s));
		if (!streq(str(s->obj, "type", NULL), "message"))
			continue;
		for (k = 0; k < s->ncontent; k++)
			if (streq(str(s->content[k].obj, "type", NULL),
			    "output_text"))
				buf_append(&text, s->content[k].text.p,
				    s->content[k].text.len);
	}
	out = jv_object_set(out, jv_string("output"), arr);
	ot = jvx_get(out, "output_text");
	if (jv_get_kind(ot) != JV_KIND_STRING || a->ot_stale)
		out = jv_object_set(out, jv_string("output_text"), jstr(&text));
	jv_free(ot);
	buf_free(&text);
	return out;
}

/* ------------------------------------------------------------ anthropic */

static const char *
norm_anthropic_finish(const char *r)
{
	if (streq(r, "end_turn") || streq(r, "stop_sequence"))
		return "stop";
	if (streq(r, "max_tokens") ||
	    streq(r, "model_context_window_exceeded"))
		return "length";
	if (streq(r, "tool_use"))
		return "tool_calls";
	if (streq(r, "refusal"))
		return "content_filter";
	return r;
}

static const char *
block_field(const char *type)
{
	if (streq(type, "text"))
		return "text";
	if (streq(type, "thinking"))
		return "thinking";
	return NULL;
}

static int
anth_usage(struct acc *a)
{
	jv u = jvx_get(a->top, "usage");
	int rc = 0;

	if (jv_get_kind(u) == JV_KIND_OBJECT) {
		long long in = num(u, "input_tokens");

		rc = emit_usage(a, in, num(u, "output_tokens"), -1,
		    num(u, "cache_read_input_tokens"));
	}
	jv_free(u);
	return rc;
}

/* anth_block_start: take a content block (consumed) as the next slot. */
static int
anth_block_start(struct acc *a, jv block)
{
	const char *type = str(block, "type", NULL);
	struct slot *s;
	struct choice *c;
	int rc;

	if (a->nitems >= MAX_ITEMS) {
		jv_free(block);
		return fail(a, ACC_ERR_INDEX, "too many content blocks%s", "",
		    0);
	}
	a->items = grow(a->items, a->nitems, &a->capitems, sizeof *a->items);
	s = &a->items[a->nitems++];
	if ((rc = slot_set(a, s, block, block_field(type))) != 0)
		return rc;
	type = str(s->obj, "type", NULL);
	if (streq(type, "text"))
		return emit_text(a, DELTA_TEXT, 0, s->text.p, s->text.len);
	if (streq(type, "thinking"))
		return emit_text(a, DELTA_REASONING, 0, s->text.p, s->text.len);
	if (streq(type, "tool_use")) {
		if ((c = choice_at(a, 0)) == NULL)
			return a->fail;
		s->call = c->ncalls;
		return emit_call(a, 0, s->call, nestr(s->obj, "id", NULL),
		    nestr(s->obj, "name", NULL), NULL, 0);
	}
	return 0;
}

static int
anth_delta(struct acc *a, jv j)
{
	long long i = index_of(j, "index", -1);
	jv d = jvx_get(j, "delta");
	const char *dt = str(d, "type", NULL), *type, *t;
	struct slot *s;
	size_t n;
	int rc = 0;

	if (i < 0 || i >= a->nitems) {
		/* a delta for a block that never started: its text is still
		 * written where it streams (nothing is lost), but it has no
		 * place in the message, so it is an index error */
		if (streq(dt, "text_delta") &&
		    (t = str(d, "text", &n)) != NULL)
			rc = emit_text(a, DELTA_TEXT, 0, t, n);
		else if (streq(dt, "thinking_delta") &&
		    (t = str(d, "thinking", &n)) != NULL)
			rc = emit_text(a, DELTA_REASONING, 0, t, n);
		jv_free(d);
		return rc ? rc : fail(a, ACC_ERR_INDEX, "content_block_delta "
		    "for a block that never started (index out of range)%s",
		    "", 0);
	}
	s = &a->items[i];
	type = str(s->obj, "type", NULL);
	if (streq(dt, "text_delta") && streq(type, "text")) {
		if ((t = str(d, "text", &n)) != NULL) {
			s->has_field = 1;
			rc = app_text(a, &s->text, t, n);
			if (rc == 0)
				rc = emit_text(a, DELTA_TEXT, 0, t, n);
		}
	} else if (streq(dt, "citations_delta") && streq(type, "text")) {
		if (!jv_is_valid(s->citations)) {
			jv_free(s->citations);
			s->citations = jvx_get(s->obj, "citations");
			if (jv_get_kind(s->citations) != JV_KIND_ARRAY) {
				jv_free(s->citations);
				s->citations = jv_array();
			}
		}
		s->citations = jv_array_append(s->citations,
		    jvx_get(d, "citation"));
	} else if (streq(dt, "input_json_delta") &&
	    (streq(type, "tool_use") || streq(type, "server_tool_use"))) {
		if ((t = str(d, "partial_json", &n)) != NULL) {
			s->has_json = 1;
			rc = app(a, &s->json, t, n);
			if (rc == 0 && s->call >= 0)
				rc = emit_call(a, 0, s->call, NULL, NULL, t, n);
		}
	} else if (streq(dt, "thinking_delta") && streq(type, "thinking")) {
		if ((t = str(d, "thinking", &n)) != NULL) {
			s->has_field = 1;
			rc = app_text(a, &s->text, t, n);
			if (rc == 0)
				rc = emit_text(a, DELTA_REASONING, 0, t, n);
		}
	} else if (streq(dt, "signature_delta") && streq(type, "thinking")) {
		s->obj = jv_object_set(s->obj, jv_string("signature"),
		    jvx_get(d, "signature"));
	}
	jv_free(d);
	return rc;
}

static int
anth_block_stop(struct acc *a, jv j)
{
	long long i = index_of(j, "index", -1);
	struct slot *s;
	struct choice *c;
	struct tcall *t;

	if (i < 0 || i >= a->nitems || a->items[i].call < 0)
		return 0;
	s = &a->items[i];
	if ((c = choice_at(a, 0)) == NULL || s->call >= c->ncalls)
		return 0;
	t = &c->calls[s->call];
	if (t->args.len == 0) {
		/* No fragments: the input is the start block's ({}). */
		jv in = jvx_get(s->obj, "input");
		jv dump = jv_dump_string(jv_get_kind(in) == JV_KIND_NULL ?
		    jv_object() : in, 0);
		size_t n;
		const char *p = jvx_str(dump, &n);

		if (app(a, &t->args, p, n)) {
			jv_free(dump);
			return a->fail;
		}
		jv_free(dump);
	}
	if (!t->complete) {
		t->complete = 1;
		a->calls_dirty = 1;
	}
	return 0;
}

/* anth_set: message[key] = v, or delete it when v is null/absent (the
 * SDK assigns undefined, which JSON leaves out). */
static jv
anth_set(jv obj, const char *key, jv v, int keep_null)
{
	if (!jv_is_valid(v) || (!keep_null && jv_get_kind(v) == JV_KIND_NULL)) {
		jv_free(v);
		return jv_object_delete(obj, jv_string(key));
	}
	return jv_object_set(obj, jv_string(key), v);
}

static int
anth_message_delta(struct acc *a, jv j)
{
	static const char *const opt[] = { "input_tokens",
		"cache_creation_input_tokens", "cache_read_input_tokens",
		"server_tool_use", "output_tokens_details", NULL };
	jv d = jvx_get(j, "delta"), u = jvx_get(j, "usage"), mu, v;
	const char *why;
	int i, rc;

	if (!jv_is_valid(a->top))
		a->top = JV_OBJECT(jv_string("content"), jv_array());
	/* delta.stop_reason etc. are assigned even when absent (a delta
	 * that is no object counts as an empty one) */
	v = jv_get_kind(d) == JV_KIND_OBJECT &&
	    jv_object_has(jv_copy(d), jv_string("stop_reason")) ?
	    jvx_get(d, "stop_reason") : jv_invalid();
	a->top = anth_set(a->top, "stop_reason", v, 1);
	v = jv_get_kind(d) == JV_KIND_OBJECT &&
	    jv_object_has(jv_copy(d), jv_string("stop_sequence")) ?
	    jvx_get(d, "stop_sequence") : jv_invalid();
	a->top = anth_set(a->top, "stop_sequence", v, 1);
	v = jv_get_kind(d) == JV_KIND_OBJECT &&
	    jv_object_has(jv_copy(d), jv_string("stop_details")) ?
	    jvx_get(d, "stop_details") : jv_invalid();
	a->top = anth_set(a->top, "stop_details", v, 1);
	v = jvx_get(d, "container");
	if (jv_get_kind(v) != JV_KIND_NULL)
		a->top = jv_object_set(a->top, jv_string("container"), v);
	else
		jv_free(v);
	mu = jvx_get(a->top, "usage");
	if (jv_get_kind(mu) != JV_KIND_OBJECT) {
		jv_free(mu);
		mu = jv_object();
	}
	v = jv_get_kind(u) == JV_KIND_OBJECT &&
	    jv_object_has(jv_copy(u), jv_string("output_tokens")) ?
	    jvx_get(u, "output_tokens") : jv_invalid();
	mu = anth_set(mu, "output_tokens", v, 1);
	for (i = 0; opt[i]; i++) {
		v = jvx_get(u, opt[i]);
		if (jv_get_kind(v) != JV_KIND_NULL)
			mu = jv_object_set(mu, jv_string(opt[i]), v);
		else
			jv_free(v);
	}
	a->top = jv_object_set(a->top, jv_string("usage"), mu);
	why = nestr(d, "stop_reason", NULL);
	rc = emit_finish(a, 0, norm_anthropic_finish(why), why,
	    why ? strlen(why) : 0);
	if (rc == 0)
		rc = anth_usage(a);
	jv_free(d);
	jv_free(u);
	return rc;
}

static int
anth_event(struct acc *a, struct ev *ev, jv j)
{
	char tmp[128];
	const char *t;
	jv v;
	int i, n, rc = 0;

	if (ev_is_done(ev))
		return emit_simple(a, DELTA_DONE);
	if (jv_get_kind(j) != JV_KIND_OBJECT)
		return 0;
	t = resp_type(ev, j, tmp, sizeof tmp);
	v = jvx_get(j, "error");
	if (streq(t, "error") || jv_get_kind(v) != JV_KIND_NULL) {
		rc = emit_error(a, v);
		jv_free(v);
		return rc;
	}
	jv_free(v);
	if (streq(t, "message_start")) {
		jv m = jvx_get(j, "message"), content;

		if (jv_get_kind(m) != JV_KIND_OBJECT) {
			jv_free(m);
			return 0;
		}
		items_clear(a);
		jv_free(a->top);
		content = jvx_get(m, "content");
		a->top = jv_object_set(m, jv_string("content"), jv_array());
		set_meta(a, nestr(a->top, "id", NULL),
		    nestr(a->top, "model", NULL));
		n = jv_get_kind(content) == JV_KIND_ARRAY ?
		    jv_array_length(jv_copy(content)) : 0;
		for (i = 0; i < n && rc == 0; i++)
			rc = anth_block_start(a, jv_array_get(jv_copy(content),
			    i));
		jv_free(content);
		if (rc == 0)
			rc = anth_usage(a);
		return rc;
	}
	if (streq(t, "content_block_start")) {
		/* the block is appended, as the SDK does, whatever its index;
		 * an index other than its place would send its deltas to
		 * another block: an index error */
		long long want = index_of(j, "index", a->nitems);

		rc = anth_block_start(a, jvx_get(j, "content_block"));
		if (rc == 0 && want != a->nitems - 1)
			rc = fail(a, ACC_ERR_INDEX, "content_block_start index "
			    "out of order (index out of range)%s", "", 0);
		return rc;
	}
	if (streq(t, "content_block_delta"))
		return anth_delta(a, j);
	if (streq(t, "content_block_stop"))
		return anth_block_stop(a, j);
	if (streq(t, "message_delta"))
		return anth_message_delta(a, j);
	if (streq(t, "message_stop"))
		return emit_simple(a, DELTA_DONE);
	return 0; /* ping and unknown events */
}

static jv
anth_native(const struct acc *a)
{
	jv out = jv_is_valid(a->top) ? jv_copy(a->top) :
	    JV_OBJECT(jv_string("content"), jv_array());
	jv arr = jv_array();
	int i;

	for (i = 0; i < a->nitems; i++) {
		const struct slot *s = &a->items[i];
		jv b = slot_jv(s);

		if (jv_is_valid(s->citations))
			b = jv_object_set(b, jv_string("citations"),
			    jv_copy(s->citations));
		if (s->has_json) {
			jv in = s->json.len ? jvx_parse(s->json.p, s->json.len) :
			    jv_object();

			/* invalid JSON is kept verbatim, never replaced */
			if (!jv_is_valid(in)) {
				jv_free(in);
				in = jstr(&s->json);
			}
			b = jv_object_set(b, jv_string("input"), in);
		}
		arr = jv_array_append(arr, b);
	}
	return jv_object_set(out, jv_string("content"), arr);
}

/* --------------------------------------------------------------- gemini */

static const char *
norm_gemini_finish(const char *r, int calls)
{
	static const char *const filter[] = { "SAFETY", "RECITATION",
		"BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY",
		NULL };
	int i;

	if (streq(r, "STOP"))
		return calls ? "tool_calls" : "stop";
	if (streq(r, "MAX_TOKENS"))
		return "length";
	for (i = 0; filter[i]; i++)
		if (streq(r, filter[i]))
			return "content_filter";
	return r;
}

static int
gem_part(struct acc *a, struct choice *c, int ci, jv part)
{
	jv v = jvx_get(part, "thought");
	int thought = jv_get_kind(v) == JV_KIND_TRUE;
	const char *t;
	size_t n;
	struct slot *s;

	jv_free(v);
	if ((t = str(part, "text", &n)) != NULL) {
		s = c->nparts ? &c->parts[c->nparts - 1] : NULL;
		if (s && s->field && s->thought == thought) {
			/* consecutive text parts merge; other keys
			 * (thoughtSignature) are kept */
			static const char *const k[] = { "text", NULL };

			s->obj = jv_object_merge(s->obj, without(part, k));
			if (app(a, &s->text, t, n))
				return a->fail;
			jv_free(part);
		} else {
			if (c->nparts >= MAX_ITEMS) {
				jv_free(part);
				return fail(a, ACC_ERR_INDEX, "too many parts%s",
				    "", 0);
			}
			c->parts = grow(c->parts, c->nparts, &c->capparts,
			    sizeof *c->parts);
			s = &c->parts[c->nparts++];
			if (slot_set(a, s, part, "text"))
				return a->fail;
			s->thought = thought;
		}
		return emit_text(a, thought ? DELTA_REASONING : DELTA_TEXT, ci,
		    t, n);
	}
	if (c->nparts >= MAX_ITEMS) {
		jv_free(part);
		return fail(a, ACC_ERR_INDEX, "too many parts%s", "", 0);
	}
	c->parts = grow(c->parts, c->nparts, &c->capparts, sizeof *c->parts);
	s = &c->parts[c->nparts++];
	slot_init(s, part, NULL);
	v = jvx_get(part, "functionCall");
	if (jv_get_kind(v) == JV_KIND_OBJECT) {
		jv args = jvx_get(v, "args");
		jv dump = jv_dump_string(jv_get_kind(args) == JV_KIND_NULL ?
		    jv_object() : args, 0);
		const char *p = jvx_str(dump, &n);
		int call = c->ncalls, rc;

		s->call = call;
		rc = emit_call(a, ci, call, nestr(v, "id", NULL),
		    nestr(v, "name", NULL), p, n);
		jv_free(dump);
		jv_free(v);
		if (rc)
			return rc;
		if (call < c->ncalls) {
			c->calls[call].complete = 1;
			a->calls_dirty = 1;
		}
		return 0;
	}
	jv_free(v);
	return 0;
}

static int
gem_event(struct acc *a, struct ev *ev, jv j)
{
	static const char *const tk[] = { "candidates", NULL };
	static const char *const ck[] = { "content", NULL };
	jv cands, v, u;
	int i, n, k, m, rc = 0, finished = 0;

	if (ev_is_done(ev))
		return emit_simple(a, DELTA_DONE);
	if (jv_get_kind(j) != JV_KIND_OBJECT)
		return 0;
	v = jvx_get(j, "error");
	if (jv_get_kind(v) != JV_KIND_NULL) {
		rc = emit_error(a, v);
		jv_free(v);
		return rc;
	}
	jv_free(v);
	a->top = jv_is_valid(a->top) ? jv_object_merge(a->top, without(j, tk)) :
	    without(j, tk);
	set_meta(a, nestr(j, "responseId", NULL), nestr(j, "modelVersion",
	    NULL));
	cands = jvx_get(j, "candidates");
	n = jv_get_kind(cands) == JV_KIND_ARRAY ?
	    jv_array_length(jv_copy(cands)) : 0;
	for (i = 0; i < n && rc == 0; i++) {
		jv cand = jv_array_get(jv_copy(cands), i), content, parts;
		long long ci = index_of(cand, "index", i);
		struct choice *c = choice_at(a, ci);
		const char *fr, *role;

		if (c == NULL) {
			jv_free(cand);
			rc = a->fail;
			break;
		}
		c->seen = 1;
		c->cand_rest = jv_object_merge(c->cand_rest, without(cand, ck));
		content = jvx_get(cand, "content");
		if ((role = nestr(content, "role", NULL)) != NULL)
			setstr(&c->role, role, strlen(role));
		parts = jvx_get(content, "parts");
		m = jv_get_kind(parts) == JV_KIND_ARRAY ?
		    jv_array_length(jv_copy(parts)) : 0;
		for (k = 0; k < m && rc == 0; k++)
			rc = gem_part(a, c, (int)ci,
			    jv_array_get(jv_copy(parts), k));
		if (rc == 0 && (fr = nestr(cand, "finishReason", NULL))) {
			finished = 1;
			rc = emit_finish(a, (int)ci, norm_gemini_finish(fr,
			    c->ncalls), fr, strlen(fr));
		}
		jv_free(parts);
		jv_free(content);
		jv_free(cand);
	}
	jv_free(cands);
	u = jvx_get(j, "usageMetadata");
	if (rc == 0 && jv_get_kind(u) == JV_KIND_OBJECT) {
		long long out = num(u, "candidatesTokenCount");
		long long th = num(u, "thoughtsTokenCount");

		/* output counts thoughts too, as OpenAI and Anthropic do;
		 * a sum past what num() takes is no number */
		if (out >= 0 && th >= 0)
			out = out < (long long)9e18 - th ? out + th : -1;
		else if (out < 0)
			out = th;
		rc = emit_usage(a, num(u, "promptTokenCount"), out, th,
		    num(u, "cachedContentTokenCount"));
	}
	jv_free(u);
	if (rc == 0 && finished)
		rc = emit_simple(a, DELTA_DONE);
	return rc;
}

static jv
gem_native(const struct acc *a)
{
	static const char *const tk[] = { "candidates", NULL };
	jv out = jv_object(), cands = jv_array();
	int i, k;

	for (i = 0; i < a->nchoices; i++) {
		const struct choice *c = a->ch[i];
		jv parts = jv_array(), cand;

		if (c == NULL || !c->seen)
			continue;
		for (k = 0; k < c->nparts; k++)
			parts = jv_array_append(parts, slot_jv(&c->parts[k]));
		cand = JV_OBJECT(jv_string("content"), JV_OBJECT(
		    jv_string("parts"), parts, jv_string("role"),
		    jv_string(c->role ? c->role : "model")));
		cand = jv_object_merge(cand, jv_copy(c->cand_rest));
		cands = jv_array_append(cands, cand);
	}
	out = jv_object_set(out, jv_string("candidates"), cands);
	if (jv_is_valid(a->top))
		out = jv_object_merge(out, without(a->top, tk));
	return out;
}

/* --------------------------------------------------------------- ollama */

static int
oll_event(struct acc *a, struct ev *ev, jv j)
{
	jv v, msg;
	const char *s;
	size_t n;
	struct choice *c;
	int rc = 0;

	if (ev_is_done(ev))
		return emit_simple(a, DELTA_DONE);
	if (jv_get_kind(j) != JV_KIND_OBJECT)
		return 0;
	v = jvx_get(j, "error");
	if (jv_get_kind(v) != JV_KIND_NULL) {
		rc = emit_error(a, v);
		jv_free(v);
		return rc;
	}
	jv_free(v);
	if ((c = choice_at(a, 0)) == NULL)
		return a->fail;
	c->seen = 1;
	jv_free(a->top);
	a->top = jv_copy(j);
	set_meta(a, NULL, nestr(j, "model", NULL));
	msg = jvx_get(j, "message");
	if (jv_get_kind(msg) == JV_KIND_OBJECT) {
		jv tcs = jvx_get(msg, "tool_calls");
		int i, len;

		if ((s = nestr(msg, "role", &n)) != NULL)
			setstr(&c->role, s, n);
		s = str(msg, "thinking", &n);
		rc = emit_text(a, DELTA_REASONING, 0, s, n);
		s = str(msg, "content", &n);
		if (rc == 0)
			rc = emit_text(a, DELTA_TEXT, 0, s, n);
		len = jv_get_kind(tcs) == JV_KIND_ARRAY ?
		    jv_array_length(jv_copy(tcs)) : 0;
		for (i = 0; i < len && rc == 0; i++) {
			jv tc = jv_array_get(jv_copy(tcs), i);
			jv fn = jvx_get(tc, "function");
			jv args = jvx_get(fn, "arguments");
			jv dump = jv_get_kind(args) == JV_KIND_STRING ? args :
			    jv_dump_string(jv_get_kind(args) == JV_KIND_NULL ?
			    jv_object() : args, 0);
			const char *p = jvx_str(dump, &n);
			const char *id = nestr(tc, "id", NULL);
			int call = c->ncalls;

			rc = emit_call(a, 0, call, id, nestr(fn, "name", NULL),
			    p, n);
			if (rc == 0 && call < c->ncalls) {
				c->calls[call].complete = 1;
				a->calls_dirty = 1;
			}
			if (!jv_is_valid(c->ollama_calls)) {
				jv_free(c->ollama_calls);
				c->ollama_calls = jv_array();
			}
			c->ollama_calls = jv_array_append(c->ollama_calls, tc);
			jv_free(dump);
			jv_free(fn);
		}
		jv_free(tcs);
	} else {
		a->ollama_generate = 1;
		s = str(j, "thinking", &n);
		rc = emit_text(a, DELTA_REASONING, 0, s, n);
		s = str(j, "response", &n);
		if (rc == 0)
			rc = emit_text(a, DELTA_TEXT, 0, s, n);
	}
	jv_free(msg);
	v = jvx_get(j, "done");
	if (rc == 0 && jv_get_kind(v) == JV_KIND_TRUE) {
		const char *why = nestr(j, "done_reason", NULL);

		rc = emit_finish(a, 0, streq(why, "stop") && c->ncalls ?
		    "tool_calls" : why ? why : "stop", why,
		    why ? strlen(why) : 0);
		if (rc == 0)
			rc = emit_usage(a, num(j, "prompt_eval_count"),
			    num(j, "eval_count"), -1, -1);
		if (rc == 0)
			rc = emit_simple(a, DELTA_DONE);
	}
	jv_free(v);
	return rc;
}

static jv
oll_native(const struct acc *a)
{
	const struct choice *c = a->ch[0];
	jv out = jv_is_valid(a->top) ? jv_copy(a->top) : jv_object();

	if (c == NULL)
		return out;
	if (a->ollama_generate) {
		out = jv_object_set(out, jv_string("response"),
		    jstr(&c->content));
		if (c->has_reasoning)
			out = jv_object_set(out, jv_string("thinking"),
			    jstr(&c->reasoning));
	} else {
		jv msg = jvx_get(out, "message");

		if (jv_get_kind(msg) != JV_KIND_OBJECT) {
			jv_free(msg);
			msg = JV_OBJECT(jv_string("role"),
			    jv_string(c->role ? c->role : "assistant"));
		}
		msg = jv_object_set(msg, jv_string("content"),
		    jstr(&c->content));
		if (c->has_reasoning)
			msg = jv_object_set(msg, jv_string("thinking"),
			    jstr(&c->reasoning));
		if (jv_is_valid(c->ollama_calls))
			msg = jv_object_set(msg, jv_string("tool_calls"),
			    jv_copy(c->ollama_calls));
		out = jv_object_set(out, jv_string("message"), msg);
	}
	return out;
}

/* ------------------------------------------------------------ public */

struct acc *
acc_new(enum dialect d, size_t max_bytes)
{
	struct acc *a = xcalloc(1, sizeof *a);

	a->d = d;
	a->max = max_bytes ? max_bytes : (size_t)64 << 20;
	a->top = jv_invalid();
	a->u_in = a->u_out = a->u_reason = a->u_cached = -1;
	buf_init(&a->fast.type, 256);
	buf_init(&a->fast.pre, 1 << 16);
	buf_init(&a->fast.mid, 1 << 16);
	buf_init(&a->fast.post, 1 << 16);
	buf_init(&a->fast.text, a->max);
	buf_init(&a->fast.auxv, 1 << 12);
	buf_init(&a->s_text, a->max + 16);
	a->fast.valid = 0;
	return a;
}

static void
choice_free(struct choice *c)
{
	int i;

	buf_free(&c->content);
	buf_free(&c->reasoning);
	buf_free(&c->refusal);
	buf_free(&c->fc_args);
	for (i = 0; i < c->ncalls; i++)
		if (c->calls[i].seen) {
			buf_free(&c->calls[i].args);
			free(c->calls[i].id);
			free(c->calls[i].name);
			free(c->calls[i].type);
			jv_free(c->calls[i].extra);
		}
	free(c->calls);
	for (i = 0; i < c->nparts; i++)
		slot_free(&c->parts[i]);
	free(c->parts);
	free(c->finish);
	free(c->finish_raw);
	free(c->role);
	free(c->fc_name);
	jv_free(c->msg_rest);
	jv_free(c->choice_rest);
	jv_free(c->logprobs);
	jv_free(c->cand_rest);
	jv_free(c->ollama_calls);
	free(c);
}

void
acc_free(struct acc *a)
{
	int i;

	if (a == NULL)
		return;
	for (i = 0; i < MAX_CHOICES; i++)
		if (a->ch[i])
			choice_free(a->ch[i]);
	items_clear(a);
	free(a->items);
	jv_free(a->top);
	free(a->perr);
	free(a->id);
	free(a->model);
	buf_free(&a->fast.type);
	buf_free(&a->fast.pre);
	buf_free(&a->fast.mid);
	buf_free(&a->fast.post);
	buf_free(&a->fast.text);
	buf_free(&a->fast.auxv);
	buf_free(&a->s_text);
	buf_free(&a->s_id);
	buf_free(&a->s_name);
	free(a);
}


/* ------------------------------------------------------------ fast path */

/*
 * Most events of a long stream are the same text chunk again and again
 * with only one string changed: `{"id":..,"choices":[{"index":0,"delta":
 * {"content":"<text>"},...}]}`, or Anthropic's text_delta. Parsing each
 * with libjq costs ~300 instructions a byte. So after the full path has
 * handled an event that carried exactly one text or reasoning delta, the
 * event's bytes around that string are kept as a template; a later event
 * of the same type whose bytes are identical outside one string token is
 * then known to mean the same thing with another string, and is applied
 * without libjq (the token decoded by jscan, which declines whatever it
 * cannot decode exactly as jv would). gpt-5 chat chunks also carry a
 * random "obfuscation" string at the top level: it is a second slot of
 * the template, and its last value goes into the merged chunk fields as
 * the full path would put it. Any other event goes the full way
 * and drops the template, since it may change the state the template
 * relies on. LLMPIPE_NO_FASTPATH=1 turns this off, for the tests that
 * hold both paths equal.
 */
static int fast_disabled = -1;

static int
fast_enabled(void)
{
	if (fast_disabled < 0) {
		const char *e = getenv("LLMPIPE_NO_FASTPATH");

		fast_disabled = e != NULL && *e != '\0' && *e != '0';
	}
	return !fast_disabled;
}

/* fast_token decodes the string token at d[*pos] into out (reset first)
 * and moves *pos past it; then the template bytes seg must follow. 0 when
 * both hold, -1 otherwise. end is where the last segment must start. */
static int
fast_token(const char *d, size_t *pos, size_t end, struct buf *out,
    const struct buf *seg)
{
	size_t t;

	buf_reset(out);
	if (*pos >= end || d[*pos] != '"' ||
	    (t = jscan_string(d + *pos, end - *pos, out)) == 0)
		return -1;
	*pos += t;
	if (seg == NULL)
		return 0;
	if (end - *pos < seg->len || memcmp(d + *pos, seg->p, seg->len) != 0)
		return -1;
	*pos += seg->len;
	return 0;
}

/* fast_apply: 1 when ev was applied through the template, 0 when it must
 * go the full way, negative on an error from the fold. */
static int
fast_apply(struct acc *a, struct ev *ev)
{
	struct fast *f = &a->fast;
	const char *d = ev->data;
	size_t n = ev->data_len, pos, end;
	struct slot *s = NULL;
	struct buf *first, *second;
	int rc;

	if (ev->type_len != f->type.len ||
	    memcmp(ev->type, f->type.p, f->type.len) != 0 ||
	    n <= f->pre.len + f->mid.len + f->post.len ||
	    memcmp(d, f->pre.p, f->pre.len) != 0 ||
	    memcmp(d + n - f->post.len, f->post.p, f->post.len) != 0)
		return 0;
	pos = f->pre.len;
	end = n - f->post.len;
	if (!f->aux) {
		if (fast_token(d, &pos, end, &f->text, NULL) == -1 ||
		    pos != end)
			return 0;
	} else {
		first = f->aux_first ? &f->auxv : &f->text;
		second = f->aux_first ? &f->text : &f->auxv;
		if (fast_token(d, &pos, end, first, &f->mid) == -1 ||
		    fast_token(d, &pos, end, second, NULL) == -1 ||
		    pos != end)
			return 0;
	}
	if (f->text.len == 0)
		return 0;
	if (f->block >= 0) {
		if (f->block >= a->nitems)
			return 0;
		s = &a->items[f->block];
		s->has_field = 1;
		if (app_text(a, &s->text, f->text.p, f->text.len))
			return a->fail;
	}
	/* the SDK keeps the last chunk's fields: its obfuscation too */
	if (f->aux && f->aux_top)
		a->top = jv_object_set(a->top, jv_string("obfuscation"),
		    jv_string_sized(f->auxv.p ? f->auxv.p : "",
		    (int)f->auxv.len));
	rc = emit_text(a, f->kind, f->choice, f->text.p, f->text.len);
	return rc ? rc : 1;
}

/* fast_learn: after the full path handled ev (parsed as j), keep its
 * template when it carried one text or reasoning delta from a known
 * place; otherwise drop any template. */
static void
fast_learn(struct acc *a, struct ev *ev, jv j)
{
	static const struct jscan_step chat_content[] = { { "choices", 0 },
	    { NULL, 0 }, { "delta", 0 }, { "content", 0 } };
	static const struct jscan_step chat_rc[] = { { "choices", 0 },
	    { NULL, 0 }, { "delta", 0 }, { "reasoning_content", 0 } };
	static const struct jscan_step chat_r[] = { { "choices", 0 },
	    { NULL, 0 }, { "delta", 0 }, { "reasoning", 0 } };
	static const struct jscan_step anth_text[] = { { "delta", 0 },
	    { "text", 0 } };
	static const struct jscan_step anth_thinking[] = { { "delta", 0 },
	    { "thinking", 0 } };
	static const struct jscan_step chat_obf[] = { { "obfuscation", 0 } };
	const struct jscan_step *paths[2] = { NULL, NULL };
	struct fast *f = &a->fast;
	size_t off = 0, len = 0, aoff = 0, alen = 0, lo, hi;
	int depth = 0, i, found = 0, block = -1;

	f->valid = 0;
	if (!fast_enabled() || ev->data == NULL || a->ev_ndeltas != 1 ||
	    (a->ev_kind != DELTA_TEXT && a->ev_kind != DELTA_REASONING) ||
	    a->ev_len == 0 || a->st != ACC_RUNNING)
		return;
	if (a->d == DIALECT_OPENAI_CHAT) {
		jv ch = jvx_get(j, "choices"), c0 = jvx_idx(ch, 0),
		    lp = jvx_get(c0, "logprobs");
		int plain = jv_get_kind(ch) == JV_KIND_ARRAY &&
		    jv_array_length(jv_copy(ch)) == 1 &&
		    jv_get_kind(lp) == JV_KIND_NULL;

		/* logprobs accumulate, so a chunk carrying them is no template */
		jv_free(ch);
		jv_free(c0);
		jv_free(lp);
		if (!plain)
			return;
		depth = 4;
		if (a->ev_kind == DELTA_TEXT)
			paths[0] = chat_content;
		else {
			paths[0] = chat_rc;
			paths[1] = chat_r;
		}
	} else if (a->d == DIALECT_ANTHROPIC) {
		long long bi = index_of(j, "index", -1);

		if (bi < 0 || bi >= a->nitems)
			return;
		block = (int)bi;
		depth = 2;
		paths[0] = a->ev_kind == DELTA_TEXT ? anth_text : anth_thinking;
	} else
		return;
	for (i = 0; i < 2 && paths[i] && !found; i++) {
		if (jscan_path(ev->data, ev->data_len, paths[i], depth, &off,
		    &len) != 0 || ev->data[off] != '"')
			continue;
		buf_reset(&f->text);
		/* the token must decode to exactly the text the full path saw */
		found = jscan_string(ev->data + off, len, &f->text) == len &&
		    f->text.len == a->ev_len &&
		    memcmp(f->text.p, a->ev_text, a->ev_len) == 0;
	}
	if (!found)
		return;
	/* gpt-5 chunks carry a random "obfuscation" string: a second slot,
	 * whose last value the merged chunk fields keep */
	f->aux = 0;
	if (a->d == DIALECT_OPENAI_CHAT &&
	    jscan_path(ev->data, ev->data_len, chat_obf, 1, &aoff, &alen) == 0) {
		buf_reset(&f->auxv);
		if (ev->data[aoff] != '"' || jscan_string(ev->data + aoff,
		    alen, &f->auxv) != alen)
			return;
		f->aux = 1;
		f->aux_first = aoff < off;
		f->aux_top = nestr(j, "id", NULL) != NULL;
	}
	buf_reset(&f->type);
	buf_reset(&f->pre);
	buf_reset(&f->mid);
	buf_reset(&f->post);
	lo = f->aux && f->aux_first ? aoff : off;     /* first slot */
	hi = f->aux && !f->aux_first ? aoff : off;    /* last slot */
	if (buf_append(&f->type, ev->type, ev->type_len) == -1 ||
	    buf_append(&f->pre, ev->data, lo) == -1 ||
	    (f->aux && buf_append(&f->mid, ev->data + lo +
	    (f->aux_first ? alen : len), hi - lo -
	    (f->aux_first ? alen : len)) == -1) ||
	    buf_append(&f->post, ev->data + hi + (f->aux && !f->aux_first ?
	    alen : len), ev->data_len - hi - (f->aux && !f->aux_first ?
	    alen : len)) == -1)
		return;
	f->kind = a->ev_kind;
	f->choice = a->ev_choice;
	f->block = block;
	f->valid = 1;
}

/* blank: the data is empty or JSON white space only (the lines of an
 * event whose data: fields are all empty); such an event carries nothing.
 * Costs one byte test for JSON data. */
static int
blank(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] != '\n' && s[i] != ' ' && s[i] != '\r' && s[i] != '\t')
			return 0;
	return 1;
}

void
acc_end(struct acc *a, delta_fn cb, void *ctx)
{
	a->cb = cb;
	a->ctx = ctx;
	a->cbrc = 0;
	sent_flush(a, -1);
}

int
acc_event(struct acc *a, struct ev *ev, delta_fn cb, void *ctx)
{
	jv j = jv_invalid(), own = jv_invalid();
	char *fixed;
	size_t flen = 0;
	int rc = 0;

	a->cb = cb;
	a->ctx = ctx;
	a->cbrc = 0;
	a->tokens = 0;
	a->fail = 0;
	a->ev_ndeltas = 0;
	if (a->fast.valid && ev->data && ev->json_state == 0) {
		rc = fast_apply(a, ev);
		if (rc == 1) {
			rc = 0;
			goto out;
		}
		if (rc)
			goto out;
	}
	if (!ev_is_done(ev)) {
		if (ev->data && blank(ev->data, ev->data_len))
			return 0; /* an event with no data carries nothing */
		if (ev->data != NULL && (fixed = sent_rewrite(ev->data,
		    ev->data_len, &flen)) != NULL) {
			/* lone surrogate halves as sentinels; owned here,
			 * freed at the end */
			j = own = jvx_parse(fixed, flen);
			free(fixed);
			a->sent = 1;
		} else
			j = ev_json(ev);
		if (!jv_is_valid(j)) {
			char msg[256];

			jvx_error_text(jv_copy(j), msg, sizeof msg);
			jv_free(own);
			return fail(a, ACC_ERR_JSON, "not valid JSON: %s", msg,
			    ev->line);
		}
	}
	if (a->d == DIALECT_AUTO) {
		a->d = detect(ev, j);
		if (a->d == DIALECT_AUTO) {
			jv e = jvx_get(j, "error");

			if (jv_get_kind(e) == JV_KIND_NULL &&
			    jv_get_kind(j) == JV_KIND_OBJECT &&
			    (ev_type_is(ev, "error") ||
			    streq(str(j, "type", NULL), "error")) &&
			    kind(j, "message") == JV_KIND_STRING) {
				/* a bare error event (the Responses API's
				 * {"type":"error","code","message"} before
				 * response.created) */
				jv_free(e);
				e = JV_OBJECT(jv_string("code"),
				    jvx_get(j, "code"), jv_string("message"),
				    jvx_get(j, "message"));
			}
			if (ev_is_done(ev)) {
				rc = emit_simple(a, DELTA_DONE);
			} else if (jv_get_kind(e) != JV_KIND_NULL) {
				rc = emit_error(a, e);
				/* before any provider event: the error body is
				 * what a request without streaming gets */
				if (!jv_is_valid(a->top))
					a->top = jv_copy(j);
			}
			jv_free(e);
			goto out;
		}
		/* the dialects build their own top object */
		jv_free(a->top);
		a->top = jv_invalid();
	}
	switch (a->d) {
	case DIALECT_OPENAI_CHAT:
		rc = chat_event(a, ev, j);
		break;
	case DIALECT_OPENAI_RESPONSES:
		rc = resp_event(a, ev, j);
		break;
	case DIALECT_ANTHROPIC:
		rc = anth_event(a, ev, j);
		break;
	case DIALECT_GEMINI:
		rc = gem_event(a, ev, j);
		break;
	case DIALECT_OLLAMA:
		rc = oll_event(a, ev, j);
		break;
	case DIALECT_AUTO:
		break;
	}
	if (rc == 0 && a->fail == 0 && !jv_is_valid(own))
		fast_learn(a, ev, j);
	else
		a->fast.valid = 0;
out:
	jv_free(own);
	if (rc == 0 && a->fail)
		rc = a->fail;
	if (rc)
		return rc;
	if (a->cbrc)
		return -100 - abs(a->cbrc);
	return a->tokens;
}

void
acc_keep_text(struct acc *a, int keep)
{
	a->drop_text = !keep;
}

const char *
acc_take_fault(struct acc *a)
{
	if (!a->soft)
		return NULL;
	a->soft = 0;
	return a->soft_msg;
}

const char *
acc_error(const struct acc *a)
{
	return a->err;
}

enum dialect
acc_dialect(const struct acc *a)
{
	return a->d;
}

enum acc_status
acc_status(const struct acc *a)
{
	return a->st;
}

const char *
acc_provider_error(const struct acc *a)
{
	return a->perr;
}

static const char *
call_label(const struct tcall *t, int k, char *tmp, size_t size)
{
	if (t->id)
		return t->id;
	if (t->name)
		return t->name;
	snprintf(tmp, size, "#%d", k);
	return tmp;
}

int
acc_tool_args_check(const struct acc *a,
    void (*report)(void *ctx, int choice, const char *call), void *ctx)
{
	char tmp[32];
	int i, k, bad = 0;

	for (i = 0; i < a->nchoices; i++) {
		const struct choice *c = a->ch[i];

		if (c == NULL)
			continue;
		for (k = 0; k < c->ncalls; k++) {
			const struct tcall *t = &c->calls[k];
			jv v;

			if (!t->seen || t->args.len == 0)
				continue;
			v = jvx_parse(t->args.p, t->args.len);
			if (!jv_is_valid(v)) {
				bad++;
				if (report)
					report(ctx, i, call_label(t, k, tmp,
					    sizeof tmp));
			}
			jv_free(v);
		}
	}
	return bad;
}

int
acc_tool_calls_ready(struct acc *a, int final,
    void (*fn)(void *ctx, int choice, int call, const char *id,
    const char *name, const char *args, size_t len), void *ctx)
{
	int i, k, n = 0;

	if (!a->calls_dirty && !final)
		return 0;
	a->calls_dirty = 0;
	for (i = 0; i < a->nchoices; i++) {
		struct choice *c = a->ch[i];

		if (c == NULL)
			continue;
		for (k = c->first_unreported; k < c->ncalls; k++) {
			struct tcall *t = &c->calls[k];

			if (!t->seen || t->reported || !(t->complete || final))
				continue;
			t->reported = 1;
			n++;
			if (fn && a->sent && t->args.len) {
				size_t an;
				const char *p = sent_str(&a->s_text, t->args.p,
				    t->args.len, &an);

				fn(ctx, i, k, t->id, t->name, p, an);
			} else if (fn)
				fn(ctx, i, k, t->id, t->name,
				    t->args.len ? t->args.p : "", t->args.len);
		}
		while (c->first_unreported < c->ncalls &&
		    (!c->calls[c->first_unreported].seen ||
		    c->calls[c->first_unreported].reported))
			c->first_unreported++;
	}
	return n;
}

int
acc_choices(const struct acc *a)
{
	return a->nchoices;
}

static jv
usage_jv(const struct acc *a)
{
	static const char *const keys[] = { "input_tokens", "output_tokens",
		"reasoning_tokens", "cached_tokens" };
	long long v[4];
	jv u;
	int i;

	if (!a->has_usage)
		return jv_null();
	u = jv_object();
	v[0] = a->u_in;
	v[1] = a->u_out;
	v[2] = a->u_reason;
	v[3] = a->u_cached;
	for (i = 0; i < 4; i++)
		u = jv_object_set(u, jv_string(keys[i]),
		    v[i] >= 0 ? jv_number((double)v[i]) : jv_null());
	return u;
}

static jv json_raw(const struct acc *a, int choice);
static jv native_raw(const struct acc *a);

jv
acc_json(const struct acc *a, int choice)
{
	jv v = json_raw(a, choice);

	return a->sent ? sent_jv(v) : v;
}

jv
acc_native(const struct acc *a)
{
	jv v = native_raw(a);

	return a->sent ? sent_jv(v) : v;
}

static jv
json_raw(const struct acc *a, int choice)
{
	const struct choice *c = choice >= 0 && choice < MAX_CHOICES ?
	    a->ch[choice] : NULL;
	jv calls = jv_array(), o;
	int k;

	if (c)
		for (k = 0; k < c->ncalls; k++) {
			const struct tcall *t = &c->calls[k];

			if (!t->seen)
				continue;
			calls = jv_array_append(calls, JV_OBJECT(
			    jv_string("id"), jcstr(t->id),
			    jv_string("name"), jcstr(t->name),
			    jv_string("arguments"), jstr(&t->args)));
		}
	o = JV_OBJECT(jv_string("index"), jv_number(choice),
	    jv_string("id"), jcstr(a->id),
	    jv_string("model"), jcstr(a->model),
	    jv_string("provider"), a->d == DIALECT_AUTO ? jv_null() :
	    jv_string(dialect_name(a->d)),
	    jv_string("role"), jv_string("assistant"));
	o = jv_object_set(o, jv_string("content"), c && c->has_content ?
	    jstr(&c->content) : jv_null());
	o = jv_object_set(o, jv_string("reasoning"), c && c->has_reasoning ?
	    jstr(&c->reasoning) : jv_null());
	o = jv_object_set(o, jv_string("refusal"), c && c->has_refusal ?
	    jstr(&c->refusal) : jv_null());
	o = jv_object_set(o, jv_string("tool_calls"), calls);
	o = jv_object_set(o, jv_string("finish_reason"),
	    jcstr(c ? c->finish : NULL));
	o = jv_object_set(o, jv_string("usage"), usage_jv(a));
	if (a->perr && choice == 0)
		o = jv_object_set(o, jv_string("error"), jv_string(a->perr));
	return o;
}

static jv
native_raw(const struct acc *a)
{
	switch (a->d) {
	case DIALECT_OPENAI_CHAT:
		return chat_native(a);
	case DIALECT_OPENAI_RESPONSES:
		return resp_native(a);
	case DIALECT_ANTHROPIC:
		return anth_native(a);
	case DIALECT_GEMINI:
		return gem_native(a);
	case DIALECT_OLLAMA:
		return oll_native(a);
	case DIALECT_AUTO:
		/* only an error arrived: its body, as without streaming */
		if (jv_is_valid(a->top))
			return jv_copy(a->top);
		break;
	}
	return jv_null();
}

void
acc_usage(const struct acc *a, long long *input, long long *output,
    long long *reasoning, long long *cached)
{
	*input = a->u_in;
	*output = a->u_out;
	*reasoning = a->u_reason;
	*cached = a->u_cached;
}

const char *
acc_finish_reason(const struct acc *a)
{
	return a->ch[0] ? a->ch[0]->finish : NULL;
}
