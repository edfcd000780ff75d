/* acc_priv.h - the accumulator's private state, shared by its engine
 * (fold.c), the surrogate handling (surrogate.c), the fast path
 * (fastpath.c), the public entry points (acc.c) and the provider files
 * (prov_*.c). Only lib/ includes it. */
#ifndef LLMPIPE_ACC_PRIV_H
#define LLMPIPE_ACC_PRIV_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "dialect.h"
#include "jscan.h"
#include "jvx.h"
#include "mem.h"

#define MAX_CHOICES 128
#define MAX_CALLS 1024
#define MAX_ITEMS 4096 /* Responses output items, Anthropic blocks, parts */
#define FAST_SLOTS 8   /* values a fast-path template lets vary */

/* ---------------------------------------------------------------- state */

struct tcall {
	int seen, complete, reported;
	int pend;        /* a high surrogate half held back (see sent_*) */
	int canonical;   /* args are libjq's own dump (see fold_whole_call) */
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
	struct jscan_strings strings; /* long strings of past events */
	char err[512];
	char *perr;           /* "type: message" */
	struct choice *ch[MAX_CHOICES];
	int nchoices;
	long long u_in, u_out, u_reason, u_cached;
	long long srv_in, srv_out; /* a server's own counts (acc_server_tokens) */
	int has_usage;
	jv usage_raw;         /* the last usage object a chunk carried, as
	                       * sent (not the null of a later chunk) */
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
	/* what the event being fed emitted (for learning the fast path):
	 * its text-like or tool-call deltas (the last one's facts) and its
	 * usage deltas */
	int ev_ndeltas, ev_nusage;
	enum delta_kind ev_kind;
	int ev_choice, ev_call;
	const char *ev_text, *ev_id, *ev_name;
	size_t ev_len;
	struct slot *ev_slot; /* a slot whose text the event grew (Responses) */
	struct fast {
		int valid;
		enum delta_kind kind; /* TEXT, REASONING or TOOL_CALL */
		int choice, call;
		struct buf type;      /* event type learned from */
		/* the data: pre, then each slot's value followed by its seg
		 * (the last seg ends the data); slot text is the delta */
		struct buf pre;
		int nslots, text;
		struct fast_slot {
			int num;             /* a number token, else a string */
			int top;             /* its last value goes into a->top */
			const char *key, *key2; /* at top[key] or top[key][key2] */
			struct buf seg;      /* the bytes after it */
			struct buf val;      /* a string's decoded value */
			long long n;         /* a number's value */
			struct buf next;     /* the same, of the event being */
			long long nnext;     /* matched (see fast_value) */
			long long last;      /* the number a->top holds */
			int set;             /* last is known */
		} slot[FAST_SLOTS];
		int ntop, pending;    /* slots for a->top; values not yet there */
		struct {              /* fast_top_num's reads of fixed values */
			const char *key2;
			long long n;
		} cache[FAST_SLOTS];
		int ncache;
		struct buf *grow;     /* also appended to (the native body's) */
		int *has, keep, *flag;
		int (*usage)(struct acc *a); /* refold the usage (see fast_spec) */
		const char *vouched;  /* the line acc_vouch matched, */
		size_t vouched_len;   /* its slots decoded into next */
	} fast;
};

/* str: obj[key] when it is a string (borrowed from obj), else NULL. */
static inline const char *
str(jv obj, const char *key, size_t *len)
{
	jv v = jvx_get(obj, key);
	const char *s = jvx_str(v, len);

	jv_free(v);
	return s;
}

/* nestr: like str, NULL for the empty string too. */
static inline const char *
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

static inline int
kind(jv obj, const char *key)
{
	jv v = jvx_get(obj, key);
	int k = jv_get_kind(v);

	jv_free(v);
	return k;
}

static inline long long
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
static inline long long
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
static inline long long
num2(jv obj, const char *a, const char *b)
{
	jv v = jvx_get(obj, a);
	long long n = num(v, b);

	jv_free(v);
	return n;
}

static inline int
streq(const char *s, const char *lit)
{
	return s && lit && strcmp(s, lit) == 0;
}

static inline int
prefix(const char *s, const char *p)
{
	return s && strncmp(s, p, strlen(p)) == 0;
}

static inline void
setstr(char **dst, const char *s, size_t n)
{
	free(*dst);
	*dst = xmemdup(s, n);
}

static inline jv
jstr(const struct buf *b)
{
	return jv_string_sized(b->len ? b->p : "", (int)b->len);
}

static inline jv
jcstr(const char *s)
{
	return s ? jv_string(s) : jv_null();
}

/* without: a copy of obj without the listed keys (NULL-terminated). */
static inline jv
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

/* Where a provider's repeated chunk holds its one delta string, for the
 * fast path (the provider's fast operation fills it in), and what else
 * in it may vary from chunk to chunk. */
