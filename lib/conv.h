/* conv.h - conversation files: one message format in and out, for every
 * provider.
 *
 * A conversation is NDJSON, one message a line (llmpipe(7), "The
 * conversation file"): system, user and tool messages written by hand,
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

#define CONV_VERSION 1
#define CONV_MAX ((size_t)64 << 20) /* largest conversation file read */

/* conv_load reads the conversation in path into *out (a new array, the
 * caller owns it): a missing or empty file is an empty conversation.
 * Refuses a symlink, a directory or anything not a regular file, a file
 * over CONV_MAX, and any line conv_check refuses. Returns 0, or -1 with
 * the reason in err (NUL-terminated, at most n bytes). */
int conv_load(const char *path, jv *out, char *err, size_t n);

/* conv_check validates conv (an array, consumed) and returns it
 * normalized (each tool call's arguments a JSON text, kept as written
 * when it was one, each tool result named after its call), or an invalid jv with "line N: why" in err:
 * not an object, an unknown role, content that is not a string, a tool
 * call without a name or with arguments that are not JSON, a tool result
 * whose call no earlier assistant message made, a newer "v". first_line
 * is the line number of conv[0]. */
jv conv_check(jv conv, int first_line, char *err, size_t n);

/* conv_append appends msg (consumed) to path as one line, with one
 * write(2) under an exclusive flock(2), creating the file (mode 0600)
 * when missing and never truncating it; a last line left without its
 * newline gets one first. Refuses a symlink, a directory or any other
 * non-regular file. Returns 0, or -1 with the reason in err. */
int conv_append(const char *path, jv msg, char *err, size_t n);

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
