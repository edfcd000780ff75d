/* prov_responses.c - the OpenAI Responses dialect: decoder and the
 * response object native body. */
#include "prov_priv.h"

/* ------------------------------------------------------ openai responses */

static const char *
item_field(const char *type)
{
	if (streq(type, "function_call") || streq(type, "mcp_call"))
		return "arguments";
	if (streq(type, "custom_tool_call"))
		return "input";
	if (streq(type, "code_interpreter_call"))
		return "code";
	return NULL;
}

static const char *
part_field(const char *type)
{
	if (streq(type, "refusal"))
		return "refusal";
	if (streq(type, "output_text") || streq(type, "reasoning_text") ||
	    streq(type, "summary_text"))
		return "text";
	return NULL;
}

/* parts_load fills (*arr, *n, *cap) from a JSON array of parts. */
static int
parts_load(struct acc *a, jv arr, struct slot **p, int *n, int *cap)
{
	int i, len = jv_array_length(jv_copy(arr));

	for (i = 0; i < len && i < MAX_ITEMS; i++) {
		jv part = jv_array_get(jv_copy(arr), i);
		const char *f = part_field(str(part, "type", NULL));

		*p = grow(*p, *n, cap, sizeof **p);
		if (slot_set(a, &(*p)[(*n)++], part, f))
			return a->fail;
	}
	return 0;
}

/* item_load takes an output item (consumed) into slot s. */
static int
item_load(struct acc *a, struct slot *s, jv item)
{
	static const char *const arrays[] = { "content", "summary", NULL };
	jv content = jvx_get(item, "content"), summary = jvx_get(item, "summary");
	/* an item that is no object (absent, hostile) loads as {} */
	int rc = slot_set(a, s, without(item, arrays),
	    item_field(str(item, "type", NULL)));

	if (rc == 0 && jv_get_kind(content) == JV_KIND_ARRAY) {
		s->has_content = 1;
		rc = parts_load(a, content, &s->content, &s->ncontent,
		    &s->capcontent);
	} else if (rc == 0 && jv_get_kind(item) == JV_KIND_OBJECT &&
	    jv_object_has(jv_copy(item), jv_string("content")))
		s->obj = jv_object_set(s->obj, jv_string("content"),
		    jv_copy(content));
	if (rc == 0 && jv_get_kind(summary) == JV_KIND_ARRAY) {
		s->has_summary = 1;
		rc = parts_load(a, summary, &s->summary, &s->nsummary,
		    &s->capsummary);
	}
	jv_free(content);
	jv_free(summary);
	jv_free(item);
	return rc;
}

static jv
item_jv(const struct slot *s)
{
	jv o = slot_jv(s), arr;
	int i;

	if (s->has_content) {
		arr = jv_array();
		for (i = 0; i < s->ncontent; i++)
			arr = jv_array_append(arr, slot_jv(&s->content[i]));
		o = jv_object_set(o, jv_string("content"), arr);
	}
	if (s->has_summary) {
		arr = jv_array();
		for (i = 0; i < s->nsummary; i++)
			arr = jv_array_append(arr, slot_jv(&s->summary[i]));
		o = jv_object_set(o, jv_string("summary"), arr);
	}
	return o;
}


/* resp_item_call: give a function_call item its normalized tool call
 * (once), and send its arguments when no delta sent them. */
static int
resp_item_call(struct acc *a, struct slot *s, int done)
{
	struct choice *c;
	const char *id, *name;

	if (!streq(str(s->obj, "type", NULL), "function_call"))
		return 0;
	if ((c = choice_at(a, 0)) == NULL)
		return a->fail;
	id = nestr(s->obj, "call_id", NULL);
	name = nestr(s->obj, "name", NULL);
	if (s->call < 0) {
		s->call = c->ncalls;
		if (fold_call(a, 0, s->call, id, name, NULL, 0))
			return a->fail;
	}
	if (s->call < c->ncalls && c->calls[s->call].args.len == 0 &&
	    s->text.len)
		if (fold_call(a, 0, s->call, id, name, s->text.p, s->text.len))
			return a->fail;
	if (done && s->call < c->ncalls && !c->calls[s->call].complete) {
		c->calls[s->call].complete = 1;
		a->calls_dirty = 1;
	}
	return 0;
}

