/* prov_priv.h - what a provider file implements: its row's operations.
 * Only lib/ includes it; provider files include it and never each other.
 * A provider file exports exactly one struct provider, its row of the
 * table (prov_<name>), whose ops are these. */
#ifndef LLMPIPE_PROV_PRIV_H
#define LLMPIPE_PROV_PRIV_H

#include "acc_priv.h"
#include "conv.h"
#include "emit_priv.h"
#include "jsonw.h"
#include "provider.h"
#include "req_spec.h"

struct prov_ops {
	/* detect: 1 when an event of SSE type `type` (NUL-terminated, "" when
	 * none) whose JSON data j (any kind) has the string field "type"
	 * dtype (or NULL) is this provider's. */
	int (*detect)(const char *type, const char *dtype, jv j);
	/* event: fold one event (j: its JSON, borrowed) into a. 0 or an
	 * ACC_ERR_*. */
	int (*event)(struct acc *a, struct ev *ev, jv j);
	/* native: the non-streaming body of what a holds (new reference). */
	jv (*native)(const struct acc *a);
	/* write: the whole stream of w->m; write_error: the in-stream error
	 * as the provider sends it after HTTP 200. */
	void (*write)(struct w *w);
	void (*write_error)(struct w *w);
	/* error_body: the HTTP error body for status, with message, in the
	 * provider's own vocabulary (status_word). */
	int (*error_body)(struct buf *b, int status, const char *message);
	/* The request side (req_spec.h). req_host: a base without a scheme
	 * as the provider's own client reads it, scheme included (NULL:
	 * https:// is prefixed); req_path: the endpoint path for model,
	 * after base[0..n) (NULL: the row's api_path); req_body: the body of r, messages msgs
	 * (consumed) with the prompt added, before tools and the stream
	 * flag; req_ready and req_finish: as req_body_ready and
	 * req_body_finish; req_streaming: what a streaming body adds (NULL:
	 * nothing). */
	void (*req_host)(struct buf *b, const char *base, size_t n);
	void (*req_path)(struct buf *b, const char *base, size_t n,
	    const char *model, int stream);
	jv (*req_body)(const struct req_params *r, jv msgs);
	int (*req_ready)(jv body, int stream);
	jv (*req_finish)(jv body, int stream);
	jv (*req_streaming)(jv body, const char *base);
	/* req_opts: body with r's max tokens, temperature and reasoning in
	 * the provider's fields (for r->base's host). Consumes body. */
	jv (*req_opts)(jv body, const struct req_params *r);
	/* req_tools: a --tools array (consumed) in the provider's shape:
	 * items in OpenAI's function format ({"type":"function","function":
	 * {name, description, parameters}}) converted, others passed
	 * through (NULL: the array as it is). */
	jv (*req_tools)(jv tools);
	/* req_check: as req_check (req_spec.h); NULL: OpenAI's rules, which
	 * OpenAI-compatible servers share (req_check_common with a
	 * temperature up to 2, a level and no budget). */
	int (*req_check)(const struct req_params *r, struct buf *why);
	/* req_auth: fill a when base's host wants another key header than
	 * the row's (NULL: never). */
	void (*req_auth)(const char *base, struct req_auth *a);
	/* req_claims: 1 when an explicit base URL says it serves this
	 * provider's API, whatever the model's name suggests (NULL: never). */
	int (*req_claims)(const char *base);
	/* req_refuse: as req_refuse (req_spec.h); NULL: nothing refused. */
	int (*req_refuse)(jv body, struct buf *why);
	/* fast: 1 when the event just folded (j, one text, reasoning or
	 * tool-call delta of kind a->ev_kind, see a->ev_*) may serve as a
	 * template, with fs saying where its string is and what else varies;
	 * NULL: no fast path for the provider. */
	int (*fast)(struct acc *a, jv j, struct fast_spec *fs);
	/* route: 1 when url is one of the provider's generate endpoints
	 * that the paths list cannot hold (a model in the path), with
	 * r->stream and r->model set; NULL: only the paths list. */
	int (*route)(const char *url, struct provider_route *r);
	/* last_user appends the text of the last user message of a request
	 * body (borrowed) to b: what llm-mock --echo answers with. */
	void (*last_user)(jv body, struct buf *b);
	/* The conversation side (conv.h). conv_encode: the provider's
	 * message list (messages, contents or input items) of a checked
	 * conversation without its system messages (consumed), an assistant
	 * message's provider_data taken as the provider's own form of it;
	 * conv_decode: a request body (borrowed) back into a conversation,
	 * in conv_norm's shape; conv_keep: what of a native body (borrowed)
	 * only this provider can take back (the assistant message's
	 * provider_data), or jv_null() (NULL: nothing ever is). */
	jv (*conv_encode)(jv conv);
	jv (*conv_decode)(jv body);
	jv (*conv_keep)(jv native);
	/* conv_items: instead of the three, a list of typed items */
	const struct conv_items *conv_items;
	/* served: what llm-mock answers without streaming, from native (the
	 * SDK's reconstruction, consumed): the provider's own body, with the
	 * usage the stream reported (new reference). NULL: native as is. */
	jv (*served)(const struct acc *a, jv native);
	/* reshape: the frame p[0..n) of a capture rewritten into out (reset
	 * first) for the endpoint url, when the capture is another
	 * endpoint's shape (a generate line on a chat endpoint); 1 when
	 * rewritten, 0 when it fits as it is. NULL: every frame fits. */
	int (*reshape)(const char *url, const char *p, size_t n,
	    struct buf *out);
};

