/* req_spec.h - what llm-request sends: per-provider URLs, request bodies,
 * header and key safety rules, and the retry policy.
 *
 * Pure functions over strings and jv values (no I/O, no libcurl), so the
 * rules can be tested on their own. jv arguments are borrowed unless a
 * function says it consumes them. */
#ifndef LLMPIPE_REQ_SPEC_H
#define LLMPIPE_REQ_SPEC_H

#include <jv.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "dialect.h"

/* req_url returns the request URL (malloc'ed, caller frees): base without
 * its query and trailing slashes, a scheme added when base has none (http://, as curl
 * takes it, or the provider's own reading of a bare host, such as
 * Ollama's), then
 * the provider's path for model (the row's req_path operation), then
 * base's query (Azure's ?api-version=), if any. The
 * provider's defaults (base URL, key variables, model) are facts of its
 * row in provider.h. */
char *req_url(enum dialect p, const char *base, const char *model,
    int stream);

/* req_url_is_loopback tells whether url's host is localhost, 127.0.0.0/8,
 * ::1 or 0.0.0.0 (which Linux connects to locally). */
int req_url_is_loopback(const char *url);

/* req_url_is_https tells whether url starts with https:// (any case). */
int req_url_is_https(const char *url);

/* --reasoning: a level, or a budget of thinking tokens. */
enum req_reason {
	REQ_REASON_UNSET, REQ_REASON_NONE, REQ_REASON_LOW, REQ_REASON_MEDIUM,
	REQ_REASON_HIGH, REQ_REASON_BUDGET
};

/* --max-tokens-field: which field carries --max-tokens where a provider
 * has two (OpenAI chat): by the host (REQ_MAX_AUTO), or forced. */
enum req_max_field { REQ_MAX_AUTO, REQ_MAX_TOKENS, REQ_MAX_COMPLETION };

/* The request as the options describe it. messages and tools are
 * borrowed JSON arrays, or jv_null() when absent. prompt may be NULL
 * when messages are given. max_tokens < 0 and has_temperature == 0 mean
 * "not set" (anthropic always sends max_tokens: 4096 when unset). base
 * is the base URL the request goes to (its host decides what some
 * providers accept), or NULL for the provider's default. */
struct req_params {
	enum dialect provider;
	const char *model;
	const char *system;
	const char *prompt;
	const char *base;
	long max_tokens;
	enum req_max_field max_field;
	int has_temperature;
	double temperature;
	enum req_reason reasoning;
	long reasoning_budget;  /* tokens, with REQ_REASON_BUDGET */
	jv messages;
	jv tools;
	int stream;
};

/* req_reasoning_parse reads a --reasoning value (none, low, medium, high,
 * or a positive number of tokens) into r. 0, or -1 when it is neither. */
int req_reasoning_parse(const char *s, struct req_params *r);

/* req_check tells whether the provider takes r's options: -1 when it
 * documents a refusal (a temperature out of its range, a reasoning form
 * it has no field for, a budget it does not take), with the reason in
 * why, a usage error; 1 when the request will go out but the model
 * family is known to refuse part of it, with a one-line note in why; 0
 * when nothing is known against it. */
int req_check(const struct req_params *r, struct buf *why);

/* req_auth: the header carrying the key for base on provider p, its
 * prefix and the variable holding the key, where the host wants others
 * than the row's (Azure OpenAI's api-key); else the row's. */
struct req_auth {
	const char *header, *prefix, *key_env, *key_env_alt;
};
void req_auth(enum dialect p, const char *base, struct req_auth *a);

/* req_refuse: 1 when the provider p would refuse body (borrowed) with an
 * HTTP 400 for one of the refusals llm-request avoids (a parameter the
 * model does not take, a field missing, tools in another provider's
 * shape, a temperature out of range), with the provider's message in
 * why; else 0. What llm-mock --strict answers. */
int req_refuse(enum dialect p, jv body, struct buf *why);

/* req_build_body returns the request body as a JSON object (new
 * reference). */
jv req_build_body(const struct req_params *r);

/* req_body_ready tells whether body (an object) already asks for the
 * wanted streaming mode and holds every field the provider requires
 * (such as Anthropic's max_tokens), so that a --body file can be sent
 * byte for byte. Borrows body. */
