#include "req_spec.h"
#include "jvx.h"
#include "mem.h"
#include "prov_priv.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* req_base_ends tells whether s[0..n) ends with the path segment seg
 * ("/v1"), compared without case. */
int
req_base_ends(const char *s, size_t n, const char *seg)
{
	size_t k = strlen(seg);

	return n >= k && strncasecmp(s + n - k, seg, k) == 0;
}

char *
req_url(enum dialect d, const char *base, const char *model, int stream)
{
	const struct provider *p = provider_get(d);
	const char *q = strchr(base, '?');
	struct buf b;
	size_t n = q ? (size_t)(q - base) : strlen(base);
	char *r;

	buf_init(&b, 0);
	while (n > 0 && base[n - 1] == '/')
		n--;
	if (strstr(base, "://") == NULL && p->ops->req_host) {
		p->ops->req_host(&b, base, n);
	} else {
		/* a base without a scheme is http, as curl takes it */
		if (strstr(base, "://") == NULL)
			buf_puts(&b, "http://");
		buf_append(&b, base, n);
	}
	if (p->ops->req_path)
		p->ops->req_path(&b, base, n, model, stream);
	else
		buf_puts(&b, p->api_path);
	/* the base's query (?api-version=) follows the path */
	if (q && q[1]) {
		buf_putc(&b, memchr(b.p, '?', b.len) ? '&' : '?');
		buf_puts(&b, q + 1);
	}
	r = xmemdup(b.p, b.len);
	buf_free(&b);
	return r;
}

void
req_url_host(const char *url, char *out, size_t n)
{
	const char *s = strstr(url, "://"), *e, *at;
	size_t len;

	s = s ? s + 3 : url;
	e = s + strcspn(s, "/?#");
	for (at = s; at < e; at++) {
		if (*at == '@')
			s = at + 1;
	}
	if (*s == '[') {
		s++;
		e = strchr(s, ']');
		if (e == NULL)
			e = s;
	} else {
		at = memchr(s, ':', (size_t)(e - s));
		if (at)
			e = at;
	}
	len = (size_t)(e - s);
	if (len >= n)
		len = n - 1;
	for (size_t i = 0; i < len; i++)
		out[i] = (char)tolower((unsigned char)s[i]);
	out[len] = '\0';
}

int
req_url_is_loopback(const char *url)
{
	char host[256];
	unsigned a, b, c, d;
	char extra;

	req_url_host(url, host, sizeof host);
	if (strcmp(host, "localhost") == 0 || strcmp(host, "::1") == 0 ||
	    strcmp(host, "0:0:0:0:0:0:0:1") == 0 ||
	    strcmp(host, "0.0.0.0") == 0)
		return 1;
	if (sscanf(host, "%u.%u.%u.%u%c", &a, &b, &c, &d, &extra) == 4 &&
	    a == 127 && b < 256 && c < 256 && d < 256)
		return 1;
	return 0;
}

int
req_url_is_https(const char *url)
{
	return strncasecmp(url, "https://", 8) == 0;
}

int
req_host_is(const char *url, const char *host)
{
	char h[256];
	size_t n, k = strlen(host);

	if (url == NULL)
		return 0;
	req_url_host(url, h, sizeof h);
	n = strlen(h);
	if (host[0] == '.')
		return n > k && strcmp(h + n - k, host) == 0;
	return strcmp(h, host) == 0;
}

int
req_path_has(const char *url, const char *seg)
{
	const char *s, *e;
	size_t k = strlen(seg);

	if (url == NULL)
		return 0;
	s = strstr(url, "://");
	s = s ? s + 3 : url;
	s += strcspn(s, "/?#");
	e = s + strcspn(s, "?#");
	for (; s + k <= e; s++)
		if (strncasecmp(s, seg, k) == 0 && (s + k == e || s[k] == '/'))
			return 1;
	return 0;
}

jv
req_user_text(const char *prompt)
{
	jv m = jv_object();

	m = jv_object_set(m, jv_string("role"), jv_string("user"));
	return jv_object_set(m, jv_string("content"), jv_string(prompt));
}

jv
req_chat_messages(const struct req_params *r, jv msgs)
{
	jv sys;

	if (r->system) {
		sys = jv_object_set(jv_object(), jv_string("role"),
		    jv_string("system"));
		sys = jv_object_set(sys, jv_string("content"),
		    jv_string(r->system));
		msgs = jv_array_concat(jv_array_append(jv_array(), sys), msgs);
	}
	if (r->prompt)
		msgs = jv_array_append(msgs, req_user_text(r->prompt));
	return msgs;
}

