/* bpe.c - rank tables and tiktoken's byte-pair merge (see bpe.h) */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bpe.h"

#define NO_RANK UINT32_MAX

size_t bpe_heap_from = 128;

static uint64_t
hash_bytes(const unsigned char *p, size_t n)
{
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ n;
	uint64_t w;

	while (n >= 8) {
		memcpy(&w, p, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
		p += 8;
		n -= 8;
	}
	w = 0;
	memcpy(&w, p, n);
	/* MurmurHash3's fmix64: every input bit reaches the low bits that
	 * pick the slot */
	h ^= w;
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	return h ^ (h >> 33);
}

long
bpe_rank(const struct bpe *b, const void *p, size_t n)
{
	uint64_t h = hash_bytes(p, n), i, s, probes;
	uint32_t r, tag = (uint32_t)(h >> 32);

	/* a mapped file is checked here, entry by entry, not all at once
	 * when mapped (bpe_map): a damaged entry is not a token, and the
	 * probe ends after every slot */
	for (i = h, probes = 0; probes <= b->mask; i++, probes++) {
		s = b->slot[i & b->mask];
		if (s == 0)
			return -1;
		if ((uint32_t)(s >> 32) != tag)
			continue;
		r = (uint32_t)s - 1;
		if (r < b->n && b->off[r + 1] >= b->off[r] &&
		    b->off[r + 1] <= b->nbytes &&
		    b->off[r + 1] - b->off[r] == n &&
		    memcmp(b->bytes + b->off[r], p, n) == 0)
			return r;
	}
	return -1;
}

const unsigned char *
bpe_token(const struct bpe *b, uint32_t r, size_t *len)
{
	if (r >= b->n || b->off[r + 1] <= b->off[r] ||
	    b->off[r + 1] > b->nbytes)
		return NULL;
	*len = b->off[r + 1] - b->off[r];
	return b->bytes + b->off[r];
}

void
bpe_free(struct bpe *b)
{
	if (b->map)
		munmap(b->map, b->maplen);
	else {
		free(b->bytes);
		free(b->off);
		free(b->slot);
	}
	memset(b, 0, sizeof *b);
}

/* the binary form: this header, off[n + 1], 4 zero bytes when n + 1 is
 * odd (slot[] is 8-byte aligned), slot[mask + 1], the bytes;
 * the version changes with hash_bytes or the layout */
struct bin_head {
	char magic[8];
	uint32_t order, version, n, mask, nbytes, pad;
};
#define BIN_MAGIC "LLMPBPE\n"
#define BIN_VERSION 3

int
bpe_save(const struct bpe *b, const char *path)
{
	struct bin_head h;
	FILE *f = fopen(path, "wb");
	int saved;

	if (!f)
		return -1;
	memset(&h, 0, sizeof h);
	memcpy(h.magic, BIN_MAGIC, 8);
	h.order = 0x01020304;
	h.version = BIN_VERSION;
	h.n = b->n;
	h.mask = b->mask;
	h.nbytes = b->off[b->n];
	if (fwrite(&h, sizeof h, 1, f) != 1 ||
	    fwrite(b->off, sizeof *b->off, (size_t)b->n + 1, f) != b->n + 1 ||
	    ((b->n + 1) % 2 && fwrite(&h.pad, 4, 1, f) != 1) ||
	    fwrite(b->slot, sizeof *b->slot, (size_t)b->mask + 1, f) !=
	    (size_t)b->mask + 1 ||
	    fwrite(b->bytes, 1, h.nbytes, f) != h.nbytes) {
		saved = errno;
		fclose(f);
		errno = saved;
		return -1;
	}
	return fclose(f) == EOF ? -1 : 0;
}

int
bpe_map(struct bpe *b, const char *path)
{
	struct stat st;
	struct bin_head h;
	unsigned char *m;
	size_t need;
	int fd, saved;

	memset(b, 0, sizeof *b);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	if (fstat(fd, &st) == -1) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	if ((size_t)st.st_size < sizeof h) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	saved = errno;
	close(fd);
	if (m == MAP_FAILED) {
		errno = saved;
		return -1;
	}
	b->map = m;
	b->maplen = (size_t)st.st_size;
	memcpy(&h, m, sizeof h);
	if (memcmp(h.magic, BIN_MAGIC, 8) != 0 || h.order != 0x01020304 ||
	    h.version != BIN_VERSION || h.n == 0 || h.n > (1u << 30) ||
	    (h.mask & (h.mask + 1)) != 0 || h.mask > (1u << 30))
		goto bad;
	need = sizeof h + ((size_t)h.n + 1 + (h.n + 1) % 2) * 4 +
	    ((size_t)h.mask + 1) * 8 + h.nbytes;
	if (need != (size_t)st.st_size)
		goto bad;
	b->n = h.n;
	b->mask = h.mask;
	b->off = (uint32_t *)(m + sizeof h);
	b->slot = (uint64_t *)(b->off + h.n + 1 + (h.n + 1) % 2);
	b->bytes = (unsigned char *)(b->slot + h.mask + 1);
	b->nbytes = h.nbytes;
	/* The sizes add up to the file's. The offsets and slots are checked
	 * where they are read (bpe_rank, bpe_token), not here: a scan of
	 * every one cost each stream-metrics run 7 million instructions
	 * and 10 ms before its first token, and faulted in the whole
	 * table. */
	if (b->off[0] != 0 || b->off[h.n] != h.nbytes)
		goto bad;
	return 0;
bad:
	bpe_free(b);
	errno = EINVAL;
	return -1;
}

static int
b64val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* b64dec decodes s[0..n) (padded base64) into out; returns the length or
 * -1 when it is not base64 */
static long
b64dec(const char *s, size_t n, unsigned char *out)
{
	size_t i, o = 0;
	uint32_t acc = 0;
	int bits = 0, v;

	while (n > 0 && s[n - 1] == '=')
		n--;
	for (i = 0; i < n; i++) {
		if ((v = b64val((unsigned char)s[i])) < 0)
			return -1;
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (unsigned char)(acc >> bits);
		}
	}
	return (long)o;
}

