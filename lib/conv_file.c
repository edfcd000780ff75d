/* conv_file.c - conversation files (conv_file.h): reading and checking
 * them line by line, and appending to them safely. */
#include "conv_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conv.h"
#include "jvx.h"

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
		/* room for one more byte than a conversation may hold, so
		 * that a file grown past it since fstat is told */
		size_t want = CONV_MAX + 1 - b.len < 65536 ?
		    CONV_MAX + 1 - b.len : 65536;

		if (want == 0 || buf_reserve(&b, want) == -1) {
			snprintf(err, n, "%s: over the %zu MiB a conversation "
			    "may hold", path, CONV_MAX >> 20);
			goto fail;
		}
		r = read(fd, b.p + b.len, want);
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
