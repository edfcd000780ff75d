/* conv.c - conversation messages (conv.h): the provider-neutral half of
 * turning them into request bodies and back (the providers' halves are
 * their conv_encode, conv_decode and conv_keep operations, or a
 * conv_items description); the files are conv_file.c's. */
#include "conv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "prov_priv.h"

/* Text buffers: their inputs come from conversation files capped at 64
 * MiB (conv_file.h) or request bodies capped lower, so their cap is never
 * reached. */
#define BIG ((size_t)1 << 30)

/* ------------------------------------------------------------ helpers */

const char *
conv_str(jv obj, const char *key)
{
	jv v = jvx_get(obj, key);
	const char *s = jvx_str(v, NULL);

	/* the string lives in obj, which holds another reference */
	jv_free(v);
	return s;
}

jv
conv_text(jv content)
{
	struct buf b;
	const char *s;
	size_t n;
	int i, len, any = 0;
	jv part, t, r;

	if (jv_get_kind(content) == JV_KIND_STRING)
		return jv_copy(content);
	if (jv_get_kind(content) != JV_KIND_ARRAY)
		return jv_null();
	buf_init(&b, BIG);
	len = jv_array_length(jv_copy(content));
	for (i = 0; i < len; i++) {
		part = jv_array_get(jv_copy(content), i);
		t = jv_get_kind(part) == JV_KIND_STRING ? jv_copy(part) :
		    jvx_get(part, "text");
		if ((s = jvx_str(t, &n)) != NULL) {
			(void)buf_append(&b, s, n); /* see BIG */
			any = 1;
		}
		jv_free(t);
		jv_free(part);
	}
	r = any ? jv_string_sized(b.p ? b.p : "", (int)b.len) : jv_null();
	buf_free(&b);
	return r;
}

jv
conv_args_obj(jv call)
{
	jv a = jvx_get(call, "arguments");
	const char *s;
	size_t n;
	jv v;

	if ((s = jvx_str(a, &n)) == NULL)
		return a;
	v = n ? jvx_parse(s, n) : jv_object();
	jv_free(a);
	if (!jv_is_valid(v)) {
		jv_free(v);
		return jv_object();
	}
	return v;
}

jv
conv_msg(const char *role, jv content)
{
	return jv_object_set(jv_object_set(jv_object(), jv_string("role"),
	    jv_string(role)), jv_string("content"), content);
}

jv
conv_pd(jv m, const char *key)
{
	jv pd = jvx_get(m, "provider_data"), v = jvx_get(pd, key);

	jv_free(pd);
	return v;
}

jv
conv_system(jv conv, jv text)
{
	jv t = conv_text(text);

	jv_free(text);
	if (jv_get_kind(t) == JV_KIND_STRING)
		return jv_array_append(conv, conv_msg("system", t));
	jv_free(t);
	return conv;
}

jv
conv_msg_text(const char *role, jv content)
{
	jv t = conv_text(content);

	jv_free(content);
	if (jv_get_kind(t) != JV_KIND_STRING) {
		jv_free(t);
		t = jv_string("");
	}
	return conv_msg(strcmp(role, "developer") == 0 ? "system" : role, t);
}

jv
conv_tool(jv id, jv content)
{
	jv m = jv_object_set(jv_object(), jv_string("role"),
	    jv_string("tool"));

	m = jv_object_set(m, jv_string("tool_call_id"), id);
	if (jv_get_kind(content) != JV_KIND_STRING) {
		jv t = conv_text(content);

		if (jv_get_kind(t) == JV_KIND_NULL &&
		    jv_get_kind(content) != JV_KIND_NULL) {
			jv_free(t);
			t = jv_dump_string(jv_copy(content), 0);
		}
		jv_free(content);
		content = jv_get_kind(t) == JV_KIND_NULL ? jv_string("") : t;
	}
	return jv_object_set(m, jv_string("content"), content);
}

/* compact: arguments as compact JSON text (a text that is not JSON is
 * kept as it is) */
static jv
compact(jv args)
{
	const char *s;
	size_t n;
	jv v;

	if ((s = jvx_str(args, &n)) == NULL)
		return jv_dump_string(args, 0);
	v = n ? jvx_parse(s, n) : jv_object();
	if (!jv_is_valid(v)) {
		jv_free(v);
		return args;
	}
	jv_free(args);
	return jv_dump_string(v, 0);
}

