/* conv.h - conversations: one message format in and out, for every
 * provider (the files themselves: conv_file.h).
 *
 * A conversation is NDJSON, one message a line (llmpipe(7), "Conversation
 * files"): system, user and tool messages written by hand,
 * and assistant messages as delta-join -j writes them, with an optional
 * "provider_data" (what only the same provider can take back: Anthropic
 * thinking blocks, Responses reasoning items, Gemini thought signatures)
 * and "v" (the format's version, 1; absent means 1).
 *
 * Used by llm-request --conversation (read, convert, append the user
 * message), delta-join --conversation (append the assistant message) and
 * llm-mock (read a request body back). lib/ never prints: errors are
 * written to a caller's buffer, "line 3: unknown role 'bot'". jv
 * arguments are borrowed unless a function says it consumes them. */
#ifndef LLMPIPE_CONV_H
#define LLMPIPE_CONV_H

#include <jv.h>
#include <stddef.h>

#include "buf.h"
#include "dialect.h"

#define CONV_VERSION 1 /* the format's version, "v" */

/* conv_user: {"role":"user","content":text} with the version. */
jv conv_user(const char *text);

/* conv_from_acc: the assistant message of choice 0 of what a assembled,
 * for the conversation file: delta-join -j's object plus "v", missing
 * tool-call ids filled ("call_N"), "provider_data" when the provider
 * left something only it can take back, "incomplete": true when
 * incomplete is set. jv_null() when there is no assistant output (no
 * text, reasoning, refusal or tool call). */
jv conv_from_acc(const struct acc *a, int incomplete);

/* conv_request turns a checked conversation into what d's request body
 * takes: *msgs (new array, the provider's messages, contents or input
 * items, without the system messages) and *system (malloc'ed text of the
 * system messages joined by blank lines, or NULL). *dropped: how many
 * assistant messages' provider_data were left out because they came
 * from another provider. Returns 0. */
int conv_request(enum dialect d, jv conv, jv *msgs, char **system,
    int *dropped);

/* conv_from_body reads a request body in d's format (borrowed) back into
 * a conversation (new array, in conv_norm's shape). */
jv conv_from_body(enum dialect d, jv body);

/* conv_norm: conv (borrowed) reduced to what a request carries: role,
 * content, tool_calls (arguments as compact JSON), tool_call_id, and
 * provider and provider_data where kept; what conv_from_body gives back
 * for a request made of conv. */
jv conv_norm(jv conv);

/* conv_last appends to b the text that ends the request body (borrowed):
 * the last message's content when it is a user message or a tool
 * result. Returns 1 for a user message, 2 for a tool result, 0 when
 * the body ends otherwise (or holds nothing). */
int conv_last(enum dialect d, jv body, struct buf *b);

/* ---- helpers for the provider files' conversation operations ---- */

/* An API whose conversation is a list of typed items (OpenAI Responses):
 * messages with a role, calls and their results as items of their own,
 * and items only the provider takes back. The wire names are the
 * provider file's; a prov_ops row with conv_items needs no conv_encode,
 * conv_decode or conv_keep. */
struct conv_items {
	enum dialect d;
	const char *list;   /* the body's item list ("input") */
	const char *system; /* the body's system text */
	const char *call;   /* type of a call item (name, arguments) */
	const char *result; /* type of a result item */
	const char *id;     /* call id key of both */
	const char *output; /* result's content key */
	const char *kept;   /* type of the items kept in provider_data */
	const char *native; /* the native body's output list, and the
	                     * provider_data key of a turn's items */
};

jv conv_items_encode(jv conv, const struct conv_items *s);
jv conv_items_decode(jv body, const struct conv_items *s);

/* conv_text: content (a string, or an array of strings or parts with a
 * "text") as one string, or jv_null() when there is none. */
jv conv_text(jv content);
/* conv_args_obj: the arguments text of call (a checked tool call) parsed
 * into its JSON value. */
jv conv_args_obj(jv call);
/* conv_msg: {"role":role,"content":content}; consumes content. */
jv conv_msg(const char *role, jv content);
/* conv_pd: the message m's provider_data[key] (borrows m). */
jv conv_pd(jv m, const char *key);
/* conv_system: conv (consumed) with a system message of the text of
 * text (consumed: a string or parts), when there is one. */
jv conv_system(jv conv, jv text);
/* conv_msg_text: a message of role (developer: system) whose content is
 * the text of content (consumed; "" when none). */
jv conv_msg_text(const char *role, jv content);
/* conv_tool: a tool result for call id; consumes id and content. */
jv conv_tool(jv id, jv content);
/* conv_call: a tool call {"id","name","arguments"}; consumes all three;
 * arguments that are not a string are written as compact JSON, a string
 * is kept byte for byte (what the model wrote goes back as it was). */
jv conv_call(jv id, jv name, jv args);
/* conv_add: appends to conv (consumed) the assistant text (consumed, a
 * string or null) and call (consumed, or jv_invalid()), merged into the
 * last message when merge is set and it is an assistant message. */
jv conv_add(jv conv, int merge, jv text, jv call);
/* conv_chat_encode: the chat-shaped message list (OpenAI chat, and with
 * ollama set Ollama's: arguments as objects, tool_name on results) of a
 * checked conversation without system messages (consumed). */
jv conv_chat_encode(jv conv, int ollama);
/* conv_chat_decode: the chat-shaped message list body[key] (borrowed;
 * arguments as text or objects) as a conversation. */
jv conv_chat_decode(jv body, const char *key);
/* conv_has_type: some element of arr (borrowed) has "type" t1 or t2
 * (t2 may be NULL). */
int conv_has_type(jv arr, const char *t1, const char *t2);
/* conv_keep_if: {key: arr} when conv_has_type(arr, t1, t2), else
 * jv_null(); consumes arr. A conv_keep's usual body. */
jv conv_keep_if(jv arr, const char *key, const char *t1, const char *t2);
/* conv_keep_last: conv (consumed) with, when keep is set, its last
 * message's provider set to d's name and provider_data to {key: v} (v
 * consumed). */
jv conv_keep_last(jv conv, int keep, enum dialect d, const char *key, jv v);
/* conv_str: obj[key] when a string (borrowed from obj), else NULL. */
const char *conv_str(jv obj, const char *key);

#endif
