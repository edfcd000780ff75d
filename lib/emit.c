/* emit.c - writing a stream in a provider dialect (see emit.h) */
#include "emit.h"

#include <jv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"
#include "jvx.h"
#include "mem.h"
#include "sse.h"

#define LIT(b, s) buf_append((b), (s), sizeof(s) - 1)

void
emit_stream_init(struct emit_stream *s, enum dialect d)
{
	memset(s, 0, sizeof *s);
	s->d = d;
	s->ndjson = d == DIALECT_OLLAMA;
}

void
emit_stream_free(struct emit_stream *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->v[i].p);
	free(s->v);
	free(s->name);
	s->v = NULL;
	s->name = NULL;
	s->n = s->cap = s->bytes = 0;
}

int
emit_frame_add(struct emit_stream *s, const char *p, size_t n, double t,
    int has_t)
{
	size_t max = s->max_bytes ? s->max_bytes : BUF_DEFAULT_MAX;

	if (n > max || s->bytes > max - n)
		return -1;
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 16;
		s->v = xrealloc(s->v, s->cap * sizeof *s->v);
	}
	s->v[s->n].p = xmemdup(p, n);
	s->v[s->n].len = n;
	s->v[s->n].t = t;
	s->v[s->n].has_t = has_t;
	s->n++;
	s->bytes += n;
	return 0;
}

const char *
emit_content_type(enum dialect d)
{
	return d == DIALECT_OLLAMA ? "application/x-ndjson" :
	    "text/event-stream";
}

/* The writer: one frame is built in w->b, then added. */
struct w {
	struct emit_stream *s;
	const struct emit_msg *m;
	struct buf b;
	int err;
	long seq;         /* Responses sequence_number */
	const char *model;
	char id[96];
};

static void
w_init(struct w *w, struct emit_stream *s, const struct emit_msg *m)
{
	memset(w, 0, sizeof *w);
	w->s = s;
	w->m = m;
	buf_init(&w->b, 0);
	w->model = m && m->model ? m->model : "llm-mock";
	snprintf(w->id, sizeof w->id, "%s", m && m->id ? m->id : "mock");
}

static void
w_str(struct w *w, const char *s)
{
	if (jsonw_string(&w->b, s, strlen(s)) == -1)
		w->err = 1;
}

static void
w_lit(struct w *w, const char *s)
{
	if (buf_puts(&w->b, s) == -1)
		w->err = 1;
}

static void
w_num(struct w *w, long long n)
{
	if (buf_printf(&w->b, "%lld", n) == -1)
		w->err = 1;
}

/* w_sse_begin starts an SSE frame with an event line when event != NULL. */
static void
w_sse_begin(struct w *w, const char *event)
{
	buf_reset(&w->b);
	if (event) {
		w_lit(w, "event: ");
		w_lit(w, event);
		w_lit(w, "\n");
	}
	w_lit(w, "data: ");
}

static void
w_end(struct w *w, const char *tail)
{
	w_lit(w, tail);
	if (!w->err && emit_frame_add(w->s, w->b.p, w->b.len, 0, 0) == -1)
		w->err = 1;
	buf_reset(&w->b);
}

static int
w_done(struct w *w)
{
	buf_free(&w->b);
	return w->err ? -1 : 0;
}

static long long
out_tokens(const struct emit_msg *m)
{
	size_t i, n = m->ntext;

	if (m->output_tokens >= 0)
		return m->output_tokens;
	for (i = 0; i < m->ncalls; i++)
		n += m->calls[i].nargs + 1;
	return (long long)n;
}

static long long
in_tokens(const struct emit_msg *m)
{
	return m->input_tokens > 0 ? m->input_tokens : 0;
}

/* joined appends all fragments into b (a scratch buffer). */
static void
joined(struct buf *b, const char *const *v, size_t n)
{
	size_t i;

	buf_reset(b);
	for (i = 0; i < n; i++)
		buf_puts(b, v[i]);
}

static void
call_id(char *out, size_t n, const char *prefix, const struct emit_call *c,
    size_t i)
{
	if (c->id)
		snprintf(out, n, "%s", c->id);
	else
		snprintf(out, n, "%s%zu", prefix, i);
}

