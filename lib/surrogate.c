/* surrogate.c - lone UTF-16 surrogate halves across events (sent_*). */
#include "acc_priv.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* ------------------------------------------------------------ surrogates */

/*
 * A server that cuts UTF-16 text between the two halves of a surrogate
 * pair sends "a\ud83d" in one chunk and "\ude00b" in the next: valid JSON
 * each, and JavaScript's string concatenation (the SDK accumulators)
 * rejoins them. jq 1.6 rejects a lone high half and reads a lone low half
 * as U+FFFD, so before parsing, each lone half escape is rewritten to a
 * sentinel that survives jv: the UTF-8 of the Supplementary Private Use
 * code point U+10F800 + (half - 0xD800) (F4 8F A0-BF 80-BF). Assembled
 * buffers keep sentinels as they come, so two fragments' halves end up
 * side by side; every output resolves them (sent_resolve): a high
 * sentinel followed by a low one becomes the real character, any other
 * becomes U+FFFD. Streamed deltas are resolved per key (kind, choice,
 * call): a trailing high half is held back until the next fragment of the
 * same key, the choice's finish, the terminal event or an error.
 */
#define SENT_BASE 0x10F800L

static int
sent_at(const unsigned char *p, size_t n)
{
	if (n < 4 || p[0] != 0xF4 || p[1] != 0x8F || p[2] < 0xA0 ||
	    p[2] > 0xBF || p[3] < 0x80 || p[3] > 0xBF)
		return 0;
	return 0xD800 + (((p[2] & 0x3F) - 0x20) << 6 | (p[3] & 0x3F));
}

static void
sent_put(char *o, long c)
{
	o[0] = (char)(0xF0 | (c >> 18));
	o[1] = (char)(0x80 | ((c >> 12) & 0x3F));
	o[2] = (char)(0x80 | ((c >> 6) & 0x3F));
	o[3] = (char)(0x80 | (c & 0x3F));
}

