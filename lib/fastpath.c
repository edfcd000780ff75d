/* fastpath.c - the template fast path for repeated delta chunks. */
#include "prov_priv.h"

/* ------------------------------------------------------------ fast path */

/*
 * Most events of a long stream are the same chunk again and again with
 * only its delta string changed: `{"id":..,"choices":[{"index":0,"delta":
 * {"content":"<text>"},...}]}`, Anthropic's text_delta, a Responses
 * output_text.delta, a Gemini text part, an Ollama message, or a tool
 * call's arguments fragment. Parsing each with libjq costs ~300
 * instructions a byte. So after the full path has handled an event that
 * carried exactly one such delta, the event's bytes around that string
 * are kept as a template; a later event of the same type whose bytes are
 * identical outside the string token is then known to mean the same thing
 * with another string, and is applied without libjq (the token decoded by
 * jscan, which declines whatever it cannot decode exactly as jv would).
 * A chunk often carries other values that change every time (gpt-5's
 * random "obfuscation", a Responses sequence_number, an Ollama timestamp,
 * Gemini's cumulative usage counts): the provider names them, and they
 * are further slots of the template, strings or plain integers, either
 * ignored by the fold or put where the full path puts them (the last
 * value into the merged top fields; usage refolded). Any other event goes
 * the full way and drops the template, since it may change the state the
 * template relies on. LLMPIPE_NO_FASTPATH=1 turns this off, for the tests
 * that hold both paths equal.
 */
static int fast_disabled = -1;

int
fast_enabled(void)
{
	if (fast_disabled < 0) {
		const char *e = getenv("LLMPIPE_NO_FASTPATH");

		fast_disabled = e != NULL && *e != '\0' && *e != '0';
	}
	return !fast_disabled;
}

void
fast_init(struct acc *a)
{
	struct fast *f = &a->fast;
	int i;

	memset(f, 0, sizeof *f);
	buf_init(&f->type, 256);
	buf_init(&f->pre, 1 << 16);
	for (i = 0; i < FAST_SLOTS; i++) {
		buf_init(&f->slot[i].seg, 1 << 16);
		buf_init(&f->slot[i].val, a->max);
		buf_init(&f->slot[i].next, a->max);
	}
}

void
fast_free(struct acc *a)
{
	struct fast *f = &a->fast;
	int i;

	buf_free(&f->type);
	buf_free(&f->pre);
	for (i = 0; i < FAST_SLOTS; i++) {
		buf_free(&f->slot[i].seg);
		buf_free(&f->slot[i].val);
		buf_free(&f->slot[i].next);
	}
}

/* fast_value decodes the token at d[*pos] as slot s says (a string into
 * s->next, or a plain integer into s->nnext: the values of an event that
 * turns out not to match must not replace the last ones, which a->top
 * may still need) and moves *pos past it and the bytes that must follow
 * it. 0 when all holds, -1 otherwise. */
static int
fast_value(const char *d, size_t *pos, size_t end, struct fast_slot *s)
{
	size_t t;

	if (*pos >= end)
		return -1;
	if (s->num) {
		if ((t = jscan_uint(d + *pos, end - *pos, &s->nnext)) == 0)
			return -1;
	} else {
		buf_reset(&s->next);
		if (d[*pos] != '"' ||
		    (t = jscan_string(d + *pos, end - *pos, &s->next)) == 0)
			return -1;
	}
	*pos += t;
	if (end - *pos < s->seg.len ||
	    memcmp(d + *pos, s->seg.p, s->seg.len) != 0)
		return -1;
	*pos += s->seg.len;
	return 0;
}

/* fast_flush puts the slots' last values that changed into a->top, at
 * top[key] or top[key][key2]; an inner object is taken out first, so that
 * it is changed in place, and put back once for the slots under it
 * (adjacent, the slots being in text order). */
void
fast_flush(struct acc *a)
{
	struct fast *f = &a->fast;
	const char *key = NULL;
	jv o = jv_invalid();
	int i;

	if (!f->pending)
		return;
	f->pending = 0;
	for (i = 0; i < f->nslots; i++) {
		struct fast_slot *s = &f->slot[i];
		jv v;

		if (!s->top || (s->num && s->set && s->n == s->last))
			continue;
		s->set = 1;
		s->last = s->n;
		v = s->num ? jv_number((double)s->n) : jstr(&s->val);
		if (key && (s->key2 == NULL || strcmp(key, s->key) != 0)) {
			a->top = jv_object_set(a->top, jv_string(key), o);
			key = NULL;
		}
		if (s->key2 == NULL) {
			a->top = jv_object_set(a->top, jv_string(s->key), v);
			continue;
		}
		if (key == NULL) {
			key = s->key;
			o = jvx_get(a->top, key);
			a->top = jv_object_set(a->top, jv_string(key),
			    jv_null());
		}
		o = jv_object_set(o, jv_string(s->key2), v);
	}
	if (key)
		a->top = jv_object_set(a->top, jv_string(key), o);
}

