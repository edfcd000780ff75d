#include "jscan.h"
#include "jsonw.h"

#include <string.h>

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static long
hex4(const char *s, size_t n)
{
	long v = 0;
	int i, h;

	if (n < 4)
		return -1;
	for (i = 0; i < 4; i++) {
		if ((h = hexval((unsigned char)s[i])) < 0)
			return -1;
		v = v * 16 + h;
	}
	return v;
}

static size_t
put_utf8(char *o, long c)
{
	if (c < 0x80) {
		o[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		o[0] = (char)(0xC0 | (c >> 6));
		o[1] = (char)(0x80 | (c & 0x3F));
		return 2;
	}
	if (c < 0x10000) {
		o[0] = (char)(0xE0 | (c >> 12));
		o[1] = (char)(0x80 | ((c >> 6) & 0x3F));
		o[2] = (char)(0x80 | (c & 0x3F));
		return 3;
	}
	o[0] = (char)(0xF0 | (c >> 18));
	o[1] = (char)(0x80 | ((c >> 12) & 0x3F));
	o[2] = (char)(0x80 | ((c >> 6) & 0x3F));
	o[3] = (char)(0x80 | (c & 0x3F));
	return 4;
}

size_t
jscan_string(const char *s, size_t n, struct buf *out)
{
	size_t i = 1, run, start_len = out->len, k;
	char *o;
	long c, lo;

	if (n < 2 || s[0] != '"')
		return 0;
	/* The decoded text is never longer than the token. */
	if (buf_reserve(out, n) == -1)
		return 0;
	o = out->p + out->len;
	for (;;) {
		run = jsonw_plain_run(s + i, n - i);
		memcpy(o, s + i, run);
		o += run;
		i += run;
		if (i >= n)
			goto fail;
		switch (s[i]) {
		case '"':
			out->len = (size_t)(o - out->p);
			out->p[out->len] = '\0';
			return i + 1;
		case '\\':
			if (i + 1 >= n)
				goto fail;
			switch (s[i + 1]) {
			case '"': *o++ = '"'; break;
			case '\\': *o++ = '\\'; break;
			case '/': *o++ = '/'; break;
			case 'b': *o++ = '\b'; break;
			case 'f': *o++ = '\f'; break;
			case 'n': *o++ = '\n'; break;
			case 'r': *o++ = '\r'; break;
			case 't': *o++ = '\t'; break;
			case 'u':
				c = hex4(s + i + 2, n - i - 2);
				if (c < 0 || (c >= 0xDC00 && c <= 0xDFFF))
					goto fail;
				if (c >= 0xD800 && c <= 0xDBFF) {
					if (i + 12 > n || s[i + 6] != '\\' ||
					    s[i + 7] != 'u')
						goto fail;
					lo = hex4(s + i + 8, n - i - 8);
					if (lo < 0xDC00 || lo > 0xDFFF)
						goto fail;
					c = 0x10000 + ((c - 0xD800) << 10) +
					    (lo - 0xDC00);
					i += 6;
				}
				o += put_utf8(o, c);
				i += 4;
				break;
			default:
				goto fail;
			}
			i += 2;
			break;
		default:
			if ((unsigned char)s[i] < 0x80)
				goto fail; /* a raw control character */
			k = jsonw_utf8_seq(s + i, n - i);
			if (k == 0)
				goto fail; /* invalid UTF-8: jv replaces it */
			memcpy(o, s + i, k);
			o += k;
			i += k;
		}
	}
fail:
	out->len = start_len;
	if (out->p)
		out->p[out->len] = '\0';
	return 0;
}

size_t
jscan_uint(const char *s, size_t n, long long *v)
{
	long long x = 0;
	size_t i;

	for (i = 0; i < n && i < 16 && s[i] >= '0' && s[i] <= '9'; i++)
		x = x * 10 + (s[i] - '0');
	if (i == 0 || i > 15 || (s[0] == '0' && i > 1) ||
	    (i < n && strchr("0123456789.eE+-", s[i]) != NULL && s[i] != 0))
		return 0;
	*v = x;
	return i;
}

static size_t
skip_ws(const char *s, size_t n, size_t i)
{
	while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' ||
	    s[i] == '\r'))
		i++;
	return i;
}

