/* dialect.h - provider dialects: one normalized delta model for every
 * provider's stream, and the accumulator that assembles a message from it.
 *
 * Used by delta-join (all output modes), stream-metrics (token-bearing
 * frames, usage, status) and llm-mock (non-streaming bodies built from a
 * capture). Feed it events from evread; it calls back with deltas. */
#ifndef LLMPIPE_DIALECT_H
#define LLMPIPE_DIALECT_H

#include <jv.h>
#include <stddef.h>

#include "evread.h"

/* The providers, one line each: X(NAME, file) gives DIALECT_NAME and
 * the row prov_<file>, defined in lib/prov_<file>.c with everything
 * about the provider. This list is the provider table's order; adding a
 * provider is its file and one line here (HACKING). OPENAI_CHAT, the
 * first, is also every OpenAI-compatible server. */
#define LLMPIPE_PROVIDERS(X) \
	X(OPENAI_CHAT, chat) \
	X(OPENAI_RESPONSES, responses) \
	X(ANTHROPIC, anthropic) \
	X(GEMINI, gemini) \
	X(OLLAMA, ollama)

#define LLMPIPE_DIALECT_ENUM(e, f) DIALECT_##e,
enum dialect {
	DIALECT_AUTO = 0,         /* detect from the first events */
	LLMPIPE_PROVIDERS(LLMPIPE_DIALECT_ENUM)
	DIALECT_COUNT             /* the number of values above, not one */
};
#undef LLMPIPE_DIALECT_ENUM

/* dialect_name: "openai-chat", "openai-responses", "anthropic", "gemini",
 * "ollama" ("auto" for DIALECT_AUTO). Static string. */
const char *dialect_name(enum dialect d);

/* dialect_parse maps a name (as above; "openai" and "chat" are accepted
 * for openai-chat, "responses" for openai-responses) to *d. 0 or -1. */
int dialect_parse(const char *name, enum dialect *d);

enum delta_kind {
	DELTA_TEXT,       /* text: fragment of the answer */
	DELTA_REASONING,  /* text: reasoning/thinking fragment */
	DELTA_REFUSAL,    /* text: refusal fragment */
	DELTA_TOOL_CALL,  /* call, id, name, text = arguments fragment */
	DELTA_USAGE,      /* the usage numbers (cumulative: latest wins) */
	DELTA_FINISH,     /* text = finish reason (normalized vocabulary) */
	DELTA_ERROR,      /* name = error type, text = message */
	DELTA_DONE        /* the stream's terminal event arrived */
};

/* One normalized delta. Pointers are borrowed, valid during the callback. */
struct delta {
	enum delta_kind kind;
	int choice;            /* choice / candidate index, 0 for most */
	int call;              /* TOOL_CALL: index of the call in the choice */
	const char *text;      /* see delta_kind; NULL when absent */
	size_t len;
	const char *id;        /* TOOL_CALL: id when this fragment has it */
	const char *name;      /* TOOL_CALL: name when present; ERROR: type */
	/* USAGE: -1 where the provider did not report a number */
	long long input_tokens, output_tokens, reasoning_tokens, cached_tokens;
};

typedef int (*delta_fn)(void *ctx, const struct delta *d);

enum acc_status {
	ACC_RUNNING = 0,  /* no terminal event yet (incomplete at the end) */
	ACC_COMPLETE,     /* the dialect's terminal event arrived */
	ACC_ERROR         /* an error arrived in the stream */
};

/* Errors acc_event reports (negative), besides a callback's non-zero. */
enum {
	ACC_ERR_JSON = -10,   /* data that must be JSON is not; see acc_error */
	ACC_ERR_TOO_BIG = -11,/* assembled message over the cap */
	ACC_ERR_INDEX = -12,  /* a tool-call or choice index out of range */
	ACC_ERR_DIALECT = -13 /* event shape not known for the dialect */
};

struct acc; /* opaque accumulator */

/* acc_new makes an accumulator. d = DIALECT_AUTO detects the dialect from
 * the events. max_bytes caps the assembled message (0: 64 MiB). The
 * caller owns the result: acc_free. */
struct acc *acc_new(enum dialect d, size_t max_bytes);
void acc_free(struct acc *a);

/* acc_event feeds one event: updates the assembled message and calls cb
 * (may be NULL) for each delta it carries, in order. Returns the number of
 * token-bearing deltas (non-empty text, reasoning, refusal or tool-call
 * arguments) it carried (>= 0), or a negative ACC_ERR_* (message from
 * acc_error), or the callback's non-zero return (as a negative of its
 * absolute value minus 100: -100 - |rc|). Comments never reach it. */
