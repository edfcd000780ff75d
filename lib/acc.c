/* acc.c - the accumulator's public entry points: acc_new, acc_event
 * (detect the dialect, hand each event to its provider), the readouts
 * (acc_json, acc_native, usage, tool calls). */
#include "prov_priv.h"

const char *
dialect_name(enum dialect d)
{
	const struct provider *p = provider_get(d);

	return p ? p->name : "auto";
}

int
dialect_parse(const char *name, enum dialect *d)
{
	if (strcmp(name, "auto") == 0) {
		*d = DIALECT_AUTO;
		return 0;
	}
	return provider_parse(name, d);
}

/* -------------------------------------------------------------- detect */

static int
ev_type_is(const struct ev *ev, const char *want)
{
	size_t n = strlen(want);

	return ev->type && ev->type_len == n && memcmp(ev->type, want, n) == 0;
}


/* ------------------------------------------------------------ public */

struct acc *
acc_new(enum dialect d, size_t max_bytes)
{
	struct acc *a = xcalloc(1, sizeof *a);

	a->d = d;
	a->max = max_bytes ? max_bytes : (size_t)64 << 20;
	a->top = jv_invalid();
	a->usage_raw = jv_invalid();
	a->u_in = a->u_out = a->u_reason = a->u_cached = -1;
	a->srv_in = a->srv_out = -1;
	fast_init(a);
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
	jv_free(a->usage_raw);
	jscan_strings_free(&a->strings);
	free(a->perr);
	free(a->id);
	free(a->model);
	fast_free(a);
	buf_free(&a->s_text);
	buf_free(&a->s_id);
	buf_free(&a->s_name);
	free(a);
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
	a->ev_ndeltas = a->ev_nusage = 0;
	a->ev_slot = NULL;
	if (a->fast.valid && ev->data && ev->json_state == 0) {
		rc = fast_apply(a, ev);
		if (rc == 1) {
			rc = 0;
			goto out;
		}
		if (rc)
			goto out;
	}
	/* a line acc_vouch matched is this event's or none: never kept
	 * for a later one, whose bytes may sit at the same address */
	a->fast.vouched = NULL;
	fast_flush(a);
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
			j = ev_json_with(ev, &a->strings);
		if (!jv_is_valid(j)) {
			char msg[256];

			jvx_error_text(jv_copy(j), msg, sizeof msg);
			jv_free(own);
			return fail(a, ACC_ERR_JSON, ev->line,
			    "not valid JSON: %s", msg);
		}
	}
	if (a->d == DIALECT_AUTO) {
		a->d = provider_detect(ev, j);
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
				rc = fold_simple(a, DELTA_DONE);
			} else if (jv_get_kind(e) != JV_KIND_NULL) {
				rc = fold_error(a, e);
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
	a->fast.valid = 0; /* (its values were flushed above) */
	if (a->d != DIALECT_AUTO)
		rc = provider_get(a->d)->ops->event(a, ev, j);
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

			/* (a canonical dump is valid JSON: see fold_whole_call) */
			if (!t->seen || t->args.len == 0 ||
			    (t->canonical && !a->sent) ||
			    jvx_valid(t->args.p, t->args.len))
				continue;
			bad++;
			if (report)
				report(ctx, i, call_label(t, k, tmp, sizeof tmp));
		}
	}
	return bad;
}

int
acc_tool_calls_ready(struct acc *a, int final,
    void (*fn)(void *ctx, int choice, int call, const char *id,
    const char *name, const char *args, size_t len, int canonical),
    void *ctx)
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

				/* (sentinels put back: no longer canonical) */
				fn(ctx, i, k, t->id, t->name, p, an, 0);
			} else if (fn)
				fn(ctx, i, k, t->id, t->name,
				    t->args.len ? t->args.p : "", t->args.len,
				    t->canonical);
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
	jv v;

	/* a readout, though the fast path's last values for the merged
	 * fields go in first: an accumulator is never const at heart */
	fast_flush((struct acc *)a);
	v = native_raw(a);

	return a->sent ? sent_jv(v) : v;
}

jv
acc_served(const struct acc *a)
{
	const struct provider *p = provider_get(a->d);
	jv v = acc_native(a);

	if (p && p->ops->served && jv_get_kind(v) == JV_KIND_OBJECT)
		v = p->ops->served(a, v);
	return v;
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
	if (a->d != DIALECT_AUTO)
		return provider_get(a->d)->ops->native(a);
	/* only an error arrived: its body, as without streaming */
	if (jv_is_valid(a->top))
		return jv_copy(a->top);
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

void
acc_server_tokens(const struct acc *a, long long *input, long long *output)
{
	*input = a->srv_in;
	*output = a->srv_out;
}

const char *
acc_finish_reason(const struct acc *a)
{
	return a->ch[0] ? a->ch[0]->finish : NULL;
}
