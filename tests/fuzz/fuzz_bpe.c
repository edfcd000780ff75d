/* fuzz_bpe - lib/bpe's merge held equal to a reference BPE written from
 * the published algorithm (repeatedly merge the adjacent pair whose
 * concatenation has the lowest rank, leftmost first, on lists of byte
 * strings, in O(n^2) per merge), both ways (list and heap), on the first
 * 300 bytes of the input as one piece of o200k_base; and lib/tok's stream
 * equal whether the input comes whole or cut at an offset the input
 * chooses. The rank files are read from LLMPIPE_DATA_DIR, else the build
 * tree (make all first). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpe.h"
#include "tok.h"

static struct tok_enc *enc;
static struct bpe ranks;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char why[4200], dir[4096], path[4200];
	long line;

	(void)argc;
	(void)argv;
	if (!getenv("LLMPIPE_DATA_DIR"))
		setenv("LLMPIPE_DATA_DIR", "build/share/llmpipe", 1);
	if (!(enc = tok_open("o200k_base", why, sizeof why))) {
		fprintf(stderr, "fuzz_bpe: %s\n", why);
		abort();
	}
	tok_data_dir(dir, sizeof dir);
	snprintf(path, sizeof path, "%s/o200k_base.tiktoken", dir);
	if (bpe_load(&ranks, path, &line) == -1) {
		fprintf(stderr, "fuzz_bpe: %s: cannot load\n", path);
		abort();
	}
	return 0;
}

/* the reference: parts as (start, length), merged by the lowest rank */
static size_t
reference(const unsigned char *p, size_t n, uint32_t *out)
{
	size_t start[320], len[320], parts = n, i, best;
	long r, bestr;

	for (i = 0; i < n; i++) {
		start[i] = i;
		len[i] = 1;
	}
	for (;;) {
		bestr = -1;
		best = 0;
		for (i = 0; i + 1 < parts; i++) {
			r = bpe_rank(&ranks, p + start[i], len[i] + len[i + 1]);
			if (r >= 0 && (bestr < 0 || r < bestr)) {
				bestr = r;
				best = i;
			}
		}
		if (bestr < 0)
			break;
		len[best] += len[best + 1];
		memmove(start + best + 1, start + best + 2,
		    (parts - best - 2) * sizeof *start);
		memmove(len + best + 1, len + best + 2,
		    (parts - best - 2) * sizeof *len);
		parts--;
	}
	for (i = 0; i < parts; i++) {
		r = bpe_rank(&ranks, p + start[i], len[i]);
		if (r < 0)
			abort(); /* every byte is a token */
		out[i] = (uint32_t)r;
	}
	return parts;
}

struct ids {
	uint32_t *v;
	size_t n, cap;
};

static int
collect(void *ctx, const uint32_t *ids, size_t n)
{
	struct ids *a = ctx;

	if (a->n + n > a->cap) {
		a->cap = (a->n + n) * 2;
		if (!(a->v = realloc(a->v, a->cap * sizeof *a->v)))
			abort();
	}
	memcpy(a->v + a->n, ids, n * sizeof *ids);
	a->n += n;
	return 0;
}

static void
stream(const unsigned char *p, size_t n, size_t cut, struct ids *a)
{
	struct tok_stream *s = tok_stream_new(enc, 0, collect, a);

	if (!s || tok_stream_write(s, p, cut) != 0 ||
	    tok_stream_write(s, p + cut, n - cut) != 0 ||
	    tok_stream_finish(s) != 0)
		abort();
	tok_stream_free(s);
}

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	uint32_t want[320], got[320];
	size_t n = size < 300 ? size : 300, k;
	long m;
	struct bpe_work w = { 0 };
	struct ids a = { 0 }, b = { 0 };

	if (n > 0) {
		k = reference(data, n, want);
		bpe_heap_from = 128;
		m = bpe_encode(&ranks, data, n, got, &w);
		if (m != (long)k || memcmp(got, want, k * sizeof *got) != 0)
			abort();
		bpe_heap_from = 2;
		m = bpe_encode(&ranks, data, n, got, &w);
		bpe_heap_from = 128;
		if (m != (long)k || memcmp(got, want, k * sizeof *got) != 0)
			abort();
		bpe_work_free(&w);
	}
	stream(data, size, 0, &a);
	stream(data, size, size ? data[0] % (size + 1) : 0, &b);
	if (a.n != b.n || (a.n && memcmp(a.v, b.v, a.n * sizeof *a.v) != 0))
		abort();
	free(a.v);
	free(b.v);
	return 0;
}