struct fast_spec {
	const struct jscan_step *paths[2]; /* the delta, tried in order */
	int depth;                         /* steps in each path */
	/* or the delta at this top-level key (paths, depth unset) */
	const char *key;
	/* top-level keys whose values vary per chunk and are ignored
	 * (NULL-terminated), beside more[] */
	const char *const *vary;
	/* other values that vary per chunk (a sequence number, a random
	 * string, a timestamp, usage counts), strings or plain integers;
	 * top: the last value goes into a->top at that path (one or two
	 * steps), else the fold ignores it. Absent ones stay fixed. */
	struct fast_more {
		const struct jscan_step *path;
		int depth, top;
	} more[FAST_SLOTS - 1];
	/* the native body's copy of the delta: appended to grow (with app
	 * when keep, else app_text), *has set; *flag set per chunk */
	struct buf *grow;
	int *has, keep, *flag;
	/* a chunk that also folds usage: usage refolds it from a->top after
	 * the slots are set (NULL: such a chunk is no template) */
	int (*usage)(struct acc *a);
};

/* fastpath.c */
/* fast_enabled: the fast paths are on (LLMPIPE_NO_FASTPATH unset) */
int fast_enabled(void);
/* fast_init, fast_free: the template's buffers (no memory until used) */
void fast_init(struct acc *a);
void fast_free(struct acc *a);
int fast_apply(struct acc *a, struct ev *ev);
void fast_learn(struct acc *a, struct ev *ev, jv j);
/* fast_flush puts the values the fast path has kept for a->top there:
 * due before anything reads a->top (the full path, the native body). */
void fast_flush(struct acc *a);
/* fast_top_num: the number o[key2] as num() reads it, o (borrowed) being
 * the object a->top[key]; while a template holds (the fast path's usage
 * hook), the template's latest value when it is a slot (not yet flushed),
 * else a->top[key][key2], read once per template (o unused). key2: a
 * static string, compared by address first. */
long long fast_top_num(struct acc *a, jv o, const char *key,
    const char *key2);

/* fold.c */
/* fail records an error of the event being fed: code (an ACC_ERR_*) in
 * a->fail, "line L: " (when line > 0) and the formatted message in
 * a->err (cut at its size). Returns code. */
int fail(struct acc *a, int code, long line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void *grow(void *p, int n, int *cap, size_t size);
int app(struct acc *a, struct buf *b, const char *p, size_t n);
int app_text(struct acc *a, struct buf *b, const char *p, size_t n);
void slot_init(struct slot *s, jv obj, const char *field);
void slot_free(struct slot *s);
int slot_set(struct acc *a, struct slot *s, jv obj, const char *field);
jv slot_jv(const struct slot *s);
struct choice *choice_at(struct acc *a, long long idx);
struct tcall *call_at(struct acc *a, struct choice *c, long long idx);
int fold_delta(struct acc *a, struct delta *d);
/* fold_text folds a text, reasoning or refusal fragment (nothing when
 * empty). Inline: it is the hot call of every text chunk, from the fast
 * path and the decoders alike. */
static inline int
fold_text(struct acc *a, enum delta_kind k, int choice, const char *s,
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
	return fold_delta(a, &d);
}
int fold_call(struct acc *a, int choice, int call, const char *id,
    const char *name, const char *args, size_t len);
/* fold_whole_call: a tool call that arrives whole in one chunk, its
 * arguments a JSON value (Gemini's functionCall.args, Ollama's
 * function.arguments), as the choice's next call, complete at once. The
 * arguments' text is libjq's dump of the value ({} for null), or the
 * string itself when string_is_text and args is a string. Consumes args.
 * A dump is valid JSON in the form jvx_dump writes, so it is marked
 * canonical: neither checked nor parsed again for -T (unless the fast
 * paths are off: LLMPIPE_NO_FASTPATH keeps the full path for the tests
 * that hold the two equal). */
int fold_whole_call(struct acc *a, int choice, const char *id,
    const char *name, jv args, int string_is_text);
int fold_finish(struct acc *a, int choice, const char *norm,
    const char *raw, size_t rawlen);
int fold_usage(struct acc *a, long long in, long long out,
    long long reason, long long cached);
int fold_simple(struct acc *a, enum delta_kind k);
int fold_error(struct acc *a, jv e);
void set_meta(struct acc *a, const char *id, const char *model);
void items_clear(struct acc *a);
const char *event_type(const struct ev *ev, jv j, char *tmp, size_t size);

/* surrogate.c */
char *sent_rewrite(const char *s, size_t n, size_t *len);
int sent_resolve(struct buf *out, const char *p, size_t n, int *pend,
    int hold);
const char *sent_str(struct buf *b, const char *s, size_t n, size_t *len);
void sent_flush(struct acc *a, int ci);
jv sent_jv(jv v);

#endif
