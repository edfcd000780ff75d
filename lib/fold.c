/* fold.c - the accumulator's engine: each provider's events become normalized
 * deltas (fold_delta), folded into one normalized message per choice, plus the
 * state each provider's non-streaming body needs (acc_native mirrors the
 * official SDK accumulators field by field: openai ChatCompletionStream,
 * openai ResponseStream/ResponseAccumulator, @anthropic-ai/sdk
 * MessageStream).
 *
 * Cost: every text fragment is appended to a capped buf (amortized O(1));
 * jv values kept across events are replaced, never grown per delta, except
 * Anthropic citations (bounded by the size cap). Events that carry nothing
 * (pings, empty deltas) allocate nothing that outlives the event. */
#include "acc_priv.h"

/* -------------------------------------------------------------- helpers */
int
fail(struct acc *a, int code, long line, const char *fmt, ...)
{
	va_list ap;

	if (line > 0)
		snprintf(a->err, sizeof a->err, "line %ld: ", line);
	else
		a->err[0] = 0;
	va_start(ap, fmt);
	vsnprintf(a->err + strlen(a->err), sizeof a->err - strlen(a->err),
	    fmt, ap);
	va_end(ap);
	a->fail = code;
	return code;
}

/* grow: make room for one more element in a (*p, *n, *cap) array. */
void *
grow(void *p, int n, int *cap, size_t size)
{
	if (n < *cap)
		return p;
	*cap = *cap ? *cap * 2 : 4;
	return xrealloc(p, (size_t)*cap * size);
}

/* app: append to an assembled buffer, counting against the cap. */
int
app(struct acc *a, struct buf *b, const char *p, size_t n)
{
	if (n == 0)
		return 0;
	if (a->total + n > a->max || buf_append(b, p, n) == -1)
		return fail(a, ACC_ERR_TOO_BIG, 0,
		    "assembled message over the size cap");
	a->total += n;
	return 0;
}

/* app_text: app for answer, reasoning and refusal text, which a reader
 * that only streams it (acc_keep_text(a, 0)) does not keep. Tool-call
 * arguments always go through app. */
int
app_text(struct acc *a, struct buf *b, const char *p, size_t n)
{
	return a->drop_text ? 0 : app(a, b, p, n);
}

void
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

void
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
int
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
jv
slot_jv(const struct slot *s)
{
	jv o = jv_copy(s->obj);

	if (s->field && (s->has_field || s->text.len) &&
	    jv_get_kind(o) == JV_KIND_OBJECT)
		o = jv_object_set(o, jv_string(s->field), jstr(&s->text));
	return o;
}

struct choice *
choice_at(struct acc *a, long long idx)
{
	struct choice *c;

	if (idx < 0 || idx >= MAX_CHOICES) {
		fail(a, ACC_ERR_INDEX, 0, "choice index out of range");
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

struct tcall *
call_at(struct acc *a, struct choice *c, long long idx)
{
	struct tcall *t;

	if (idx < 0 || idx >= MAX_CALLS) {
		fail(a, ACC_ERR_INDEX, 0, "tool-call index out of range");
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
	if (t->complete || t->args.len == 0 ||
	    !jvx_valid(t->args.p, t->args.len))
		return;
	t->complete = 1;
	a->calls_dirty = 1;
}

/* ----------------------------------------------------------- fold_delta */

/* fold_delta folds one normalized delta into the normalized message and hands
 * it to the callback. Returns 0, or an ACC_ERR_* from the fold. */
int
fold_delta(struct acc *a, struct delta *d)
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
	if (d->kind == DELTA_USAGE)
		a->ev_nusage++;
	else {
		a->ev_ndeltas++;
		a->ev_kind = d->kind;
		a->ev_choice = d->choice;
		a->ev_call = d->call;
		a->ev_text = d->text;
		a->ev_len = d->len;
		a->ev_id = d->id;
		a->ev_name = d->name;
	}
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
				return fail(a, ACC_ERR_TOO_BIG, 0,
				    "assembled message over the size cap");
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

int
fold_call(struct acc *a, int choice, int call, const char *id,
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
	return fold_delta(a, &d);
}

int
fold_whole_call(struct acc *a, int choice, const char *id, const char *name,
    jv args, int string_is_text)
{
	int text = string_is_text && jv_get_kind(args) == JV_KIND_STRING;
	struct choice *c = choice_at(a, choice);
	struct buf dump;
	const char *p;
	size_t n;
	int call, rc;

	if (c == NULL) {
		jv_free(args);
		return a->fail;
	}
	buf_init(&dump, a->max + 1); /* (app below holds it to a->max) */
	if (text)
		p = jvx_str(args, &n);
	else {
		if (jv_get_kind(args) == JV_KIND_NULL)
			args = jv_object();
		rc = jvx_dump(&dump, args);
		args = jv_null();
		if (rc == -1) {
			buf_free(&dump);
			return fail(a, ACC_ERR_TOO_BIG, 0,
			    "assembled message over the size cap");
		}
		p = dump.p;
		n = dump.len;
	}
	call = c->ncalls;
	rc = fold_call(a, choice, call, id, name, p, n);
	jv_free(args);
	buf_free(&dump);
	if (rc == 0 && call < c->ncalls) {
		c->calls[call].complete = 1;
		c->calls[call].canonical = !text && fast_enabled();
		a->calls_dirty = 1;
	}
	return rc;
}

int
fold_finish(struct acc *a, int choice, const char *norm, const char *raw,
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
	return fold_delta(a, &d);
}

int
fold_usage(struct acc *a, long long in, long long out, long long reason,
    long long cached)
{
	struct delta d;

	memset(&d, 0, sizeof d);
	d.kind = DELTA_USAGE;
	d.input_tokens = in;
	d.output_tokens = out;
	d.reasoning_tokens = reason;
	d.cached_tokens = cached;
	return fold_delta(a, &d);
}

int
fold_simple(struct acc *a, enum delta_kind k)
{
	struct delta d;

	memset(&d, 0, sizeof d);
	d.kind = k;
	return fold_delta(a, &d);
}

/* fold_error reports an error object ({"type"|"code"|"status",
 * "message"}) or string. */
int
fold_error(struct acc *a, jv e)
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
	rc = fold_delta(a, &d);
	jv_free(dump);
	return rc;
}

void
set_meta(struct acc *a, const char *id, const char *model)
{
	if (id && *id && !streq(a->id, id))
		setstr(&a->id, id, strlen(id));
	if (model && *model && !streq(a->model, model))
		setstr(&a->model, model, strlen(model));
}


void
items_clear(struct acc *a)
{
	int i;

	for (i = 0; i < a->nitems; i++)
		slot_free(&a->items[i]);
	a->nitems = 0;
}

/* event_type: an event's type, the data's "type" string (borrowed from
 * j) or else the SSE event name (copied into tmp): the typed dialects
 * (Responses, Anthropic) send either or both. */
const char *
event_type(const struct ev *ev, jv j, char *tmp, size_t size)
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