/* string_end: length of the string token at s (escapes skipped), or 0 */
static size_t
string_end(const char *s, size_t n)
{
	size_t i = 1;
	const char *q;

	for (;;) {
		q = memchr(s + i, '"', n - i);
		if (q == NULL)
			return 0;
		i = (size_t)(q - s);
		/* an odd number of backslashes before it escapes it */
		{
			size_t b = 0;

			while (b < i - 1 && s[i - 1 - b] == '\\')
				b++;
			if (b % 2 == 0)
				return i + 1;
		}
		i++;
	}
}

static size_t
skip_value(const char *s, size_t n, int depth)
{
	size_t i = 0, k;

	if (n == 0 || depth > 256)
		return 0;
	switch (s[0]) {
	case '"':
		return string_end(s, n);
	case '{':
	case '[': {
		char close = s[0] == '{' ? '}' : ']';

		i = skip_ws(s, n, 1);
		if (i < n && s[i] == close)
			return i + 1;
		for (;;) {
			if (close == '}') {
				if (i >= n || s[i] != '"' ||
				    (k = string_end(s + i, n - i)) == 0)
					return 0;
				i = skip_ws(s, n, i + k);
				if (i >= n || s[i] != ':')
					return 0;
				i = skip_ws(s, n, i + 1);
			}
			if ((k = skip_value(s + i, n - i, depth + 1)) == 0)
				return 0;
			i = skip_ws(s, n, i + k);
			if (i >= n)
				return 0;
			if (s[i] == close)
				return i + 1;
			if (s[i] != ',')
				return 0;
			i = skip_ws(s, n, i + 1);
		}
	}
	default:
		/* number, true, false, null */
		while (i < n && (s[i] == '-' || s[i] == '+' || s[i] == '.' ||
		    (s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z')))
			i++;
		return i;
	}
}

/* byte classes of a string's inside, for strict_string: 0 plain, 1 the
 * quote, 2 the backslash, 3 a control character */
static const unsigned char str_class[256] = {
	3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
	3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
	0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2,
};

/* strict_string: length of the string token at s when it is surely one
 * (valid escapes, no raw control character), else 0 */
static size_t
strict_string(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 1;

	for (;;) {
		while (i < n && str_class[u[i]] == 0)
			i++;
		if (i >= n)
			return 0;
		switch (str_class[u[i]]) {
		case 1:
			return i + 1;
		case 3:
			return 0;
		}
		if (i + 1 >= n)
			return 0;
		switch (s[i + 1]) {
		case '"': case '\\': case '/': case 'b': case 'f': case 'n':
		case 'r': case 't':
			i += 2;
			break;
		case 'u': {
			long c = hex4(s + i + 2, n - i - 2), lo;

			if (c < 0)
				return 0;
			i += 6;
			/* jq 1.6 rejects a high half not followed by a low
			 * one ("Invalid \uXXXX\uXXXX surrogate pair") */
			if (c >= 0xD800 && c <= 0xDBFF) {
				if (i + 6 > n || s[i] != '\\' || s[i + 1] != 'u' ||
				    (lo = hex4(s + i + 2, n - i - 2)) < 0xDC00 ||
				    lo > 0xDFFF)
					return 0;
				i += 6;
			}
			break;
		}
		default:
			return 0;
		}
	}
}

static size_t
digits(const char *s, size_t n, size_t i)
{
	while (i < n && s[i] >= '0' && s[i] <= '9')
		i++;
	return i;
}

/* strict_value: length of the JSON value at s[0..n) when it is surely
 * one by RFC 8259 (which jv accepts), else 0 */
static size_t
strict_value(const char *s, size_t n, int depth, const char *const *keys)
{
	size_t i = 0, k;
	const char *const *kp;

	if (n == 0 || depth > 64)
		return 0;
	switch (s[0]) {
	case '"':
		return strict_string(s, n);
	case '{':
	case '[': {
		char close = s[0] == '{' ? '}' : ']';

		i = skip_ws(s, n, 1);
		if (i < n && s[i] == close)
			return i + 1;
		for (;;) {
			if (close == '}') {
				if (i >= n || s[i] != '"' ||
				    (k = strict_string(s + i, n - i)) == 0)
					return 0;
				/* the top level's keys: none escaped, none
				 * of keys */
				if (depth == 0 && keys) {
					if (memchr(s + i + 1, '\\', k - 2))
						return 0;
					for (kp = keys; *kp; kp++)
						if (k - 2 == strlen(*kp) &&
						    memcmp(s + i + 1, *kp,
						    k - 2) == 0)
							return 0;
				}
				i = skip_ws(s, n, i + k);
				if (i >= n || s[i] != ':')
					return 0;
				i = skip_ws(s, n, i + 1);
			}
			if ((k = strict_value(s + i, n - i, depth + 1, NULL)) == 0)
				return 0;
			i = skip_ws(s, n, i + k);
			if (i >= n)
				return 0;
			if (s[i] == close)
				return i + 1;
			if (s[i] != ',')
				return 0;
			i = skip_ws(s, n, i + 1);
		}
	}
	case 't':
		return n >= 4 && memcmp(s, "true", 4) == 0 ? 4 : 0;
	case 'f':
		return n >= 5 && memcmp(s, "false", 5) == 0 ? 5 : 0;
	case 'n':
		return n >= 4 && memcmp(s, "null", 4) == 0 ? 4 : 0;
	default:
		if (s[i] == '-')
			i++;
		if (i >= n || s[i] < '0' || s[i] > '9')
			return 0;
		i = s[i] == '0' ? i + 1 : digits(s, n, i);
		if (i < n && s[i] == '.') {
			if ((k = digits(s, n, i + 1)) == i + 1)
				return 0;
			i = k;
		}
		if (i < n && (s[i] == 'e' || s[i] == 'E')) {
			i++;
			if (i < n && (s[i] == '+' || s[i] == '-'))
				i++;
			if ((k = digits(s, n, i)) == i)
				return 0;
			i = k;
		}
		/* a letter or digit run on: not a token jv reads as this */
		if (i < n && ((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') || s[i] == '.' ||
		    (s[i] >= '0' && s[i] <= '9') ||
		    s[i] == '+' || s[i] == '-'))
			return 0;
		return i;
	}
}

int
jscan_plain_object(const char *s, size_t n, const char *const *keys)
{
	size_t i = skip_ws(s, n, 0), k;

	return i < n && s[i] == '{' &&
	    (k = strict_value(s + i, n - i, 0, keys)) != 0 &&
	    skip_ws(s, n, i + k) == n;
}

/* canon: writes the JSON value at s[*ip..n) (no leading white space) to
 * out as libjq dumps it, *ip moved past it; 0, or -1 when not sure */
static int
canon(const char *s, size_t n, size_t *ip, int depth, struct buf *tmp,
    struct buf *out)
{
	size_t i = *ip, k, at, key[16], klen[16];
	int obj, nk = 0, j;

	if (i >= n || depth > 64)
		return -1;
	switch (s[i]) {
	case '"':
		/* jsonw escapes as libjq does, but for DEL (libjq: \u007f) */
		buf_reset(tmp);
		if ((k = jscan_string(s + i, n - i, tmp)) == 0 ||
		    memchr(tmp->p, 0x7f, tmp->len) != NULL ||
		    jsonw_string(out, tmp->p, tmp->len) == -1)
			return -1;
		*ip = i + k;
		return 0;
	case '{':
	case '[':
		obj = s[i] == '{';
		if (buf_putc(out, s[i]) == -1)
			return -1;
		i = skip_ws(s, n, i + 1);
		if (i >= n || s[i] != (obj ? '}' : ']')) {
			for (;;) {
				if (obj) {
					/* a key as written, unless it repeats
					 * one (libjq keeps the last value) */
					at = out->len;
					if (nk == 16 || i >= n || s[i] != '"' ||
					    canon(s, n, &i, depth + 1, tmp,
					    out) == -1)
						return -1;
					for (j = 0; j < nk; j++)
						if (klen[j] == out->len - at &&
						    memcmp(out->p + key[j],
						    out->p + at, klen[j]) == 0)
							return -1;
					key[nk] = at;
					klen[nk++] = out->len - at;
					i = skip_ws(s, n, i);
					if (i >= n || s[i] != ':' ||
					    buf_putc(out, ':') == -1)
						return -1;
					i = skip_ws(s, n, i + 1);
				}
				if (canon(s, n, &i, depth + 1, tmp, out) == -1)
					return -1;
				i = skip_ws(s, n, i);
				if (i < n && s[i] == (obj ? '}' : ']'))
					break;
				if (i >= n || s[i] != ',' ||
				    buf_putc(out, ',') == -1)
					return -1;
				i = skip_ws(s, n, i + 1);
			}
		}
		if (buf_putc(out, s[i]) == -1)
			return -1;
		*ip = i + 1;
		return 0;
	default:
		/* literals, and integers of up to 15 digits, which libjq
		 * writes as they are; other numbers it re-formats */
		if ((k = strict_value(s + i, n - i, depth, NULL)) == 0 ||
		    ((s[i] == '-' || (s[i] >= '0' && s[i] <= '9')) &&
		    (k - (s[i] == '-') > 15 ||
		    digits(s, i + k, i + (s[i] == '-')) != i + k)) ||
		    buf_append(out, s + i, k) == -1)
			return -1;
		*ip = i + k;
		return 0;
	}
}

int
jscan_canonical(const char *s, size_t n, struct buf *out)
{
	struct buf tmp;
	size_t i = skip_ws(s, n, 0), start = out->len;
	int rc;

	buf_init(&tmp, 0);
	rc = canon(s, n, &i, 0, &tmp, out);
	buf_free(&tmp);
	if (rc == 0 && skip_ws(s, n, i) == n)
		return 0;
	out->len = start;
	if (out->p)
		out->p[start] = '\0';
	return -1;
}

int
jscan_valid(const char *s, size_t n)
{
	size_t i = skip_ws(s, n, 0), k;

	return i < n && (k = strict_value(s + i, n - i, 0, NULL)) != 0 &&
	    skip_ws(s, n, i + k) == n;
}

size_t
jscan_skip(const char *s, size_t n)
{
	return skip_value(s, n, 0);
}

int
jscan_path(const char *s, size_t n, const struct jscan_step *path,
    int depth, size_t *off, size_t *len)
{
	size_t i = skip_ws(s, n, 0), k, found = 0, flen = 0, klen;
	int idx, hits;

	if (depth == 0) {
		if ((k = skip_value(s + i, n - i, 0)) == 0)
			return -1;
		*off = i;
		*len = k;
		return 0;
	}
	if (i >= n)
		return -1;
	if (path->key) {
		if (s[i] != '{')
			return -1;
		klen = strlen(path->key);
		hits = 0;
		i = skip_ws(s, n, i + 1);
		if (i < n && s[i] == '}')
			return -1;
		for (;;) {
			int match;

			if (i >= n || s[i] != '"' ||
			    (k = string_end(s + i, n - i)) == 0)
				return -1;
			/* keys are compared as raw tokens, so an escaped key
			 * (which jv would decode) makes the answer unknown */
			if (memchr(s + i + 1, '\\', k - 2) != NULL)
				return -1;
			match = k == klen + 2 && memcmp(s + i + 1, path->key,
			    klen) == 0;
			i = skip_ws(s, n, i + k);
			if (i >= n || s[i] != ':')
				return -1;
			i = skip_ws(s, n, i + 1);
			if ((k = skip_value(s + i, n - i, 1)) == 0)
				return -1;
			if (match) {
				hits++;
				found = i;
				flen = k;
			}
			i = skip_ws(s, n, i + k);
			if (i < n && s[i] == '}')
				break;
			if (i >= n || s[i] != ',')
				return -1;
			i = skip_ws(s, n, i + 1);
		}
		if (hits != 1)
			return -1;
	} else {
		if (s[i] != '[')
			return -1;
		i = skip_ws(s, n, i + 1);
		for (idx = 0;; idx++) {
			if (i >= n || s[i] == ']')
				return -1;
			if ((k = skip_value(s + i, n - i, 1)) == 0)
				return -1;
			if (idx == path->index) {
				found = i;
				flen = k;
				break;
			}
			i = skip_ws(s, n, i + k);
			if (i >= n || s[i] != ',')
				return -1;
			i = skip_ws(s, n, i + 1);
		}
	}
	if (jscan_path(s + found, flen, path + 1, depth - 1, off, len) == -1)
		return -1;
	*off += found;
	return 0;
}

void
jscan_strings_free(struct jscan_strings *c)
{
	int i;

	for (i = 0; i < c->n; i++)
		jv_free(c->s[i]);
	c->n = 0;
	c->total = 0;
}

/* string_jv: the jv string of p[0..n) (valid UTF-8), shared from c when
 * it holds the same text, else made and, when long, kept in c */
static jv
string_jv(const char *p, size_t n, struct jscan_strings *c)
{
	jv v;
	int i;

	if (c == NULL || n < 1024)
		return jv_string_sized(p ? p : "", (int)n);
	for (i = 0; i < c->n; i++)
		if (c->len[i] == n && memcmp(jv_string_value(c->s[i]), p,
		    n) == 0)
			return jv_copy(c->s[i]);
	v = jv_string_sized(p, (int)n);
	if (n > JSCAN_STRINGS_BYTES / 4)
		return v;
	/* the oldest goes first, while the count or the bytes are over */
	while (c->n == JSCAN_STRINGS ||
	    (c->n > 0 && c->total + n > JSCAN_STRINGS_BYTES)) {
		c->total -= c->len[0];
		jv_free(c->s[0]);
		c->n--;
		memmove(c->s, c->s + 1, (size_t)c->n * sizeof c->s[0]);
		memmove(c->len, c->len + 1, (size_t)c->n * sizeof c->len[0]);
	}
	c->s[c->n] = jv_copy(v);
	c->len[c->n++] = n;
	c->total += n;
	return v;
}

/* build: the jv of the JSON value at s[*ip..n) (no leading white space),
 * *ip moved past it; 0, or -1 when not sure (nothing is left allocated).
 * The same jv calls in the same order as libjq's parser makes them, so
 * objects keep its key order and its last-wins on a repeated key. */
static int
build(const char *s, size_t n, size_t *ip, int depth, struct buf *tmp,
    struct jscan_strings *c, jv *out)
{
	size_t i = *ip, k, d;
	jv v, key = jv_invalid(), item;
	int obj;

	if (i >= n || depth > 64)
		return -1;
	switch (s[i]) {
	case '"':
		buf_reset(tmp);
		if ((k = jscan_string(s + i, n - i, tmp)) == 0)
			return -1;
		*out = string_jv(tmp->p, tmp->len, c);
		*ip = i + k;
		return 0;
	case '{':
	case '[':
		obj = s[i] == '{';
		v = obj ? jv_object() : jv_array();
		i = skip_ws(s, n, i + 1);
		if (i < n && s[i] == (obj ? '}' : ']'))
			break;
		for (;;) {
			if (obj) {
				buf_reset(tmp);
				if (i >= n || s[i] != '"' ||
				    (k = jscan_string(s + i, n - i, tmp)) == 0)
					goto fail;
				i = skip_ws(s, n, i + k);
				if (i >= n || s[i] != ':')
					goto fail;
				key = jv_string_sized(tmp->p ? tmp->p : "",
				    (int)tmp->len);
				i = skip_ws(s, n, i + 1);
			}
			if (build(s, n, &i, depth + 1, tmp, c, &item) == -1) {
				jv_free(key);
				goto fail;
			}
			v = obj ? jv_object_set(v, key, item) :
			    jv_array_append(v, item);
			key = jv_invalid();
			i = skip_ws(s, n, i);
			if (i < n && s[i] == (obj ? '}' : ']'))
				break;
			if (i >= n || s[i] != ',')
				goto fail;
			i = skip_ws(s, n, i + 1);
		}
		*out = v;
		*ip = i + 1;
		return 0;
	fail:
		jv_free(v);
		return -1;
	default:
		if ((k = strict_value(s + i, n - i, depth, NULL)) == 0)
			return -1;
		if (s[i] == 't' || s[i] == 'f' || s[i] == 'n')
			*out = s[i] == 't' ? jv_true() : s[i] == 'f' ?
			    jv_false() : jv_null();
		else {
			/* an integer of up to 15 digits is exact in a double;
			 * any other number is converted by libjq itself */
			d = s[i] == '-';
			if (k - d <= 15 && digits(s, i + k, i + d) == i + k) {
				long long x = 0;
				size_t j;

				for (j = i + d; j < i + k; j++)
					x = x * 10 + (s[j] - '0');
				*out = jv_number(d ? -(double)x : (double)x);
			} else {
				*out = jv_parse_sized(s + i, (int)k);
				if (jv_get_kind(*out) != JV_KIND_NUMBER) {
					jv_free(*out);
					return -1;
				}
			}
		}
		*ip = i + k;
		return 0;
	}
	*out = v;
	*ip = i + 1;
	return 0;
}

jv
jscan_parse(const char *s, size_t n, int *sure)
{
	return jscan_parse_with(s, n, sure, NULL);
}

jv
jscan_parse_with(const char *s, size_t n, int *sure, struct jscan_strings *c)
{
	struct buf tmp;
	size_t i = skip_ws(s, n, 0);
	jv v;

	buf_init(&tmp, 0);
	*sure = build(s, n, &i, 0, &tmp, c, &v) == 0;
	buf_free(&tmp);
	if (*sure && skip_ws(s, n, i) != n) {
		jv_free(v);
		*sure = 0;
	}
	return *sure ? v : jv_invalid();
}