jv
conv_call(jv id, jv name, jv args)
{
	if (jv_get_kind(args) != JV_KIND_STRING)
		args = jv_dump_string(args, 0);
	return jv_object_set(jv_object_set(jv_object_set(jv_object(),
	    jv_string("id"), id), jv_string("name"), name),
	    jv_string("arguments"), args);
}

/* empty_null: an assistant's "" content is no content (consumed) */
static jv
empty_null(jv s)
{
	if (jv_get_kind(s) == JV_KIND_STRING &&
	    jv_string_length_bytes(jv_copy(s)) == 0) {
		jv_free(s);
		return jv_null();
	}
	return s;
}

static jv
assistant(void)
{
	jv m = conv_msg("assistant", jv_null());

	return jv_object_set(m, jv_string("tool_calls"), jv_array());
}

jv
conv_add(jv conv, int merge, jv text, jv call)
{
	int n = jv_array_length(jv_copy(conv));
	jv last = n ? jv_array_get(jv_copy(conv), n - 1) : jv_null();
	const char *role = conv_str(last, "role");
	jv m, c, t;

	if (merge && role && strcmp(role, "assistant") == 0) {
		m = last;
		conv = jv_array_set(conv, n - 1, jv_null());
		conv = jv_array_slice(conv, 0, n - 1);
	} else {
		jv_free(last);
		m = assistant();
	}
	if (jv_get_kind(text) == JV_KIND_STRING &&
	    jv_string_length_bytes(jv_copy(text)) > 0) {
		c = jvx_get(m, "content");
		t = jv_get_kind(c) == JV_KIND_STRING ?
		    jv_string_concat(c, text) : (jv_free(c), text);
		m = jv_object_set(m, jv_string("content"), t);
	} else {
		jv_free(text);
	}
	if (jv_is_valid(call)) {
		c = jvx_get(m, "tool_calls");
		if (jv_get_kind(c) != JV_KIND_ARRAY) {
			jv_free(c);
			c = jv_array();
		}
		m = jv_object_set(m, jv_string("tool_calls"),
		    jv_array_append(c, call));
	} else {
		jv_free(call);
	}
	return jv_array_append(conv, m);
}

int
conv_has_type(jv arr, const char *t1, const char *t2)
{
	const char *t;
	jv it;
	int i, len, has = 0;

	len = jv_get_kind(arr) == JV_KIND_ARRAY ?
	    jv_array_length(jv_copy(arr)) : 0;
	for (i = 0; i < len && !has; i++) {
		it = jv_array_get(jv_copy(arr), i);
		t = conv_str(it, "type");
		has = t && (strcmp(t, t1) == 0 || (t2 && strcmp(t, t2) == 0));
		jv_free(it);
	}
	return has;
}

jv
conv_keep_if(jv arr, const char *key, const char *t1, const char *t2)
{
	if (!conv_has_type(arr, t1, t2)) {
		jv_free(arr);
		return jv_null();
	}
	return jv_object_set(jv_object(), jv_string(key), arr);
}

jv
conv_keep_last(jv conv, int keep, enum dialect d, const char *key, jv v)
{
	int n = jv_array_length(jv_copy(conv));
	jv m;

	if (n == 0 || !keep) {
		jv_free(v);
		return conv;
	}
	m = jv_array_get(jv_copy(conv), n - 1);
	m = jv_object_set(m, jv_string("provider"),
	    jv_string(provider_get(d)->name));
	return jv_array_set(conv, n - 1, jv_object_set(m,
	    jv_string("provider_data"), jv_object_set(jv_object(),
	    jv_string(key), v)));
}

/* ---------------------------------------------------- the message side */

jv
conv_user(const char *text)
{
	return jv_object_set(conv_msg("user", jv_string(text)),
	    jv_string("v"), jv_number(CONV_VERSION));
}