static int
resp_lifecycle(struct acc *a, jv r, int done)
{
	jv out = jvx_get(r, "output");
	int i, n, *calls = NULL, ncalls = a->nitems;
	int rc = 0;

	if (jv_get_kind(r) != JV_KIND_OBJECT) {
		jv_free(out);
		return 0;
	}
	/* The SDK replaces its snapshot with the event's response. */
	calls = xcalloc((size_t)ncalls + 1, sizeof *calls);
	for (i = 0; i < ncalls; i++)
		calls[i] = a->items[i].call;
	items_clear(a);
	jv_free(a->top);
	a->top = jv_copy(r);
	a->ot_stale = 0;
	set_meta(a, nestr(r, "id", NULL), nestr(r, "model", NULL));
	n = jv_get_kind(out) == JV_KIND_ARRAY ? jv_array_length(jv_copy(out)) :
	    0;
	for (i = 0; i < n && i < MAX_ITEMS && rc == 0; i++) {
		a->items = grow(a->items, a->nitems, &a->capitems,
		    sizeof *a->items);
		rc = item_load(a, &a->items[a->nitems],
		    jv_array_get(jv_copy(out), i));
		a->nitems++;
		if (i < ncalls)
			a->items[i].call = calls[i];
		if (rc == 0)
			rc = resp_item_call(a, &a->items[i], done);
	}
	free(calls);
	jv_free(out);
	return rc;
}

static int
resp_usage(struct acc *a, jv r)
{
	jv u = jvx_get(r, "usage");
	int rc = 0;

	if (jv_get_kind(u) == JV_KIND_OBJECT)
		rc = fold_usage(a, num(u, "input_tokens"),
		    num(u, "output_tokens"),
		    num2(u, "output_tokens_details", "reasoning_tokens"),
		    num2(u, "input_tokens_details", "cached_tokens"));
	jv_free(u);
	return rc;
}

static struct slot *
resp_item(struct acc *a, jv j)
{
	long long i = index_of(j, "output_index", -1);

	return i >= 0 && i < a->nitems ? &a->items[i] : NULL;
}

static struct slot *
resp_part(struct slot *it, jv j, const char *key, int summary)
{
	long long i = index_of(j, key, -1);

	if (it == NULL)
		return NULL;
	if (summary)
		return i >= 0 && i < it->nsummary ? &it->summary[i] : NULL;
	return i >= 0 && i < it->ncontent ? &it->content[i] : NULL;
}

/* part_slot: the content (or summary) part slot a *_part.added or
 * *_part.done event of item it names: a new one when added, else the
 * indexed one, emptied. NULL when there is none; a->fail is then set if
 * that is an error (too many parts). */
static struct slot *
part_slot(struct acc *a, struct slot *it, jv j, int added, int summary)
{
	struct slot **arr = summary ? &it->summary : &it->content;
	int *n = summary ? &it->nsummary : &it->ncontent;
	int *cap = summary ? &it->capsummary : &it->capcontent;
	struct slot *p;

	if (added) {
		if (*n >= MAX_ITEMS) {
			fail(a, ACC_ERR_INDEX, 0, summary ?
			    "too many summary parts" : "too many content parts");
			return NULL;
		}
		if (summary)
			it->has_summary = 1;
		else
			it->has_content = 1;
		*arr = grow(*arr, *n, cap, sizeof **arr);
		return &(*arr)[(*n)++];
	}
	p = resp_part(it, j, summary ? "summary_index" : "content_index",
	    summary);
	if (p)
		slot_free(p);
	return p;
}

/* resp_text: a text delta (append) or done (replace) into a slot whose
 * object has type want. k: the normalized kind to emit, or -1. */
static int
resp_text(struct acc *a, struct slot *s, const char *want, jv j,
    const char *key, int replace, int k)
{
	size_t n;
	const char *t = str(j, key, &n);

	if (s == NULL || t == NULL || !streq(str(s->obj, "type", NULL), want))
		return 0;
	if (replace) {
		a->total -= s->text.len < a->total ? s->text.len : a->total;
		buf_reset(&s->text);
	}
	s->has_field = 1;
	a->ev_slot = s; /* for the fast path */
	if ((k == DELTA_TEXT || k == DELTA_REASONING || k == DELTA_REFUSAL ?
	    app_text(a, &s->text, t, n) : app(a, &s->text, t, n)))
		return a->fail;
	if (!replace && k >= 0)
		return fold_text(a, (enum delta_kind)k, 0, t, n);
	return 0;
}


