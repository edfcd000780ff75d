/* fastpath.c - the template fast path for repeated text chunks. */
#include "prov_priv.h"

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
int
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
		a->top = jv_object_set(a->top, jv_string(f->aux_key),
		    jv_string_sized(f->auxv.p ? f->auxv.p : "",
		    (int)f->auxv.len));
	rc = fold_text(a, f->kind, f->choice, f->text.p, f->text.len);
	return rc ? rc : 1;
}

/* fast_learn: after the full path handled ev (parsed as j), keep its
 * template when it carried one text or reasoning delta from a known
 * place; otherwise drop any template. */
void
fast_learn(struct acc *a, struct ev *ev, jv j)
{
	const struct prov_ops *ops;
	struct fast_spec fs;
	struct fast *f = &a->fast;
	size_t off = 0, len = 0, aoff = 0, alen = 0, lo, hi;
	int i, found = 0;

	f->valid = 0;
	if (!fast_enabled() || ev->data == NULL || a->ev_ndeltas != 1 ||
	    (a->ev_kind != DELTA_TEXT && a->ev_kind != DELTA_REASONING) ||
	    a->ev_len == 0 || a->st != ACC_RUNNING)
		return;
	/* the provider says where the string is, if its chunk can be one */
	ops = provider_get(a->d) ? provider_get(a->d)->ops : NULL;
	memset(&fs, 0, sizeof fs);
	fs.block = -1;
	if (ops == NULL || ops->fast == NULL || !ops->fast(a, j, &fs))
		return;
	for (i = 0; i < 2 && fs.paths[i] && !found; i++) {
		if (jscan_path(ev->data, ev->data_len, fs.paths[i], fs.depth,
		    &off, &len) != 0 || ev->data[off] != '"')
			continue;
		buf_reset(&f->text);
		/* the token must decode to exactly the text the full path saw */
		found = jscan_string(ev->data + off, len, &f->text) == len &&
		    f->text.len == a->ev_len &&
		    memcmp(f->text.p, a->ev_text, a->ev_len) == 0;
	}
	if (!found)
		return;
	/* a second string slot (a random one per chunk), whose last value
	 * the merged top fields keep */
	f->aux = 0;
	if (fs.aux &&
	    jscan_path(ev->data, ev->data_len, fs.aux, 1, &aoff, &alen) == 0) {
		buf_reset(&f->auxv);
		if (ev->data[aoff] != '"' || jscan_string(ev->data + aoff,
		    alen, &f->auxv) != alen)
			return;
		f->aux = 1;
		f->aux_first = aoff < off;
		f->aux_top = fs.aux_top;
		f->aux_key = fs.aux[0].key;
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
	f->block = fs.block;
	f->valid = 1;
}