/* openai_req_auth: the OpenAI family's key for its host (an Azure
 * host takes api-key and AZURE_OPENAI_API_KEY): the req_auth of both
 * OpenAI files, chat completions and Responses (prov_chat.c). */
void openai_req_auth(const char *base, struct req_auth *a);

/* Helpers of the request side shared by the providers (req_spec.c). */
/* req_base_ends: base[0..n) ends with the path segment seg, any case. */
int req_base_ends(const char *s, size_t n, const char *seg);
/* req_user_text: {"role":"user","content":prompt} */
jv req_user_text(const char *prompt);
/* req_chat_messages: the chat message list (OpenAI chat, Ollama): a
 * system message first, msgs (consumed), the prompt last. */
jv req_chat_messages(const struct req_params *r, jv msgs);
/* req_sampling: obj with r's max tokens (named max_key) and temperature
 * set, each when given. Consumes obj. */
jv req_sampling(jv obj, const char *max_key, const struct req_params *r);
/* req_options: body with key set to an object of r's max tokens (named
 * max_key) and temperature, when either is set. Consumes body. */
jv req_options(jv body, const char *key, const char *max_key,
    const struct req_params *r);
/* req_set_nonempty: body with key set to obj when obj has a member, else
 * body as it was. Consumes both. */
jv req_set_nonempty(jv body, const char *key, jv obj);
/* req_url_host copies url's host (no brackets, port or userinfo) into
 * out[0..n), lowercased. */
void req_url_host(const char *url, char *out, size_t n);
/* req_host_is: the host of url is host, or (host starting with '.') ends
 * with it. */
int req_host_is(const char *url, const char *host);
/* req_path_has: url's path (before any query) has the segment seg
 * ("/openai"), compared without case. */
int req_path_has(const char *url, const char *seg);
/* req_check_common: the checks most providers' req_check make: a
 * temperature over tmax, a token budget where the provider takes none
 * (budget 0), both usage errors; a temperature for one of the row's
 * reasoning models, a note. */
int req_check_common(const struct req_params *r, double tmax, int budget,
    struct buf *why);
/* req_effort: req_level, or "none" (for REQ_REASON_NONE). */
const char *req_effort(const struct req_params *r);
/* req_pick: to with each of from's members named in keys (separated by
 * spaces) that from has, not null. Consumes to, borrows from. */
jv req_pick(jv to, jv from, const char *keys);
/* req_refuse_key: 1 with msg in why when body has the member key. */
int req_refuse_key(jv body, const char *key, const char *msg,
    struct buf *why);
/* req_level: "low", "medium", "high" for a level of r (NULL otherwise). */
const char *req_level(const struct req_params *r);
/* req_openai_tool: 1 when item (borrowed) is a tool in OpenAI chat's
 * function format; then *fn is its "function" object (new reference). */
int req_openai_tool(jv item, jv *fn);
/* req_tools_each: tools (consumed) with each item in OpenAI's function
 * format replaced by conv(its "function" object, borrowed), the others
 * kept. A tools value that is not an array is returned as it is. */
jv req_tools_each(jv tools, jv (*conv)(jv fn));
/* req_tools_nested: tools (consumed) with each flat function tool (the
 * Responses API's {"type":"function","name":...}) nested as OpenAI
 * chat's, which Ollama shares; the others kept. */
jv req_tools_nested(jv tools);
/* req_tools_flat: the inverse, each tool in OpenAI chat's nested format
 * made flat as the Responses API takes it, others kept. Consumes tools. */
jv req_tools_flat(jv tools);
/* req_refuse_tools: 1 with the message made by fmt (its %d the item's
 * index) in why when an item of body's tools is in OpenAI chat's
 * format (a provider of another shape refuses it). */
int req_refuse_tools(jv body, const char *fmt, struct buf *why);
/* req_temp_range: 1 with a message in why when body's (or, key not
 * NULL, body[key]'s) temperature is outside 0..max. */
int req_temp_range(jv body, const char *key, double max, struct buf *why);
/* req_stream_ok: body's "stream" asks for stream (default_on: absent
 * means on). Borrows body. */
int req_stream_ok(jv body, int stream, int default_on);
/* req_last_user appends the content text of the last item of the array
 * body[list] whose "role" is "user" (or, any_role, has no role) to b. */
void req_last_user(jv body, const char *list, const char *ckey,
    int any_role, struct buf *b);

/* Each provider file's one export: its row of the table. */
/* The OpenAI family's model facts, shared by its two rows (defined in
 * prov_chat.c): provider.h's reasoning_models, not_reasoning,
 * no_effort_none, and the Responses row's model_only. */
extern const char *const openai_reasoning[], *const openai_not_reasoning[],
    *const openai_no_effort_none[], *const openai_responses_only[];
#define LLMPIPE_PROVIDER_EXTERN(e, f) extern const struct provider prov_##f;
LLMPIPE_PROVIDERS(LLMPIPE_PROVIDER_EXTERN)
#undef LLMPIPE_PROVIDER_EXTERN

#endif