/* w_args_object appends the joined arguments as a JSON object value
 * (Gemini and Ollama send objects); {} when they are not JSON. */
static void
w_args_object(struct w *w, const struct emit_call *c)
{
	struct buf j;
	jv v;

	buf_init(&j, 0);
	joined(&j, c->args, c->nargs);
	v = jvx_parse(j.p ? j.p : "", j.len);
	buf_free(&j);
	if (jv_is_valid(v) && jv_get_kind(v) == JV_KIND_OBJECT) {
		if (jvx_dump(&w->b, v) == -1)
			w->err = 1;
	} else {
		jv_free(v);
		w_lit(w, "{}");
	}
}

/* ---- OpenAI chat completions ---- */

static void
chat_head(struct w *w)
{
	w_sse_begin(w, NULL);
	w_lit(w, "{\"id\":\"chatcmpl-");
	w_lit(w, w->id);
	w_lit(w, "\",\"object\":\"chat.completion.chunk\",\"created\":");
	w_num(w, w->m ? w->m->created : 0);
	w_lit(w, ",\"model\":");
	w_str(w, w->model);
	w_lit(w, ",\"choices\":[");
}

static void
chat_choice_end(struct w *w, const char *finish)
{
	w_lit(w, "},\"logprobs\":null,\"finish_reason\":");
	if (finish) {
		w_lit(w, "\"");
		w_lit(w, finish);
		w_lit(w, "\"");
	} else
		w_lit(w, "null");
	w_lit(w, "}]}");
	w_end(w, "\n\n");
}

