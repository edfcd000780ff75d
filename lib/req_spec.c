#include "req_spec.h"
#include "jvx.h"
#include "mem.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static const char *const provider_names[] = {
	"openai", "responses", "anthropic", "gemini", "ollama"
};

int
req_provider_parse(const char *name, enum req_provider *p)
{
	size_t i;

	for (i = 0; i < sizeof provider_names / sizeof provider_names[0]; i++) {
		if (strcmp(name, provider_names[i]) == 0) {
			*p = (enum req_provider)i;
			return 0;
		}
	}
	return -1;
}

const char *
req_provider_name(enum req_provider p)
{
	return provider_names[p];
}

enum req_provider
req_provider_infer(const char *model)
{
	if (model == NULL)
		return REQ_OPENAI;
	if (strncmp(model, "models/", 7) == 0)
		model += 7;
	if (strncmp(model, "claude-", 7) == 0)
		return REQ_ANTHROPIC;
	if (strncmp(model, "gemini-", 7) == 0)
		return REQ_GEMINI;
	return REQ_OPENAI;
}

const char *
req_default_model(enum req_provider p)
{
	switch (p) {
	case REQ_ANTHROPIC: return "claude-sonnet-4-5";
	case REQ_GEMINI: return "gemini-2.5-flash";
	case REQ_OLLAMA: return "llama3.2";
	default: return "gpt-4o-mini";
	}
}

const char *
req_default_base(enum req_provider p)
{
	switch (p) {
	case REQ_ANTHROPIC: return "https://api.anthropic.com";
	case REQ_GEMINI: return "https://generativelanguage.googleapis.com";
	case REQ_OLLAMA: return "http://127.0.0.1:11434";
	default: return "https://api.openai.com/v1";
	}
}

const char *
req_key_env(enum req_provider p, const char **alt)
{
	*alt = NULL;
	switch (p) {
	case REQ_ANTHROPIC: return "ANTHROPIC_API_KEY";
	case REQ_GEMINI: *alt = "GOOGLE_API_KEY"; return "GEMINI_API_KEY";
	case REQ_OLLAMA: return NULL;
	default: return "OPENAI_API_KEY";
	}
}

const char *
req_base_env(enum req_provider p)
{
	switch (p) {
	case REQ_ANTHROPIC: return "ANTHROPIC_BASE_URL";
	case REQ_GEMINI: return NULL;
	case REQ_OLLAMA: return "OLLAMA_HOST";
	default: return "OPENAI_BASE_URL";
	}
}

/* ends_with tells whether s[0..n) ends with the path segment seg
 * ("/v1"), compared without case. */
static int
ends_with(const char *s, size_t n, const char *seg)
{
	size_t k = strlen(seg);

	return n >= k && strncasecmp(s + n - k, seg, k) == 0;
}

/* ollama_host appends an OLLAMA_HOST-style "host[:port][/path]" (no
 * scheme) as Ollama's own client reads it: an empty host is 127.0.0.1,
 * a missing port is 11434, a bare IPv6 address gets brackets. */
static void
ollama_host(struct buf *b, const char *s, size_t n)
{
	size_t hl = 0, colons = 0, i;

	while (hl < n && s[hl] != '/')
		hl++;
	for (i = 0; i < hl; i++)
		colons += s[i] == ':';
	if (hl == 0)
		buf_puts(b, "127.0.0.1:11434");
	else if (s[0] == '[') {
		buf_append(b, s, hl);
		if (s[hl - 1] == ']')
			buf_puts(b, ":11434");
	} else if (colons > 1) {
		buf_putc(b, '[');
		buf_append(b, s, hl);
		buf_puts(b, "]:11434");
	} else {
		if (s[0] == ':')
			buf_puts(b, "127.0.0.1");
		buf_append(b, s, hl);
		if (colons == 0)
			buf_puts(b, ":11434");
	}
	buf_append(b, s + hl, n - hl);
}