jv
req_sampling(jv obj, const char *max_key, const struct req_params *r)
{
	if (r->max_tokens >= 0)
		obj = jv_object_set(obj, jv_string(max_key),
		    jv_number((double)r->max_tokens));
	if (r->has_temperature)
		obj = jv_object_set(obj, jv_string("temperature"),
		    jv_number(r->temperature));
	return obj;
}

jv
req_set_nonempty(jv body, const char *key, jv obj)
{
	if (jv_object_length(jv_copy(obj)) > 0)
		return jv_object_set(body, jv_string(key), obj);
	jv_free(obj);
	return body;
}

jv
req_options(jv body, const char *key, const char *max_key,
    const struct req_params *r)
{
	return req_set_nonempty(body, key, req_sampling(jv_object(), max_key,
	    r));
}

jv
req_build_body(const struct req_params *r)
{
	const struct provider *p = provider_get(r->provider);
	jv body, msgs = jv_get_kind(r->messages) == JV_KIND_ARRAY ?
	    jv_copy(r->messages) : jv_array();

	body = p->ops->req_body(r, msgs);
	if (p->ops->req_opts)
		body = p->ops->req_opts(body, r);
	if (jv_get_kind(r->tools) == JV_KIND_ARRAY)
		body = jv_object_set(body, jv_string("tools"),
		    p->ops->req_tools ? p->ops->req_tools(jv_copy(r->tools)) :
		    jv_copy(r->tools));
	return req_body_finish(body, r->provider, r->stream, r->base);
}

static const char *const levels[] = { "none", "low", "medium", "high" };

int
req_reasoning_parse(const char *s, struct req_params *r)
{
	char *end;
	long v;
	size_t i;

	for (i = 0; i < sizeof levels / sizeof levels[0]; i++)
		if (strcmp(s, levels[i]) == 0) {
			r->reasoning = (enum req_reason)(REQ_REASON_NONE + i);
			return 0;
		}
	if (!isdigit((unsigned char)*s))
		return -1;
	v = strtol(s, &end, 10);
	if (*end != '\0' || v <= 0 || v > 100000000)
		return -1;
	r->reasoning = REQ_REASON_BUDGET;
	r->reasoning_budget = v;
	return 0;
}

const char *
req_level(const struct req_params *r)
{
	if (r->reasoning < REQ_REASON_LOW || r->reasoning > REQ_REASON_HIGH)
		return NULL;
	return levels[r->reasoning - REQ_REASON_NONE];
}

int
req_check_common(const struct req_params *r, double tmax, int budget,
    struct buf *why)
{
	const struct provider *p = provider_get(r->provider);

	if (r->has_temperature && r->temperature > tmax) {
		buf_printf(why, "--temperature: %g is out of %s's range 0..%g",
		    r->temperature, p->name, tmax);
		return -1;
	}
	if (r->reasoning == REQ_REASON_BUDGET && !budget) {
		buf_printf(why, "--reasoning: %s takes a level (none, low, "
		    "medium, high), not a token budget", p->name);
		return -1;
	}
	if (r->reasoning == REQ_REASON_NONE &&
	    provider_family_in(p->no_effort_none, r->model)) {
		buf_printf(why, "note: %s takes no reasoning effort 'none' (its "
		    "lowest is minimal or low): %s is known to refuse it",
		    r->model, p->name);
		return 1;
	}
	if (r->has_temperature && provider_reasoning_model(p, r->model)) {
		buf_printf(why, "note: %s is a reasoning model: %s is known to "
		    "refuse a temperature other than 1 for it", r->model,
		    p->name);
		return 1;
	}
	return 0;
}

int
req_check(const struct req_params *r, struct buf *why)
{
	const struct provider *p = provider_get(r->provider);

	buf_reset(why);
	if (r->max_tokens >= 0 && r->max_tokens < p->min_max_tokens) {
		buf_printf(why, "--max-tokens: %ld is under %s's minimum, %ld",
		    r->max_tokens, p->name, p->min_max_tokens);
		return -1;
	}
	return p->ops->req_check ? p->ops->req_check(r, why) :
	    req_check_common(r, 2, 0, why);
}