int
bpe_load_mem(struct bpe *b, const char *p, size_t n, long *line)
{
	const char *end = p + n, *q, *sp, *nl;
	size_t lines = 0, b64 = 0, used = 0, slots;
	unsigned long maxr = 0, r;
	long ln = 0, len;
	char *e;
	uint32_t *roff = NULL, *rlen = NULL, i;

	memset(b, 0, sizeof *b);
	/* first pass: how many tokens, how many bytes, the largest rank */
	for (q = p; q < end; q = nl + 1) {
		if (!(nl = memchr(q, '\n', (size_t)(end - q))))
			nl = end;
		ln++;
		if (nl == q)
			continue;
		sp = memchr(q, ' ', (size_t)(nl - q));
		errno = 0;
		r = sp ? strtoul(sp + 1, &e, 10) : 0;
		if (!sp || sp == q || e != nl || errno || r >= 0x7fffffffUL ||
		    sp[1] < '0' || sp[1] > '9') {
			*line = ln;
			errno = EINVAL;
			return -1;
		}
		if (r > maxr)
			maxr = r;
		lines++;
		b64 += (size_t)(sp - q);
	}
	if (lines == 0) {
		*line = 0;
		errno = EINVAL;
		return -1;
	}
	b->n = (uint32_t)maxr + 1;
	for (slots = 1024; slots < lines * 2; slots *= 2)
		;
	b->mask = (uint32_t)slots - 1;
	b->bytes = malloc(b64 / 4 * 3 + 3);
	b->off = malloc(((size_t)b->n + 1) * sizeof *b->off);
	b->slot = calloc(slots, sizeof *b->slot);
	roff = calloc(b->n, sizeof *roff);
	rlen = calloc(b->n, sizeof *rlen);
	if (!b->bytes || !b->off || !b->slot || !roff || !rlen)
		goto nomem;
	/* second pass: decode each token where it lands, note it by rank */
	ln = 0;
	for (q = p; q < end; q = nl + 1) {
		if (!(nl = memchr(q, '\n', (size_t)(end - q))))
			nl = end;
		ln++;
		if (nl == q)
			continue;
		sp = memchr(q, ' ', (size_t)(nl - q));
		r = strtoul(sp + 1, NULL, 10);
		len = b64dec(q, (size_t)(sp - q), b->bytes + used);
		if (len <= 0 || rlen[r] != 0) { /* bad base64, or a rank twice */
			*line = ln;
			errno = EINVAL;
			goto fail;
		}
		roff[r] = (uint32_t)used;
		rlen[r] = (uint32_t)len;
		used += (size_t)len;
	}
	/* lay the tokens out by rank, then index them */
	{
		unsigned char *sorted = malloc(used + 1);
		size_t o = 0;

		if (!sorted)
			goto nomem;
		for (i = 0; i < b->n; i++) {
			b->off[i] = (uint32_t)o;
			memcpy(sorted + o, b->bytes + roff[i], rlen[i]);
			o += rlen[i];
		}
		b->off[b->n] = (uint32_t)o;
		b->nbytes = (uint32_t)o;
		free(b->bytes);
		b->bytes = sorted;
	}
	for (i = 0; i < b->n; i++) {
		uint64_t h;

		if (rlen[i] == 0)
			continue;
		if (bpe_rank(b, b->bytes + b->off[i], rlen[i]) >= 0) {
			*line = 0; /* the same token under two ranks */
			errno = EINVAL;
			goto fail;
		}
		h = hash_bytes(b->bytes + b->off[i], rlen[i]);
		{
			uint64_t j = h;

			while (b->slot[j & b->mask])
				j++;
			b->slot[j & b->mask] = (h >> 32) << 32 | (i + 1);
		}
	}
	free(roff);
	free(rlen);
	return 0;
nomem:
	errno = ENOMEM;
fail:
	{
		int saved = errno;

		free(roff);
		free(rlen);
		bpe_free(b);
		errno = saved;
	}
	return -1;
}

