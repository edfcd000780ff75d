/* conv.c - conversation files (conv.h): reading and checking them,
 * appending to them safely, and the provider-neutral half of turning them
 * into request bodies and back (the providers' halves are their
 * conv_encode, conv_decode and conv_keep operations). */
#include "conv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mem.h"
#include "prov_priv.h"

/* Text buffers: their inputs come from files capped at CONV_MAX (or
 * request bodies capped lower), so their cap is never reached. */
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

/* ------------------------------------------------------------- check */

static int
errf(char *err, size_t n, int line, const char *fmt, const char *s)
{
	char what[200];

	snprintf(what, sizeof what, fmt, s ? s : "");
	snprintf(err, n, "line %d: %s", line, what);
	return -1;
}

/* check_calls: the assistant message m's tool calls, normalized into
 * *out; the ids go into *ids. */
static int
check_calls(jv m, jv *ids, int line, char *err, size_t n)
{
	jv calls = jvx_get(m, "tool_calls"), c, a, v;
	const char *s;
	size_t len;
	int i, k, rc = 0;

	*ids = jv_object();
	if (jv_get_kind(calls) == JV_KIND_NULL) {
		jv_free(calls);
		return 0;
	}
	if (jv_get_kind(calls) != JV_KIND_ARRAY) {
		jv_free(calls);
		return errf(err, n, line, "tool_calls is not an array%s",
		    NULL);
	}
	k = jv_array_length(jv_copy(calls));
	for (i = 0; i < k && rc == 0; i++) {
		c = jv_array_get(jv_copy(calls), i);
		if (jv_get_kind(c) != JV_KIND_OBJECT ||
		    conv_str(c, "name") == NULL || !*conv_str(c, "name"))
			rc = errf(err, n, line, "a tool call without a name%s",
			    NULL);
		else if ((s = conv_str(c, "id")) == NULL || !*s)
			rc = errf(err, n, line, "tool call %s has no id",
			    conv_str(c, "name"));
		else {
			a = jvx_get(c, "arguments");
			if (jv_get_kind(a) == JV_KIND_STRING) {
				jvx_str(a, &len);
				v = len ? jvx_parse(jv_string_value(a), len) :
				    jv_object();
				if (!jv_is_valid(v))
					rc = errf(err, n, line, "tool call %s: "
					    "arguments are not valid JSON", s);
				jv_free(v);
			} else if (jv_get_kind(a) != JV_KIND_OBJECT &&
			    jv_get_kind(a) != JV_KIND_NULL) {
				rc = errf(err, n, line, "tool call %s: "
				    "arguments are not a JSON text", s);
			}
			jv_free(a);
			if (rc == 0)
				*ids = jv_object_set(*ids, jv_string(s),
				    jvx_get(c, "name"));
		}
		jv_free(c);
	}
	jv_free(calls);
	return rc;
}

/* check_one checks and normalizes *m, the message of line `line`, with
 * *ids the calls of the last assistant message (id -> name). */