int req_body_ready(jv body, enum dialect p, int stream, const char *base);

/* req_body_finish returns body with streaming forced on (or off) as the
 * provider asks for it (req_stream_flag for most; Gemini streams by URL),
 * what a stream adds where base's host takes it (OpenAI's include_usage)
 * and every field it requires set (Anthropic's max_tokens, which the API
 * cannot do without). base may be NULL (the default). Consumes body. */
jv req_body_finish(jv body, enum dialect p, int stream, const char *base);

/* req_stream_flag: body with "stream" set to stream, and "stream_options"
 * removed when streaming is off (OpenAI refuses it then): the common
 * finish of the providers that stream by a body flag. Consumes body. */
jv req_stream_flag(jv body, int stream);

/* req_header_is_secret tells whether a header name (len bytes, any case)
 * carries credentials: authorization, proxy-authorization, api-key,
 * cookie, and the key header of every provider in the table. Such
 * values are never printed or logged, by llm-request or llm-mock. */
int req_header_is_secret(const char *name, size_t len);

/* req_status_retryable: 408, 409, 429, 500, 502, 503, 504, 529. */
int req_status_retryable(long status);

/* req_retry_after_ms turns the retry-after-ms value (milliseconds, may be
 * fractional) or else the Retry-After value (seconds, or an HTTP date
 * compared with now_s, seconds since the epoch) into a delay in
 * milliseconds. Either may be NULL. Returns -1 when neither gives a valid
 * delay (negative or unparsable). */
int64_t req_retry_after_ms(const char *retry_after_ms, const char *retry_after,
    int64_t now_s);

/* req_backoff_ms is the delay before retry number n (1-based) without a
 * server hint: 0.5 s doubling per retry up to 8 s, minus up to 25 %
 * jitter (rnd in [0, 1)), as the official SDKs do. */
int64_t req_backoff_ms(int n, double rnd);

/* req_error_message extracts the provider's error message from an HTTP
 * error body: .error.message (OpenAI, Anthropic, Gemini, also inside a
 * one-element array), .error when a string (Ollama), .message, .detail;
 * else the body's first line when it is text. Writes a NUL-terminated,
 * single-line message of at most n - 1 bytes to out. Returns 0, or -1
 * when nothing usable was found (out is then ""). */
int req_error_message(const char *body, size_t len, char *out, size_t n);

/* req_redact appends s[0..len) to out with every occurrence of secret
 * (when non-NULL and non-empty) replaced by "<redacted>". Returns 0, or
 * -1 over out's maximum. */
int req_redact(struct buf *out, const char *s, size_t len,
    const char *secret);

/* What llm-request keeps of a response's status line and headers, for its
 * retry and error decisions. Fixed buffers: longer values are cut. */
struct req_resp {
	long status;            /* of the last status line, 0 before */
	char reason[128];       /* its reason phrase */
	char retry_after[128], retry_after_ms[64];
	char location[256];     /* of a redirect, which is never followed */
	int should_retry;       /* x-should-retry: -1 absent, 0 false, 1 true */
	int http1;              /* the status line is HTTP/1.x (or 0.9) */
	int has_length;         /* a Content-Length header */
	int chunked;            /* Transfer-Encoding ending in chunked */
};

/* req_resp_reset empties r, as before a request. */
void req_resp_reset(struct req_resp *r);

/* req_resp_header reads one header line line[0..n) of a response (its
 * CRLF optional) into r. A status line ("HTTP/...") starts a new response:
 * what an earlier one (100 Continue, a proxy's 200) set is cleared.
 * Returns 1 for the empty line that ends a response's headers, else 0.
 * Borrows line, which need not be NUL-terminated. */
int req_resp_header(struct req_resp *r, const char *line, size_t n);

/* req_resp_close_delimited: 1 when the body of the response r read is
 * delimited only by the end of the connection (HTTP/1.x, neither a
 * Content-Length nor chunked), so that the transport alone cannot tell a
 * cut from a complete body; else 0. */
int req_resp_close_delimited(const struct req_resp *r);

#endif