long long
fast_top_num(struct acc *a, jv o, const char *key, const char *key2)
{
	struct fast *f = &a->fast;
	long long v;
	jv in;
	int i;

	if (!f->valid)
		return num(o, key2);
	for (i = 0; i < f->nslots; i++)
		if (f->slot[i].top && f->slot[i].num &&
		    (f->slot[i].key2 == key2 || (streq(f->slot[i].key, key) &&
		    streq(f->slot[i].key2, key2))))
			return f->slot[i].n;
	/* not a slot: fixed while the template holds, so read once */
	for (i = 0; i < f->ncache; i++)
		if (f->cache[i].key2 == key2)
			return f->cache[i].n;
	in = jvx_get(a->top, key);
	v = num(in, key2);
	jv_free(in);
	if (f->ncache < FAST_SLOTS) {
		f->cache[f->ncache].key2 = key2;
		f->cache[f->ncache++].n = v;
	}
	return v;
}

/* fast_match: 1 when an event of type t with data d[0..n) is the
 * template with other values in its slots (decoded into each slot's
 * next), 0 otherwise */
static int
fast_match(struct fast *f, const char *t, size_t tn, const char *d, size_t n)
{
	const struct fast_slot *last = &f->slot[f->nslots - 1];
	size_t pos;
	int i;

	if (tn != f->type.len || memcmp(t, f->type.p, tn) != 0 ||
	    n <= f->pre.len + last->seg.len ||
	    memcmp(d, f->pre.p, f->pre.len) != 0 ||
	    memcmp(d + n - last->seg.len, last->seg.p, last->seg.len) != 0)
		return 0;
	pos = f->pre.len;
	for (i = 0; i < f->nslots; i++)
		if (fast_value(d, &pos, n, &f->slot[i]) == -1)
			return 0;
	return pos == n && f->slot[f->text].next.len > 0;
}

int
acc_vouch(struct acc *a, const char *s, size_t n)
{
	struct fast *f = &a->fast;

	f->vouched = NULL;
	if (!f->valid || !fast_match(f, "message", 7, s, n))
		return 0;
	f->vouched = s;
	f->vouched_len = n;
	return 1;
}

/* fast_apply: 1 when ev was applied through the template, 0 when it must
 * go the full way, negative on an error from the fold. */
int
fast_apply(struct acc *a, struct ev *ev)
{
	struct fast *f = &a->fast;
	const struct buf *text = &f->slot[f->text].val;
	int i, rc, vouched = f->vouched == ev->data &&
	    f->vouched_len == ev->data_len;

	/* a line acc_vouch matched is not matched again */
	f->vouched = NULL;
	if (!vouched && !fast_match(f, ev->type, ev->type_len, ev->data,
	    ev->data_len))
		return 0;
	for (i = 0; i < f->nslots; i++) {
		struct fast_slot *s = &f->slot[i];
		struct buf t = s->val;

		s->val = s->next;
		s->next = t;
		s->n = s->nnext;
	}
	/* what the full path does, in its order: the merged fields, the
	 * native body's copy, the delta, the usage */
	if (f->flag)
		*f->flag = 1;
	/* the values for a->top wait there until a->top is read (see
	 * fast_flush) */
	f->pending = f->ntop > 0;
	if (f->grow) {
		if (f->has)
			*f->has = 1;
		if ((f->keep ? app(a, f->grow, text->p, text->len) :
		    app_text(a, f->grow, text->p, text->len)))
			return a->fail;
	}
	if (f->kind == DELTA_TOOL_CALL)
		rc = fold_call(a, f->choice, f->call, NULL, NULL, text->p,
		    text->len);
	else
		rc = fold_text(a, f->kind, f->choice, text->p, text->len);
	if (rc == 0 && f->usage)
		rc = f->usage(a);
	return rc ? rc : 1;
}

/* one value found in the learned event: where, and as which slot */
struct found {
	size_t off, len;
	int more;      /* index in fs->more, or -1 for the delta */
};

static int
by_off(const void *x, const void *y)
{
	const struct found *p = x, *q = y;

	return p->off < q->off ? -1 : p->off > q->off;
}

/* fast_learn: after the full path handled ev (parsed as j), keep its
 * template when it carried one delta of a kind the provider knows the
 * place of; otherwise drop any template. */