static int
check_one(jv *m, jv *ids, int line, char *err, size_t n)
{
	jv c, v, name, calls, call;
	const char *role, *id;
	int j, k;

	if (jv_get_kind(*m) != JV_KIND_OBJECT)
		return errf(err, n, line, "not a JSON object%s", NULL);
	v = jvx_get(*m, "v");
	j = jv_get_kind(v) != JV_KIND_NULL &&
	    (jv_get_kind(v) != JV_KIND_NUMBER ||
	    jv_number_value(v) != CONV_VERSION);
	jv_free(v);
	if (j)
		return errf(err, n, line, "format version %s is not 1 (a "
		    "newer llmpipe wrote it?)", "\"v\"");
	if ((role = conv_str(*m, "role")) == NULL)
		return errf(err, n, line, "no \"role\"%s", NULL);
	c = jvx_get(*m, "content");
	j = jv_get_kind(c) != JV_KIND_STRING &&
	    (jv_get_kind(c) != JV_KIND_NULL || strcmp(role, "assistant") != 0);
	jv_free(c);
	if (j && (strcmp(role, "system") == 0 || strcmp(role, "user") == 0 ||
	    strcmp(role, "assistant") == 0 || strcmp(role, "tool") == 0))
		return errf(err, n, line, "%s message: content is not a "
		    "string", role);
	if (strcmp(role, "system") == 0 || strcmp(role, "user") == 0)
		return 0;
	if (strcmp(role, "assistant") == 0) {
		jv_free(*ids);
		if (check_calls(*m, ids, line, err, n) == -1)
			return -1;
		calls = jvx_get(*m, "tool_calls");
		k = jv_get_kind(calls) == JV_KIND_ARRAY ?
		    jv_array_length(jv_copy(calls)) : 0;
		for (j = 0; j < k; j++) {
			call = jv_array_get(jv_copy(calls), j);
			v = jvx_get(call, "arguments");
			if (jv_get_kind(v) == JV_KIND_NULL) {
				jv_free(v);
				v = jv_string("{}");
			}
			calls = jv_array_set(calls, j, conv_call(
			    jvx_get(call, "id"), jvx_get(call, "name"), v));
			jv_free(call);
		}
		if (jv_get_kind(calls) != JV_KIND_ARRAY) {
			jv_free(calls);
			calls = jv_array();
		}
		*m = jv_object_set(*m, jv_string("tool_calls"), calls);
		return 0;
	}
	if (strcmp(role, "tool") == 0) {
		if ((id = conv_str(*m, "tool_call_id")) == NULL)
			return errf(err, n, line, "tool result without "
			    "tool_call_id%s", NULL);
		name = jv_object_get(jv_copy(*ids), jv_string(id));
		if (!jv_is_valid(name)) {
			jv_free(name);
			return errf(err, n, line, "tool result for call %s, "
			    "which no earlier assistant message made", id);
		}
		*m = jv_object_set(*m, jv_string("name"), name);
		return 0;
	}
	return errf(err, n, line, "unknown role '%s'", role);
}

jv
conv_check(jv conv, int first_line, char *err, size_t n)
{
	jv out = jv_array(), ids = jv_object(), m;
	int i, len;

	len = jv_array_length(jv_copy(conv));
	for (i = 0; i < len; i++) {
		m = jv_array_get(jv_copy(conv), i);
		if (check_one(&m, &ids, first_line + i, err, n) == -1) {
			jv_free(m);
			jv_free(out);
			out = jv_invalid();
			break;
		}
		out = jv_array_append(out, m);
	}
	jv_free(ids);
	jv_free(conv);
	return out;
}

/* ------------------------------------------------------ the file side */

/* open_regular: open path with flags, refusing a symlink (O_NOFOLLOW)
 * and anything that is not a regular file. -1 with err set. */
static int
open_regular(const char *path, int flags, struct stat *st, char *err,
    size_t n)
{
	int fd = open(path, flags | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK,
	    0600);

	if (fd == -1) {
		if (errno == ELOOP)
			snprintf(err, n, "%s: is a symbolic link (refused)",
			    path);
		else
			snprintf(err, n, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, st) == -1 || !S_ISREG(st->st_mode)) {
		snprintf(err, n, "%s: %s", path, S_ISDIR(st->st_mode) ?
		    "is a directory" : "not a regular file (refused)");
		close(fd);
		return -1;
	}
	return fd;
}