const char *
req_effort(const struct req_params *r)
{
	return req_level(r) ? req_level(r) : "none";
}

jv
req_pick(jv to, jv from, const char *keys)
{
	char k[64];
	size_t n;
	jv v;

	for (; *keys; keys += n + (keys[n] == ' ')) {
		n = strcspn(keys, " ");
		snprintf(k, sizeof k, "%.*s", (int)n, keys);
		v = jvx_get(from, k);
		if (jv_get_kind(v) != JV_KIND_NULL)
			to = jv_object_set(to, jv_string(k), v);
		else
			jv_free(v);
	}
	return to;
}

int
req_refuse_key(jv body, const char *key, const char *msg, struct buf *why)
{
	if (!jv_object_has(jv_copy(body), jv_string(key)))
		return 0;
	buf_puts(why, msg);
	return 1;
}

void
req_auth(enum dialect d, const char *base, struct req_auth *a)
{
	const struct provider *p = provider_get(d);

	a->header = p->key_header;
	a->prefix = p->key_prefix;
	a->key_env = p->key_env;
	a->key_env_alt = p->key_env_alt;
	if (base && p->ops->req_auth)
		p->ops->req_auth(base, a);
}

int
req_refuse(enum dialect d, jv body, struct buf *why)
{
	const struct provider *p = provider_get(d);

	buf_reset(why);
	return p && p->ops->req_refuse ? p->ops->req_refuse(body, why) : 0;
}

int
req_openai_tool(jv item, jv *fn)
{
	jv f;

	if (jv_get_kind(item) != JV_KIND_OBJECT)
		return 0;
	f = jvx_get(item, "function");
	if (jv_get_kind(f) != JV_KIND_OBJECT) {
		jv_free(f);
		return 0;
	}
	*fn = f;
	return 1;
}

jv
req_tools_each(jv tools, jv (*conv)(jv fn))
{
	jv out, item, fn;
	int i, n;

	if (jv_get_kind(tools) != JV_KIND_ARRAY)
		return tools;
	out = jv_array();
	n = jv_array_length(jv_copy(tools));
	for (i = 0; i < n; i++) {
		item = jv_array_get(jv_copy(tools), i);
		if (req_openai_tool(item, &fn)) {
			jv_free(item);
			item = conv(fn);
			jv_free(fn);
		}
		out = jv_array_append(out, item);
	}
	jv_free(tools);
	return out;
}

jv
req_tools_nested(jv tools)
{
	jv out = jv_array(), item, t, fn;
	const char *ts;
	int i, n;

	if (jv_get_kind(tools) != JV_KIND_ARRAY) {
		jv_free(out);
		return tools;
	}
	n = jv_array_length(jv_copy(tools));
	for (i = 0; i < n; i++) {
		item = jv_array_get(jv_copy(tools), i);
		t = jvx_get(item, "type");
		ts = jvx_str(t, NULL);
		if (ts && strcmp(ts, "function") == 0 && jv_object_has(
		    jv_copy(item), jv_string("name"))) {
			fn = jv_object_delete(jv_copy(item), jv_string("type"));
			jv_free(item);
			item = jv_object_set(jv_object_set(jv_object(),
			    jv_string("type"), jv_string("function")),
			    jv_string("function"), fn);
		}
		jv_free(t);
		out = jv_array_append(out, item);
	}
	jv_free(tools);
	return out;
}

/* Chat's nested function tool made flat. parameters is required (null
 * for none); strict is false unless asked, as in chat (the Responses
 * API's own default, true, refuses most schemas). */
static jv
flat_tool(jv fn)
{
	jv t = req_pick(jv_object_set(jv_object(), jv_string("type"),
	    jv_string("function")), fn, "name description parameters strict");

	if (!jv_object_has(jv_copy(t), jv_string("parameters")))
		t = jv_object_set(t, jv_string("parameters"), jv_null());
	if (!jv_object_has(jv_copy(t), jv_string("strict")))
		t = jv_object_set(t, jv_string("strict"), jv_false());
	return t;
}

jv
req_tools_flat(jv tools)
{
	return req_tools_each(tools, flat_tool);
}

