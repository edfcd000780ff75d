#include "jsonw.h"

#include <stdint.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#if defined(__SSE2__) && defined(__x86_64__) && defined(__GNUC__)
/* A block of sixteen bytes whose only specials are quotes and backslashes
 * (JSON in a data field: one byte in six) is escaped with two byte
 * shuffles instead of a step per quote. SSSE3's shuffle is not in the
 * x86-64 baseline the build targets, so it is used when the CPU has it. */
#define JSONW_SHUFFLE 1
#include <tmmintrin.h>

/* For the quote mask m of eight bytes: where each output byte comes
 * from (0x80, a zero, where a backslash goes), and how many there are. */
static unsigned char quote_shuffle[256][16];
static unsigned char quote_shuffle_len[256];
static int have_ssse3;

__attribute__((constructor)) static void
jsonw_init(void)
{
	unsigned m, b, k;

	for (m = 0; m < 256; m++) {
		for (b = k = 0; b < 8; b++) {
			if (m & (1u << b))
				quote_shuffle[m][k++] = 0x80;
			quote_shuffle[m][k++] = (unsigned char)b;
		}
		quote_shuffle_len[m] = (unsigned char)k;
		while (k < 16)
			quote_shuffle[m][k++] = 0x80;
	}
	__builtin_cpu_init();
	have_ssse3 = __builtin_cpu_supports("ssse3");
}

void
jsonw_use_shuffle(int on)
{
	have_ssse3 = on && __builtin_cpu_supports("ssse3");
}

/* escape_quotes16 writes v's sixteen bytes (no byte below 0x20 or above
 * 0x7F; q flags the quotes and backslashes) escaped at o, which has room
 * for 32 bytes, and returns how many it wrote. */
__attribute__((target("ssse3"))) static size_t
escape_quotes16(char *o, __m128i v, unsigned q)
{
	const __m128i backslash = _mm_set1_epi8('\\');
	const __m128i zero = _mm_setzero_si128();
	unsigned half;
	size_t k = 0;

	for (half = 0; half < 2; half++, q >>= 8, v = _mm_srli_si128(v, 8)) {
		__m128i x = _mm_shuffle_epi8(v, _mm_loadu_si128(
		    (const __m128i *)quote_shuffle[q & 0xFF]));

		/* the input has no zero byte, so a zero is a backslash */
		x = _mm_or_si128(x,
		    _mm_and_si128(_mm_cmpeq_epi8(x, zero), backslash));
		_mm_storeu_si128((__m128i *)(o + k), x);
		k += quote_shuffle_len[q & 0xFF];
	}
	return k;
}
#endif

#ifndef JSONW_SHUFFLE
void
jsonw_use_shuffle(int on)
{
	(void)on;
}
#endif

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define JSONW_SWAR 1
#define ONES ((uint64_t)0x0101010101010101ULL)
#define HIGHS ((uint64_t)0x8080808080808080ULL)

/* special_bytes flags (in each byte's high bit) the bytes of x that are
 * not plain printable ASCII, '"' or '\\' included. Flags above the lowest
 * flagged byte may be spurious (borrows), the lowest one is exact. */
static inline uint64_t
special_bytes(uint64_t x)
{
	uint64_t q = x ^ (ONES * '"'), b = x ^ (ONES * '\\');

	return (((x - ONES * 0x20) & ~x) | ((q - ONES) & ~q) |
	    ((b - ONES) & ~b) | x) & HIGHS;
}
#endif

/* 0: copy as is; 1: needs an escape; 2: start of a non-ASCII sequence */
static const unsigned char byte_class[256] = {
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* '"' */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, /* '\\' */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
};

/*
 * utf8_seq returns the length of the valid UTF-8 sequence at s (1..4), or
 * 0 when it is invalid, with *bad set to how many bytes form the maximal
 * invalid subpart (WHATWG "UTF-8 decode": the decoder reports an error and
 * then reprocesses the byte that broke the sequence). *incomplete is set
 * when the sequence is a valid prefix cut short by the end of input.
 */
static size_t
utf8_seq(const unsigned char *s, size_t n, size_t *bad, int *incomplete)
{
	unsigned c = s[0], lo = 0x80, hi = 0xBF;
	size_t need, i;

	*incomplete = 0;
	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		need = 1;
	else if (c >= 0xE0 && c <= 0xEF) {
		need = 2;
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		need = 3;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;
	} else {
		*bad = 1;
		return 0;
	}
	for (i = 1; i <= need; i++) {
		if (i >= n) {
			*incomplete = 1;
			*bad = i;
			return 0;
		}
		if (s[i] < lo || s[i] > hi) {
			*bad = i;
			return 0;
		}
		lo = 0x80;
		hi = 0xBF;
	}
	return need + 1;
}

size_t
jsonw_utf8_valid_prefix(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, len, bad;
	int incomplete;

	while (i < n) {
		if (u[i] < 0x80) {
			i++;
			continue;
		}
		len = utf8_seq(u + i, n - i, &bad, &incomplete);
		if (len == 0) {
			if (incomplete)
				return i;
			i += bad; /* invalid: counted, it will become U+FFFD */
		} else
			i += len;
	}
	return n;
}

