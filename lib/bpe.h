/* bpe.h - byte-pair encoding over a rank table, as tiktoken does it
 *
 * A rank table maps byte strings (tokens) to ranks (token ids). Encoding
 * one pre-tokenized piece repeatedly merges the adjacent pair of parts
 * whose concatenation has the lowest rank, the leftmost on a tie, starting
 * from single bytes, until no pair is a token (tiktoken's byte_pair_merge).
 * The table is read from tiktoken's .tiktoken format: one token a line,
 * "BASE64 RANK". Nothing here prints or exits; failures are return values
 * with errno set. */
#ifndef LLMPIPE_BPE_H
#define LLMPIPE_BPE_H

#include <stddef.h>
#include <stdint.h>

/* A loaded rank table. It owns all its arrays; free with bpe_free. */
struct bpe {
	unsigned char *bytes; /* every token's bytes, by rank */
	uint32_t *off;        /* rank r is bytes[off[r] .. off[r + 1]) */
	uint32_t n;           /* ranks 0 .. n-1 (a gap has length 0) */
	uint64_t *slot;       /* open-addressing hash: rank + 1 in the low
			       * half (0 empty), the key's hash >> 32 in
			       * the high half, so most misses read no more */
	uint32_t mask;        /* slot count - 1 */
	uint32_t nbytes;      /* the size of bytes[] */
	void *map;            /* when mapped by bpe_map: the mapping */
	size_t maplen;
};

/* bpe_load reads a .tiktoken file into b. Returns 0, or -1 with errno set
 * (ENOENT etc. from open/read, EINVAL for a malformed line: *line then
 * says which, ENOMEM). On failure b holds nothing to free. */
int bpe_load(struct bpe *b, const char *path, long *line);

/* bpe_load_mem is bpe_load on the text p[0..n) (borrowed). */
int bpe_load_mem(struct bpe *b, const char *p, size_t n, long *line);

/* bpe_save writes b in the binary form bpe_map reads: the arrays as they
 * are in memory (this machine's byte order, this hash), so that loading
 * is one mmap. Returns 0, or -1 with errno set. */
int bpe_save(const struct bpe *b, const char *path);

/* bpe_map maps a file written by bpe_save, after checking its header
 * and sizes (EINVAL when they are wrong); a damaged entry inside is
 * never a crash nor an endless probe: it reads as no token.
 * Returns 0, or -1 with errno set; b then holds nothing. */
int bpe_map(struct bpe *b, const char *path);

/* bpe_free releases what b owns; b may then be loaded again. */
void bpe_free(struct bpe *b);

/* bpe_rank returns the rank of the n bytes at p, or -1 if not a token. */
long bpe_rank(const struct bpe *b, const void *p, size_t n);

/* bpe_token returns rank r's bytes (borrowed from b) and sets *len, or
 * returns NULL when r is not a rank of b. */
const unsigned char *bpe_token(const struct bpe *b, uint32_t r, size_t *len);

/* Scratch memory for bpe_encode, owned by the caller: zero it before the
 * first use, release with bpe_work_free. It grows with the longest piece
 * seen, and is reused. */
struct bpe_work {
	void *mem;
	size_t cap;
};
void bpe_work_free(struct bpe_work *w);

/* bpe_encode writes the ranks of the n-byte piece p into out, which must
 * have room for n ranks (a piece never has more tokens than bytes), and
 * returns their number; -1 with errno ENOMEM when w cannot grow, EINVAL
 * when a byte has no rank (not so in tiktoken's tables). Pieces longer
 * than bpe_heap_from bytes are merged with a heap, in O(n log n) rather
 * than O(n^2), to the same result. */
long bpe_encode(const struct bpe *b, const unsigned char *p, size_t n,
    uint32_t *out, struct bpe_work *w);

/* bpe_heap_from is the piece length from which bpe_encode uses the heap
 * (default 128); tests lower it to check both ways agree. */
extern size_t bpe_heap_from;

#endif