jv
conv_from_acc(const struct acc *a, int incomplete)
{
	jv m = acc_json(a, 0), calls, c, id, native, keep;
	const struct provider *p;
	char buf[64];
	int i, k, output = 0;

	output = conv_str(m, "content") || conv_str(m, "reasoning") ||
	    conv_str(m, "refusal");
	calls = jvx_get(m, "tool_calls");
	k = jv_get_kind(calls) == JV_KIND_ARRAY ?
	    jv_array_length(jv_copy(calls)) : 0;
	output |= k > 0;
	if (!output) {
		jv_free(calls);
		jv_free(m);
		return jv_null();
	}
	for (i = 0; i < k; i++) {
		c = jv_array_get(jv_copy(calls), i);
		id = jvx_get(c, "id");
		if (jv_get_kind(id) != JV_KIND_STRING) {
			snprintf(buf, sizeof buf, "call_%d", i);
			calls = jv_array_set(calls, i, jv_object_set(c,
			    jv_string("id"), jv_string(buf)));
		} else {
			jv_free(c);
		}
		jv_free(id);
	}
	m = jv_object_set(m, jv_string("tool_calls"), calls);
	m = jv_object_delete(m, jv_string("index"));
	p = provider_get(acc_dialect(a));
	if (p && (p->ops->conv_keep || p->ops->conv_items)) {
		const struct conv_items *ci = p->ops->conv_items;

		native = acc_native(a);
		keep = ci ? conv_keep_if(jvx_get(native, ci->native),
		    ci->native, ci->kept, NULL) : p->ops->conv_keep(native);
		jv_free(native);
		if (jv_get_kind(keep) != JV_KIND_NULL)
			m = jv_object_set(m, jv_string("provider_data"), keep);
		else
			jv_free(keep);
	}
	if (incomplete)
		m = jv_object_set(m, jv_string("incomplete"), jv_true());
	return jv_object_set(m, jv_string("v"), jv_number(CONV_VERSION));
}

int
conv_request(enum dialect d, jv conv, jv *msgs, char **system,
    int *dropped)
{
	const struct provider *p = provider_get(d);
	struct buf sys;
	const char *role, *s, *from;
	jv rest = jv_array(), m;
	int i, len;

	*dropped = 0;
	buf_init(&sys, BIG);
	len = jv_array_length(jv_copy(conv));
	for (i = 0; i < len; i++) {
		m = jv_array_get(jv_copy(conv), i);
		role = conv_str(m, "role");
		if (role && strcmp(role, "system") == 0) {
			s = conv_str(m, "content");
			/* see BIG */
			(void)(sys.len && buf_puts(&sys, "\n\n") == -1);
			(void)buf_puts(&sys, s ? s : "");
			jv_free(m);
			continue;
		}
		if (role && strcmp(role, "assistant") == 0) {
			jv pd = jvx_get(m, "provider_data");

			from = conv_str(m, "provider");
			if (jv_get_kind(pd) != JV_KIND_NULL && (from == NULL ||
			    strcmp(from, p->name) != 0)) {
				m = jv_object_delete(m,
				    jv_string("provider_data"));
				(*dropped)++;
			}
			jv_free(pd);
		}
		rest = jv_array_append(rest, m);
	}
	*system = sys.len ? xmemdup(sys.p, sys.len) : NULL;
	buf_free(&sys);
	*msgs = p->ops->conv_items ? conv_items_encode(rest,
	    p->ops->conv_items) : p->ops->conv_encode(rest);
	return 0;
}

jv
conv_from_body(enum dialect d, jv body)
{
	const struct prov_ops *o = provider_get(d)->ops;

	return o->conv_items ? conv_items_decode(body, o->conv_items) :
	    o->conv_decode(body);
}

jv
conv_norm(jv conv)
{
	jv out = jv_array(), m, o, calls, c, nc, pd;
	const char *role;
	int i, j, k, len;

	len = jv_array_length(jv_copy(conv));
	for (i = 0; i < len; i++) {
		m = jv_array_get(jv_copy(conv), i);
		role = conv_str(m, "role");
		if (role && strcmp(role, "tool") == 0) {
			o = conv_tool(jvx_get(m, "tool_call_id"),
			    jvx_get(m, "content"));
		} else if (role && strcmp(role, "assistant") == 0) {
			o = assistant();
			o = jv_object_set(o, jv_string("content"),
			    empty_null(jvx_get(m, "content")));
			calls = jvx_get(m, "tool_calls");
			k = jv_get_kind(calls) == JV_KIND_ARRAY ?
			    jv_array_length(jv_copy(calls)) : 0;
			nc = jv_array();
			for (j = 0; j < k; j++) {
				c = jv_array_get(jv_copy(calls), j);
				nc = jv_array_append(nc, conv_call(
				    jvx_get(c, "id"), jvx_get(c, "name"),
				    compact(jvx_get(c, "arguments"))));
				jv_free(c);
			}
			jv_free(calls);
			o = jv_object_set(o, jv_string("tool_calls"), nc);
			pd = jvx_get(m, "provider_data");
			if (jv_get_kind(pd) != JV_KIND_NULL) {
				o = jv_object_set(o, jv_string("provider"),
				    jvx_get(m, "provider"));
				o = jv_object_set(o,
				    jv_string("provider_data"), pd);
			} else {
				jv_free(pd);
			}
		} else {
			o = conv_msg(role ? role : "user",
			    jvx_get(m, "content"));
		}
		out = jv_array_append(out, o);
		jv_free(m);
	}
	return out;
}