int
req_refuse_tools(jv body, const char *fmt, struct buf *why)
{
	jv tools = jvx_get(body, "tools"), item, fn;
	int i, n, hit = 0;

	n = jv_get_kind(tools) == JV_KIND_ARRAY ?
	    jv_array_length(jv_copy(tools)) : 0;
	for (i = 0; i < n && !hit; i++) {
		item = jv_array_get(jv_copy(tools), i);
		if ((hit = req_openai_tool(item, &fn)) != 0) {
			buf_printf(why, fmt, i);
			jv_free(fn);
		}
		jv_free(item);
	}
	jv_free(tools);
	return hit;
}

int
req_temp_range(jv body, const char *key, double max, struct buf *why)
{
	jv o = key ? jvx_get(body, key) : jv_copy(body);
	jv t = jvx_get(o, "temperature");
	int bad = jv_get_kind(t) == JV_KIND_NUMBER &&
	    !(jv_number_value(t) >= 0 && jv_number_value(t) <= max);

	if (bad)
		buf_printf(why, "temperature: %g is out of range: it must be "
		    "between 0 and %g", jv_number_value(t), max);
	jv_free(t);
	jv_free(o);
	return bad;
}

int
req_stream_ok(jv body, int stream, int default_on)
{
	jv s = jvx_get(body, "stream");
	int ok;

	if (stream)
		ok = jv_get_kind(s) == JV_KIND_TRUE;
	else if (default_on)
		ok = jv_get_kind(s) == JV_KIND_FALSE;
	else
		ok = jv_get_kind(s) != JV_KIND_TRUE;
	jv_free(s);
	return ok;
}

/* streaming adds what a stream asks for on base's host. Consumes body. */
static jv
streaming(jv body, const struct provider *p, int stream, const char *base)
{
	return stream && p->ops->req_streaming ?
	    p->ops->req_streaming(body, base) : body;
}

int
req_body_ready(jv body, enum dialect d, int stream, const char *base)
{
	const struct provider *p = provider_get(d);
	jv more;
	int ok = p->ops->req_ready(body, stream);

	/* ready when what a stream adds is there already */
	if (ok && stream && p->ops->req_streaming) {
		more = streaming(jv_copy(body), p, stream, base);
		ok = jv_equal(more, jv_copy(body));
	}
	return ok;
}

jv
req_body_finish(jv body, enum dialect d, int stream, const char *base)
{
	const struct provider *p = provider_get(d);

	return streaming(p->ops->req_finish(body, stream), p, stream, base);
}

jv
req_stream_flag(jv body, int stream)
{
	body = jv_object_set(body, jv_string("stream"),
	    stream ? jv_true() : jv_false());
	if (!stream)
		body = jv_object_delete(body, jv_string("stream_options"));
	return body;
}

int
req_header_is_secret(const char *name, size_t len)
{
	static const char *const secret[] = {
		"authorization", "proxy-authorization", "api-key", "cookie"
	};
	const struct provider *p;
	size_t i;

	for (i = 0; i < sizeof secret / sizeof secret[0]; i++) {
		if (strlen(secret[i]) == len &&
		    strncasecmp(secret[i], name, len) == 0)
			return 1;
	}
	for (i = 0; (p = provider_at(i)) != NULL; i++)
		if (p->key_header && strlen(p->key_header) == len &&
		    strncasecmp(p->key_header, name, len) == 0)
			return 1;
	return 0;
}

int
req_status_retryable(long status)
{
	switch (status) {
	case 408: case 409: case 429: case 500: case 502: case 503: case 504:
	case 529:
		return 1;
	default:
		return 0;
	}
}

/* parse_num parses a non-negative decimal number of units, scaled by mul
 * and rounded, or returns -1. */
static int64_t
parse_num(const char *s, double mul)
{
	char *end;
	double v;

	while (*s == ' ' || *s == '\t')
		s++;
	if (!isdigit((unsigned char)*s) && *s != '.')
		return -1;
	v = strtod(s, &end);
	while (*end == ' ' || *end == '\t')
		end++;
	if (*end != '\0' || !(v >= 0) || v * mul > 1e15)
		return -1;
	return (int64_t)(v * mul + 0.5);
}

int64_t
req_retry_after_ms(const char *retry_after_ms, const char *retry_after,
    int64_t now_s)
{
	struct tm tm;
	const char *end;
	int64_t ms;
	time_t t;

	if (retry_after_ms && (ms = parse_num(retry_after_ms, 1)) >= 0)
		return ms;
	if (retry_after == NULL)
		return -1;
	if ((ms = parse_num(retry_after, 1000)) >= 0)
		return ms;
	/* RFC 9110 HTTP-date, IMF-fixdate form: Sun, 06 Nov 1994 08:49:37 GMT */
	memset(&tm, 0, sizeof tm);
	while (*retry_after == ' ')
		retry_after++;
	end = strptime(retry_after, "%a, %d %b %Y %H:%M:%S GMT", &tm);
	if (end == NULL || *end != '\0')
		return -1;
	t = timegm(&tm);
	if (t == (time_t)-1)
		return -1;
	return t > now_s ? ((int64_t)t - now_s) * 1000 : 0;
}