int acc_event(struct acc *a, struct ev *ev, delta_fn cb, void *ctx);

/* acc_vouch: 1 when the NDJSON line s[0..n) matches the fast path's
 * template (the bytes of a provider's object the full path took, with
 * other strings or integers in its slots), so it surely is such an
 * object and need not be checked as JSON (evr_opts.vouch); the match is
 * kept for acc_event on the same bytes, which must come next. */
int acc_vouch(struct acc *a, const char *s, size_t n);

/* acc_end: the input ended. A high surrogate half still held back (its
 * low half never came) is handed to cb as the U+FFFD it becomes, so the
 * streamed text ends as -j/-n's does. Call once, after the last event. */
void acc_end(struct acc *a, delta_fn cb, void *ctx);

/* acc_keep_text(a, 0): do not keep the answer, reasoning and refusal
 * text (tool-call arguments are always kept), for readers that only
 * stream the deltas: memory then stays constant however long the text.
 * acc_json and acc_native then lack that text. Default: kept. */
void acc_keep_text(struct acc *a, int keep);

/* acc_take_fault: a fault in the stream that was folded in anyway, as the
 * SDKs do (a tool-call index reused by a call with another id; arguments
 * of a call that acc_tool_calls_ready already reported), once, or NULL.
 * acc_event's return does not show these. The text is valid until the
 * next acc_event. */
const char *acc_take_fault(struct acc *a);

/* acc_error: text of the last error ("line 4: not valid JSON: ..."). */
const char *acc_error(const struct acc *a);

enum dialect acc_dialect(const struct acc *a);
enum acc_status acc_status(const struct acc *a);

/* acc_provider_error: the in-stream error as "type: message", or NULL. */
const char *acc_provider_error(const struct acc *a);

/* acc_tool_args_check: for each assembled tool call whose arguments are
 * not valid JSON, calls report(ctx, choice, call_id_or_name). Returns
 * how many were invalid. */
int acc_tool_args_check(const struct acc *a,
    void (*report)(void *ctx, int choice, const char *call), void *ctx);

/* acc_choices: how many choices were seen (at least 1 once any delta). */
int acc_choices(const struct acc *a);

/* acc_json returns the normalized --json object of one choice (caller
 * owns it):
 * {"index","id","model","provider","role","content","reasoning","refusal",
 *  "tool_calls":[{"id","name","arguments"}],"finish_reason","usage":{...}}
 * absent facts are null, never invented. */
jv acc_json(const struct acc *a, int choice);

/* acc_native returns the body the provider would have sent without
 * streaming, as the official SDK accumulators build it (caller owns it):
 * chat.completion, Anthropic Message, Responses response object,
 * GenerateContentResponse, or Ollama's final object. */
jv acc_native(const struct acc *a);

/* acc_served: the body the provider itself sends without streaming
 * (what llm-mock answers): acc_native with the usage the stream
 * reported kept (a later "usage": null, or a chunk the SDK skips, does
 * not erase it) and stream-only fields dropped. Caller owns it. */
jv acc_served(const struct acc *a);

/* acc_usage copies the latest usage (-1 for unreported numbers). */
void acc_usage(const struct acc *a, long long *input, long long *output,
    long long *reasoning, long long *cached);

/* acc_server_tokens copies the token counts a server reports outside
 * the usage (llama.cpp's server), -1 for unreported numbers. */
void acc_server_tokens(const struct acc *a, long long *input,
    long long *output);

/* acc_finish_reason: choice 0's normalized finish reason, or NULL. */
const char *acc_finish_reason(const struct acc *a);

/* acc_tool_calls_ready calls fn once for each tool call that became
 * complete since the last call (its block stopped, the next call
 * started, its choice finished or the stream ended), in index order per
 * choice; with final set, for every call not yet reported. args is the
 * assembled arguments text (borrowed, "" when none); canonical says that
 * it is valid JSON already in the form jvx_dump writes (a call that came
 * whole, its arguments a JSON value), so it can be written as it is.
 * Returns how many. */
int acc_tool_calls_ready(struct acc *a, int final,
    void (*fn)(void *ctx, int choice, int call, const char *id,
    const char *name, const char *args, size_t len, int canonical),
    void *ctx);

#endif
