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
	{ .id = DIALECT_OPENAI_CHAT, .name = "openai-chat",
	  .alias = { "openai", "chat", NULL },
	  .content_type = "text/event-stream",
	  .default_base = "https://api.openai.com/v1",
	  .base_env = "OPENAI_BASE_URL", .default_model = "gpt-4o-mini",
	  .key_env = "OPENAI_API_KEY",
	  .key_header = "Authorization", .key_prefix = "Bearer ",
	  .paths = chat_paths, .ops = &prov_chat },
	{ .id = DIALECT_OPENAI_RESPONSES, .name = "openai-responses",
	  .alias = { "responses", NULL },
	  .content_type = "text/event-stream",
	  .default_base = "https://api.openai.com/v1",
	  .base_env = "OPENAI_BASE_URL", .default_model = "gpt-4o-mini",
	  .key_env = "OPENAI_API_KEY",
	  .key_header = "Authorization", .key_prefix = "Bearer ",
	  .paths = responses_paths, .ops = &prov_responses },
	{ .id = DIALECT_ANTHROPIC, .name = "anthropic",
	  .content_type = "text/event-stream",
	  .default_base = "https://api.anthropic.com",
	  .base_env = "ANTHROPIC_BASE_URL",
	  .default_model = "claude-sonnet-4-5",
	  .key_env = "ANTHROPIC_API_KEY",
	  .key_header = "x-api-key", .key_prefix = "",
	  .extra_header = "anthropic-version: 2023-06-01",
	  .model_prefix = "claude-",
	  .paths = anthropic_paths, .ops = &prov_anthropic },
	{ .id = DIALECT_GEMINI, .name = "gemini",
	  .content_type = "text/event-stream",
	  .default_base = "https://generativelanguage.googleapis.com",
	  .default_model = "gemini-2.5-flash",
	  .key_env = "GEMINI_API_KEY", .key_env_alt = "GOOGLE_API_KEY",
	  .key_header = "x-goog-api-key", .key_prefix = "",
	  .model_prefix = "gemini-", .model_in_path = 1,
	  .paths = no_paths, .ops = &prov_gemini },
	{ .id = DIALECT_OLLAMA, .name = "ollama",
	  .content_type = "application/x-ndjson", .ndjson = 1,
	  .default_base = "http://127.0.0.1:11434",
	  .base_env = "OLLAMA_HOST", .default_model = "llama3.2",
	  .key_header = "Authorization", .key_prefix = "Bearer ",
	  .paths = ollama_paths, .ops = &prov_ollama },
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

void
provider_last_user(enum dialect d, jv body, struct buf *b)
{
	const struct provider *p = provider_get(d);

	if (p)
		p->ops->last_user(body, b);
}
