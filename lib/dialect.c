/* dialect.c - provider dialects and the message accumulator (first cut:
 * the API compiles and links; the dialects are filled in next). */
#include "dialect.h"

#include <stdlib.h>
#include <string.h>

#include "mem.h"

struct acc {
	enum dialect d;
	enum acc_status st;
	size_t max;
	char err[256];
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

struct acc *
acc_new(enum dialect d, size_t max_bytes)
{
	struct acc *a = xcalloc(1, sizeof *a);

	a->d = d;
	a->max = max_bytes ? max_bytes : (size_t)64 << 20;
	return a;
}

void
acc_free(struct acc *a)
{
	free(a);
}

int
acc_event(struct acc *a, struct ev *ev, delta_fn cb, void *ctx)
{
	(void)a; (void)ev; (void)cb; (void)ctx;
	return 0;
}

const char *acc_error(const struct acc *a) { return a->err; }
enum dialect acc_dialect(const struct acc *a) { return a->d; }
enum acc_status acc_status(const struct acc *a) { return a->st; }
const char *acc_provider_error(const struct acc *a) { (void)a; return NULL; }

int
acc_tool_args_check(const struct acc *a,
    void (*report)(void *ctx, int choice, const char *call), void *ctx)
{
	(void)a; (void)report; (void)ctx;
	return 0;
}

int acc_choices(const struct acc *a) { (void)a; return 0; }
jv acc_json(const struct acc *a, int choice) { (void)a; (void)choice; return jv_object(); }
jv acc_native(const struct acc *a) { (void)a; return jv_object(); }

void
acc_usage(const struct acc *a, long long *input, long long *output,
    long long *reasoning, long long *cached)
{
	(void)a;
	*input = *output = *reasoning = *cached = -1;
}

const char *acc_finish_reason(const struct acc *a) { (void)a; return NULL; }
