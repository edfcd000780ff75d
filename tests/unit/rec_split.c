/* rec_split - unit test of lib/mock_record: each capture given is fed to
 * the recorder in pieces (one byte at a time, and cut in two at about 100
 * offsets), the recording is loaded back as llm-mock loads a capture, and
 * its frames must be the capture's own (mock_split_sse of the whole, or
 * its lines for NDJSON), byte for byte, in order. Also: files are 0600
 * and never overwritten, and the request file is written beside. TAP. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "jvx.h"
#include "mem.h"
#include "mock_capture.h"
#include "mock_record.h"

static char dir[] = "/tmp/rec_split.XXXXXX";

/* raw_frames reads a recording's "raw" fields into out (any bytes: also
 * streams of no known provider, which mock_capture_load refuses). */
static int
raw_frames(const char *path, struct emit_stream *out)
{
	FILE *f = fopen(path, "rb");
	char *line = NULL;
	size_t cap = 0, len;
	ssize_t r;
	jv v, raw;

	if (f == NULL)
		return -1;
	emit_stream_init(out, DIALECT_AUTO);
	while ((r = getline(&line, &cap, f)) > 0) {
		v = jvx_parse(line, (size_t)r);
		raw = jvx_get(v, "raw");
		if (jvx_str(raw, &len))
			emit_frame_add(out, jvx_str(raw, NULL), len, 0, 0);
		jv_free(raw);
		raw = jvx_get(v, "raw64");
		if (jvx_str(raw, &len)) {
			struct buf d;

			buf_init(&d, 0);
			buf_put_unbase64(&d, jvx_str(raw, NULL), len);
			emit_frame_add(out, d.p ? d.p : "", d.len, 0, 0);
			buf_free(&d);
		}
		jv_free(raw);
		jv_free(v);
	}
	free(line);
	fclose(f);
	return 0;
}

/* record s[0..n) cut at cuts[0..ncuts) (or bytewise) and load it back */
static int
roundtrip(const char *s, size_t n, int ndjson, const size_t *cuts,
    size_t ncuts, int bytewise, struct emit_stream *out, char *path,
    size_t plen)
{
	struct mock_rec *r;
	char err[512];
	size_t i, at = 0, to;

	r = mock_rec_new(dir, "m", ndjson, "{}\n", 3, err, sizeof err);
	if (r == NULL) {
		printf("# %s\n", err);
		return -1;
	}
	snprintf(path, plen, "%s", mock_rec_path(r));
	if (bytewise)
		for (i = 0; i < n; i++)
			mock_rec_bytes(r, s + i, 1, (double)i);
	else
		for (i = 0; i <= ncuts; i++) {
			to = i < ncuts ? cuts[i] : n;
			mock_rec_bytes(r, s + at, to - at, (double)i);
			at = to;
		}
	if (mock_rec_close(r, err, sizeof err) == -1) {
		printf("# %s\n", err);
		return -1;
	}
	if (!ndjson)
		return raw_frames(path, out);
	if (mock_capture_load(path, out, 0, err, sizeof err) == -1) {
		printf("# %s: %s\n", path, err);
		return -1;
	}
	return 0;
}

static int
same(const struct emit_stream *a, const struct emit_stream *b)
{
	size_t i;

	if (a->n != b->n || a->ndjson != b->ndjson) {
		printf("# %zu frames (ndjson %d) recorded, %zu (ndjson %d) "
		    "in the capture\n", b->n, b->ndjson, a->n, a->ndjson);
		return 0;
	}
	for (i = 0; i < a->n; i++)
		if (a->v[i].len != b->v[i].len ||
		    memcmp(a->v[i].p, b->v[i].p, a->v[i].len)) {
			printf("# frame %zu differs\n", i);
			return 0;
		}
	return 1;
}

int
main(int argc, char **argv)
{
	struct emit_stream want, got;
	struct stat st;
	struct buf b;
	char err[512], path[4200], rpath[4300];
	size_t n, i, cut, step;
	int t = 0, failed = 0, a, bad, k;
	FILE *f;
	char tmp[65536];

	mem_init();
	if (mkdtemp(dir) == NULL)
		return 1;
	for (a = 1; a < argc; a++) {
		buf_init(&b, 0);
		f = fopen(argv[a], "rb");
		while (f && (n = fread(tmp, 1, sizeof tmp, f)) > 0)
			buf_append(&b, tmp, n);
		if (f)
			fclose(f);
		n = b.len;
		/* what llm-mock replays: the file's SSE frames, or its lines
		 * for a provider's NDJSON (the recorder is told which) */
		if (mock_capture_load(argv[a], &want, 0, err, sizeof err) == -1
		    || !want.ndjson) {
			if (want.n)
				emit_stream_free(&want);
			emit_stream_init(&want, DIALECT_AUTO);
			mock_split_sse(&want, b.p ? b.p : "", n);
		}
		bad = 0;
		step = n / 100 + 1;
		for (cut = 0; cut <= n && !bad; cut += step) {
			if (roundtrip(b.p, n, want.ndjson, &cut, 1, 0, &got,
			    path, sizeof path) == -1)
				bad = 1;
			else {
				bad = !same(&want, &got);
				if (bad)
					printf("# cut at %zu\n", cut);
				emit_stream_free(&got);
			}
			unlink(path);
		}
		printf("%s %d - %s: recorded in two pieces, cut anywhere, "
		    "it loads back frame for frame\n", bad ? "not ok" : "ok",
		    ++t, argv[a]);
		failed += bad;
		bad = roundtrip(b.p, n, want.ndjson, NULL, 0, 1, &got, path,
		    sizeof path) == -1 || !same(&want, &got);
		if (!bad) {
			/* one byte per record time: the frame's time is its
			 * last byte's */
			for (i = 0, k = 0; i < got.n; i++)
				k += got.v[i].has_t;
			bad = want.ndjson && k != (int)got.n;
			emit_stream_free(&got);
		}
		printf("%s %d - %s: recorded one byte at a time, the same, "
		    "each frame with its time\n", bad ? "not ok" : "ok", ++t,
		    argv[a]);
		failed += bad;
		snprintf(rpath, sizeof rpath, "%.*s.request.json",
		    (int)(strlen(path) - 7), path);
		bad = stat(path, &st) == -1 || (st.st_mode & 0777) != 0600 ||
		    stat(rpath, &st) == -1 || (st.st_mode & 0777) != 0600;
		printf("%s %d - %s: the capture and its request, mode 0600\n",
		    bad ? "not ok" : "ok", ++t, argv[a]);
		failed += bad;
		unlink(path);
		unlink(rpath);
		emit_stream_free(&want);
		buf_free(&b);
	}
	rmdir(dir);
	printf("1..%d\n", t);
	return failed != 0;
}