int64_t
req_backoff_ms(int n, double rnd)
{
	double d = 500;

	while (--n > 0 && d < 8000)
		d *= 2;
	if (d > 8000)
		d = 8000;
	return (int64_t)(d * (1 - 0.25 * rnd));
}

/* one_line copies s[0..n) to out as a single trimmed line. */
static void
one_line(const char *s, size_t n, char *out, size_t cap)
{
	size_t i, j = 0;
	int space = 0;

	for (i = 0; i < n && j + 1 < cap; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\n' || c == '\r' || c == '\t' || c == ' ') {
			space = j > 0;
			continue;
		}
		if (c < 0x20 || c == 0x7f)
			continue;
		if (space && j + 2 < cap)
			out[j++] = ' ';
		space = 0;
		out[j++] = (char)c;
	}
	out[j] = '\0';
}

static int
msg_from(jv v, char *out, size_t cap)
{
	static const char *const keys[] = { "message", "detail", "error" };
	const char *s;
	size_t i, len;
	jv e, m;
	int rc = -1;

	if (jv_get_kind(v) == JV_KIND_ARRAY && jv_array_length(jv_copy(v)) > 0) {
		e = jvx_idx(v, 0);
		rc = msg_from(e, out, cap);
		jv_free(e);
		return rc;
	}
	if (jv_get_kind(v) != JV_KIND_OBJECT)
		return -1;
	e = jvx_get(v, "error");
	if (jv_get_kind(e) == JV_KIND_OBJECT) {
		m = jvx_get(e, "message");
		if ((s = jvx_str(m, &len)) != NULL && len > 0) {
			one_line(s, len, out, cap);
			rc = 0;
		}
		jv_free(m);
	}
	jv_free(e);
	for (i = 0; rc == -1 && i < sizeof keys / sizeof keys[0]; i++) {
		m = jvx_get(v, keys[i]);
		if ((s = jvx_str(m, &len)) != NULL && len > 0) {
			one_line(s, len, out, cap);
			rc = 0;
		}
		jv_free(m);
	}
	return rc;
}

int
req_error_message(const char *body, size_t len, char *out, size_t n)
{
	jv v;
	size_t i;
	int rc;

	out[0] = '\0';
	if (n == 0 || len == 0)
		return -1;
	v = jvx_parse(body, len);
	if (jv_is_valid(v)) {
		rc = msg_from(v, out, n);
		jv_free(v);
		if (rc == 0)
			return 0;
	} else {
		jv_free(v);
	}
	/* Not JSON (an HTML page from a proxy, plain text): its first line,
	 * unless it looks binary. */
	for (i = 0; i < len && body[i] != '\n'; i++) {
		if (body[i] == '\0')
			return -1;
	}
	one_line(body, i, out, n < 200 ? n : 200);
	return out[0] ? 0 : -1;
}

int
req_redact(struct buf *out, const char *s, size_t len, const char *secret)
{
	size_t k = secret ? strlen(secret) : 0;
	const char *hit;

	while (k > 0 && len > 0 && (hit = memmem(s, len, secret, k)) != NULL) {
		if (buf_append(out, s, (size_t)(hit - s)) == -1 ||
		    buf_puts(out, "<redacted>") == -1)
			return -1;
		len -= (size_t)(hit - s) + k;
		s = hit + k;
	}
	return buf_append(out, s, len);
}

void
req_resp_reset(struct req_resp *r)
{
	memset(r, 0, sizeof *r);
	r->should_retry = -1;
}

/* copy_value stores v[0..n) without surrounding blanks and line ends,
 * cut to fit dst. */
static void
copy_value(char *dst, size_t cap, const char *v, size_t n)
{
	while (n > 0 && (*v == ' ' || *v == '\t'))
		v++, n--;
	while (n > 0 && (v[n - 1] == '\r' || v[n - 1] == '\n' ||
	    v[n - 1] == ' ' || v[n - 1] == '\t'))
		n--;
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, v, n);
	dst[n] = '\0';
}