static int
resp_set_status(struct slot *s, const char *want, const char *status)
{
	if (s && streq(str(s->obj, "type", NULL), want))
		s->obj = jv_object_set(s->obj, jv_string("status"),
		    jv_string(status));
	return 0;
}

/* resp_orphan: a delta event t whose output item or part does not exist
 * (the SDK throws "missing output at index"): its text (j[key]) is still
 * written where it streams, kind k (-1: none), but it has no place in the
 * response: an index error. */
static int
resp_orphan(struct acc *a, jv j, const char *t, const char *key, int k)
{
	size_t n;
	const char *p = str(j, key, &n);
	int rc = 0;

	if (k >= 0 && p != NULL)
		rc = fold_text(a, (enum delta_kind)k, 0, p, n);
	return rc ? rc : fail(a, ACC_ERR_INDEX, 0, "%s for an output item or "
	    "part that does not exist (index out of range)", t);
}

static int
resp_event(struct acc *a, struct ev *ev, jv j)
{
	/* the text parts' events: EV delta and EV done, on an item of type
	 * ITEM, into a part of type PART, whose done event holds DONE_KEY */
	static const struct {
		const char *ev, *item, *part, *done_key;
		int kind;
	} parts[] = {
		{ "response.output_text.", "message", "output_text", "text",
		    DELTA_TEXT },
		{ "response.refusal.", "message", "refusal", "refusal",
		    DELTA_REFUSAL },
		{ "response.reasoning_text.", "reasoning", "reasoning_text",
		    "text", DELTA_REASONING } };
	char tmp[128];
	const char *t;
	struct slot *it, *p;
	size_t pk;
	jv v;
	int rc = 0;

	if (ev_is_done(ev))
		return fold_simple(a, DELTA_DONE);
	if (jv_get_kind(j) != JV_KIND_OBJECT)
		return 0;
	t = event_type(ev, j, tmp, sizeof tmp);
	it = resp_item(a, j);
	if (streq(t, "error")) {
		v = jvx_get(j, "error");
		if (jv_get_kind(v) != JV_KIND_OBJECT) {
			jv_free(v);
			v = JV_OBJECT(jv_string("code"), jvx_get(j, "code"),
			    jv_string("message"), jvx_get(j, "message"));
		}
		rc = fold_error(a, v);
		jv_free(v);
		return rc;
	}
	if (streq(t, "response.created") || streq(t, "response.queued") ||
	    streq(t, "response.in_progress") ||
	    streq(t, "response.completed") || streq(t, "response.failed") ||
	    streq(t, "response.incomplete")) {
		jv r = jvx_get(j, "response");
		int fin = !streq(t, "response.created") &&
		    !streq(t, "response.queued") &&
		    !streq(t, "response.in_progress");

		rc = resp_lifecycle(a, r, fin);
		if (rc == 0 && fin)
			rc = resp_usage(a, r);
		if (rc == 0 && streq(t, "response.completed")) {
			struct choice *c = choice_at(a, 0);

			rc = c == NULL ? a->fail : fold_finish(a, 0,
			    c->ncalls ? "tool_calls" : "stop", NULL, 0);
			if (rc == 0)
				rc = fold_simple(a, DELTA_DONE);
		} else if (rc == 0 && streq(t, "response.incomplete")) {
			jv d = jvx_get(r, "incomplete_details");
			const char *why = nestr(d, "reason", NULL);

			rc = fold_finish(a, 0, streq(why, "max_output_tokens") ?
			    "length" : why ? why : "incomplete", NULL, 0);
			jv_free(d);
			if (rc == 0)
				rc = fold_simple(a, DELTA_DONE);
		} else if (rc == 0 && streq(t, "response.failed")) {
			v = jvx_get(r, "error");
			if (jv_get_kind(v) == JV_KIND_NULL)
				v = JV_OBJECT(jv_string("code"),
				    jv_string("response_failed"),
				    jv_string("message"),
				    jv_string("response failed"));
			rc = fold_error(a, v);
			jv_free(v);
		}
		jv_free(r);
		return rc;
	}
	if (!jv_is_valid(a->top))
		a->top = JV_OBJECT(jv_string("output"), jv_array());
	/* The SDK recomputes output_text as output text changes. */
	if (strstr(t, "output_item") || strstr(t, "content_part") ||
	    strstr(t, "output_text"))
		a->ot_stale = 1;
	if (streq(t, "response.output_item.added") ||
	    streq(t, "response.output_item.done")) {
		int done = streq(t, "response.output_item.done");
		struct slot *s;
		int call = -1;

		/* a done without its item keeps what arrived; an added one
		 * still takes its output index, as an empty item */
		if (done && kind(j, "item") != JV_KIND_OBJECT)
			return 0;
		if (!done) {
			if (a->nitems >= MAX_ITEMS)
				return fail(a, ACC_ERR_INDEX, 0, "too many output items");
			a->items = grow(a->items, a->nitems, &a->capitems,
			    sizeof *a->items);
			s = &a->items[a->nitems++];
		} else if ((s = it) == NULL)
			return 0;
		else {
			call = s->call;
			slot_free(s);
		}
		rc = item_load(a, s, jvx_get(j, "item"));
		s->call = call;
		if (rc == 0)
			rc = resp_item_call(a, s, done);
		return rc;
	}
	if (streq(t, "response.content_part.added") ||
	    streq(t, "response.content_part.done")) {
		jv part = jvx_get(j, "part");
		const char *pt = str(part, "type", NULL);
		const char *ot = it ? str(it->obj, "type", NULL) : NULL;
		int ok = (streq(ot, "message") && !streq(pt, "reasoning_text")) ||
		    (streq(ot, "reasoning") && streq(pt, "reasoning_text"));

		if (!ok) {
			jv_free(part);
			return 0;
		}
		p = part_slot(a, it, j, streq(t, "response.content_part.added"),
		    0);
		if (p == NULL) {
			jv_free(part);
			return a->fail;
		}
		return slot_set(a, p, part, part_field(pt));
	}
	if (streq(t, "response.reasoning_summary_part.added") ||
	    streq(t, "response.reasoning_summary_part.done")) {
		jv part = jvx_get(j, "part");

		if (it == NULL || !streq(str(it->obj, "type", NULL), "reasoning")) {
			jv_free(part);
			return 0;
		}
		p = part_slot(a, it, j,
		    streq(t, "response.reasoning_summary_part.added"), 1);
		if (p == NULL) {
			jv_free(part);
			return a->fail;
		}
		return slot_set(a, p, part, "text");
	}
	for (pk = 0; pk < sizeof parts / sizeof parts[0]; pk++) {
		size_t n = strlen(parts[pk].ev);
		int done;

		if (t == NULL || strncmp(t, parts[pk].ev, n) != 0 ||
		    (!streq(t + n, "delta") && !streq(t + n, "done")))
			continue;
		done = streq(t + n, "done");
		if (!done && (it == NULL ||
		    (streq(str(it->obj, "type", NULL), parts[pk].item) &&
		    resp_part(it, j, "content_index", 0) == NULL)))
			return resp_orphan(a, j, t, "delta", parts[pk].kind);
		if (it == NULL || !streq(str(it->obj, "type", NULL),
		    parts[pk].item))
			return 0;
		return resp_text(a, resp_part(it, j, "content_index", 0),
		    parts[pk].part, j, done ? parts[pk].done_key : "delta", done,
		    parts[pk].kind);
	}
	if (streq(t, "response.reasoning_summary_text.delta") ||
	    streq(t, "response.reasoning_summary_text.done")) {
		int done = streq(t, "response.reasoning_summary_text.done");
		struct slot *sp;

		if (!done && (it == NULL ||
		    (streq(str(it->obj, "type", NULL), "reasoning") &&
		    resp_part(it, j, "summary_index", 1) == NULL)))
			return resp_orphan(a, j, t, "delta", DELTA_REASONING);
		if (it == NULL || !streq(str(it->obj, "type", NULL), "reasoning"))
			return 0;
		sp = resp_part(it, j, "summary_index", 1);
		if (sp == NULL)
			return 0;
		/* summary parts are typed summary_text */
		return resp_text(a, sp, str(sp->obj, "type", NULL), j,
		    done ? "text" : "delta", done, DELTA_REASONING);
	}
	if (streq(t, "response.output_text.annotation.added")) {
		long long ai = index_of(j, "annotation_index", -1);
		jv anns;

		p = it && streq(str(it->obj, "type", NULL), "message") ?
		    resp_part(it, j, "content_index", 0) : NULL;
		if (p == NULL || ai < 0 || ai >= MAX_ITEMS ||
		    !streq(str(p->obj, "type", NULL), "output_text"))
			return 0;
		anns = jvx_get(p->obj, "annotations");
		if (jv_get_kind(anns) != JV_KIND_ARRAY) {
			jv_free(anns);
			anns = jv_array();
		} else /* set in place, not copied (see chat_logprobs) */
			p->obj = jv_object_set(p->obj, jv_string("annotations"),
			    jv_null());
		anns = jv_array_set(anns, (int)ai, jvx_get(j, "annotation"));
		p->obj = jv_object_set(p->obj, jv_string("annotations"), anns);
		return 0;
	}
	if (streq(t, "response.function_call_arguments.delta") ||
	    streq(t, "response.function_call_arguments.done") ||
	    streq(t, "response.mcp_call_arguments.delta") ||
	    streq(t, "response.mcp_call_arguments.done") ||
	    streq(t, "response.custom_tool_call_input.delta") ||
	    streq(t, "response.custom_tool_call_input.done") ||
	    streq(t, "response.code_interpreter_call_code.delta") ||
	    streq(t, "response.code_interpreter_call_code.done")) {
		int done = strstr(t, ".done") != NULL;
		const char *want = prefix(t, "response.function_call") ?
		    "function_call" : prefix(t, "response.mcp") ? "mcp_call" :
		    prefix(t, "response.custom") ? "custom_tool_call" :
		    "code_interpreter_call";
		const char *key = done ? item_field(want) : "delta";
		size_t n;
		const char *d;

		if (!done && it == NULL)
			return resp_orphan(a, j, t, "delta", -1);
		rc = resp_text(a, it, want, j, key, done, -1);
		/* a delta for an item of another type carries nothing */
		if (rc == 0 && !done && streq(want, "function_call") &&
		    it != NULL && streq(str(it->obj, "type", NULL), want) &&
		    (d = str(j, "delta", &n)) != NULL) {
			if (it->call < 0)
				rc = resp_item_call(a, it, 0);
			if (rc == 0)
				rc = fold_call(a, 0, it->call, NULL, NULL, d, n);
		}
		return rc;
	}
	if (prefix(t, "response.") && (strstr(t, "_call.") != NULL)) {
		/* status events: in_progress, searching, completed, ... */
		const char *dot = strrchr(t, '.');
		char want[96];
		size_t n = (size_t)(dot - t) - 9;

		if (n >= sizeof want)
			return 0;
		memcpy(want, t + 9, n);
		want[n] = 0;
		return resp_set_status(it, want, dot + 1);
	}
	return 0;
}