static void
emit_chat(struct w *w)
{
	const struct emit_msg *m = w->m;
	char id[128];
	size_t i, k;
	long long in = in_tokens(m), out = out_tokens(m);

	chat_head(w);
	w_lit(w, "{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":");
	w_lit(w, m->ntext || !m->ncalls ? "\"\"" : "null");
	w_lit(w, ",\"refusal\":null");
	chat_choice_end(w, NULL);
	for (i = 0; i < m->ntext; i++) {
		chat_head(w);
		w_lit(w, "{\"index\":0,\"delta\":{\"content\":");
		w_str(w, m->text[i]);
		chat_choice_end(w, NULL);
	}
	for (i = 0; i < m->ncalls; i++) {
		const struct emit_call *c = &m->calls[i];

		call_id(id, sizeof id, "call_mock_", c, i);
		chat_head(w);
		w_lit(w, "{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":");
		w_num(w, (long long)i);
		w_lit(w, ",\"id\":");
		w_str(w, id);
		w_lit(w, ",\"type\":\"function\",\"function\":{\"name\":");
		w_str(w, c->name);
		w_lit(w, ",\"arguments\":\"\"}}]");
		chat_choice_end(w, NULL);
		for (k = 0; k < c->nargs; k++) {
			chat_head(w);
			w_lit(w, "{\"index\":0,\"delta\":{\"tool_calls\":"
			    "[{\"index\":");
			w_num(w, (long long)i);
			w_lit(w, ",\"function\":{\"arguments\":");
			w_str(w, c->args[k]);
			w_lit(w, "}}]");
			chat_choice_end(w, NULL);
		}
	}
	chat_head(w);
	w_lit(w, "{\"index\":0,\"delta\":{");
	chat_choice_end(w, m->ncalls ? "tool_calls" : "stop");
	chat_head(w);
	w_lit(w, "],\"usage\":{\"prompt_tokens\":");
	w_num(w, in);
	w_lit(w, ",\"completion_tokens\":");
	w_num(w, out);
	w_lit(w, ",\"total_tokens\":");
	w_num(w, in + out);
	w_lit(w, "}}");
	w_end(w, "\n\n");
	w_sse_begin(w, NULL);
	w_lit(w, "[DONE]");
	w_end(w, "\n\n");
}

/* ---- Anthropic messages ---- */

static void
anth_ping(struct w *w)
{
	w_sse_begin(w, "ping");
	w_lit(w, "{\"type\": \"ping\"}");
	w_end(w, "\n\n");
}

static void
anth_block_stop(struct w *w, size_t idx)
{
	w_sse_begin(w, "content_block_stop");
	w_lit(w, "{\"type\":\"content_block_stop\",\"index\":");
	w_num(w, (long long)idx);
	w_lit(w, "}");
	w_end(w, "\n\n");
}

static void
emit_anthropic(struct w *w)
{
	const struct emit_msg *m = w->m;
	char id[128];
	size_t i, k, idx = 0;
	int pinged = 0;

	w_sse_begin(w, "message_start");
	w_lit(w, "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_");
	w_lit(w, w->id);
	w_lit(w, "\",\"type\":\"message\",\"role\":\"assistant\",\"model\":");
	w_str(w, w->model);
	w_lit(w, ",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,"
	    "\"usage\":{\"input_tokens\":");
	w_num(w, in_tokens(m));
	w_lit(w, ",\"cache_creation_input_tokens\":0,"
	    "\"cache_read_input_tokens\":0,\"output_tokens\":1}}}");
	w_end(w, "\n\n");
	if (m->ntext) {
		w_sse_begin(w, "content_block_start");
		w_lit(w, "{\"type\":\"content_block_start\",\"index\":0,"
		    "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}");
		w_end(w, "\n\n");
		anth_ping(w);
		pinged = 1;
		for (i = 0; i < m->ntext; i++) {
			w_sse_begin(w, "content_block_delta");
			w_lit(w, "{\"type\":\"content_block_delta\",\"index\":0,"
			    "\"delta\":{\"type\":\"text_delta\",\"text\":");
			w_str(w, m->text[i]);
			w_lit(w, "}}");
			w_end(w, "\n\n");
		}
		anth_block_stop(w, 0);
		idx = 1;
	}
	for (i = 0; i < m->ncalls; i++, idx++) {
		const struct emit_call *c = &m->calls[i];

		call_id(id, sizeof id, "toolu_mock_", c, i);
		w_sse_begin(w, "content_block_start");
		w_lit(w, "{\"type\":\"content_block_start\",\"index\":");
		w_num(w, (long long)idx);
		w_lit(w, ",\"content_block\":{\"type\":\"tool_use\",\"id\":");
		w_str(w, id);
		w_lit(w, ",\"name\":");
		w_str(w, c->name);
		w_lit(w, ",\"input\":{}}}");
		w_end(w, "\n\n");
		if (!pinged) {
			anth_ping(w);
			pinged = 1;
		}
		for (k = 0; k <= c->nargs; k++) {
			/* the first fragment is always "", as Anthropic does */
			w_sse_begin(w, "content_block_delta");
			w_lit(w, "{\"type\":\"content_block_delta\",\"index\":");
			w_num(w, (long long)idx);
			w_lit(w, ",\"delta\":{\"type\":\"input_json_delta\","
			    "\"partial_json\":");
			w_str(w, k ? c->args[k - 1] : "");
			w_lit(w, "}}");
			w_end(w, "\n\n");
		}
		anth_block_stop(w, idx);
	}
	if (!pinged)
		anth_ping(w);
	w_sse_begin(w, "message_delta");
	w_lit(w, "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":");
	w_lit(w, m->ncalls ? "\"tool_use\"" : "\"end_turn\"");
	w_lit(w, ",\"stop_sequence\":null},\"usage\":{\"output_tokens\":");
	w_num(w, out_tokens(m));
	w_lit(w, "}}");
	w_end(w, "\n\n");
	w_sse_begin(w, "message_stop");
	w_lit(w, "{\"type\":\"message_stop\"}");
	w_end(w, "\n\n");
}

/* ---- OpenAI Responses ---- */

static void
resp_begin(struct w *w, const char *type)
{
	w_sse_begin(w, type);
	w_lit(w, "{\"type\":\"");
	w_lit(w, type);
	w_lit(w, "\",\"sequence_number\":");
	w_num(w, w->seq++);
}

static void
resp_object(struct w *w, const char *status, const char *output,
    const char *error)
{
	const struct emit_msg *m = w->m;

	w_lit(w, "{\"id\":\"resp_");
	w_lit(w, w->id);
	w_lit(w, "\",\"object\":\"response\",\"created_at\":");
	w_num(w, m ? m->created : 0);
	w_lit(w, ",\"status\":\"");
	w_lit(w, status);
	w_lit(w, "\",\"error\":");
	w_lit(w, error ? error : "null");
	w_lit(w, ",\"incomplete_details\":null,\"model\":");
	w_str(w, w->model);
	w_lit(w, ",\"output\":[");
	w_lit(w, output ? output : "");
	w_lit(w, "],\"parallel_tool_calls\":true,\"tool_choice\":\"auto\","
	    "\"tools\":[],\"usage\":");
	if (m && strcmp(status, "completed") == 0) {
		long long in = in_tokens(m), out = out_tokens(m);

		w_lit(w, "{\"input_tokens\":");
		w_num(w, in);
		w_lit(w, ",\"input_tokens_details\":{\"cached_tokens\":0},"
		    "\"output_tokens\":");
		w_num(w, out);
		w_lit(w, ",\"output_tokens_details\":{\"reasoning_tokens\":0},"
		    "\"total_tokens\":");
		w_num(w, in + out);
		w_lit(w, "}");
	} else
		w_lit(w, "null");
	w_lit(w, "}");
}

/* resp_item_msg appends the completed message item with text t. */
static int
resp_item_msg(struct buf *o, const char *id, const char *t, size_t n)
{
	int rc = 0;

	rc |= LIT(o, "{\"id\":\"msg_");
	rc |= buf_puts(o, id);
	rc |= LIT(o, "\",\"type\":\"message\",\"status\":\"completed\","
	    "\"content\":[{\"type\":\"output_text\",\"annotations\":[],"
	    "\"logprobs\":[],\"text\":");
	rc |= jsonw_string(o, t, n);
	rc |= LIT(o, "}],\"role\":\"assistant\"}");
	return rc;
}

static int
resp_item_call(struct buf *o, const char *fid, const char *cid,
    const char *name, const char *args, size_t n, int done)
{
	int rc = 0;

	rc |= LIT(o, "{\"id\":");
	rc |= jsonw_string(o, fid, strlen(fid));
	rc |= LIT(o, ",\"type\":\"function_call\",\"status\":");
	rc |= buf_puts(o, done ? "\"completed\"" : "\"in_progress\"");
	rc |= LIT(o, ",\"arguments\":");
	rc |= jsonw_string(o, args, n);
	rc |= LIT(o, ",\"call_id\":");
	rc |= jsonw_string(o, cid, strlen(cid));
	rc |= LIT(o, ",\"name\":");
	rc |= jsonw_string(o, name, strlen(name));
	rc |= LIT(o, "}");
	return rc;
}

static void
emit_responses(struct w *w)
{
	const struct emit_msg *m = w->m;
	struct buf output, full, item;
	char cid[128], fid[160];
	size_t i, k;
	long long oi = 0;

	buf_init(&output, 0);
	buf_init(&full, 0);
	buf_init(&item, 0);
	resp_begin(w, "response.created");
	w_lit(w, ",\"response\":");
	resp_object(w, "in_progress", NULL, NULL);
	w_lit(w, "}");
	w_end(w, "\n\n");
	resp_begin(w, "response.in_progress");
	w_lit(w, ",\"response\":");
	resp_object(w, "in_progress", NULL, NULL);
	w_lit(w, "}");
	w_end(w, "\n\n");
	if (m->ntext) {
		joined(&full, m->text, m->ntext);
		resp_begin(w, "response.output_item.added");
		w_lit(w, ",\"output_index\":0,\"item\":{\"id\":\"msg_");
		w_lit(w, w->id);
		w_lit(w, "\",\"type\":\"message\",\"status\":\"in_progress\","
		    "\"content\":[],\"role\":\"assistant\"}}");
		w_end(w, "\n\n");
		resp_begin(w, "response.content_part.added");
		w_lit(w, ",\"item_id\":\"msg_");
		w_lit(w, w->id);
		w_lit(w, "\",\"output_index\":0,\"content_index\":0,\"part\":"
		    "{\"type\":\"output_text\",\"annotations\":[],"
		    "\"logprobs\":[],\"text\":\"\"}}");
		w_end(w, "\n\n");
		for (i = 0; i < m->ntext; i++) {
			resp_begin(w, "response.output_text.delta");
			w_lit(w, ",\"item_id\":\"msg_");
			w_lit(w, w->id);
			w_lit(w, "\",\"output_index\":0,\"content_index\":0,"
			    "\"delta\":");
			w_str(w, m->text[i]);
			w_lit(w, ",\"logprobs\":[]}");
			w_end(w, "\n\n");
		}
		resp_begin(w, "response.output_text.done");
		w_lit(w, ",\"item_id\":\"msg_");
		w_lit(w, w->id);
		w_lit(w, "\",\"output_index\":0,\"content_index\":0,\"text\":");
		if (jsonw_string(&w->b, full.p ? full.p : "", full.len) == -1)
			w->err = 1;
		w_lit(w, ",\"logprobs\":[]}");
		w_end(w, "\n\n");
		resp_begin(w, "response.content_part.done");
		w_lit(w, ",\"item_id\":\"msg_");
		w_lit(w, w->id);
		w_lit(w, "\",\"output_index\":0,\"content_index\":0,\"part\":"
		    "{\"type\":\"output_text\",\"annotations\":[],"
		    "\"logprobs\":[],\"text\":");
		if (jsonw_string(&w->b, full.p ? full.p : "", full.len) == -1)
			w->err = 1;
		w_lit(w, "}}");
		w_end(w, "\n\n");
		buf_reset(&item);
		if (resp_item_msg(&item, w->id, full.p ? full.p : "",
		    full.len) != 0)
			w->err = 1;
		resp_begin(w, "response.output_item.done");
		w_lit(w, ",\"output_index\":0,\"item\":");
		buf_append(&w->b, item.p, item.len);
		w_lit(w, "}");
		w_end(w, "\n\n");
		buf_append(&output, item.p, item.len);
		oi = 1;
	}
	for (i = 0; i < m->ncalls; i++, oi++) {
		const struct emit_call *c = &m->calls[i];

		call_id(cid, sizeof cid, "call_mock_", c, i);
		snprintf(fid, sizeof fid, "fc_%s_%zu", w->id, i);
		joined(&full, c->args, c->nargs);
		resp_begin(w, "response.output_item.added");
		w_lit(w, ",\"output_index\":");
		w_num(w, oi);
		w_lit(w, ",\"item\":");
		if (resp_item_call(&w->b, fid, cid, c->name, "", 0, 0) != 0)
			w->err = 1;
		w_lit(w, "}");
		w_end(w, "\n\n");
		for (k = 0; k < c->nargs; k++) {
			resp_begin(w, "response.function_call_arguments.delta");
			w_lit(w, ",\"item_id\":");
			w_str(w, fid);
			w_lit(w, ",\"output_index\":");
			w_num(w, oi);
			w_lit(w, ",\"delta\":");
			w_str(w, c->args[k]);
			w_lit(w, "}");
			w_end(w, "\n\n");
		}
		resp_begin(w, "response.function_call_arguments.done");
		w_lit(w, ",\"item_id\":");
		w_str(w, fid);
		w_lit(w, ",\"output_index\":");
		w_num(w, oi);
		w_lit(w, ",\"arguments\":");
		if (jsonw_string(&w->b, full.p ? full.p : "", full.len) == -1)
			w->err = 1;
		w_lit(w, "}");
		w_end(w, "\n\n");
		buf_reset(&item);
		if (resp_item_call(&item, fid, cid, c->name,
		    full.p ? full.p : "", full.len, 1) != 0)
			w->err = 1;
		resp_begin(w, "response.output_item.done");
		w_lit(w, ",\"output_index\":");
		w_num(w, oi);
		w_lit(w, ",\"item\":");
		buf_append(&w->b, item.p, item.len);
		w_lit(w, "}");
		w_end(w, "\n\n");
		if (output.len)
			buf_putc(&output, ',');
		buf_append(&output, item.p, item.len);
	}
	resp_begin(w, "response.completed");
	w_lit(w, ",\"response\":");
	resp_object(w, "completed", output.p ? output.p : "", NULL);
	w_lit(w, "}");
	w_end(w, "\n\n");
	buf_free(&output);
	buf_free(&full);
	buf_free(&item);
}

/* ---- Gemini (CRLF framing, as the real API sends) ---- */

static void
gem_usage(struct w *w, int final)
{
	long long in = in_tokens(w->m), out = out_tokens(w->m);

	w_lit(w, "\"usageMetadata\":{\"promptTokenCount\":");
	w_num(w, in);
	if (final) {
		w_lit(w, ",\"candidatesTokenCount\":");
		w_num(w, out);
	}
	w_lit(w, ",\"totalTokenCount\":");
	w_num(w, final ? in + out : in);
	w_lit(w, "},\"modelVersion\":");
	w_str(w, w->model);
	w_lit(w, ",\"responseId\":\"");
	w_lit(w, w->id);
	w_lit(w, "\"}");
	w_end(w, "\r\n\r\n");
}

static void
gem_cand_end(struct w *w, int final)
{
	w_lit(w, "],\"role\":\"model\"}");
	if (final)
		w_lit(w, ",\"finishReason\":\"STOP\"");
	w_lit(w, ",\"index\":0}],");
	gem_usage(w, final);
}

static void
emit_gemini(struct w *w)
{
	const struct emit_msg *m = w->m;
	size_t i;

	for (i = 0; i < m->ntext; i++) {
		w_sse_begin(w, NULL);
		w_lit(w, "{\"candidates\":[{\"content\":{\"parts\":[{\"text\":");
		w_str(w, m->text[i]);
		w_lit(w, "}");
		gem_cand_end(w, i + 1 == m->ntext && !m->ncalls);
	}
	if (m->ncalls) {
		w_sse_begin(w, NULL);
		w_lit(w, "{\"candidates\":[{\"content\":{\"parts\":[");
		for (i = 0; i < m->ncalls; i++) {
			if (i)
				w_lit(w, ",");
			w_lit(w, "{\"functionCall\":{\"name\":");
			w_str(w, m->calls[i].name);
			w_lit(w, ",\"args\":");
			w_args_object(w, &m->calls[i]);
			w_lit(w, "}}");
		}
		gem_cand_end(w, 1);
	} else if (!m->ntext) {
		w_sse_begin(w, NULL);
		w_lit(w, "{\"candidates\":[{\"content\":{\"parts\":"
		    "[{\"text\":\"\"}");
		gem_cand_end(w, 1);
	}
}

/* ---- Ollama /api/chat NDJSON ---- */

static void
oll_head(struct w *w)
{
	buf_reset(&w->b);
	w_lit(w, "{\"model\":");
	w_str(w, w->model);
	w_lit(w, ",\"created_at\":\"2025-01-01T00:00:00Z\",\"message\":"
	    "{\"role\":\"assistant\",\"content\":");
}

static void
emit_ollama(struct w *w)
{
	const struct emit_msg *m = w->m;
	size_t i;

	for (i = 0; i < m->ntext; i++) {
		oll_head(w);
		w_str(w, m->text[i]);
		w_lit(w, "},\"done\":false}");
		w_end(w, "\n");
	}
	if (m->ncalls) {
		oll_head(w);
		w_lit(w, "\"\",\"tool_calls\":[");
		for (i = 0; i < m->ncalls; i++) {
			if (i)
				w_lit(w, ",");
			w_lit(w, "{\"function\":{\"name\":");
			w_str(w, m->calls[i].name);
			w_lit(w, ",\"arguments\":");
			w_args_object(w, &m->calls[i]);
			w_lit(w, "}}");
		}
		w_lit(w, "]},\"done\":false}");
		w_end(w, "\n");
	}
	oll_head(w);
	w_lit(w, "\"\"},\"done\":true,\"done_reason\":\"stop\","
	    "\"total_duration\":0,\"load_duration\":0,\"prompt_eval_count\":");
	w_num(w, in_tokens(m));
	w_lit(w, ",\"prompt_eval_duration\":0,\"eval_count\":");
	w_num(w, out_tokens(m));
	w_lit(w, ",\"eval_duration\":0}");
	w_end(w, "\n");
}

int
emit_message(struct emit_stream *s, const struct emit_msg *m)
{
	struct w w;

	w_init(&w, s, m);
	switch (s->d) {
	case DIALECT_ANTHROPIC:
		emit_anthropic(&w);
		break;
	case DIALECT_OPENAI_RESPONSES:
		emit_responses(&w);
		break;
	case DIALECT_GEMINI:
		emit_gemini(&w);
		break;
	case DIALECT_OLLAMA:
		emit_ollama(&w);
		break;
	default:
		emit_chat(&w);
		break;
	}
	return w_done(&w);
}

static const char overloaded[] =
    "The server is overloaded, please try again later.";

int
emit_error_event(struct emit_stream *s, const struct emit_msg *m)
{
	struct w w;

	w_init(&w, s, m);
	switch (s->d) {
	case DIALECT_ANTHROPIC:
		w_sse_begin(&w, "error");
		w_lit(&w, "{\"type\":\"error\",\"error\":{\"type\":"
		    "\"overloaded_error\",\"message\":\"Overloaded\"}}");
		w_end(&w, "\n\n");
		break;
	case DIALECT_OPENAI_RESPONSES:
		/* the real stream: error, then response.failed */
		w.seq = 1000;
		resp_begin(&w, "error");
		w_lit(&w, ",\"error\":{\"type\":\"server_error\",\"code\":"
		    "\"server_error\",\"message\":");
		w_str(&w, overloaded);
		w_lit(&w, ",\"param\":null}}");
		w_end(&w, "\n\n");
		resp_begin(&w, "response.failed");
		w_lit(&w, ",\"response\":");
		resp_object(&w, "failed", NULL, "{\"code\":\"server_error\","
		    "\"message\":\"The server is overloaded, please try again "
		    "later.\"}");
		w_lit(&w, "}");
		w_end(&w, "\n\n");
		break;
	case DIALECT_GEMINI:
		w_sse_begin(&w, NULL);
		w_lit(&w, "{\"error\":{\"code\":503,\"message\":\"The model is "
		    "overloaded. Please try again later.\",\"status\":"
		    "\"UNAVAILABLE\"}}");
		w_end(&w, "\r\n\r\n");
		break;
	case DIALECT_OLLAMA:
		buf_reset(&w.b);
		w_lit(&w, "{\"error\":");
		w_str(&w, overloaded);
		w_lit(&w, "}");
		w_end(&w, "\n");
		break;
	default:
		w_sse_begin(&w, NULL);
		w_lit(&w, "{\"error\":{\"message\":");
		w_str(&w, overloaded);
		w_lit(&w, ",\"type\":\"server_error\",\"param\":null,"
		    "\"code\":\"overloaded\"}}");
		w_end(&w, "\n\n");
		break;
	}
	return w_done(&w);
}

struct status_row {
	int status;
	const char *oa_type, *oa_code, *an_type, *gm_status, *msg;
};

static const struct status_row status_rows[] = {
	{ 400, "invalid_request_error", "invalid_request",
	    "invalid_request_error", "INVALID_ARGUMENT", "Invalid request." },
	{ 401, "invalid_request_error", "invalid_api_key",
	    "authentication_error", "UNAUTHENTICATED",
	    "Invalid or missing API key." },
	{ 403, "permission_error", "permission_denied", "permission_error",
	    "PERMISSION_DENIED", "Permission denied." },
	{ 404, "invalid_request_error", "not_found", "not_found_error",
	    "NOT_FOUND", "Not found." },
	{ 408, "timeout", "timeout", "timeout_error", "DEADLINE_EXCEEDED",
	    "Request timed out." },
	{ 413, "invalid_request_error", "request_too_large",
	    "request_too_large", "INVALID_ARGUMENT", "Request too large." },
	{ 429, "requests", "rate_limit_exceeded", "rate_limit_error",
	    "RESOURCE_EXHAUSTED", "Rate limit reached, please retry later." },
	{ 500, "server_error", "server_error", "api_error", "INTERNAL",
	    "Internal server error." },
	{ 502, "server_error", "bad_gateway", "api_error", "UNAVAILABLE",
	    "Bad gateway." },
	{ 503, "server_error", "service_unavailable", "overloaded_error",
	    "UNAVAILABLE", "The service is unavailable, please retry later." },
	{ 504, "timeout", "timeout", "timeout_error", "DEADLINE_EXCEEDED",
	    "Gateway timeout." },
	{ 529, "server_error", "overloaded", "overloaded_error", "UNAVAILABLE",
	    "Overloaded." },
};

int
emit_error_body(struct buf *b, enum dialect d, int status, const char *message)
{
	static const struct status_row client = { 0, "invalid_request_error",
	    "invalid_request", "invalid_request_error", "FAILED_PRECONDITION",
	    "Request failed." };
	static const struct status_row server = { 0, "server_error",
	    "server_error", "api_error", "INTERNAL", "Server error." };
	const struct status_row *r = status < 500 ? &client : &server;
	size_t i;
	int rc = 0;

	for (i = 0; i < sizeof status_rows / sizeof status_rows[0]; i++)
		if (status_rows[i].status == status)
			r = &status_rows[i];
	if (message == NULL)
		message = r->msg;
	switch (d) {
	case DIALECT_ANTHROPIC:
		rc |= LIT(b, "{\"type\":\"error\",\"error\":{\"type\":\"");
		rc |= buf_puts(b, r->an_type);
		rc |= LIT(b, "\",\"message\":");
		rc |= jsonw_string(b, message, strlen(message));
		rc |= LIT(b, "}}");
		break;
	case DIALECT_GEMINI:
		rc |= buf_printf(b, "{\"error\":{\"code\":%d,\"message\":",
		    status);
		rc |= jsonw_string(b, message, strlen(message));
		rc |= LIT(b, ",\"status\":\"");
		rc |= buf_puts(b, r->gm_status);
		rc |= LIT(b, "\"}}");
		break;
	case DIALECT_OLLAMA:
		rc |= LIT(b, "{\"error\":");
		rc |= jsonw_string(b, message, strlen(message));
		rc |= LIT(b, "}");
		break;
	default:
		rc |= LIT(b, "{\"error\":{\"message\":");
		rc |= jsonw_string(b, message, strlen(message));
		rc |= LIT(b, ",\"type\":\"");
		rc |= buf_puts(b, r->oa_type);
		rc |= LIT(b, "\",\"param\":null,\"code\":\"");
		rc |= buf_puts(b, r->oa_code);
		rc |= LIT(b, "\"}}");
		break;
	}
	return rc ? -1 : 0;
}

/* ---- reading frames back as events ---- */

struct back {
	ev_fn cb;
	void *ctx;
	long seq;
};

static int
back_sse(void *ctx, const struct sse_event *se)
{
	struct back *k = ctx;
	struct ev ev;
	int rc;

	ev_from_sse(&ev, se);
	ev.seq = ++k->seq;
	rc = k->cb(k->ctx, &ev);
	ev_release(&ev);
	return rc;
}

int
emit_events(const struct emit_stream *s, size_t nframes, ev_fn cb, void *ctx)
{
	struct back k = { cb, ctx, 0 };
	struct sse_parser p;
	size_t i;
	int rc = 0, pending;

	if (nframes > s->n)
		nframes = s->n;
	if (s->ndjson) {
		for (i = 0; i < nframes && rc == 0; i++) {
			struct ev ev;
			size_t n = s->v[i].len;

			while (n && (s->v[i].p[n - 1] == '\n' ||
			    s->v[i].p[n - 1] == '\r'))
				n--;
			if (n == 0)
				continue;
			memset(&ev, 0, sizeof ev);
			ev.type = "message";
			ev.type_len = 7;
			ev.id = "";
			ev.retry = -1;
			ev.data = s->v[i].p;
			ev.data_len = n;
			ev.line = (long)i + 1;
			ev.seq = ++k.seq;
			ev.json = jv_invalid();
			rc = cb(ctx, &ev);
			if (ev.json_state)
				jv_free(ev.json);
		}
		return rc;
	}
	sse_init(&p, 0, back_sse, NULL, &k);
	for (i = 0; i < nframes && rc == 0; i++)
		rc = sse_push(&p, s->v[i].p, s->v[i].len);
	if (rc == 0)
		rc = sse_finish(&p, 0, &pending);
	sse_free(&p);
	return rc == SSE_TOO_BIG ? -1 : rc;
}