static int
hex4(const char *p)
{
	int i, v = 0;

	for (i = 0; i < 4; i++) {
		char c = p[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
			v |= (c | 0x20) - 'a' + 10;
		else
			return -1;
	}
	return v;
}

/* maybe_half: 0 when s[0..n) holds no "\\ud" or "\\uD", the start of
 * every surrogate half escape (1 means maybe). Every event the full path
 * reads is asked, a long one repeating a whole answer too: one pass,
 * sixteen positions at a time where SSE2 is. */
static int
maybe_half(const char *s, size_t n)
{
#ifdef __SSE2__
	size_t i = 0;

	for (; i + 18 <= n; i += 16) {
		__m128i a = _mm_loadu_si128((const __m128i *)(s + i));
		__m128i b = _mm_loadu_si128((const __m128i *)(s + i + 1));
		__m128i c = _mm_loadu_si128((const __m128i *)(s + i + 2));

		c = _mm_or_si128(c, _mm_set1_epi8(0x20)); /* D as d */
		if (_mm_movemask_epi8(_mm_and_si128(_mm_and_si128(
		    _mm_cmpeq_epi8(a, _mm_set1_epi8('\\')),
		    _mm_cmpeq_epi8(b, _mm_set1_epi8('u'))),
		    _mm_cmpeq_epi8(c, _mm_set1_epi8('d')))))
			return 1;
	}
	s += i;
	n -= i;
#endif
	return memmem(s, n, "\\ud", 3) != NULL || memmem(s, n, "\\uD", 3) != NULL;
}

/* sent_rewrite: a copy of s[0..n) with every lone surrogate escape (a
 * high half not followed by a low-half escape, a low half not preceded by
 * a high one) replaced by its sentinel, its length in *len; NULL when
 * there is none (maybe_half gates the scan). */
char *
sent_rewrite(const char *s, size_t n, size_t *len)
{
	char *c = NULL, *o = NULL;
	size_t i, from = 0;
	int v, w;

	if (!maybe_half(s, n))
		return NULL;
	for (i = 0; i + 1 < n; i++) {
		if (s[i] != '\\')
			continue;
		if (s[i + 1] != 'u' || i + 6 > n) {
			i++;
			continue;
		}
		v = hex4(s + i + 2);
		if (v < 0xd800 || v > 0xdfff) {
			i += 5;
			continue;
		}
		if (v <= 0xdbff) {
			w = i + 12 <= n && s[i + 6] == '\\' &&
			    s[i + 7] == 'u' ? hex4(s + i + 8) : -1;
			if (w >= 0xdc00 && w <= 0xdfff) {
				i += 11;
				continue;
			}
		}
		if (c == NULL)
			o = c = xmalloc(n + 1);
		memcpy(o, s + from, i - from);
		o += i - from;
		sent_put(o, SENT_BASE + (v - 0xD800));
		o += 4;
		from = i + 6;
		i += 5;
	}
	if (c == NULL)
		return NULL;
	memcpy(o, s + from, n - from);
	o += n - from;
	*o = '\0';
	*len = (size_t)(o - c);
	return c;
}

/* sent_resolve appends p[0..n) to out with its sentinels resolved. *pend
 * (when not NULL) is a high half held from the previous fragment of the
 * same key (0: none); with hold set, a high half that ends p is held
 * there instead of written as U+FFFD. -1 when out is full. */
int
sent_resolve(struct buf *out, const char *p, size_t n, int *pend, int hold)
{
	const unsigned char *u = (const unsigned char *)p;
	const unsigned char *q;
	size_t i = 0, k;
	int h, l;
	char ch[4];

	if (pend && *pend) {
		h = *pend;
		*pend = 0;
		if ((l = sent_at(u, n)) >= 0xDC00) {
			sent_put(ch, 0x10000 + ((long)(h - 0xD800) << 10) +
			    (l - 0xDC00));
			if (buf_append(out, ch, 4) == -1)
				return -1;
			i = 4;
		} else if (buf_append(out, "\xEF\xBF\xBD", 3) == -1)
			return -1;
	}
	while (i < n) {
		q = memchr(u + i, 0xF4, n - i);
		k = q ? (size_t)(q - u) : n;
		if (buf_append(out, p + i, k - i) == -1)
			return -1;
		if ((i = k) >= n)
			break;
		if ((h = sent_at(u + i, n - i)) == 0) {
			if (buf_append(out, p + i, 1) == -1)
				return -1;
			i++;
			continue;
		}
		if (h < 0xDC00 && (l = sent_at(u + i + 4, n - i - 4)) >= 0xDC00) {
			sent_put(ch, 0x10000 + ((long)(h - 0xD800) << 10) +
			    (l - 0xDC00));
			if (buf_append(out, ch, 4) == -1)
				return -1;
			i += 8;
			continue;
		}
		i += 4;
		if (h < 0xDC00 && i == n && hold && pend) {
			*pend = h;
			break;
		}
		if (buf_append(out, "\xEF\xBF\xBD", 3) == -1)
			return -1;
	}
	return 0;
}

/* sent_jv: v with the sentinels of every string resolved (consumed). */
jv
sent_jv(jv v)
{
	struct buf b;
	jv r;
	int i, n;

	switch (jv_get_kind(v)) {
	case JV_KIND_STRING:
		if (memmem(jv_string_value(v), (size_t)jv_string_length_bytes(
		    jv_copy(v)), "\xF4\x8F", 2) == NULL)
			return v;
		buf_init(&b, 0);
		if (sent_resolve(&b, jv_string_value(v),
		    (size_t)jv_string_length_bytes(jv_copy(v)), NULL, 0) == -1) {
			buf_free(&b);
			return v;
		}
		r = jv_string_sized(b.p ? b.p : "", (int)b.len);
		buf_free(&b);
		jv_free(v);
		return r;
	case JV_KIND_ARRAY:
		n = jv_array_length(jv_copy(v));
		for (i = 0; i < n; i++)
			v = jv_array_set(v, i, sent_jv(jv_array_get(jv_copy(v),
			    i)));
		return v;
	case JV_KIND_OBJECT:
		r = jv_object();
		jv_object_foreach(v, key, val)
			r = jv_object_set(r, sent_jv(key), sent_jv(val));
		jv_free(v);
		return r;
	default:
		return v;
	}
}

/* sent_str: s (NUL-terminated, n bytes) with its sentinels resolved, in
 * b when it has any. */
const char *
sent_str(struct buf *b, const char *s, size_t n, size_t *len)
{
	if (len)
		*len = n;
	if (s == NULL || memmem(s, n, "\xF4\x8F", 2) == NULL)
		return s;
	buf_reset(b);
	if (sent_resolve(b, s, n, NULL, 0) == -1 || buf_putc(b, 0) == -1)
		return s;
	b->len--;
	if (len)
		*len = b->len;
	return b->p;
}

/* sent_flush hands the callback a U+FFFD for each high half held back in
 * choice ci (all choices when ci < 0). */
void
sent_flush(struct acc *a, int ci)
{
	struct delta e;
	struct choice *c;
	int i, k;

	for (i = ci < 0 ? 0 : ci; i < (ci < 0 ? a->nchoices : ci + 1); i++) {
		if (i >= MAX_CHOICES || (c = a->ch[i]) == NULL)
			continue;
		memset(&e, 0, sizeof e);
		e.choice = i;
		e.text = "\xEF\xBF\xBD";
		e.len = 3;
		for (k = 0; k < 3; k++)
			if (c->pend[k]) {
				c->pend[k] = 0;
				e.kind = (enum delta_kind)k;
				if (a->cb && a->cbrc == 0)
					a->cbrc = a->cb(a->ctx, &e);
			}
		e.kind = DELTA_TOOL_CALL;
		for (k = 0; k < c->ncalls; k++)
			if (c->calls[k].pend) {
				c->calls[k].pend = 0;
				e.call = k;
				if (a->cb && a->cbrc == 0)
					a->cbrc = a->cb(a->ctx, &e);
			}
	}
}