static jv
resp_native(const struct acc *a)
{
	jv out = jv_is_valid(a->top) ? jv_copy(a->top) : jv_object();
	jv arr = jv_array(), ot;
	struct buf text;
	int i, k;

	buf_init(&text, 0);
	for (i = 0; i < a->nitems; i++) {
		const struct slot *s = &a->items[i];

		arr = jv_array_append(arr, item_jv(s));
		if (!streq(str(s->obj, "type", NULL), "message"))
			continue;
		for (k = 0; k < s->ncontent; k++)
			if (streq(str(s->content[k].obj, "type", NULL),
			    "output_text"))
				buf_append(&text, s->content[k].text.p,
				    s->content[k].text.len);
	}
	out = jv_object_set(out, jv_string("output"), arr);
	ot = jvx_get(out, "output_text");
	if (jv_get_kind(ot) != JV_KIND_STRING || a->ot_stale)
		out = jv_object_set(out, jv_string("output_text"), jstr(&text));
	jv_free(ot);
	buf_free(&text);
	return out;
}

/* ------------------------------------------------------------- writer */

static void
resp_begin(struct w *w, const char *type)
{
	w_sse_begin(w, type);
	w_lit(w, "{\"type\":\"");
	w_lit(w, type);
	w_lit(w, "\",\"sequence_number\":");
	w_num(w, w->seq++);
}

