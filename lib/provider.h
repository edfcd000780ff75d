/* provider.h - the table of providers: one row per provider holding its
 * facts (names, stream content type, the request side's defaults, key
 * header, extra headers, endpoint paths) and its operations (lib/ only:
 * prov_priv.h). Each provider lives in one file, lib/prov_<name>.c;
 * provider.c holds the rows. Tools ask the table and name no provider.
 *
 * Rows are static and never freed. */
#ifndef LLMPIPE_PROVIDER_H
#define LLMPIPE_PROVIDER_H

#include <jv.h>
#include <stddef.h>

#include "buf.h"
#include "dialect.h"
#include "evread.h"

struct prov_ops; /* the operations, private to lib/ (prov_priv.h) */

struct provider {
	enum dialect id;
	const char *name;            /* canonical name: "openai-chat" */
	const char *alias[3];        /* other accepted names, NULL-ended */
	const char *content_type;    /* of its stream */
	int ndjson;                  /* streams NDJSON lines, not SSE */
	/* the request side (llm-request) */
	const char *default_base;    /* base URL without --base-url */
	const char *base_env;        /* variable holding the base, or NULL */
	const char *default_model;
	const char *key_env;         /* variable holding the key; NULL: none
	                              * is needed (a key from a file is
	                              * still sent) */
	const char *key_env_alt;     /* a second one, or NULL */
	const char *key_header;      /* header carrying the key, or NULL */
	const char *key_prefix;      /* before the key in it ("Bearer ") */
	const char *extra_header;    /* "name: value" always sent, or NULL */
	const char *model_prefix;    /* models that imply it ("claude-") */
	int model_in_path;           /* the model goes in the URL, not the body */
	const char *const *paths;    /* llm-mock's POST routes, NULL-ended */
	const struct prov_ops *ops;
};

/* provider_get: the row of d, NULL for DIALECT_AUTO or out of range. */
const struct provider *provider_get(enum dialect d);

/* provider_at: the i-th row (0-based), NULL past the last: for loops. */
const struct provider *provider_at(size_t i);

/* provider_parse maps a name or an alias to *d. 0 or -1. */
int provider_parse(const char *name, enum dialect *d);

/* provider_names: the canonical names joined by sep, for usage texts
 * and messages (static storage, rebuilt per call: not thread-safe). */
const char *provider_names(const char *sep);

/* provider_detect: the provider an event belongs to, from its SSE event
 * type and its JSON data j (borrowed), or DIALECT_AUTO when it does not
 * tell. The one detector: delta-join, stream-metrics and llm-mock's
 * capture loader all use it. */
enum dialect provider_detect(const struct ev *ev, jv j);

/* provider_infer: the provider a model name implies (claude-* is
 * anthropic, gemini-* or models/gemini-* gemini), else openai-chat. */
enum dialect provider_infer(const char *model);

/* provider_last_user appends the text of the last user message of a
 * request body in d's shape (borrowed) to b: llm-mock's reading of a
 * request, the inverse of req_build_body for the prompt. */
void provider_last_user(enum dialect d, jv body, struct buf *b);

#endif