int
conv_load(const char *path, jv *out, char *err, size_t n)
{
	struct stat st;
	struct buf b;
	char why[320];
	jv conv = jv_array(), ids = jv_null(), m;
	size_t i, start;
	ssize_t r;
	int fd, line = 0;

	*out = jv_invalid();
	if (lstat(path, &st) == -1) {
		if (errno == ENOENT) {
			*out = conv;
			return 0;
		}
	} else if (S_ISDIR(st.st_mode)) {
		snprintf(err, n, "%s: is a directory", path);
		jv_free(conv);
		return -1;
	}
	if ((fd = open_regular(path, O_RDONLY, &st, err, n)) == -1) {
		jv_free(conv);
		return -1;
	}
	if ((size_t)st.st_size > CONV_MAX) {
		snprintf(err, n, "%s: over the %zu MiB a conversation may "
		    "hold", path, CONV_MAX >> 20);
		close(fd);
		jv_free(conv);
		return -1;
	}
	buf_init(&b, CONV_MAX + 1);
	for (;;) {
		if (buf_reserve(&b, 65536) == -1) {
			snprintf(err, n, "%s: over the %zu MiB a conversation "
			    "may hold", path, CONV_MAX >> 20);
			goto fail;
		}
		r = read(fd, b.p + b.len, 65536);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			snprintf(err, n, "%s: %s", path, strerror(errno));
			goto fail;
		}
		if (r == 0)
			break;
		b.len += (size_t)r;
	}
	close(fd);
	fd = -1;
	ids = jv_object();
	for (start = i = 0; i < b.len; i = start) {
		const char *nl = memchr(b.p + start, '\n', b.len - start);
		size_t end = nl ? (size_t)(nl - b.p) : b.len;

		line++;
		start = end + 1;
		while (end > i && (b.p[end - 1] == '\r' || b.p[end - 1] == ' '
		    || b.p[end - 1] == '\t'))
			end--;
		if (end == i)
			continue; /* blank lines are allowed */
		if (nl == NULL) {
			snprintf(err, n, "%s: line %d: the last line is cut "
			    "short (no newline at the end)", path, line);
			goto fail;
		}
		m = jvx_parse(b.p + i, end - i);
		if (!jv_is_valid(m)) {
			jvx_error_text(m, why, sizeof why);
			snprintf(err, n, "%s: line %d: not JSON: %s", path,
			    line, why);
			goto fail;
		}
		if (check_one(&m, &ids, line, why, sizeof why) == -1) {
			jv_free(m);
			snprintf(err, n, "%s: %s", path, why);
			goto fail;
		}
		conv = jv_array_append(conv, m);
	}
	buf_free(&b);
	jv_free(ids);
	*out = conv;
	return 0;
fail:
	if (fd != -1)
		close(fd);
	buf_free(&b);
	jv_free(ids);
	jv_free(conv);
	return -1;
}

int
conv_append(const char *path, jv msg, char *err, size_t n)
{
	struct stat st;
	struct buf b;
	char last;
	ssize_t w;
	int fd, rc = -1;

	buf_init(&b, 0);
	if (buf_putc(&b, '\n') == -1 || jvx_dump(&b, msg) == -1 ||
	    buf_putc(&b, '\n') == -1) {
		snprintf(err, n, "%s: message over %zu MiB", path,
		    BUF_DEFAULT_MAX >> 20);
		buf_free(&b);
		return -1;
	}
	fd = open_regular(path, O_WRONLY | O_APPEND | O_CREAT, &st, err, n);
	if (fd == -1)
		goto out;
	while (flock(fd, LOCK_EX) == -1) {
		if (errno != EINTR) {
			snprintf(err, n, "%s: lock: %s", path,
			    strerror(errno));
			goto out;
		}
	}
	/* under the lock, the size is the size others leave */
	if (fstat(fd, &st) == -1) {
		snprintf(err, n, "%s: %s", path, strerror(errno));
		goto out;
	}
	last = '\n';
	if (st.st_size > 0) {
		int rfd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

		if (rfd == -1 || pread(rfd, &last, 1, st.st_size - 1) != 1)
			last = '\n';
		if (rfd != -1)
			close(rfd);
	}
	{
		const char *p = last == '\n' ? b.p + 1 : b.p;
		size_t len = last == '\n' ? b.len - 1 : b.len;

		do
			w = write(fd, p, len);
		while (w == -1 && errno == EINTR);
		if (w != (ssize_t)len) {
			snprintf(err, n, "%s: write: %s", path, w == -1 ?
			    strerror(errno) : "short write");
			goto out;
		}
	}
	rc = 0;
out:
	if (fd != -1)
		close(fd); /* releases the lock */
	buf_free(&b);
	return rc;
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
	if (p && p->ops->conv_keep) {
		native = acc_native(a);
		keep = p->ops->conv_keep(native);
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
	*msgs = p->ops->conv_encode(rest);
	return 0;
}

jv
conv_from_body(enum dialect d, jv body)
{
	return provider_get(d)->ops->conv_decode(body);
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
