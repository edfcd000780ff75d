/* provider.c - the table of providers (provider.h): one row each. Adding
 * a provider: its file lib/prov_<name>.c exporting one struct prov_ops,
 * a value in enum dialect, and a row here (see HACKING). */
#include "provider.h"

#include <stdio.h>
#include <string.h>

#include "jvx.h"
#include "prov_priv.h"

static const char *const chat_paths[] = { "/v1/chat/completions",
	"/chat/completions", NULL };
static const char *const responses_paths[] = { "/v1/responses",
	"/responses", NULL };
static const char *const anthropic_paths[] = { "/v1/messages", NULL };
static const char *const ollama_paths[] = { "/api/chat", NULL };
static const char *const no_paths[] = { NULL };

/* In enum dialect order: rows[d - 1] is d's. */
static const struct provider rows[] = {
	{ DIALECT_OPENAI_CHAT, "openai-chat", { "openai", "chat", NULL },
	    "text/event-stream", 0,
	    "https://api.openai.com/v1", "OPENAI_BASE_URL", "gpt-4o-mini",
	    "OPENAI_API_KEY", NULL, "Authorization", "Bearer ", NULL, NULL,
	    chat_paths, &prov_chat },
	{ DIALECT_OPENAI_RESPONSES, "openai-responses", { "responses", NULL },
	    "text/event-stream", 0,
	    "https://api.openai.com/v1", "OPENAI_BASE_URL", "gpt-4o-mini",
	    "OPENAI_API_KEY", NULL, "Authorization", "Bearer ", NULL, NULL,
	    responses_paths, &prov_responses },
	{ DIALECT_ANTHROPIC, "anthropic", { NULL },
	    "text/event-stream", 0,
	    "https://api.anthropic.com", "ANTHROPIC_BASE_URL",
	    "claude-sonnet-4-5", "ANTHROPIC_API_KEY", NULL, "x-api-key", "",
	    "anthropic-version: 2023-06-01", "claude-",
	    anthropic_paths, &prov_anthropic },
	{ DIALECT_GEMINI, "gemini", { NULL },
	    "text/event-stream", 0,
	    "https://generativelanguage.googleapis.com", NULL,
	    "gemini-2.5-flash", "GEMINI_API_KEY", "GOOGLE_API_KEY",
	    "x-goog-api-key", "", NULL, "gemini-",
	    no_paths, &prov_gemini },
	{ DIALECT_OLLAMA, "ollama", { NULL },
	    "application/x-ndjson", 1,
	    "http://127.0.0.1:11434", "OLLAMA_HOST", "llama3.2",
	    NULL, NULL, NULL, NULL, NULL, NULL,
	    ollama_paths, &prov_ollama },
};
#define NROWS (sizeof rows / sizeof rows[0])

/* The order events are tried in: the typed SSE dialects first (their
 * event types tell), then by the JSON fields each one's chunks carry. */
static const enum dialect detect_order[] = { DIALECT_OPENAI_RESPONSES,
	DIALECT_ANTHROPIC, DIALECT_GEMINI, DIALECT_OLLAMA,
	DIALECT_OPENAI_CHAT };

const struct provider *
provider_get(enum dialect d)
{
	if ((unsigned)d < 1 || (unsigned)d > NROWS)
		return NULL;
	return &rows[d - 1];
}

const struct provider *
provider_at(size_t i)
{
	return i < NROWS ? &rows[i] : NULL;
}

int
provider_parse(const char *name, enum dialect *d)
{
	size_t i, k;

	for (i = 0; i < NROWS; i++) {
		int hit = strcmp(name, rows[i].name) == 0;

		for (k = 0; !hit && rows[i].alias[k]; k++)
			hit = strcmp(name, rows[i].alias[k]) == 0;
		if (hit) {
			*d = rows[i].id;
			return 0;
		}
	}
	return -1;
}

const char *
provider_names(const char *sep)
{
	static char out[256];
	size_t i, n = 0;

	out[0] = 0;
	for (i = 0; i < NROWS && n < sizeof out; i++)
		n += (size_t)snprintf(out + n, sizeof out - n, "%s%s",
		    i ? sep : "", rows[i].name);
	return out;
}

enum dialect
provider_detect(const struct ev *ev, jv j)
{
	char type[64];
	const char *dt = NULL;
	size_t i, n = ev->type_len < sizeof type - 1 ? ev->type_len :
	    sizeof type - 1;
	jv f = jvx_get(j, "type");

	memcpy(type, ev->type ? ev->type : "", n);
	type[n] = 0;
	dt = jvx_str(f, NULL);
	for (i = 0; i < sizeof detect_order / sizeof detect_order[0]; i++)
		if (provider_get(detect_order[i])->ops->detect(type, dt, j)) {
			jv_free(f);
			return detect_order[i];
		}
	jv_free(f);
	return DIALECT_AUTO;
}

enum dialect
provider_infer(const char *model)
{
	size_t i;

	if (model == NULL)
		return DIALECT_OPENAI_CHAT;
	if (strncmp(model, "models/", 7) == 0)
		model += 7;
	for (i = 0; i < NROWS; i++)
		if (rows[i].model_prefix && strncmp(model, rows[i].model_prefix,
		    strlen(rows[i].model_prefix)) == 0)
			return rows[i].id;
	return DIALECT_OPENAI_CHAT;
}