/* resp_at begins an event of type about the item id at output index
 * oi: its item_id and output_index, then a comma */
static void
resp_at(struct w *w, const char *type, const char *id, long long oi)
{
	resp_begin(w, type);
	w_lit(w, ",\"item_id\":");
	w_str(w, id);
	w_lit(w, ",\"output_index\":");
	w_num(w, oi);
	w_lit(w, ",");
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
		long long in = w_in_tokens(m), out = w_out_tokens(m);

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
resp_w_item_call(struct buf *o, const char *fid, const char *cid,
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

/* resp_w_reasoning: the reasoning item (output_index 0) with its
 * summary streamed; the item's JSON left in item, full scratch. */
static void
resp_w_reasoning(struct w *w, struct buf *full, struct buf *item)
{
	const struct emit_msg *m = w->m;
	static const char *const ev[] = { "response.reasoning_summary_part.added",
		"response.reasoning_summary_text.done",
		"response.reasoning_summary_part.done" };
	char rid[112];
	size_t i;

	snprintf(rid, sizeof rid, "rs_%s", w->id);
	w_joined(full, m->reasoning, m->nreasoning);
	buf_reset(item);
	if (buf_printf(item, "{\"id\":\"rs_%s\",\"type\":\"reasoning\","
	    "\"summary\":[{\"type\":\"summary_text\",\"text\":", w->id) ||
	    jsonw_string(item, full->p ? full->p : "", full->len) == -1 ||
	    buf_puts(item, "}]}"))
		w->err = 1;
	resp_begin(w, "response.output_item.added");
	w_lit(w, ",\"output_index\":0,\"item\":{\"id\":\"rs_");
	w_lit(w, w->id);
	w_lit(w, "\",\"type\":\"reasoning\",\"summary\":[]}}");
	w_end(w, "\n\n");
	for (i = 0; i < m->nreasoning + 3; i++) {
		const char *e = i == 0 ? ev[0] : i <= m->nreasoning ?
		    "response.reasoning_summary_text.delta" :
		    ev[i - m->nreasoning];

		resp_at(w, e, rid, 0);
		w_lit(w, "\"summary_index\":0,");
		if (i == 0)
			w_lit(w, "\"part\":{\"type\":\"summary_text\","
			    "\"text\":\"\"}}");
		else if (i <= m->nreasoning) {
			w_lit(w, "\"delta\":");
			w_str(w, m->reasoning[i - 1]);
			w_lit(w, "}");
		} else {
			w_lit(w, i == m->nreasoning + 1 ? "\"text\":" :
			    "\"part\":{\"type\":\"summary_text\",\"text\":");
			if (jsonw_string(&w->b, full->p ? full->p : "",
			    full->len) == -1)
				w->err = 1;
			w_lit(w, i == m->nreasoning + 1 ? "}" : "}}");
		}
		w_end(w, "\n\n");
	}
	resp_begin(w, "response.output_item.done");
	w_lit(w, ",\"output_index\":0,\"item\":");
	buf_append(&w->b, item->p, item->len);
	w_lit(w, "}");
	w_end(w, "\n\n");
}

static void
resp_write(struct w *w)
{
	const struct emit_msg *m = w->m;
	struct buf output, full, item;
	char cid[128], fid[160], mid[112];
	size_t i, k;
	long long oi = 0;

	snprintf(mid, sizeof mid, "msg_%s", w->id);
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
	if (m->nreasoning) {
		resp_w_reasoning(w, &full, &item);
		buf_append(&output, item.p, item.len);
		oi++;
	}
	if (m->ntext) {
		w_joined(&full, m->text, m->ntext);
		resp_begin(w, "response.output_item.added");
		w_lit(w, ",\"output_index\":");
		w_num(w, oi);
		w_lit(w, ",\"item\":{\"id\":\"msg_");
		w_lit(w, w->id);
		w_lit(w, "\",\"type\":\"message\",\"status\":\"in_progress\","
		    "\"content\":[],\"role\":\"assistant\"}}");
		w_end(w, "\n\n");
		resp_at(w, "response.content_part.added", mid, oi);
		w_lit(w, "\"content_index\":0,\"part\":"
		    "{\"type\":\"output_text\",\"annotations\":[],"
		    "\"logprobs\":[],\"text\":\"\"}}");
		w_end(w, "\n\n");
		for (i = 0; i < m->ntext; i++) {
			resp_at(w, "response.output_text.delta", mid, oi);
			w_lit(w, "\"content_index\":0,\"delta\":");
			w_str(w, m->text[i]);
			w_lit(w, ",\"logprobs\":[]}");
			w_end(w, "\n\n");
		}
		resp_at(w, "response.output_text.done", mid, oi);
		w_lit(w, "\"content_index\":0,\"text\":");
		if (jsonw_string(&w->b, full.p ? full.p : "", full.len) == -1)
			w->err = 1;
		w_lit(w, ",\"logprobs\":[]}");
		w_end(w, "\n\n");
		resp_at(w, "response.content_part.done", mid, oi);
		w_lit(w, "\"content_index\":0,\"part\":"
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
		w_lit(w, ",\"output_index\":");
		w_num(w, oi);
		w_lit(w, ",\"item\":");
		buf_append(&w->b, item.p, item.len);
		w_lit(w, "}");
		w_end(w, "\n\n");
		if (output.len)
			buf_putc(&output, ',');
		buf_append(&output, item.p, item.len);
		oi++;
	}
	for (i = 0; i < m->ncalls; i++, oi++) {
		const struct emit_call *c = &m->calls[i];

		w_call_id(cid, sizeof cid, "call_mock_", c, i);
		snprintf(fid, sizeof fid, "fc_%s_%zu", w->id, i);
		w_joined(&full, c->args, c->nargs);
		resp_begin(w, "response.output_item.added");
		w_lit(w, ",\"output_index\":");
		w_num(w, oi);
		w_lit(w, ",\"item\":");
		if (resp_w_item_call(&w->b, fid, cid, c->name, "", 0, 0) != 0)
			w->err = 1;
		w_lit(w, "}");
		w_end(w, "\n\n");
		for (k = 0; k < c->nargs; k++) {
			resp_at(w, "response.function_call_arguments.delta",
			    fid, oi);
			w_lit(w, "\"delta\":");
			w_str(w, c->args[k]);
			w_lit(w, "}");
			w_end(w, "\n\n");
		}
		resp_at(w, "response.function_call_arguments.done", fid, oi);
		w_lit(w, "\"arguments\":");
		if (jsonw_string(&w->b, full.p ? full.p : "", full.len) == -1)
			w->err = 1;
		w_lit(w, "}");
		w_end(w, "\n\n");
		buf_reset(&item);
		if (resp_w_item_call(&item, fid, cid, c->name,
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

static void
resp_write_error(struct w *w)
{
	/* the real stream: error, then response.failed */
	w->seq = 1000;
	resp_begin(w, "error");
	w_lit(w, ",\"error\":{\"type\":\"server_error\",\"code\":"
	    "\"server_error\",\"message\":");
	w_str(w, W_OVERLOADED);
	w_lit(w, ",\"param\":null}}");
	w_end(w, "\n\n");
	resp_begin(w, "response.failed");
	w_lit(w, ",\"response\":");
	resp_object(w, "failed", NULL, "{\"code\":\"server_error\","
	    "\"message\":\"The server is overloaded, please try again "
	    "later.\"}");
	w_lit(w, "}");
	w_end(w, "\n\n");
}

/* -------------------------------------------------------------- detect */

static int
resp_detect(const char *type, const char *dtype, jv j)
{
	(void)j;

	return prefix(type, "response.") || prefix(dtype, "response.");
}

/* ------------------------------------------------------------- request */

static jv
resp_req_body(const struct req_params *r, jv msgs)
{
	jv body = jv_object_set(jv_object(), jv_string("model"),
	    jv_string(r->model));
	int has_msgs = jv_get_kind(r->messages) == JV_KIND_ARRAY;

	if (r->prompt)
		msgs = jv_array_append(msgs, req_user_text(r->prompt));
	if (r->system)
		body = jv_object_set(body, jv_string("instructions"),
		    jv_string(r->system));
	/* A lone prompt is sent in the API's simplest form, a string. */
	if (!has_msgs && r->prompt) {
		jv_free(msgs);
		msgs = jv_string(r->prompt);
	}
	return jv_object_set(body, jv_string("input"), msgs);
}

static jv
resp_req_opts(jv body, const struct req_params *r)
{
	body = req_sampling(body, "max_output_tokens", r);
	if (r->reasoning == REQ_REASON_UNSET)
		return body;
	return jv_object_set(body, jv_string("reasoning"), jv_object_set(
	    jv_object(), jv_string("effort"), jv_string(req_effort(r))));
}

static int
resp_req_refuse(jv body, struct buf *why)
{
	return req_refuse_tools(body, "Missing required parameter: "
	    "'tools[%d].name'.", why) || req_refuse_key(body, "max_tokens",
	    "Unsupported parameter: 'max_tokens'. In the Responses API, this "
	    "parameter has moved to 'max_output_tokens'.", why) ||
	    req_temp_range(body, NULL, 2, why);
}

static int
resp_req_ready(jv body, int stream)
{
	return req_stream_ok(body, stream, 0);
}

static void
resp_last_user(jv body, struct buf *b)
{
	jv in = jvx_get(body, "input");
	const char *s;
	size_t n;

	if ((s = jvx_str(in, &n)) != NULL)
		buf_append(b, s, n);
	else
		req_last_user(body, "input", "content", 0, b);
	jv_free(in);
}

/* fast path: a delta resp_text grew a->ev_slot by (vary: ignored) */
static int
resp_fast(struct acc *a, jv j, struct fast_spec *fs)
{
	static const char *const vary[] = { "sequence_number", "obfuscation", 0 };
	const char *t = str(j, "type", NULL);

	if (!a->ev_slot || !prefix(t, "response.") || !strstr(t, ".delta"))
		return 0;
	*fs = (struct fast_spec){ .key = "delta", .vary = vary,
	    .grow = &a->ev_slot->text, .has = &a->ev_slot->has_field,
	    .keep = a->ev_kind == DELTA_TOOL_CALL, .flag = streq(t,
	    "response.output_text.delta") ? &a->ot_stale : NULL };
	return 1;
}

/* Conversations are input items (conv.h): function_call items and their
 * function_call_output, reasoning items sent back with their turn. */
static const struct conv_items resp_items = {
	.d = DIALECT_OPENAI_RESPONSES, .list = "input",
	.system = "instructions", .call = "function_call",
	.result = "function_call_output", .id = "call_id", .output = "output",
	.kept = "reasoning", .native = "output",
};

static const struct prov_ops responses_ops = {
	.detect = resp_detect, .event = resp_event, .native = resp_native,
	.write = resp_write, .write_error = resp_write_error,
	.error_body = openai_error_body, .req_body = resp_req_body,
	.req_ready = resp_req_ready, .req_finish = req_stream_flag,
	.req_opts = resp_req_opts, .req_tools = req_tools_flat,
	.req_refuse = resp_req_refuse, .req_auth = openai_req_auth,
	.last_user = resp_last_user, .conv_items = &resp_items, .fast = resp_fast,
};

/* The row of the provider table (provider.h): its facts. */
static const char *const responses_paths[] = { "/v1/responses",
	"/responses", NULL };

const struct provider prov_responses = {
	.id = DIALECT_OPENAI_RESPONSES, .name = "openai-responses",
	.alias = { "responses", NULL }, .content_type = "text/event-stream",
	.min_max_tokens = 16, /* max_output_tokens' minimum in the API */
	.default_base = "https://api.openai.com/v1",
	.base_env = "OPENAI_BASE_URL", .default_model = "gpt-4o-mini",
	.api_path = "/responses", .key_env = "OPENAI_API_KEY",
	.key_header = "Authorization", .key_prefix = "Bearer ",
	.model_only = openai_responses_only,
	.reasoning_models = openai_reasoning,
	.not_reasoning = openai_not_reasoning,
	.no_effort_none = openai_no_effort_none,
	.paths = responses_paths, .ops = &responses_ops,
};
