/* buf_check - unit test of lib/buf's encoders: base64 (RFC 4648's test
 * vectors, and bytes taken from the middle of a larger buffer, so that a
 * read past the end would show in the output), its decoder's round trip
 * and refusals, and percent-encoding. TAP. */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "mem.h"
#include "tap.h"

/* b64_is: base64 of p[0..n) is want */
static int
b64_is(const char *p, size_t n, const char *want)
{
	struct buf b;
	int r;

	buf_init(&b, 0);
	r = buf_put_base64(&b, p, n) == 0 && b.len == strlen(want) &&
	    (b.len == 0 || memcmp(b.p, want, b.len) == 0);
	if (!r)
		printf("# got '%.*s', want '%s'\n", (int)b.len,
		    b.p ? b.p : "", want);
	buf_free(&b);
	return r;
}

int
main(void)
{
	static const char *vec[][2] = { { "", "" }, { "f", "Zg==" },
	    { "fo", "Zm8=" }, { "foo", "Zm9v" }, { "foob", "Zm9vYg==" },
	    { "fooba", "Zm9vYmE=" }, { "foobar", "Zm9vYmFy" } };
	/* "\xff" then more bytes: the encoder is given only the first
	 * one or two of them */
	static const char tail[] = "\xff\xfe\xfd\xfc";
	char all[256];
	struct buf e, d;
	size_t i, n, bad = 0;

	mem_init();
	for (i = 0; i < sizeof vec / sizeof vec[0]; i++)
		ok(b64_is(vec[i][0], strlen(vec[i][0]), vec[i][1]),
		    vec[i][0][0] ? vec[i][0] : "(empty)");
	ok(b64_is(tail, 1, "/w=="),
	    "one byte of a longer buffer: the bytes after it are not read");
	ok(b64_is(tail, 2, "//4="),
	    "two bytes of a longer buffer: the byte after them is not read");
	for (i = 0; i < sizeof all; i++)
		all[i] = (char)i;
	for (n = 0; n <= sizeof all; n++) {
		buf_init(&e, 0);
		buf_init(&d, 0);
		if (buf_put_base64(&e, all, n) != 0 ||
		    buf_put_unbase64(&d, e.p ? e.p : "", e.len) != 0 ||
		    d.len != n || (n && memcmp(d.p, all, n) != 0))
			bad++;
		buf_free(&e);
		buf_free(&d);
	}
	ok(bad == 0, "every prefix of the 256 byte values round-trips");
	buf_init(&d, 0);
	ok(buf_put_unbase64(&d, "Zm9v!", 5) == -1 && d.len == 0,
	    "a character outside the alphabet: refused, nothing written");
	ok(buf_put_unbase64(&d, "Zm9", 3) == -1 && d.len == 0,
	    "a length that is no multiple of four: refused");
	buf_free(&d);
	buf_init(&e, 0);
	ok(buf_put_pct(&e, "a b/é~_.-") == 0 &&
	    strcmp(e.p, "a%20b%2F%C3%A9~_.-") == 0,
	    "percent-encoding: all but the unreserved characters, upper-case hex");
	buf_free(&e);
	return tap_end();
}
