/* fuzz_fastpath - libFuzzer target holding delta-join's template fast path
 * (lib/fastpath.c, fast_apply) equal to the jv-based full path: the input
 * is read as an event stream and fed to an accumulator of each dialect
 * twice, once with the fast path on and once with it off
 * (LLMPIPE_NO_FASTPATH), and everything a tool can see must be the same:
 * every delta in order (kind, choice, call, text, id, name, usage), each
 * acc_event result and error, the status, and the assembled message read
 * back every way (acc_json per choice, acc_native, usage, finish reason).
 * NDJSON lines the template matches are not checked as JSON first
 * (acc_vouch), as in the tools.
 * The fast path's switch is a file-static of lib/fastpath.c read once per
 * process, so fastpath.c is compiled into this harness (the archive's copy
 * is then never linked) and the switch is set directly. The seeds (real
 * captures and tests/fuzz/seeds/fuzz_fastpath) repeat chunks that differ in
 * one string, which is what reaches the fast path. */
#include "fastpath.c"

#include <stdint.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);

struct tr {
	char *p;
	size_t len, cap;
};

static void
tr_add(struct tr *t, const void *p, size_t n)
{
	if (t->len + n + 1 > t->cap) {
		t->cap = (t->len + n + 1) * 2;
		t->p = realloc(t->p, t->cap);
		if (t->p == NULL)
			abort();
	}
	memcpy(t->p + t->len, p, n);
	t->len += n;
	t->p[t->len] = '\0';
}

static void
tr_str(struct tr *t, const char *tag, const char *s, size_t n)
{
	char h[64];

	snprintf(h, sizeof h, "|%s%zu:", tag, s ? n : (size_t)-1);
	tr_add(t, h, strlen(h));
	if (s != NULL && n > 0)
		tr_add(t, s, n);
}

static void
tr_num(struct tr *t, const char *tag, long long v)
{
	char h[64];

	snprintf(h, sizeof h, "|%s%lld", tag, v);
	tr_add(t, h, strlen(h));
}

static void
tr_jv(struct tr *t, const char *tag, jv v)
{
	jv s = jv_dump_string(v, JV_PRINT_SORTED);

	tr_str(t, tag, jv_string_value(s), (size_t)jv_string_length_bytes(jv_copy(s)));
	jv_free(s);
}

struct run {
	struct acc *a;
	struct tr t;
};

static int
on_delta(void *ctx, const struct delta *dl)
{
	struct tr *t = &((struct run *)ctx)->t;

	tr_num(t, "k", dl->kind);
	tr_num(t, "c", dl->choice);
	tr_num(t, "n", dl->call);
	tr_str(t, "t", dl->text, dl->len);
	tr_str(t, "i", dl->id, dl->id ? strlen(dl->id) : 0);
	tr_str(t, "m", dl->name, dl->name ? strlen(dl->name) : 0);
	if (dl->kind == DELTA_USAGE) {
		tr_num(t, "u", dl->input_tokens);
		tr_num(t, "u", dl->output_tokens);
		tr_num(t, "u", dl->reasoning_tokens);
		tr_num(t, "u", dl->cached_tokens);
	}
	return 0;
}

static int
on_ev(void *ctx, struct ev *ev)
{
	struct run *r = ctx;
	int rc = acc_event(r->a, ev, on_delta, r);
	const char *f = acc_take_fault(r->a);

	tr_num(&r->t, "r", rc);
	if (rc < 0)
		tr_str(&r->t, "e", acc_error(r->a), strlen(acc_error(r->a)));
	if (f != NULL)
		tr_str(&r->t, "f", f, strlen(f));
	return 0; /* carry on past errors, as fuzz_dialect does */
}

