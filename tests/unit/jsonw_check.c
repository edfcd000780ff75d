/* jsonw_check - unit test of lib/jsonw against libjq: for random byte
 * strings (ASCII, controls, valid and invalid UTF-8), the JSON that
 * jsonw_string writes must parse with jv, and for valid UTF-8 input must
 * decode to exactly the input bytes. Also checks the WHATWG replacement
 * count on known cases. TAP. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "jsonw.h"
#include "jvx.h"
#include "mem.h"
#include "tap.h"

static int
same_as(const char *in, size_t n, const char *want_json)
{
	struct buf b;
	int r;

	buf_init(&b, 0);
	jsonw_string(&b, in, n);
	r = strcmp(b.p, want_json) == 0;
	if (!r)
		printf("# got %s want %s\n", b.p, want_json);
	buf_free(&b);
	return r;
}

/* write_and_parse writes s[0..n) with jsonw_string into b and counts a
 * result jv does not parse as a string in *bad_parse, and, for valid
 * UTF-8 input, one that does not decode to s exactly in *bad_roundtrip */
static void
write_and_parse(struct buf *b, const char *s, size_t n, int valid,
    int *bad_parse, int *bad_roundtrip)
{
	jv v;

	buf_reset(b);
	jsonw_string(b, s, n);
	v = jv_parse_sized(b->p, (int)b->len);
	if (jv_get_kind(v) != JV_KIND_STRING)
		(*bad_parse)++;
	else if (valid && ((size_t)jv_string_length_bytes(jv_copy(v)) != n ||
	    memcmp(jv_string_value(v), s, n) != 0))
		(*bad_roundtrip)++;
	jv_free(v);
}

/* dump_same: jvx_dump(v) is byte for byte jv_dump_string(v, 0). Borrows v. */
static int
dump_same(jv v)
{
	struct buf b;
	jv s = jv_dump_string(jv_copy(v), 0);
	int r;

	buf_init(&b, 0);
	r = jvx_dump(&b, jv_copy(v)) == 0 &&
	    (size_t)jv_string_length_bytes(jv_copy(s)) == b.len &&
	    memcmp(jv_string_value(s), b.p, b.len) == 0;
	if (!r)
		printf("# jq:   %s\n# jvx:  %s\n", jv_string_value(s), b.p);
	jv_free(s);
	buf_free(&b);
	return r;
}