char *
req_url(enum req_provider p, const char *base, const char *model, int stream)
{
	struct buf b;
	size_t n = strlen(base);
	char *r;

	buf_init(&b, 0);
	while (n > 0 && base[n - 1] == '/')
		n--;
	if (strstr(base, "://") == NULL && p == REQ_OLLAMA) {
		buf_puts(&b, "http://");
		ollama_host(&b, base, n);
	} else {
		if (strstr(base, "://") == NULL)
			buf_puts(&b, "https://");
		buf_append(&b, base, n);
	}
	switch (p) {
	case REQ_OPENAI:
		buf_puts(&b, "/chat/completions");
		break;
	case REQ_RESPONSES:
		buf_puts(&b, "/responses");
		break;
	case REQ_ANTHROPIC:
		/* The SDKs' base has no version; one that has is taken too. */
		buf_puts(&b, ends_with(base, n, "/v1") ? "/messages" :
		    "/v1/messages");
		break;
	case REQ_GEMINI:
		if (strncmp(model, "models/", 7) == 0)
			model += 7;
		buf_puts(&b, ends_with(base, n, "/v1beta") ||
		    ends_with(base, n, "/v1") || ends_with(base, n, "/v1alpha") ?
		    "/models/" : "/v1beta/models/");
		buf_put_pct(&b, model);
		buf_puts(&b, stream ? ":streamGenerateContent?alt=sse" :
		    ":generateContent");
		break;
	case REQ_OLLAMA:
		buf_puts(&b, "/api/chat");
		break;
	}
	r = xmemdup(b.p, b.len);
	buf_free(&b);
	return r;
}

/* url_host copies url's host (without brackets, port or userinfo) into
 * out, lowercased. */
static void
url_host(const char *url, char *out, size_t n)
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

	url_host(url, host, sizeof host);
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

static jv
user_message(enum req_provider p, const char *prompt)
{
	jv m = jv_object();

	m = jv_object_set(m, jv_string("role"), jv_string("user"));
	if (p == REQ_GEMINI) {
		jv part = jv_object_set(jv_object(), jv_string("text"),
		    jv_string(prompt));
		return jv_object_set(m, jv_string("parts"),
		    jv_array_append(jv_array(), part));
	}
	return jv_object_set(m, jv_string("content"), jv_string(prompt));
}

