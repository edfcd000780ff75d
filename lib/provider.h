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
	const char *api_path;        /* the request path after the base, when
	                              * the req_path operation is NULL */
	const char *key_env;         /* variable holding the key; NULL: none
	                              * is needed (a key from a file is
	                              * still sent) */
	const char *key_env_alt;     /* a second one, or NULL */
	const char *key_header;      /* header carrying the key, or NULL */
	const char *key_prefix;      /* before the key in it ("Bearer ") */
	const char *key_query;       /* query parameter that may carry it */
	const char *key_header_alt;  /* a second header the provider takes
	                              * the key in (llm-mock accepts it), or
	                              * NULL */
	const char *key_prefix_alt;  /* before the key in that one */
	const char *extra_header;    /* "name: value" always sent, or NULL */
	const char *model_prefix;    /* models that imply it ("claude-") */
	const char *const *model_only; /* models only it serves (prefixes,
	                              * NULL-ended): they imply it before
	                              * any model_prefix */
	const char *const *reasoning_models; /* model families (prefixes)
	                              * that reason and refuse sampling
	                              * options (NULL: none known) */
	const char *const *not_reasoning; /* within those, the ones that do
	                              * not (substrings, "-chat") */
	const char *const *no_effort_none; /* model families (a name, or it
	                              * and "-..." after it) whose lowest
	                              * reasoning effort is above none */
	int model_in_path;           /* the model goes in the URL, not the body */
	int stream_default;          /* a body without "stream" streams */
	/* llm-mock */
	const char *const *paths;    /* POST routes, NULL-ended */
	const char *route_doc;       /* how --help names a route that the
	                              * paths cannot list (NULL: paths[0]) */
	const char *const *models_paths; /* GET routes of the model list */
	const char *models_body;     /* the model list's JSON */
	long min_max_tokens;         /* the least max tokens it takes (0:
	                              * any): under it, a usage error */
	int detect_last;             /* its events are told by fields that
	                              * others' may carry too: tried after
	                              * the rest */
	const struct prov_ops *ops;
};

/* provider_get: the row of d, NULL for DIALECT_AUTO or out of range. */
const struct provider *provider_get(enum dialect d);

/* provider_at: the i-th row (0-based), NULL past the last: for loops.
 * Row 0 is the default provider (OpenAI-compatible chat). */
const struct provider *provider_at(size_t i);

/* provider_parse maps a name or an alias to *d. 0 or -1. */
int provider_parse(const char *name, enum dialect *d);

/* provider_names: the canonical names joined by sep, for usage texts
 * and messages (static storage, rebuilt per call: not thread-safe). */
const char *provider_names(const char *sep);

/* provider_usage returns text (a tool's --help) with the provider lists
 * filled in from the table: @DIALECTS@ the canonical names, @PROVIDERS@
 * the short names (the first alias, else the name), @KEY_VARS@ the key
 * variables ("A, B or C"), @POSTS@ and @GETS@ llm-mock's routes. A line holding one is wrapped at 79 columns,
 * continued under the list (or at column 0 for a line of prose). The
 * result belongs to provider.c and stays valid until the next call (it
 * is printed on the way to exit: kept reachable, it is no leak). */
char *provider_usage(const char *text);

/* provider_choose: the provider for a request to model (NULL: none
 * given) at the explicit base URL base (NULL: none given). A base whose
 * host or path says which API it serves (an OpenAI-compatible path such
 * as Gemini's /v1beta/openai, a provider's own host) wins over the
 * model's name, except that a model only the Responses API serves keeps
 * it on an OpenAI-compatible base; else the model's name tells
 * (provider_infer). *from (when not NULL) is set to "the base URL" or
 * "the model name" or "the default": what decided. */
enum dialect provider_choose(const char *model, const char *base,
    const char **from);

/* provider_model_in: model (without a "models/" prefix) starts with one
 * of list's prefixes (NULL-ended; a NULL list holds none). */
int provider_model_in(const char *const *list, const char *model);

/* provider_family_in: model is one of list's names, or one of them
 * followed by "-" and more ("gpt-5" holds gpt-5-mini, not gpt-5.1). */
int provider_family_in(const char *const *list, const char *model);

/* provider_reasoning_model: model is of p's reasoning families. */
int provider_reasoning_model(const struct provider *p, const char *model);

/* provider_detect: the provider an event belongs to, from its SSE event
 * type and its JSON data j (borrowed), or DIALECT_AUTO when it does not
 * tell. The one detector: delta-join, stream-metrics and llm-mock's
 * capture loader all use it. */
enum dialect provider_detect(const struct ev *ev, jv j);

/* provider_infer: the provider a model name implies (claude-* is
 * anthropic, gemini-* or models/gemini-* gemini), else openai-chat. */
enum dialect provider_infer(const char *model);

/* A request's endpoint as llm-mock reads it. */
struct provider_route {
	enum dialect d;          /* openai-chat when the path is unknown */
	int kind;                /* PROUTE_* */
	int stream;              /* the path says stream (1) or not (0); -1:
	                          * the body says (provider_body_streams) */
	char model[256];         /* the model named in the path, or "" */
};
enum { PROUTE_UNKNOWN, PROUTE_GENERATE, PROUTE_MODELS };

/* provider_route reads url's path (no query) into r. */
void provider_route(const char *url, struct provider_route *r);

/* provider_body_streams: a request body (borrowed) of d asks to stream. */
int provider_body_streams(enum dialect d, jv body);

/* provider_header_name copies the name of a "name: value" header line
 * (as extra_header) into out, lowercased. */
void provider_header_name(const char *line, char *out, size_t n);

/* provider_last_user appends the text of the last user message of a
 * request body in d's shape (borrowed) to b: llm-mock's reading of a
 * request, the inverse of req_build_body for the prompt. */
void provider_last_user(enum dialect d, jv body, struct buf *b);

#endif
