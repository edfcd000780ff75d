#!/usr/bin/env bash
# sse-decode: spec conformance goldens, real captures, streaming, bad input.
source "$(dirname "$0")/lib.sh"

golden "$TOP/tests/sse-decode" sse-decode

# Every real capture decodes without error, and the sse-decode NDJSON of a
# capture read back by the event reader gives the same events (-j round trip).
for f in "$FIX"/real/*/*.sse; do
	name=${f#"$FIX"/real/}
	run sse-decode "$f" >"$T/dec" 2>"$T/err"
	st=$?
	if [ "$st" = 0 ] && [ ! -s "$T/err" ] && [ -s "$T/dec" ] &&
	    jq -e . "$T/dec" >/dev/null 2>&1; then
		pass "real capture $name decodes to valid NDJSON"
	else
		fail "real capture $name decodes to valid NDJSON" "status $st: $(head -c 300 "$T/err")"
	fi
done

# -t timestamps: monotonic, non-negative, microsecond resolution
printf 'data: a\n\ndata: b\n\n' | run sse-decode -t >"$T/t"
if jq -e 'select((.t|type) != "number" or .t < 0)' "$T/t" >/dev/null 2>&1 ||
    ! grep -qE '"t":[0-9]+\.[0-9]{6}\}' "$T/t"; then
	fail "-t adds t as seconds with 6 decimals" "$(cat "$T/t")"
else
	pass "-t adds t as seconds with 6 decimals"
fi

# Streaming: each event comes out while the writer still holds the pipe open.
streams_before_eof sse-decode -- 'data: first\n\n' '"first"'
streams_before_eof sse-decode -c -- ': ping\n\n' '"comment"'

# Reader goes away: sse-decode ends quietly (SIGPIPE, as cat does).
yes 'data: x
' | head -c 20000000 >"$T/many.sse"
( set -o pipefail; run sse-decode "$T/many.sse" 2>"$T/err" | head -c 10 >/dev/null )
st=$?
is "$( [ "$st" = 141 ] || [ "$st" = 0 ] && echo quiet)" quiet "| head: ends by SIGPIPE (status $st)"
is "$(cat "$T/err")" "" "| head: nothing on stderr"

# Write errors are reported with exit 1.
printf 'data: x\n\n' | run sse-decode >/dev/full 2>"$T/err"
is "$?" 1 "> /dev/full: exit 1"
grep -q '^sse-decode: write error: No space left on device$' "$T/err"
ok $? "> /dev/full: 'sse-decode: write error: ...' on stderr"

# Bad input never crashes.
run sse-decode </dev/null >"$T/out" 2>"$T/err"
is "$?:$(cat "$T/out" "$T/err")" "0:" "< /dev/null: no output, exit 0"
head -c 100000000 /dev/zero | tr '\0' 'x' >"$T/noline"
/usr/bin/time -f %M -o "$T/rss" "$BIN/sse-decode" "$T/noline" >"$T/out" 2>"$T/err"
st=$?
is "$st" 1 "100 MB without a newline: exit 1"
grep -q 'event larger than the 67108864-byte limit' "$T/err"
ok $? "100 MB without a newline: clear error ($(cat "$T/err"))"
rss=$(tail -n 1 "$T/rss")
# peak RSS means something only on the plain build, not under a sanitizer
# or valgrind, whose own memory it would be
if rss_meaningful; then
	[ "$rss" -lt 200000 ]
	ok $? "100 MB without a newline: memory stays near the 64 MiB cap (${rss} KiB)"
else
	pass "# SKIP 100 MB without a newline: peak RSS not measured on this build"
fi
head -c 3000000 /dev/urandom >"$T/binary"
run sse-decode "$T/binary" >"$T/out" 2>"$T/err"
st=$?
if [ "$st" -le 3 ] && jq -e . "$T/out" >/dev/null 2>&1; then
	pass "random binary input: valid JSON out, controlled status $st"
else
	fail "random binary input: valid JSON out, controlled status $st"
fi
yes 'data:' | head -n 1000000 >"$T/emptydata"
printf '\n' >>"$T/emptydata"
run sse-decode "$T/emptydata" >"$T/out" 2>"$T/err"
is "$?:$(wc -l <"$T/out")" "0:1" "a million empty data lines: one event"
printf 'data: a\rdata: b\r\rdata: \0\r\r' | run sse-decode >"$T/out"
is "$(jq -c .data "$T/out" | tr '\n' ' ')" '"a\nb" "\u0000" ' "lone CRs and NUL bytes"

# --help lists every long option the man page documents
if [ -e "$TOP/man/sse-decode.1" ]; then
	run sse-decode --help >"$T/help"
	missing=""
	for o in $(grep -oE '^\.Fl \-[a-z-]+|^\.It Fl [a-zA-Z] , Fl \-[a-z-]+|Fl \-[a-z-]+' "$TOP/man/sse-decode.1" | grep -oE '\-[a-z-]+$' | sort -u); do
		grep -q -- "-$o" "$T/help" || missing="$missing $o"
	done
	is "$missing" "" "--help lists every option in sse-decode(1)"
fi
run sse-decode --version | grep -qE '^sse-decode \(llmpipe\) [0-9]'
ok $? "--version"

# '-' is stdin, also between files
printf 'data: s\n\n' | run sse-decode "$T/noline" - 2>/dev/null | tail -n 1 >"$T/out"
is "$(cat "$T/out")" '{"event":"message","data":"s"}' "'-' reads stdin, after a file"
printf 'data: s\n\n' | run sse-decode - >"$T/out"
is "$?:$(cat "$T/out")" '0:{"event":"message","data":"s"}' "'-' alone reads stdin"

# SIGINT: the events already read are out, the cut one is not; exit 130
interrupt sse-decode -- 'data: a\n\ndata: b\n\ndata: c'
is "$INT_STATUS:$(cat "$T/int_out")" '130:{"event":"message","data":"a"}
{"event":"message","data":"b"}' "SIGINT: the dispatched events are out, exit 130"

done_testing
