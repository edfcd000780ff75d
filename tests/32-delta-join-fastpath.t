#!/usr/bin/env bash
# delta-join's fast path (a template of the previous text chunk, applied
# without libjq) is held equal to the full path: every real capture, the
# hand-written edge cases in tests/delta-join-fast and a few hundred random
# generated streams give the same output and status in every mode with
# LLMPIPE_NO_FASTPATH=1 and without it.
source "$(dirname "$0")/lib.sh"
files=("$FIX"/real/*/*.sse "$FIX"/real/*/*.ndjson "$TOP"/tests/delta-join-fast/*.sse)
# random streams per dialect: 150, or 15 under valgrind (4 runs each per mode)
nrand=150
[ "${VALGRIND:-}" = 1 ] && nrand=15
if command -v node >/dev/null 2>&1; then
	for kind in openai-chat anthropic; do
		node "$TOP/tests/gen/gen-streams.mjs" "$kind" 7 "$nrand" "$T/gen-$kind" &&
		    files+=("$T/gen-$kind"/*.sse)
	done
fi
for mode in "" -j -n -e -T -r; do
	bad=0 first=""
	for f in "${files[@]}"; do
		"$BIN/delta-join" $mode "$f" >"$T/fast" 2>"$T/fast.err"; a=$?
		LLMPIPE_NO_FASTPATH=1 "$BIN/delta-join" $mode "$f" >"$T/slow" 2>"$T/slow.err"; b=$?
		if [ "$a" != "$b" ] || ! cmp -s "$T/fast" "$T/slow" || ! cmp -s "$T/fast.err" "$T/slow.err"; then
			bad=$((bad + 1)); [ -z "$first" ] && first=$f
		fi
	done
	is "$bad${first:+ (first: $first)}" 0 "delta-join ${mode:-(text)}: fast path equals the full path on ${#files[@]} streams"
done
# the edge cases really take both paths: the template is used
"$BIN/delta-join" "$TOP/tests/delta-join-fast/chat-edge.sse" >"$T/out" 2>/dev/null
is "$(cat "$T/out")" "$(printf 'Hello wor"ld\xc3\xa9\xf0\x9f\x98\x80\nabad \xef\xbf\xbd utf8lone \xef\xbf\xbdafter errorsxyztypedtail')" "edge cases: the text as jv reads it (escapes decoded, bad bytes replaced, rejected chunks skipped, a lone surrogate read as U+FFFD)"
done_testing