static void
on_call(void *ctx, int choice, int call, const char *id, const char *name,
    const char *args, size_t len, int canonical)
{
	struct tr *t = &((struct run *)ctx)->t;

	/* not in the transcript: only the fast path marks a whole call's
	 * dump canonical (fuzz_dialect checks that the mark holds) */
	(void)canonical;

	tr_num(t, "C", choice);
	tr_num(t, "N", call);
	tr_str(t, "I", id, id ? strlen(id) : 0);
	tr_str(t, "M", name, name ? strlen(name) : 0);
	tr_str(t, "A", args, len);
}

/* vouch: as delta-join and stream-metrics let the accumulator vouch for
 * the NDJSON lines its template matches (acc_vouch) */
static int
vouch(void *ctx, const char *s, size_t n)
{
	return acc_vouch(((struct run *)ctx)->a, s, n);
}

/* one: the transcript of the input through an accumulator of dialect dl,
 * with the fast path on or off */
static struct tr
one(const uint8_t *d, size_t n, enum dialect dl, int keep, int fast)
{
	struct evr_opts o;
	struct evr_result res;
	struct run r;
	long long in, out, rs, ca;
	const char *s;
	int fds[2], i, nch;

	fast_disabled = !fast;
	if (pipe(fds) != 0)
		abort();
	if (write(fds[1], d, n) != (ssize_t)n)
		abort();
	close(fds[1]);
	memset(&r, 0, sizeof r);
	tr_add(&r.t, "", 0);
	r.a = acc_new(dl, 1 << 16);
	acc_keep_text(r.a, keep);
	memset(&o, 0, sizeof o);
	o.max_event = 1 << 14;
	o.flush_partial = n > 0 && (d[0] & 1);
	o.vouch = vouch;
	o.ctx = &r;
	evr_read(fds[0], &o, on_ev, &res);
	close(fds[0]);
	tr_num(&r.t, "S", res.status);

	acc_tool_calls_ready(r.a, 1, on_call, &r);
	tr_num(&r.t, "status", acc_status(r.a));
	tr_num(&r.t, "dialect", acc_dialect(r.a));
	nch = acc_choices(r.a);
	tr_num(&r.t, "choices", nch);
	for (i = 0; i < nch && i < 64; i++)
		tr_jv(&r.t, "json", acc_json(r.a, i));
	tr_jv(&r.t, "native", acc_native(r.a));
	acc_usage(r.a, &in, &out, &rs, &ca);
	tr_num(&r.t, "U", in);
	tr_num(&r.t, "U", out);
	tr_num(&r.t, "U", rs);
	tr_num(&r.t, "U", ca);
	s = acc_finish_reason(r.a);
	tr_str(&r.t, "F", s, s ? strlen(s) : 0);
	s = acc_provider_error(r.a);
	tr_str(&r.t, "P", s, s ? strlen(s) : 0);
	acc_free(r.a);
	return r.t;
}

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	static const enum dialect all[] = {
		DIALECT_AUTO, DIALECT_OPENAI_CHAT, DIALECT_OPENAI_RESPONSES,
		DIALECT_ANTHROPIC, DIALECT_GEMINI, DIALECT_OLLAMA
	};
	size_t i;
	int keep = !(n > 1 && (d[1] & 1)); /* delta-join's text mode keeps none */

	if (n > 60000) /* fits the pipe buffer */
		return 0;
	for (i = 0; i < sizeof all / sizeof all[0]; i++) {
		struct tr a = one(d, n, all[i], keep, 1);
		struct tr b = one(d, n, all[i], keep, 0);
		const char *fast = a.p, *full = b.p;

		if (a.len != b.len || memcmp(fast, full, a.len) != 0) {
			size_t k = 0;

			while (k < a.len && k < b.len && fast[k] == full[k])
				k++;
			fprintf(stderr, "fast path differs from the full path "
			    "(dialect %s, keep %d) at byte %zu:\n fast: %.300s\n"
			    " full: %.300s\n", dialect_name(all[i]), keep, k,
			    fast + (k > 100 ? k - 100 : 0),
			    full + (k > 100 ? k - 100 : 0));
			abort();
		}
		free(a.p);
		free(b.p);
	}
	return 0;
}