int
bpe_load(struct bpe *b, const char *path, long *line)
{
	struct stat st;
	char *p;
	size_t got = 0;
	ssize_t k;
	int fd, rc, saved;

	*line = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	if (fstat(fd, &st) == -1 || st.st_size > (off_t)1 << 30) {
		saved = errno ? errno : EFBIG;
		close(fd);
		errno = saved;
		return -1;
	}
	if (!(p = malloc((size_t)st.st_size + 1))) {
		close(fd);
		errno = ENOMEM;
		return -1;
	}
	while (got < (size_t)st.st_size) {
		k = read(fd, p + got, (size_t)st.st_size - got);
		if (k == -1 && errno == EINTR)
			continue;
		if (k <= 0) {
			saved = k == 0 ? EIO : errno;
			free(p);
			close(fd);
			errno = saved;
			return -1;
		}
		got += (size_t)k;
	}
	close(fd);
	rc = bpe_load_mem(b, p, got, line);
	saved = errno;
	free(p);
	errno = saved;
	return rc;
}

void
bpe_work_free(struct bpe_work *w)
{
	free(w->mem);
	w->mem = NULL;
	w->cap = 0;
}

static int
work_grow(struct bpe_work *w, size_t need)
{
	void *m;

	if (w->cap >= need)
		return 0;
	if (need < 4096)
		need = 4096;
	if (!(m = malloc(need))) {
		errno = ENOMEM;
		return -1;
	}
	free(w->mem);
	w->mem = m;
	w->cap = need;
	return 0;
}

static uint32_t
rank_of(const struct bpe *b, const unsigned char *p, size_t n)
{
	long r = bpe_rank(b, p, n);

	return r < 0 ? NO_RANK : (uint32_t)r;
}

/* merge_short is tiktoken's byte_pair_merge: a list of parts, each with
 * the rank of it merged with the next, scanned for the lowest each time */
static long
merge_short(const struct bpe *b, const unsigned char *p, size_t n,
    uint32_t *out, struct bpe_work *w)
{
	uint32_t *start, *rank, minr;
	size_t len = n + 1, i, mi, k;

	if (work_grow(w, 2 * (n + 1) * sizeof(uint32_t)) == -1)
		return -1;
	start = w->mem;
	rank = start + n + 1;
	for (i = 0; i <= n; i++) {
		start[i] = (uint32_t)i;
		rank[i] = i + 2 <= n ? rank_of(b, p + i, 2) : NO_RANK;
	}
	for (;;) {
		minr = NO_RANK;
		mi = 0;
		for (i = 0; i + 1 < len; i++)
			if (rank[i] < minr) {
				minr = rank[i];
				mi = i;
			}
		if (minr == NO_RANK)
			break;
		/* part mi absorbs part mi+1: re-rank it and its left
		 * neighbour as they will be once mi+1 is gone */
		if (mi > 0)
			rank[mi - 1] = mi + 2 < len ? rank_of(b, p + start[mi - 1],
			    start[mi + 2] - start[mi - 1]) : NO_RANK;
		rank[mi] = mi + 3 < len ? rank_of(b, p + start[mi],
		    start[mi + 3] - start[mi]) : NO_RANK;
		memmove(start + mi + 1, start + mi + 2,
		    (len - mi - 2) * sizeof *start);
		memmove(rank + mi + 1, rank + mi + 2,
		    (len - mi - 2) * sizeof *rank);
		len--;
	}
	for (i = 0, k = 0; i + 1 < len; i++) {
		if ((out[k] = rank_of(b, p + start[i],
		    start[i + 1] - start[i])) == NO_RANK) {
			errno = EINVAL;
			return -1;
		}
		k++;
	}
	return (long)k;
}