int
req_resp_header(struct req_resp *r, const char *p, size_t len)
{
	const char *sp, *d, *v;
	size_t k, i;
	long st;
	char val[16];

	while (len > 0 && (p[len - 1] == '\n' || p[len - 1] == '\r'))
		len--;
	if (len >= 5 && memcmp(p, "HTTP/", 5) == 0) {
		/* A new response (after 100 Continue, or the final one). */
		req_resp_reset(r);
		r->http1 = len >= 7 && p[5] <= '1' && p[6] == '.';
		sp = memchr(p, ' ', len);
		if (sp == NULL)
			return 0;
		/* the three-digit code, by hand: the line is not a C string */
		for (d = sp + 1, st = 0, i = 0; d < p + len && i < 3 &&
		    *d >= '0' && *d <= '9'; d++, i++)
			st = st * 10 + (*d - '0');
		r->status = st;
		if (d < p + len && *d == ' ')
			copy_value(r->reason, sizeof r->reason, d + 1,
			    (size_t)(p + len - d - 1));
		return 0;
	}
	if (len == 0)
		return 1;
	v = memchr(p, ':', len);
	if (v == NULL || v == p)
		return 0;
	k = (size_t)(v - p);
	v++;
	if (k == 11 && strncasecmp(p, "retry-after", 11) == 0)
		copy_value(r->retry_after, sizeof r->retry_after, v,
		    len - k - 1);
	else if (k == 14 && strncasecmp(p, "retry-after-ms", 14) == 0)
		copy_value(r->retry_after_ms, sizeof r->retry_after_ms, v,
		    len - k - 1);
	else if (k == 14 && strncasecmp(p, "content-length", 14) == 0)
		r->has_length = 1;
	else if (k == 17 && strncasecmp(p, "transfer-encoding", 17) == 0) {
		/* the last coding is the one that frames the body */
		while (len > k + 1 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		r->chunked = len >= k + 1 + 7 &&
		    strncasecmp(p + len - 7, "chunked", 7) == 0;
	} else if (k == 8 && strncasecmp(p, "location", 8) == 0)
		copy_value(r->location, sizeof r->location, v, len - k - 1);
	else if (k == 14 && strncasecmp(p, "x-should-retry", 14) == 0) {
		copy_value(val, sizeof val, v, len - k - 1);
		if (strcasecmp(val, "true") == 0)
			r->should_retry = 1;
		else if (strcasecmp(val, "false") == 0)
			r->should_retry = 0;
	}
	return 0;
}

int
req_resp_close_delimited(const struct req_resp *r)
{
	return r->http1 && !r->has_length && !r->chunked;
}

/* text_of appends the text of a content value (string, or parts with
 * "text") to b. */
static void
text_of(jv content, struct buf *b)
{
	const char *s;
	size_t n;
	int i, len;
	jv part, t;

	if ((s = jvx_str(content, &n)) != NULL) {
		buf_append(b, s, n);
		return;
	}
	if (jv_get_kind(content) != JV_KIND_ARRAY)
		return;
	len = jv_array_length(jv_copy(content));
	for (i = 0; i < len; i++) {
		part = jv_array_get(jv_copy(content), i);
		if ((s = jvx_str(part, &n)) != NULL) {
			buf_append(b, s, n);
		} else {
			t = jvx_get(part, "text");
			if ((s = jvx_str(t, &n)) != NULL)
				buf_append(b, s, n);
			jv_free(t);
		}
		jv_free(part);
	}
}

void
req_last_user(jv body, const char *list, const char *ckey, int any_role,
    struct buf *b)
{
	const char *s;
	jv arr, item, role;
	int i;

	arr = jvx_get(body, list);
	if (jv_get_kind(arr) == JV_KIND_ARRAY) {
		for (i = jv_array_length(jv_copy(arr)) - 1; i >= 0; i--) {
			item = jv_array_get(jv_copy(arr), i);
			role = jvx_get(item, "role");
			s = jvx_str(role, NULL);
			if ((s && strcmp(s, "user") == 0) || (!s && any_role)) {
				jv c = jvx_get(item, ckey);

				text_of(c, b);
				jv_free(c);
				jv_free(role);
				jv_free(item);
				break;
			}
			jv_free(role);
			jv_free(item);
		}
	}
	jv_free(arr);
}