int
main(void)
{
	static const char pieces[][5] = { "a", " ", "\"", "\\", "\n", "\x01",
	    "\x1f", "\x7f", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80",
	    "\xff", "\xc0", "\xe0\x80", "\xed\xa0\x80", "\xf4\x90", "\xc3",
	    "\xe2\x82", "\xf0\x9f\x98", "/", "\t" };
	unsigned long seed = 7;
	char s[256];
	size_t n, k, i;
	struct buf b;
	int bad_parse = 0, bad_roundtrip = 0, iter, valid;

	mem_init();
	ok(same_as("a\"b\\c\n\x01", 7, "\"a\\\"b\\\\c\\n\\u0001\""),
	    "escapes as JSON.stringify does");
	/* each short escape as itself, the other controls as \u00XX, DEL
	 * as is: the text JSON.stringify writes, not only what parses back */
	ok(same_as("\b\f\n\r\t\x0b\x1f\x7f", 8,
	    "\"\\b\\f\\n\\r\\t\\u000b\\u001f\x7f\""),
	    "short escapes \\b \\f \\n \\r \\t, \\u00XX for the other controls");
	ok(same_as("\xff\xe0\x80z", 4, "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbdz\""),
	    "one U+FFFD per maximal invalid subpart (FF, E0, 80)");
	ok(same_as("\xf0\x9f\x98z", 4, "\"\xef\xbf\xbdz\""),
	    "a truncated 4-byte sequence is one U+FFFD");
	ok(same_as("\xed\xa0\x80", 3, "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\""),
	    "surrogates encoded in UTF-8 are invalid");
	ok(jsonw_utf8_valid_prefix("ab\xe2\x82", 4) == 2,
	    "valid prefix holds back an incomplete sequence");
	ok(jsonw_utf8_valid_prefix("ab\xff", 3) == 3,
	    "valid prefix counts invalid bytes");
	buf_init(&b, 0);
	for (iter = 0; iter < 20000; iter++) {
		n = 0;
		valid = 1;
		k = rand_next(&seed) % 12;
		for (i = 0; i < k; i++) {
			size_t p = rand_next(&seed) %
			    (sizeof pieces / sizeof pieces[0]);

			if (p >= 11 && p <= 18)
				valid = 0;
			memcpy(s + n, pieces[p], strlen(pieces[p]));
			n += strlen(pieces[p]);
		}
		write_and_parse(&b, s, n, valid, &bad_parse, &bad_roundtrip);
	}
	ok(bad_parse == 0, "jv parses every string jsonw writes");
	ok(bad_roundtrip == 0, "valid UTF-8 round-trips through jsonw and jv");
	/* JSON text in a data field: long strings dense with quotes and
	 * backslashes, at every length and alignment (the block path that
	 * escapes all quotes of 16 bytes at once, and its tail near the end) */
	bad_parse = bad_roundtrip = 0;
	for (iter = 0; iter < 20000; iter++) {
		static const char dense[][3] = { "\"", "\"", "\\", "a", ":",
		    "{", "}", "\xc3\xa9", "\n" };
		size_t want = rand_next(&seed) % 200;

		for (n = 0; n < want;) {
			size_t p = rand_next(&seed) %
			    (sizeof dense / sizeof dense[0]);

			memcpy(s + n, dense[p], strlen(dense[p]));
			n += strlen(dense[p]);
		}
		write_and_parse(&b, s, n, 1, &bad_parse, &bad_roundtrip);
	}
	ok(bad_parse == 0, "quote-dense strings: jv parses every one");
	/* Printable ASCII with quotes and backslashes only (the blocks the
	 * SSSE3 shuffle escapes), written both ways, against the escape done
	 * here a byte at a time */
	for (k = 0; k < 2; k++) {
		struct buf want;
		int differ = 0;

		jsonw_use_shuffle((int)k);
		buf_init(&want, 0);
		for (iter = 0; iter < 20000; iter++) {
			static const char quoted[] = "\"\"\\a :{}~";
			size_t len = rand_next(&seed) % 120;

			buf_reset(&want);
			buf_putc(&want, '"');
			for (n = 0; n < len; n++) {
				s[n] = quoted[rand_next(&seed) % (sizeof quoted - 1)];
				if (s[n] == '"' || s[n] == '\\')
					buf_putc(&want, '\\');
				buf_putc(&want, s[n]);
			}
			buf_putc(&want, '"');
			buf_reset(&b);
			if (jsonw_string(&b, s, n) == -1 || b.len != want.len ||
			    memcmp(b.p, want.p, b.len) != 0)
				differ++;
		}
		buf_free(&want);
		ok(differ == 0, k ? "quote-only strings escaped exactly (the CPU's fastest path)" :
		    "quote-only strings escaped exactly (baseline x86-64 path)");
	}
	jsonw_use_shuffle(1);
	buf_free(&b);

	/* jvx_dump writes what libjq's dump writes: numbers of every form,
	 * DEL and the controls in strings and keys, nesting, key order */
	{
		static const char *texts[] = { "null", "true", "false", "0",
		    "-0", "1", "-17", "0.1", "1e-7", "1.5e300", "1e999",
		    "123456789012345678901234567890", "3.0", "100000000000000000",
		    "[]", "{}", "[1,[2,[3,{}]],\"x\"]",
		    "{\"b\":1,\"a\":[true,null],\"c\":{\"z\":\"\\u007f\"}}",
		    "\"a\\u007fb\\u0001\\n\\t\\\"\\\\/\\u00e9\\ud83d\\ude00\"",
		    "{\"k\\u007f\\u001f\":\"\\u2028\",\"\":0}" };
		int bad = 0;

		for (i = 0; i < sizeof texts / sizeof texts[0]; i++) {
			jv v = jv_parse(texts[i]);

			if (!jv_is_valid(v) || !dump_same(v)) {
				printf("# %s\n", texts[i]);
				bad++;
			}
			jv_free(v);
		}
		ok(bad == 0, "jvx_dump equals libjq's dump on numbers, escapes, nesting and key order");
		bad = 0;
		for (iter = 0; iter < 5000; iter++) {
			jv o = jv_object(), a = jv_array();

			n = 0;
			k = rand_next(&seed) % 12;
			for (i = 0; i < k; i++) {
				size_t p = rand_next(&seed) %
				    (sizeof pieces / sizeof pieces[0]);

				memcpy(s + n, pieces[p], strlen(pieces[p]));
				n += strlen(pieces[p]);
			}
			/* (jv replaces invalid UTF-8 as it makes the string) */
			a = jv_array_append(a, jv_string_sized(s, (int)n));
			a = jv_array_append(a, jv_number((double)(rand_next(&seed) %
			    100000) / 64.0));
			o = jv_object_set(o, jv_string_sized(s, (int)n), a);
			o = jv_object_set(o, jv_string("n"), jv_null());
			if (!dump_same(o))
				bad++;
			jv_free(o);
		}
		ok(bad == 0, "jvx_dump equals libjq's dump on 5000 random objects (every byte class in keys and strings)");
		/* strings longer than one piece (64 KiB), characters of every
		 * width and escapes across the cuts */
		bad = 0;
		for (iter = 0; iter < 6; iter++) {
			static const char *wide[] = { "a", "\xc3\xa9",
			    "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\"", "\n",
			    "\x01", "\\" };
			size_t want = 150000 + rand_next(&seed) % 100000, m = 0;
			char *big = malloc(want + 8);
			jv o;

			while (m < want) {
				const char *w = wide[rand_next(&seed) % 8];

				memcpy(big + m, w, strlen(w));
				m += strlen(w);
			}
			o = jv_array_append(jv_array(), jv_string_sized(big, (int)m));
			if (!dump_same(o))
				bad++;
			jv_free(o);
			free(big);
		}
		ok(bad == 0, "jvx_dump equals libjq's dump on strings of 150 to 250 KB (cut in 64 KiB pieces)");
		{
			/* a string of 11 MiB in a buf of 16 MiB: the pieces fit
			 * where six bytes a byte would not */
			struct buf small;
			char *big = malloc(11 << 20);
			jv o;

			memset(big, 'x', 11 << 20);
			o = jv_string_sized(big, 11 << 20);
			buf_init(&small, 16 << 20);
			ok(jvx_dump(&small, o) == 0 && small.len == (11 << 20) + 2,
			    "an 11 MiB string dumps into a 16 MiB buf");
			buf_free(&small);
			buf_init(&small, 1000);
			memcpy(big, "ab", 2);
			o = JV_OBJECT(jv_string("k"), jv_string_sized(big, 5000));
			ok(buf_append(&small, "[", 1) == 0 &&
			    jvx_dump(&small, o) == -1 && small.len == 1 &&
			    small.p[1] == '\0',
			    "a dump over the buf's maximum leaves nothing half written");
			buf_free(&small);
			free(big);
		}
	}
	ok(bad_roundtrip == 0, "quote-dense strings: round-trip through jsonw and jv");
	return tap_end();
}
