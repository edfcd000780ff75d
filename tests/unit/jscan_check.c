/* jscan_check - unit test of lib/jscan against libjq: whenever jscan
 * vouches for a string token, its bytes equal jv's; jscan_path finds what
 * jq's path finds. TAP. */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "jscan.h"
#include "jvx.h"
#include "mem.h"
#include "tap.h"

/* decode with jscan and jv; 1 when they agree (or jscan declines) */
static int
agrees(const char *tok, size_t n, int *vouched)
{
	struct buf b;
	size_t k;
	jv v;
	int r = 1;

	buf_init(&b, 0);
	k = jscan_string(tok, n, &b);
	*vouched = k != 0;
	v = jv_parse_sized(tok, (int)n);
	if (k) {
		r = k == n && jv_get_kind(v) == JV_KIND_STRING &&
		    (size_t)jv_string_length_bytes(jv_copy(v)) == b.len &&
		    memcmp(jv_string_value(v), b.p, b.len) == 0;
	}
	jv_free(v);
	buf_free(&b);
	return r;
}

/* parse_agrees: 1 when jscan_parse is sure of text and its jv dumps as
 * libjq's parse does, 0 when it is not sure, -1 when it differs */
static int
parse_agrees(const char *text)
{
	int sure, r;
	jv a = jscan_parse(text, strlen(text), &sure);
	jv b = jv_parse_sized(text, (int)strlen(text));

	if (!sure)
		r = 0;
	else if (!jv_is_valid(b))
		r = -1;
	else {
		jv da = jv_dump_string(jv_copy(a), 0), db = jv_dump_string(jv_copy(b), 0);

		r = strcmp(jv_string_value(da), jv_string_value(db)) == 0 ? 1 : -1;
		jv_free(da);
		jv_free(db);
	}
	jv_free(a);
	jv_free(b);
	return r;
}

/* canon_agrees: 1 when jscan_canonical writes text as libjq's parse and
 * dump do, 0 when it is not sure (and writes nothing), -1 otherwise */
static int
canon_agrees(const char *text)
{
	struct buf b;
	int r;
	jv v = jv_parse_sized(text, (int)strlen(text));

	buf_init(&b, 0);
	buf_puts(&b, "x");
	if (jscan_canonical(text, strlen(text), &b) == -1)
		r = b.len == 1 ? 0 : -1;
	else if (!jv_is_valid(v))
		r = -1;
	else {
		jv d = jv_dump_string(jv_copy(v), 0);

		r = strcmp(jv_string_value(d), b.p + 1) == 0 ? 1 : -1;
		if (r < 0)
			printf("# jq:    %s\n# jscan: %s\n", jv_string_value(d), b.p + 1);
		jv_free(d);
	}
	jv_free(v);
	buf_free(&b);
	return r;
}

static int
path_is(const char *json, const struct jscan_step *p, int depth,
    const char *want)
{
	size_t off, len;

	if (jscan_path(json, strlen(json), p, depth, &off, &len) != 0)
		return want == NULL;
	return want && strlen(want) == len && memcmp(json + off, want, len) == 0;
}