/* a heap entry: the pair starting at byte pos has this rank, valid while
 * the part at pos still has version ver */
struct hent {
	uint32_t rank, pos, ver;
};

static int
hless(const struct hent *a, const struct hent *b)
{
	return a->rank < b->rank || (a->rank == b->rank && a->pos < b->pos);
}

static void
hpush(struct hent *h, size_t *hn, struct hent e)
{
	size_t i = (*hn)++, up;

	while (i > 0 && hless(&e, &h[up = (i - 1) / 2])) {
		h[i] = h[up];
		i = up;
	}
	h[i] = e;
}

static struct hent
hpop(struct hent *h, size_t *hn)
{
	struct hent top = h[0], last = h[--*hn];
	size_t i = 0, c, n = *hn;

	for (;;) {
		c = 2 * i + 1;
		if (c >= n)
			break;
		if (c + 1 < n && hless(&h[c + 1], &h[c]))
			c++;
		if (!hless(&h[c], &last))
			break;
		h[i] = h[c];
		i = c;
	}
	if (n > 0)
		h[i] = last;
	return top;
}

/* merge_long: the same merges in the same order (lowest rank, leftmost
 * first), parts in a linked list and candidate pairs in a heap */
static long
merge_long(const struct bpe *b, const unsigned char *p, size_t n,
    uint32_t *out, struct bpe_work *w)
{
	uint32_t *next, *prev, *ver, r, k, nx, pr;
	struct hent *h, e;
	size_t hn = 0, i, cnt = 0;

	/* at most n initial pairs and two more per merge (n - 1 merges) */
	if (work_grow(w, 3 * (n + 1) * sizeof(uint32_t) +
	    3 * (n + 1) * sizeof(struct hent)) == -1)
		return -1;
	next = w->mem;
	prev = next + n + 1;
	ver = prev + n + 1;
	h = (struct hent *)(ver + n + 1);
	for (i = 0; i < n; i++) {
		next[i] = (uint32_t)i + 1;
		prev[i] = (uint32_t)i - 1; /* UINT32_MAX for the first */
		ver[i] = 0;
		if (i + 1 < n && (r = rank_of(b, p + i, 2)) != NO_RANK)
			hpush(h, &hn, (struct hent){ r, (uint32_t)i, 0 });
	}
	while (hn > 0) {
		e = hpop(h, &hn);
		k = e.pos;
		if (ver[k] != e.ver)
			continue; /* stale: the part changed or went */
		nx = next[k];
		next[k] = next[nx];
		if (next[k] < n)
			prev[next[k]] = k;
		ver[nx] = UINT32_MAX; /* gone */
		ver[k]++;
		if (next[k] < n && (r = rank_of(b, p + k,
		    next[next[k]] - k)) != NO_RANK)
			hpush(h, &hn, (struct hent){ r, k, ver[k] });
		if ((pr = prev[k]) != UINT32_MAX) {
			ver[pr]++;
			if ((r = rank_of(b, p + pr, next[k] - pr)) != NO_RANK)
				hpush(h, &hn, (struct hent){ r, pr, ver[pr] });
		}
	}
	for (k = 0; k < n; k = next[k]) {
		if ((out[cnt] = rank_of(b, p + k, next[k] - k)) == NO_RANK) {
			errno = EINVAL;
			return -1;
		}
		cnt++;
	}
	return (long)cnt;
}

long
bpe_encode(const struct bpe *b, const unsigned char *p, size_t n,
    uint32_t *out, struct bpe_work *w)
{
	long r;

	if (n == 0)
		return 0;
	if ((r = bpe_rank(b, p, n)) >= 0) {
		out[0] = (uint32_t)r;
		return 1;
	}
	if (n == 1) {
		errno = EINVAL;
		return -1;
	}
	if (n >= bpe_heap_from)
		return merge_long(b, p, n, out, w);
	return merge_short(b, p, n, out, w);
}