#ifdef __SSE2__
/* copy16 copies len (< 16) bytes from s to o with one 16-byte load and
 * store when 16 bytes of s are readable (avail), which a variable-length
 * memcpy call costs several times over; o has room (see jsonw_string). */
static inline void
copy16(char *o, const char *s, size_t len, size_t avail)
{
	if (avail >= 16)
		_mm_storeu_si128((__m128i *)o,
		    _mm_loadu_si128((const __m128i *)s));
	else
		memcpy(o, s, len);
}
#endif

int
jsonw_string(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, start, len, bad;
	char *o;
	int incomplete;

	/* Worst case: every byte becomes \u00XX (6 bytes). */
	if (n > ((size_t)-1 - 2) / 6 || buf_reserve(b, n * 6 + 2) == -1)
		return -1;
	o = b->p + b->len;
	*o++ = '"';
	while (i < n) {
#ifdef __SSE2__
		/* Sixteen bytes at a time: store them all, keep those before
		 * the first byte that needs work (room was reserved above). */
		if (i + 16 <= n) {
			__m128i v = _mm_loadu_si128((const __m128i *)(s + i));
			__m128i qb = _mm_or_si128(
			    _mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
			    _mm_cmpeq_epi8(v, _mm_set1_epi8('\\')));
			/* bytes < 0x20 or >= 0x80: signed compare below 0x20 */
			unsigned q = (unsigned)_mm_movemask_epi8(qb);
			unsigned m = q | (unsigned)_mm_movemask_epi8(
			    _mm_cmplt_epi8(v, _mm_set1_epi8(0x20)));

			_mm_storeu_si128((__m128i *)o, v);
			if (m == 0) {
				o += 16;
				i += 16;
				continue;
			}
			/* Only quotes and backslashes (JSON in a data field is
			 * full of them): escape them all in this block rather
			 * than one block load per quote. */
#ifdef JSONW_SHUFFLE
			if (m == q && have_ssse3) {
				o += escape_quotes16(o, v, q);
				i += 16;
				continue;
			}
#endif
			if (m == q) {
				size_t pos = 0, at;

				do {
					at = (size_t)__builtin_ctz(q);
					copy16(o, s + i + pos, at - pos, n - i - pos);
					o += at - pos;
					o[0] = '\\';
					o[1] = s[i + at];
					o += 2;
					pos = at + 1;
					q &= q - 1;
				} while (q);
				copy16(o, s + i + pos, 16 - pos, n - i - pos);
				o += 16 - pos;
				i += 16;
				continue;
			}
			start = (size_t)__builtin_ctz(m);
			o += start;
			i += start;
			/* the usual special in JSON text: a quote or backslash */
			if (s[i] == '"' || s[i] == '\\') {
				o[0] = '\\';
				o[1] = s[i++];
				o += 2;
				continue;
			}
		} else
#endif
#ifdef JSONW_SWAR
		/* Eight bytes at a time (a string's tail, after the sixteen
		 * byte blocks): store them all, keep those before the
		 * first byte that needs work (room was reserved above). */
		if (i + 8 <= n) {
			uint64_t x, m;

			memcpy(&x, s + i, 8);
			memcpy(o, &x, 8);
			m = special_bytes(x);
			if (m == 0) {
				o += 8;
				i += 8;
				continue;
			}
			start = (size_t)__builtin_ctzll(m) >> 3;
			o += start;
			i += start;
		} else
#endif
		{
			start = i;
			while (i < n && byte_class[u[i]] == 0)
				i++;
			memcpy(o, s + start, i - start);
			o += i - start;
			if (i == n)
				break;
		}
		if (byte_class[u[i]] == 1) {
			unsigned c = u[i++];

			*o++ = '\\';
			switch (c) {
			case '"': *o++ = '"'; break;
			case '\\': *o++ = '\\'; break;
			case '\b': *o++ = 'b'; break;
			case '\f': *o++ = 'f'; break;
			case '\n': *o++ = 'n'; break;
			case '\r': *o++ = 'r'; break;
			case '\t': *o++ = 't'; break;
			default:
				*o++ = 'u';
				*o++ = '0';
				*o++ = '0';
				*o++ = hex[c >> 4];
				*o++ = hex[c & 15];
			}
			continue;
		}
		len = utf8_seq(u + i, n - i, &bad, &incomplete);
		if (len) {
			memcpy(o, s + i, len);
			o += len;
			i += len;
		} else {
			memcpy(o, "\xEF\xBF\xBD", 3);
			o += 3;
			i += bad;
		}
	}
	*o++ = '"';
	b->len = (size_t)(o - b->p);
	b->p[b->len] = '\0';
	return 0;
}

size_t
jsonw_plain_run(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;

#ifdef JSONW_SWAR
	while (i + 8 <= n) {
		uint64_t x, m;

		memcpy(&x, s + i, 8);
		m = special_bytes(x);
		if (m)
			return i + ((size_t)__builtin_ctzll(m) >> 3);
		i += 8;
	}
#endif
	while (i < n && byte_class[u[i]] == 0)
		i++;
	return i;
}

size_t
jsonw_utf8_seq(const char *s, size_t n)
{
	size_t bad;
	int incomplete;

	if (n == 0)
		return 0;
	return utf8_seq((const unsigned char *)s, n, &bad, &incomplete);
}