int
conv_last(enum dialect d, jv body, struct buf *b)
{
	jv conv = conv_from_body(d, body), m;
	const char *role, *s;
	int n = jv_array_length(jv_copy(conv)), rc = 0;

	m = n ? jv_array_get(jv_copy(conv), n - 1) : jv_null();
	role = conv_str(m, "role");
	if (role && (strcmp(role, "user") == 0 || strcmp(role, "tool") == 0)) {
		rc = strcmp(role, "user") == 0 ? 1 : 2;
		if ((s = conv_str(m, "content")) != NULL)
			(void)buf_puts(b, s); /* over b's cap: cut, as last_user */
	}
	jv_free(m);
	jv_free(conv);
	return rc;
}

/* ------------------------------------------- chat-shaped message lists */

jv
conv_chat_encode(jv conv, int ollama)
{
	jv out = jv_array(), m, o, calls, c, f, nc;
	const char *role;
	int i, j, k, len;

	len = jv_array_length(jv_copy(conv));
	for (i = 0; i < len; i++) {
		m = jv_array_get(jv_copy(conv), i);
		role = conv_str(m, "role");
		if (strcmp(role, "tool") == 0) {
			o = conv_msg("tool", jvx_get(m, "content"));
			o = jv_object_set(o, jv_string("tool_call_id"),
			    jvx_get(m, "tool_call_id"));
			if (ollama)
				o = jv_object_set(o, jv_string("tool_name"),
				    jvx_get(m, "name"));
		} else if (strcmp(role, "assistant") == 0) {
			c = jvx_get(m, "content");
			if (ollama && jv_get_kind(c) != JV_KIND_STRING) {
				jv_free(c);
				c = jv_string("");
			}
			o = conv_msg("assistant", c);
			calls = jvx_get(m, "tool_calls");
			k = jv_array_length(jv_copy(calls));
			nc = jv_array();
			for (j = 0; j < k; j++) {
				c = jv_array_get(jv_copy(calls), j);
				f = jv_object_set(jv_object(),
				    jv_string("name"), jvx_get(c, "name"));
				f = jv_object_set(f, jv_string("arguments"),
				    ollama ? conv_args_obj(c) :
				    jvx_get(c, "arguments"));
				f = jv_object_set(jv_object_set(jv_object(),
				    jv_string("id"), jvx_get(c, "id")),
				    jv_string("function"), f);
				if (!ollama)
					f = jv_object_set(f, jv_string("type"),
					    jv_string("function"));
				nc = jv_array_append(nc, f);
				jv_free(c);
			}
			jv_free(calls);
			if (k)
				o = jv_object_set(o, jv_string("tool_calls"),
				    nc);
			else
				jv_free(nc);
		} else {
			o = conv_msg(role, jvx_get(m, "content"));
		}
		out = jv_array_append(out, o);
		jv_free(m);
	}
	jv_free(conv);
	return out;
}

jv
conv_chat_decode(jv body, const char *key)
{
	jv msgs = jvx_get(body, key), conv = jv_array(), m, calls, c, f, id;
	const char *role;
	int i, j, k, len;

	len = jv_get_kind(msgs) == JV_KIND_ARRAY ?
	    jv_array_length(jv_copy(msgs)) : 0;
	for (i = 0; i < len; i++) {
		m = jv_array_get(jv_copy(msgs), i);
		role = conv_str(m, "role");
		if (role == NULL) {
			/* not a message: left out */
		} else if (strcmp(role, "tool") == 0) {
			id = jvx_get(m, "tool_call_id");
			if (jv_get_kind(id) == JV_KIND_NULL) {
				jv_free(id);
				id = jvx_get(m, "tool_name");
			}
			conv = jv_array_append(conv, conv_tool(id,
			    jvx_get(m, "content")));
		} else if (strcmp(role, "assistant") == 0) {
			c = jvx_get(m, "content");
			f = conv_text(c);
			jv_free(c);
			conv = conv_add(conv, 0, empty_null(f), jv_invalid());
			calls = jvx_get(m, "tool_calls");
			k = jv_get_kind(calls) == JV_KIND_ARRAY ?
			    jv_array_length(jv_copy(calls)) : 0;
			for (j = 0; j < k; j++) {
				c = jv_array_get(jv_copy(calls), j);
				f = jvx_get(c, "function");
				conv = conv_add(conv, 1, jv_null(), conv_call(
				    jvx_get(c, "id"), jvx_get(f, "name"),
				    jvx_get(f, "arguments")));
				jv_free(f);
				jv_free(c);
			}
			jv_free(calls);
		} else {
			conv = jv_array_append(conv, conv_msg_text(role,
			    jvx_get(m, "content")));
		}
		jv_free(m);
	}
	jv_free(msgs);
	return conv;
}

