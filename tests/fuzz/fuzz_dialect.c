/* fuzz_dialect - libFuzzer target for each dialect's delta accumulation:
 * the input is read as an event stream (evread, format detected as a tool
 * does) and every event goes through acc_event for each --dialect (auto
 * included); at the end the assembled message is read back every way the
 * tools read it (acc_json per choice, acc_native, tool calls, usage).
 * Nothing may crash or hang; the accumulator's own errors are fine. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dialect.h"
#include "evread.h"

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);

static int
on_delta(void *ctx, const struct delta *dl)
{
	volatile size_t sum = 0;

	(void)ctx;
	/* touch what the callback may read, so ASan sees a bad pointer */
	if (dl->text != NULL && dl->len > 0)
		sum += (unsigned char)dl->text[0] +
		    (unsigned char)dl->text[dl->len - 1];
	if (dl->id != NULL)
		sum += strlen(dl->id);
	if (dl->name != NULL)
		sum += strlen(dl->name);
	(void)sum;
	return 0;
}

static int
on_ev(void *ctx, struct ev *ev)
{
	struct acc *a = ctx;
	int rc = acc_event(a, ev, on_delta, NULL);

	if (rc < 0 && acc_error(a) == NULL)
		abort(); /* an error must say why */
	return 0; /* carry on past errors: later events must not crash */
}

static void
on_call(void *ctx, int choice, int call, const char *id, const char *name,
    const char *args, size_t len, int canonical)
{
	volatile size_t sum = 0;

	if (canonical) {
		/* the promise: valid JSON that libjq's dump writes unchanged,
		 * so delta-join -T may write it as it is */
		jv v = jv_parse_sized(args, (int)len), s;

		if (!jv_is_valid(v))
			abort();
		s = jv_dump_string(v, 0);
		if ((size_t)jv_string_length_bytes(jv_copy(s)) != len ||
		    memcmp(jv_string_value(s), args, len) != 0)
			abort();
		jv_free(s);
	}

	(void)ctx; (void)choice; (void)call;
	if (id != NULL)
		sum += strlen(id);
	if (name != NULL)
		sum += strlen(name);
	if (args == NULL)
		abort(); /* documented as "" when none */
	if (len > 0)
		sum += (unsigned char)args[len - 1];
	(void)sum;
}

static void
on_bad_args(void *ctx, int choice, const char *call)
{
	(void)ctx; (void)choice;
	if (call != NULL)
		(void)strlen(call);
}

static void
one(const uint8_t *d, size_t n, enum dialect dl)
{
	struct evr_opts o;
	struct evr_result res;
	struct acc *a;
	long long in, out, rs, ca;
	const char *s;
	int fds[2], i, nch;

	if (pipe(fds) != 0)
		abort();
	if (write(fds[1], d, n) != (ssize_t)n)
		abort();
	close(fds[1]);
	a = acc_new(dl, 1 << 16);
	memset(&o, 0, sizeof o);
	o.max_event = 1 << 14;
	o.flush_partial = n > 0 && (d[0] & 1); /* both end-of-input rules */
	o.ctx = a;
	evr_read(fds[0], &o, on_ev, &res);
	close(fds[0]);

	acc_tool_calls_ready(a, 0, on_call, NULL);
	acc_tool_calls_ready(a, 1, on_call, NULL);
	acc_tool_args_check(a, on_bad_args, NULL);
	nch = acc_choices(a);
	if (nch < 0)
		abort();
	for (i = 0; i < nch && i < 64; i++)
		jv_free(acc_json(a, i));
	jv_free(acc_json(a, 0));
	jv_free(acc_native(a));
	acc_usage(a, &in, &out, &rs, &ca);
	if ((s = acc_finish_reason(a)) != NULL)
		(void)strlen(s);
	if ((s = acc_provider_error(a)) != NULL)
		(void)strlen(s);
	(void)dialect_name(acc_dialect(a));
	(void)acc_status(a);
	acc_free(a);
}

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	static const enum dialect all[] = {
		DIALECT_AUTO, DIALECT_OPENAI_CHAT, DIALECT_OPENAI_RESPONSES,
		DIALECT_ANTHROPIC, DIALECT_GEMINI, DIALECT_OLLAMA
	};
	size_t i;

	if (n > 60000) /* fits the pipe buffer */
		return 0;
	for (i = 0; i < sizeof all / sizeof all[0]; i++)
		one(d, n, all[i]);
	return 0;
}
