/* tok_check - unit test of lib/tok and lib/bpe. TAP.
 *   tok_check FILE...  each file encoded whole, fed in slices of 1 to 7
 *                      bytes, one byte at a time, and with every piece
 *                      merged by the heap (bpe_heap_from 2): the same ids;
 *                      and the model table
 *   tok_check cn       prints (not TAP) the code points PCRE2's tables
 *                      hold unassigned (\p{Cn}), one hex number a line */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bpe.h"
#include "buf.h"
#include "mem.h"
#include "tok.h"

static int n_test, n_fail;

static void
ok(int cond, const char *what, const char *arg)
{
	n_test++;
	if (!cond)
		n_fail++;
	printf("%sok %d - %s%s%s\n", cond ? "" : "not ", n_test, what,
	    arg ? ": " : "", arg ? arg : "");
}

static int
collect(void *ctx, const uint32_t *ids, size_t n)
{
	struct buf *b = ctx;
	size_t i;

	for (i = 0; i < n; i++)
		buf_printf(b, "%u ", ids[i]);
	return 0;
}

/* encode p[0..n) fed in slices: step 0 whole, >0 fixed, <0 random 1..7 */
static void
encode(struct tok_enc *e, const char *p, size_t n, long step, struct buf *out)
{
	struct tok_stream *s = tok_stream_new(e, 0, collect, out);
	size_t i = 0, k;

	buf_reset(out);
	while (i < n) {
		k = step == 0 ? n - i : step > 0 ? (size_t)step :
		    (size_t)(1 + rand() % 7);
		if (k > n - i)
			k = n - i;
		if (tok_stream_write(s, p + i, k) != 0)
			break;
		i += k;
	}
	tok_stream_finish(s);
	tok_stream_free(s);
}

static char *
slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	struct buf b;
	char blk[65536];
	size_t k;

	buf_init(&b, (size_t)256 << 20);
	if (!f)
		return NULL;
	while ((k = fread(blk, 1, sizeof blk, f)) > 0)
		buf_append(&b, blk, k);
	fclose(f);
	*n = b.len;
	return b.p ? b.p : xstrdup("");
}