/* ------------------------------------------------ lists of typed items */

jv
conv_items_encode(jv conv, const struct conv_items *s)
{
	jv out = jv_array(), m, items, calls, c;
	const char *role;
	int i, j, k, len;

	len = jv_array_length(jv_copy(conv));
	for (i = 0; i < len; i++) {
		m = jv_array_get(jv_copy(conv), i);
		role = conv_str(m, "role");
		items = conv_pd(m, s->native);
		if (strcmp(role, "tool") == 0) {
			out = jv_array_append(out, JV_OBJECT(jv_string("type"),
			    jv_string(s->result), jv_string(s->id),
			    jvx_get(m, "tool_call_id"), jv_string(s->output),
			    jvx_get(m, "content")));
		} else if (strcmp(role, "assistant") != 0) {
			out = jv_array_append(out, conv_msg(role,
			    jvx_get(m, "content")));
		} else if (jv_get_kind(items) == JV_KIND_ARRAY) {
			/* the turn's items as they came, the kept ones too */
			out = jv_array_concat(out, jv_copy(items));
		} else {
			if (conv_str(m, "content") && *conv_str(m, "content"))
				out = jv_array_append(out, conv_msg(role,
				    jvx_get(m, "content")));
			calls = jvx_get(m, "tool_calls");
			k = jv_array_length(jv_copy(calls));
			for (j = 0; j < k; j++) {
				c = jv_array_get(jv_copy(calls), j);
				out = jv_array_append(out, JV_OBJECT(
				    jv_string("type"), jv_string(s->call),
				    jv_string(s->id), jvx_get(c, "id"),
				    jv_string("name"), jvx_get(c, "name"),
				    jv_string("arguments"),
				    jvx_get(c, "arguments")));
				jv_free(c);
			}
			jv_free(calls);
		}
		jv_free(items);
		jv_free(m);
	}
	jv_free(conv);
	return out;
}

jv
conv_items_decode(jv body, const struct conv_items *s)
{
	jv conv = jv_array(), in = jvx_get(body, s->list), it, c, t,
	    turn = jv_array();
	const char *type, *role;
	int i, len, kept = 0, mine;

	conv = conv_system(conv, jvx_get(body, s->system));
	if (jv_get_kind(in) == JV_KIND_STRING)
		conv = jv_array_append(conv, conv_msg("user", jv_copy(in)));
	len = jv_get_kind(in) == JV_KIND_ARRAY ?
	    jv_array_length(jv_copy(in)) : 0;
	for (i = 0; i < len; i++) {
		it = jv_array_get(jv_copy(in), i);
		type = conv_str(it, "type");
		role = conv_str(it, "role");
		type = type ? type : "message";
		/* an assistant turn: its messages, calls and kept items */
		mine = strcmp(type, s->kept) == 0 || (role ? strcmp(role,
		    "assistant") == 0 : strcmp(type, s->call) == 0);
		if (!mine) {
			conv = conv_keep_last(conv, kept, s->d, s->native, turn);
			turn = jv_array();
			kept = 0;
		}
		if (mine) {
			c = jvx_get(it, "content");
			t = role ? conv_text(c) : jv_null();
			jv_free(c);
			turn = jv_array_append(turn, jv_copy(it));
			kept |= strcmp(type, s->kept) == 0;
			c = strcmp(type, s->call) == 0 ? conv_call(
			    jvx_get(it, s->id), jvx_get(it, "name"),
			    jvx_get(it, "arguments")) : jv_invalid();
			conv = conv_add(conv, 1, t, c);
		} else if (strcmp(type, s->result) == 0) {
			conv = jv_array_append(conv, conv_tool(
			    jvx_get(it, s->id), jvx_get(it, s->output)));
		} else if (role) {
			conv = jv_array_append(conv, conv_msg_text(role,
			    jvx_get(it, "content")));
		}
		jv_free(it);
	}
	jv_free(in);
	return conv_keep_last(conv, kept, s->d, s->native, turn);
}