void
fast_learn(struct acc *a, struct ev *ev, jv j)
{
	const struct prov_ops *ops;
	struct fast_spec fs;
	struct fast *f = &a->fast;
	struct found fd[FAST_SLOTS];
	struct jscan_step vsteps[FAST_SLOTS];
	size_t off = 0, len = 0, at;
	long long ign;
	int i, k, nf = 0, found = 0;

	f->valid = 0;
	f->ntop = 0;
	f->ncache = 0;
	if (!fast_enabled() || ev->data == NULL || a->ev_ndeltas != 1 ||
	    (a->ev_kind != DELTA_TEXT && a->ev_kind != DELTA_REASONING &&
	    a->ev_kind != DELTA_TOOL_CALL) ||
	    (a->ev_kind == DELTA_TOOL_CALL && (a->ev_id || a->ev_name)) ||
	    a->ev_len == 0 || a->st != ACC_RUNNING)
		return;
	/* the provider says where the string is, if its chunk can be one */
	ops = provider_get(a->d) ? provider_get(a->d)->ops : NULL;
	memset(&fs, 0, sizeof fs);
	if (ops == NULL || ops->fast == NULL || !ops->fast(a, j, &fs) ||
	    (a->ev_nusage && fs.usage == NULL))
		return;
	f->nslots = 0;
	if (fs.key) {
		vsteps[FAST_SLOTS - 1].key = fs.key;
		vsteps[FAST_SLOTS - 1].index = 0;
		fs.paths[0] = &vsteps[FAST_SLOTS - 1];
		fs.depth = 1;
	}
	for (i = 0; i < 2 && fs.paths[i] && !found; i++) {
		if (jscan_path(ev->data, ev->data_len, fs.paths[i], fs.depth,
		    &off, &len) != 0 || ev->data[off] != '"')
			continue;
		buf_reset(&f->slot[0].val);
		/* the token must decode to exactly the text the full path saw */
		found = jscan_string(ev->data + off, len, &f->slot[0].val) ==
		    len && f->slot[0].val.len == a->ev_len &&
		    memcmp(f->slot[0].val.p, a->ev_text, a->ev_len) == 0;
	}
	if (!found)
		return;
	fd[nf].off = off;
	fd[nf].len = len;
	fd[nf++].more = -1;
	/* the values that may vary: a string, or an integer as jscan_uint
	 * reads it; anything else stays part of the fixed bytes (vary's
	 * keys: more[] entries of one step, ignored) */
	for (i = 0; i < FAST_SLOTS - 1 && fs.more[i].path; i++)
		;
	for (k = 0; fs.vary && fs.vary[k] && i < FAST_SLOTS - 1; k++, i++) {
		vsteps[i].key = fs.vary[k];
		vsteps[i].index = 0;
		fs.more[i].path = &vsteps[i];
		fs.more[i].depth = 1;
	}
	for (i = 0; i < FAST_SLOTS - 1 && fs.more[i].path; i++) {
		if (jscan_path(ev->data, ev->data_len, fs.more[i].path,
		    fs.more[i].depth, &off, &len) != 0 ||
		    (ev->data[off] == '"' ? jscan_string(ev->data + off, len,
		    &f->slot[1].val) != len : jscan_uint(ev->data + off, len,
		    &ign) != len))
			continue;
		fd[nf].off = off;
		fd[nf].len = len;
		fd[nf++].more = i;
	}
	qsort(fd, (size_t)nf, sizeof fd[0], by_off);
	for (k = 1; k < nf; k++)
		if (fd[k].off < fd[k - 1].off + fd[k - 1].len)
			return;
	buf_reset(&f->type);
	buf_reset(&f->pre);
	if (buf_append(&f->type, ev->type, ev->type_len) == -1 ||
	    buf_append(&f->pre, ev->data, fd[0].off) == -1)
		return;
	for (k = 0; k < nf; k++) {
		struct fast_slot *s = &f->slot[k];
		const struct fast_more *m = fd[k].more >= 0 ?
		    &fs.more[fd[k].more] : NULL;

		at = fd[k].off + fd[k].len;
		buf_reset(&s->seg);
		if (buf_append(&s->seg, ev->data + at, (k + 1 < nf ?
		    fd[k + 1].off : ev->data_len) - at) == -1)
			return;
		s->num = ev->data[fd[k].off] != '"';
		/* a->top holds the learned value already */
		s->set = s->num && jscan_uint(ev->data + fd[k].off, fd[k].len,
		    &s->last) == fd[k].len;
		s->top = m && m->top && m->depth <= 2 &&
		    jv_get_kind(a->top) == JV_KIND_OBJECT;
		s->key = m ? m->path[0].key : NULL;
		s->key2 = m && m->depth > 1 ? m->path[1].key : NULL;
		if (s->top && (s->key == NULL || (m->depth == 2 &&
		    (s->key2 == NULL || kind(a->top, s->key) !=
		    JV_KIND_OBJECT))))
			return; /* a value that goes nowhere the path can put it */
		if (m == NULL)
			f->text = k;
		f->ntop += s->top;
	}
	f->nslots = nf;
	f->kind = a->ev_kind;
	f->choice = a->ev_choice;
	f->call = a->ev_call;
	f->grow = fs.grow;
	f->has = fs.has;
	f->keep = fs.keep;
	f->flag = fs.flag;
	f->usage = a->ev_nusage ? fs.usage : NULL;
	f->valid = 1;
}