jv
req_build_body(const struct req_params *r)
{
	jv body = jv_object(), msgs, opts, sys;
	enum req_provider p = r->provider;
	int has_msgs = jv_get_kind(r->messages) == JV_KIND_ARRAY;

	msgs = has_msgs ? jv_copy(r->messages) : jv_array();
	if (r->system && (p == REQ_OPENAI || p == REQ_OLLAMA)) {
		sys = jv_object_set(jv_object(), jv_string("role"),
		    jv_string("system"));
		sys = jv_object_set(sys, jv_string("content"),
		    jv_string(r->system));
		msgs = jv_array_concat(jv_array_append(jv_array(), sys), msgs);
	}
	if (r->prompt)
		msgs = jv_array_append(msgs, user_message(p, r->prompt));

	if (p != REQ_GEMINI)
		body = jv_object_set(body, jv_string("model"),
		    jv_string(r->model));
	switch (p) {
	case REQ_OPENAI:
	case REQ_OLLAMA:
		body = jv_object_set(body, jv_string("messages"), msgs);
		break;
	case REQ_RESPONSES:
		if (r->system)
			body = jv_object_set(body, jv_string("instructions"),
			    jv_string(r->system));
		/* A lone prompt is sent in the API's simplest form, a string. */
		if (!has_msgs && r->prompt) {
			jv_free(msgs);
			msgs = jv_string(r->prompt);
		}
		body = jv_object_set(body, jv_string("input"), msgs);
		break;
	case REQ_ANTHROPIC:
		if (r->system)
			body = jv_object_set(body, jv_string("system"),
			    jv_string(r->system));
		body = jv_object_set(body, jv_string("messages"), msgs);
		body = jv_object_set(body, jv_string("max_tokens"),
		    jv_number(r->max_tokens >= 0 ? (double)r->max_tokens :
		    REQ_ANTHROPIC_MAX_TOKENS));
		break;
	case REQ_GEMINI:
		body = jv_object_set(body, jv_string("contents"), msgs);
		if (r->system) {
			jv part = jv_object_set(jv_object(), jv_string("text"),
			    jv_string(r->system));
			body = jv_object_set(body,
			    jv_string("systemInstruction"),
			    jv_object_set(jv_object(), jv_string("parts"),
			    jv_array_append(jv_array(), part)));
		}
		break;
	}

	switch (p) {
	case REQ_OPENAI:
	case REQ_RESPONSES:
		if (r->max_tokens >= 0)
			body = jv_object_set(body, jv_string(p == REQ_OPENAI ?
			    "max_tokens" : "max_output_tokens"),
			    jv_number((double)r->max_tokens));
		/* fall through */
	case REQ_ANTHROPIC:
		if (r->has_temperature)
			body = jv_object_set(body, jv_string("temperature"),
			    jv_number(r->temperature));
		break;
	case REQ_GEMINI:
	case REQ_OLLAMA:
		opts = jv_object();
		if (r->max_tokens >= 0)
			opts = jv_object_set(opts, jv_string(p == REQ_GEMINI ?
			    "maxOutputTokens" : "num_predict"),
			    jv_number((double)r->max_tokens));
		if (r->has_temperature)
			opts = jv_object_set(opts, jv_string("temperature"),
			    jv_number(r->temperature));
		if (jv_object_length(jv_copy(opts)) > 0)
			body = jv_object_set(body, jv_string(p == REQ_GEMINI ?
			    "generationConfig" : "options"), opts);
		else
			jv_free(opts);
		break;
	}
	if (jv_get_kind(r->tools) == JV_KIND_ARRAY)
		body = jv_object_set(body, jv_string("tools"),
		    jv_copy(r->tools));
	body = req_body_finish(body, p, r->stream);
	if (p == REQ_OPENAI && r->stream) {
		/* Token counts arrive only when asked for. */
		jv so = jv_object_set(jv_object(), jv_string("include_usage"),
		    jv_true());
		body = jv_object_set(body, jv_string("stream_options"), so);
	}
	return body;
}

int
req_body_ready(jv body, enum req_provider p, int stream)
{
	jv s, so;
	int ok;

	if (p == REQ_GEMINI)
		return 1;
	s = jvx_get(body, "stream");
	if (stream)
		ok = jv_get_kind(s) == JV_KIND_TRUE;
	else if (p == REQ_OLLAMA) /* Ollama streams unless told not to */
		ok = jv_get_kind(s) == JV_KIND_FALSE;
	else
		ok = jv_get_kind(s) != JV_KIND_TRUE;
	jv_free(s);
	if (ok && !stream && p == REQ_OPENAI) {
		so = jvx_get(body, "stream_options");
		ok = jv_get_kind(so) == JV_KIND_NULL;
		jv_free(so);
	}
	if (ok && p == REQ_ANTHROPIC) {
		so = jvx_get(body, "max_tokens");
		ok = jv_get_kind(so) != JV_KIND_NULL;
		jv_free(so);
	}
	return ok;
}

jv
req_body_finish(jv body, enum req_provider p, int stream)
{
	jv mt;

	if (p == REQ_GEMINI)
		return body;
	if (p == REQ_ANTHROPIC) {
		mt = jvx_get(body, "max_tokens");
		if (jv_get_kind(mt) == JV_KIND_NULL)
			body = jv_object_set(body, jv_string("max_tokens"),
			    jv_number(REQ_ANTHROPIC_MAX_TOKENS));
		jv_free(mt);
	}
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
		"authorization", "proxy-authorization", "x-api-key", "api-key",
		"x-goog-api-key", "cookie"
	};
	size_t i;

	for (i = 0; i < sizeof secret / sizeof secret[0]; i++) {
		if (strlen(secret[i]) == len &&
		    strncasecmp(secret[i], name, len) == 0)
			return 1;
	}
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

/* parse_ms parses a non-negative decimal number of units scaled by mul. */
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
	else if (k == 8 && strncasecmp(p, "location", 8) == 0)
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