int
main(void)
{
	static const char *pieces[] = { "a", " ", "\\\"", "\\\\", "\\/", "\\n",
	    "\\t", "\\u00e9", "\\u20AC", "\\ud83d\\ude00", "\\ud83d", "\\ude00",
	    "\\x", "\xc3\xa9", "\xf0\x9f\x98\x80", "\xff", "\xed\xa0\x80",
	    "\x01", "\t", "\\u0000", "\\b\\f\\r", "z", "\\u00G1", "\\u0g41" };
	char tok[512];
	unsigned long seed = 99;
	int iter, bad = 0, vouched, nv = 0, i, k;
	size_t n;

	mem_init();
	ok(agrees("\"h\\u00e9llo\\n\"", 14, &vouched) && vouched,
	    "decodes escapes as jv does");
	ok(agrees("\"\\u00A9\\u00FE\"", 14, &vouched) && vouched,
	    "vouches for \\u escapes in capitals (A to F)");
	ok(agrees("\"\\u00G9\"", 8, &vouched) && !vouched &&
	    agrees("\"\\u00\x7f" "9\"", 8, &vouched) && !vouched,
	    "declines a \\u with a letter or byte past F (jq rejects it)");
	ok(agrees("\"\\ud83d\"", 8, &vouched) && !vouched,
	    "declines a lone surrogate (jq 1.6 rejects it)");
	ok(agrees("\"\xff\"", 3, &vouched) && !vouched,
	    "declines invalid UTF-8 (jv replaces it its own way)");
	ok(agrees("\"a\tb\"", 5, &vouched) && !vouched,
	    "declines a raw control character");
	for (iter = 0; iter < 50000; iter++) {
		n = 0;
		tok[n++] = '"';
		k = (int)(rand_next(&seed) % 10);
		for (i = 0; i < k; i++) {
			const char *p;

			p = pieces[rand_next(&seed) % (sizeof pieces / sizeof *pieces)];
			memcpy(tok + n, p, strlen(p));
			n += strlen(p);
		}
		tok[n++] = '"';
		if (!agrees(tok, n, &vouched))
			bad++;
		nv += vouched;
	}
	ok(bad == 0, "50000 random tokens: jscan equals jv wherever it vouches");
	{
		/* jscan_plain_object: sound (what it vouches for, jv parses
		 * into an object) and complete on RFC 8259 values (it vouches
		 * for every object made of the first ngood tokens) */
		static const char *tokens[] = { "0", "-0", "9", "19", "-12.5e+3",
		    "1E9", "0.5", "[1,2,90]", "true", "false", "null",
		    "\"a\\r\\n\\t\\\"\\\\\\/\\b\\f\"", "\"\\u0000\"",
		    "\"\\u00e9\\u00C9\"", "\"\\ud83d\\ude00\"",
		    "\"\xc3\xa9\xf0\x9f\x98\x80\"", "[]", "{}", "[1,[2]]",
		    "{\"x\":{\"y\":null}}",
		    /* not RFC 8259 JSON (jq 1.6 takes a few: "01", "1.") */
		    "01", "1.", "1x", "1a", "1X", "2e5.", "\"\\uZZZZ\"", "\"\\ud83dxude00\"",
		    "\"\\ud83d\"", "tru", "-", ".5", "+1", "\"a\tb\"", "nul",
		    "[1,]", "{\"a\"}", "\"\\x\"" };
		const size_t ngood = 20, ntok = sizeof tokens / sizeof *tokens;
		char text[600];
		int unsound = 0, incomplete = 0;

		for (iter = 0; iter < 20000; iter++) {
			size_t a, b2, c;
			int good, says;
			jv v;

			a = rand_next(&seed) % ntok;
			b2 = rand_next(&seed) % ntok;
			c = rand_next(&seed) % ntok;
			good = a < ngood && b2 < ngood && c < ngood;
			snprintf(text, sizeof text, "{\"k\":%s, \"l\" : [%s,%s]}",
			    tokens[a], tokens[b2], tokens[c]);
			says = jscan_plain_object(text, strlen(text), NULL);
			v = jv_parse_sized(text, (int)strlen(text));
			if (says && jv_get_kind(v) != JV_KIND_OBJECT) {
				if (unsound++ == 0)
					printf("# vouched for: %s\n", text);
			}
			if (good && !says) {
				if (incomplete++ == 0)
					printf("# not vouched for: %s\n", text);
			}
			jv_free(v);
		}
		ok(unsound == 0, "jscan_plain_object: jv parses every object it vouches for");
		ok(incomplete == 0, "jscan_plain_object: vouches for every RFC 8259 object of ordinary tokens");
		/* jscan_parse: the same jv as libjq's parse (compared as
		 * libjq dumps them: key order, -0, numbers) wherever it is
		 * sure, and sure of every RFC 8259 text of ordinary tokens,
		 * repeated keys included */
		unsound = incomplete = 0;
		for (iter = 0; iter < 20000; iter++) {
			size_t a, b2, c;
			int good;

			a = rand_next(&seed) % ntok;
			b2 = rand_next(&seed) % ntok;
			c = rand_next(&seed) % ntok;
			good = a < ngood && b2 < ngood && c < ngood;
			switch (iter % 4) {
			case 0:
				snprintf(text, sizeof text, "{\"k\":%s, \"l\" : [%s,%s]}",
				    tokens[a], tokens[b2], tokens[c]);
				break;
			case 1: /* a repeated key: the last value, the first place */
				snprintf(text, sizeof text, " {\"b\":%s,\"a\":%s,\"b\":%s}\n",
				    tokens[a], tokens[b2], tokens[c]);
				break;
			case 2:
				snprintf(text, sizeof text, "[%s,{\"\\u00e9\":[[%s]]},%s]",
				    tokens[a], tokens[b2], tokens[c]);
				break;
			default:
				snprintf(text, sizeof text, "%s", tokens[a]);
				good = a < ngood;
			}
			if (canon_agrees(text) == -1 && unsound++ == 0)
				printf("# written unlike libjq: %s\n", text);
			switch (parse_agrees(text)) {
			case -1:
				if (unsound++ == 0)
					printf("# differs from jv: %s\n", text);
				break;
			case 0:
				if (good && incomplete++ == 0)
					printf("# not sure of: %s\n", text);
				break;
			}
		}
		ok(unsound == 0, "jscan_parse and jscan_canonical: the jv libjq parses and the text it dumps, wherever they are sure");
		ok(incomplete == 0, "jscan_parse: sure of every RFC 8259 text of ordinary tokens");
		ok(parse_agrees("{\"a\":1,\"b\":2,\"a\":[3]}") == 1 &&
		    parse_agrees("[-0,0,-0.0,1e400,-1e400,1e-400,123456789012345,"
		    "1234567890123456789,0.1,1.5e300,-12]") == 1 &&
		    parse_agrees(" \"x\\u0000y\" ") == 1,
		    "jscan_parse: repeated keys, -0, overflow, long integers, \\u0000");
		ok(canon_agrees(" { \"a\" : [ 1 , -0 , true , null , \"\\u00e9\\/\\n\\ud83d\\ude00\" ] ,"
		    " \"b\\u00e9\" : { } , \"c\":[],\"d\":\"\\u0001\\u001f\"} ") == 1 &&
		    canon_agrees("123456789012345") == 1 && canon_agrees("\"\\\\\\\"\"") == 1,
		    "jscan_canonical: white space, escapes, -0, nesting, long integers as libjq writes them");
		ok(canon_agrees("{\"a\":1,\"a\":2}") == 0 && canon_agrees("{\"a\":1,\"\\u0061\":2}") == 0 &&
		    canon_agrees("1.5") == 0 && canon_agrees("1e2") == 0 &&
		    canon_agrees("1234567890123456") == 0 && canon_agrees("\"\\u007f\"") == 0 &&
		    canon_agrees("{\"a\":1") == 0 && canon_agrees("[1] 2") == 0 &&
		    canon_agrees("{\"k1\":1,\"k2\":1,\"k3\":1,\"k4\":1,\"k5\":1,\"k6\":1,"
		    "\"k7\":1,\"k8\":1,\"k9\":1,\"ka\":1,\"kb\":1,\"kc\":1,\"kd\":1,"
		    "\"ke\":1,\"kf\":1,\"kg\":1,\"kh\":1}") == 0,
		    "jscan_canonical: leaves repeated keys (escaped too), other numbers, DEL, 17 keys and bad text to libjq");
		ok(parse_agrees("[1] x") == 0 && parse_agrees("") == 0 &&
		    parse_agrees("\xef\xbb\xbf{}") == 0 && parse_agrees("{} {}") == 0 &&
		    parse_agrees("nan") == 0 && parse_agrees("[01]") == 0,
		    "jscan_parse: leaves trailing text, nothing, a BOM, two values, nan and 01 to libjq");
		{
			char deep[300];

			memset(deep, '[', 100);
			memset(deep + 100, ']', 100);
			deep[200] = '\0';
			ok(parse_agrees(deep) == 0 && (deep[130] = '\0',
			    memset(deep, '[', 65), memset(deep + 65, ']', 65),
			    parse_agrees(deep) == 1),
			    "jscan_parse: nesting past 64 is libjq's, 65 levels its own");
		}
	}
	ok(nv > 5000, "and it vouches for the ordinary ones");
	{
		/* jscan_parse_with: a long string seen before is the same jv
		 * (shared), the value unchanged; the cache keeps to its count
		 * and bytes */
		static char text[3 << 20];
		struct jscan_strings c;
		jv a, b, x, y, keep = jv_null();
		int sure1, sure2, same, over = 0;
		size_t len;

		memset(&c, 0, sizeof c);
		memset(text, 0, sizeof text);
		text[0] = '[';
		text[1] = '"';
		memset(text + 2, 'q', 2000);
		memcpy(text + 2002, "\\n\\u00e9\"]", 11);
		len = strlen(text);
		a = jscan_parse_with(text, len, &sure1, &c);
		b = jscan_parse_with(text, len, &sure2, &c);
		x = jv_array_get(jv_copy(a), 0);
		y = jv_array_get(jv_copy(b), 0);
		same = jv_identical(jv_copy(x), jv_copy(y));
		ok(sure1 && sure2 && same && parse_agrees(text) == 1 &&
		    jv_equal(jv_copy(a), jv_parse(text)),
		    "jscan_parse_with: the same long string again is the same jv, equal to libjq's");
		jv_free(x);
		jv_free(y);
		jv_free(a);
		jv_free(b);
		for (iter = 0; iter < 100; iter++) {
			text[2] = (char)('a' + iter % 26);
			text[3] = (char)('a' + iter / 26);
			/* (strings of one length: each its own value) */
			a = jscan_parse_with(text, len, &sure1, &c);
			if (iter == 60)
				keep = jv_copy(a);
			if (!jv_equal(a, jv_parse(text)) ||
			    c.n > JSCAN_STRINGS || c.total > JSCAN_STRINGS_BYTES)
				over++;
		}
		/* the 40th newest of 100 is still there: the oldest went */
		text[2] = (char)('a' + 60 % 26);
		text[3] = (char)('a' + 60 / 26);
		a = jscan_parse_with(text, len, &sure1, &c);
		x = jv_array_get(jv_copy(a), 0);
		y = jv_array_get(jv_copy(keep), 0);
		ok(jv_identical(x, y), "jscan_parse_with: the oldest strings go first");
		jv_free(a);
		jv_free(keep);
		memset(text + 2, 'r', (3 << 20) - 8);
		memcpy(text + (3 << 20) - 6, "\"]", 3);
		len = strlen(text);
		for (iter = 0; iter < 10; iter++) {
			text[2] = (char)('a' + iter);
			jv_free(jscan_parse_with(text, len, &sure1, &c));
			if (c.n > JSCAN_STRINGS || c.total > JSCAN_STRINGS_BYTES)
				over++;
		}
		ok(over == 0 && c.n > 0, "jscan_parse_with: strings of one length each their own value; at most 64 strings and 16 MiB kept");
		jscan_strings_free(&c);
		ok(c.n == 0 && c.total == 0, "jscan_strings_free empties it");
	}
	{
		static const struct jscan_step p[] = { { "choices", 0 },
		    { NULL, 0 }, { "delta", 0 }, { "content", 0 } };
		static const struct jscan_step q[] = { { "a", 0 } };

		ok(path_is("{\"id\":\"x\",\"choices\":[{\"index\":0,\"delta\":"
		    "{\"content\":\"hi\"}}]}", p, 4, "\"hi\""),
		    "finds choices[0].delta.content");
		ok(path_is("{ \"choices\" : [ { \"delta\" : { \"x\":[1,{\"content\":2}],"
		    " \"content\" : \"a\\\"b\" } } ] }", p, 4, "\"a\\\"b\""),
		    "with whitespace, nesting and escaped quotes");
		ok(path_is("{\"n\":-1.5e-3,\"t\":true,\"z\":null,\"x\":[-2,3],"
		    "\"a\":\"v\"}", q, 1, "\"v\""),
		    "past negative numbers, exponents, true and null");
		ok(path_is("{\"a\":1,\"a\":2}", q, 1, NULL),
		    "a duplicate key on the path is not guessed");
		ok(path_is("{\"\\u0061\":1}", q, 1, NULL),
		    "an escaped key is not guessed");
		ok(path_is("{\"b\":\"a\",\"a\":[1,2]}", q, 1, "[1,2]"),
		    "a key inside a value is not the key");
		ok(path_is("{\"choices\":[]}", p, 4, NULL), "absent index");
	}
	return tap_end();
}