static void
print_cn(void)
{
	int ec;
	PCRE2_SIZE eo;
	pcre2_code *re = pcre2_compile((PCRE2_SPTR) "^\\p{Cn}$",
	    PCRE2_ZERO_TERMINATED, PCRE2_UTF | PCRE2_UCP, &ec, &eo, NULL);
	pcre2_match_data *md = pcre2_match_data_create(4, NULL);
	unsigned char u[4];
	uint32_t cp;
	size_t n;

	for (cp = 0; cp <= 0x10ffff; cp++) {
		if (cp >= 0xd800 && cp <= 0xdfff)
			continue;
		if (cp < 0x80) {
			u[0] = (unsigned char)cp;
			n = 1;
		} else if (cp < 0x800) {
			u[0] = (unsigned char)(0xc0 | cp >> 6);
			u[1] = (unsigned char)(0x80 | (cp & 0x3f));
			n = 2;
		} else if (cp < 0x10000) {
			u[0] = (unsigned char)(0xe0 | cp >> 12);
			u[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
			u[2] = (unsigned char)(0x80 | (cp & 0x3f));
			n = 3;
		} else {
			u[0] = (unsigned char)(0xf0 | cp >> 18);
			u[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
			u[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
			u[3] = (unsigned char)(0x80 | (cp & 0x3f));
			n = 4;
		}
		if (pcre2_match(re, u, n, 0, 0, md, NULL) > 0)
			printf("%x\n", (unsigned)cp);
	}
	pcre2_match_data_free(md);
	pcre2_code_free(re);
}

/* damaged: a mapped rank file whose slots and offsets are damaged reads
 * as no token, never out of the mapping nor probing forever (bpe_map
 * checks only the header and sizes; ASan and valgrind watch the reads) */
static void
damaged(void)
{
	static const char ranks[] = "YQ== 0\nYg== 1\nYWI= 2\n";
	char path[] = "/tmp/tok_check.XXXXXX";
	struct bpe b;
	uint32_t h[8], n, mask, i;
	size_t len, slots;
	long line = 0;
	FILE *f;
	int fd = mkstemp(path);

	ok(fd != -1 && bpe_load_mem(&b, ranks, sizeof ranks - 1, &line) == 0 &&
	    bpe_save(&b, path) == 0, "a small rank file saved", NULL);
	bpe_free(&b);
	if (fd == -1)
		return;
	close(fd);
	f = fopen(path, "r+b");
	if (!f || fread(h, sizeof h, 1, f) != 1) {
		ok(0, "read back", path);
		return;
	}
	n = h[4]; /* after the magic, order and version */
	mask = h[5];
	/* off[1] far past the bytes; every slot full, naming no rank */
	slots = sizeof h + ((size_t)n + 1 + (n + 1) % 2) * 4;
	fseek(f, (long)(sizeof h + 4), SEEK_SET);
	i = 1u << 30;
	fwrite(&i, 4, 1, f);
	fseek(f, (long)slots, SEEK_SET);
	for (i = 0; i <= mask; i++) {
		uint64_t v = (uint64_t)i << 32 | (n + 7);

		fwrite(&v, 8, 1, f);
	}
	fclose(f);
	ok(bpe_map(&b, path) == 0, "a damaged entry does not stop the mapping",
	    NULL);
	ok(bpe_rank(&b, "a", 1) == -1 && bpe_rank(&b, "ab", 2) == -1 &&
	    bpe_rank(&b, "zz", 2) == -1, "damaged slots read as no token",
	    NULL);
	ok(bpe_token(&b, 0, &len) == NULL && bpe_token(&b, n + 7, &len) ==
	    NULL, "a damaged offset reads as no token", NULL);
	bpe_free(&b);
	unlink(path);
}

int
main(int argc, char *argv[])
{
	static const char *const encs[] = { "o200k_base", "cl100k_base" };
	struct buf whole, other;
	char why[4200], *p;
	size_t n, e;
	int i;

	if (argc == 2 && strcmp(argv[1], "cn") == 0) {
		print_cn();
		return 0;
	}
	buf_init(&whole, (size_t)512 << 20);
	buf_init(&other, (size_t)512 << 20);
	srand(1);
	for (e = 0; e < 2; e++) {
		struct tok_enc *enc = tok_open(encs[e], why, sizeof why);

		ok(enc != NULL, "tok_open", enc ? encs[e] : why);
		if (!enc)
			continue;
		for (i = 1; i < argc; i++) {
			if (!(p = slurp(argv[i], &n))) {
				ok(0, "read", argv[i]);
				continue;
			}
			bpe_heap_from = 128;
			encode(enc, p, n, 0, &whole);
			encode(enc, p, n, -1, &other);
			ok(strcmp(whole.p, other.p) == 0,
			    "random slices give the ids of the whole", argv[i]);
			if (n < 200000) {
				encode(enc, p, n, 1, &other);
				ok(strcmp(whole.p, other.p) == 0,
				    "byte by byte gives the ids of the whole",
				    argv[i]);
			}
			bpe_heap_from = 2;
			encode(enc, p, n, 0, &other);
			ok(strcmp(whole.p, other.p) == 0,
			    "heap merges give the list merges' ids", argv[i]);
			bpe_heap_from = 128;
			free(p);
		}
		tok_close(enc);
	}
	ok(strcmp(tok_model_encoding("gpt-4o") ?: "", "o200k_base") == 0 &&
	    strcmp(tok_model_encoding("gpt-4o-mini-2024-07-18") ?: "",
	    "o200k_base") == 0 &&
	    strcmp(tok_model_encoding("o3-mini") ?: "", "o200k_base") == 0 &&
	    strcmp(tok_model_encoding("gpt-5") ?: "", "o200k_base") == 0 &&
	    strcmp(tok_model_encoding("gpt-4") ?: "", "cl100k_base") == 0 &&
	    strcmp(tok_model_encoding("gpt-4-0613") ?: "", "cl100k_base") == 0 &&
	    strcmp(tok_model_encoding("text-embedding-3-small") ?: "",
	    "cl100k_base") == 0 &&
	    tok_model_encoding("gpt-4ox") == NULL &&
	    tok_model_encoding("claude-3-5-sonnet") == NULL &&
	    tok_model_encoding("text-davinci-003") == NULL,
	    "model table", NULL);
	damaged();
	buf_free(&whole);
	buf_free(&other);
	printf("1..%d\n", n_test);
	return n_fail != 0;
}
