#!/bin/bash
# Bad input table: every stream-reading tool against every hostile input in
# tests/bad (the large ones generated on the fly by tests/bad/gen). For each
# (tool, input): the exit status and a stderr line from the common table,
# and never a crash (status >= 128, a sanitizer or valgrind report), a hang
# (timeout) or memory past the tool's cap (peak RSS, plain build only).
# Rows marked TODO are known bugs in files owned by others (tests/bad/README.md).
. "$(dirname "$0")/lib.sh"
BAD=$TOP/tests/bad
LIMIT=${BAD_TIMEOUT:-120}
vg=0
[ "${VALGRIND:-}" = 1 ] && vg=1

# Under valgrind the 100 MB line costs minutes: 70 MB is still past the cap.
if [ $vg = 1 ]; then export NO_NEWLINE_MB=70; fi
"$BAD/gen" "$T/gen" || { echo "Bail out! tests/bad/gen failed"; exit 1; }

# todo COND NAME REASON: a TAP TODO test (a known bug reported to its owner);
# it does not fail the suite, and says so when it starts to pass.
todo() {
	_n=$((_n + 1))
	if [ "$1" = 0 ]; then echo "ok $_n - $2 # TODO $3"
	else echo "not ok $_n - $2 # TODO $3"; fi
}

# tool KEY: the command line of a table column
tool() {
	case $1 in
	sd) echo "sse-decode" ;;
	sdj) echo "sse-decode -j" ;;
	dj) echo "delta-join" ;;
	djj) echo "delta-join --json" ;;
	sm) echo "stream-metrics -q" ;;
	esac
}

input() { # input NAME: path of a committed or generated input
	if [ -e "$BAD/$1" ]; then echo "$BAD/$1"; else echo "$T/gen/$1"; fi
}

crashed() { # crashed STATUS ERRFILE: 0 when the run crashed or hung
	[ "$1" -ge 124 ] && [ "$1" != 130 ] && return 0
	[ "$1" = 99 ] && [ $vg = 1 ] && return 0 # valgrind --error-exitcode
	grep -qE 'runtime error|Sanitizer|^==[0-9]+==' "$2"
}

# runt TOOL ARGS...: run (tests/lib.sh) under a timeout
runt() {
	local t=$1; shift
	if [ $vg = 1 ]; then
		timeout "$LIMIT" valgrind -q --error-exitcode=99 --leak-check=full \
		    --errors-for-leak-kinds=definite "$BIN/$t" "$@"
	else
		timeout "$LIMIT" "$BIN/$t" "$@"
	fi
}

# errmatch REGEX: a line of stderr matches; the empty REGEX: stderr is empty
errmatch() {
	if [ -z "$1" ]; then [ ! -s "$T/err" ]; else grep -qE -- "$1" "$T/err"; fi
}

# row INPUT KEY STATUS STDERR-REGEX [TODO-REASON]: runs the tool on the
# input (as a file argument), then checks status, stderr and no crash.
row() {
	local in=$1 key=$2 want=$3 re=$4 why=${5:-} f st name cmd
	f=$(input "$in")
	cmd=$(tool "$key")
	name="$cmd < $in"
	# shellcheck disable=SC2086
	runt $cmd "$f" >"$T/out" 2>"$T/err"
	st=$?
	if [ -n "$why" ]; then
		crashed "$st" "$T/err"; [ $? = 0 ] && c=1 || c=0
		todo "$c" "$name: no crash (status $st)" "$why"
		[ "$st" = "$want" ]; todo $? "$name: exit status $want" "$why"
		errmatch "$re"; todo $? "$name: stderr /${re:-^\$}/" "$why"
		return
	fi
	if crashed "$st" "$T/err"; then
		fail "$name: no crash (status $st)" "$(head -n 8 "$T/err")"
	else
		pass "$name: no crash"
	fi
	is "$st" "$want" "$name: exit status"
	if errmatch "$re"; then
		pass "$name: stderr /${re:-^\$}/"
	else
		fail "$name: stderr /${re:-^\$}/" "got: $(head -c 400 "$T/err")"
	fi
}

# rss INPUT TOOL MAX_KB [ARGS...]: peak RSS of the tool reading the input
# from a pipe (no mmap, no size hint) stays under MAX_KB.
rss() {
	local in=$1 cmd=$2 max=$3 f kb; shift 3
	f=$(input "$in")
	if ! rss_meaningful; then
		pass "# SKIP peak RSS not measured under sanitizers or valgrind"
		return
	fi
	cat "$f" | timeout "$LIMIT" /usr/bin/time -f %M -o "$T/rss" \
	    "$BIN/$cmd" "$@" >/dev/null 2>&1
	kb=$(tail -n 1 "$T/rss")
	if [ "$kb" -lt "$max" ] 2>/dev/null; then
		pass "$cmd $* < $in: peak RSS ${kb} KB < $max KB"
	else
		fail "$cmd $* < $in: peak RSS ${kb} KB < $max KB"
	fi
}

NOEV='no terminal event \(no provider events seen\)'
INC='^status +incomplete'
OKSM='^status +complete'
NONE= # nothing on stderr
ALL="sd sdj dj djj sm"

# empty file: no events; sse-decode has nothing to say, the decoders say
# plainly that there was no input (1): what a failed command upstream
# leaves, not an incomplete stream
row empty.sse sd 0 "$NONE"
row empty.sse sdj 0 "$NONE"
row empty.sse dj 1 "^delta-join: .*empty.sse: no input\$"
row empty.sse djj 1 "^delta-join: .*empty.sse: no input\$"
row empty.sse sm 1 "^stream-metrics: .*: no input\$"
is "$(wc -c <"$T/out")" 0 "stream-metrics -q: nothing on stdout"

# an HTML error page served as the stream: lines without a colon are field
# names and no event is ever dispatched
row html-error.sse sd 1 '^sse-decode: .*: not an event stream: no data, event, id or retry field in [0-9]+ lines'
row html-error.sse sdj 1 '^sse-decode: .*: not an event stream'
row html-error.sse dj 1 '^delta-join: .*: not an event stream: no data, event, id or retry field in [0-9]+ lines'
row html-error.sse djj 1 '^delta-join: .*: not an event stream'

row html-error.sse sm 3 "$INC"

# random bytes (1 MiB, fixed seed)
row binary.bin sd 1 '^sse-decode: .*binary.bin: not an event stream'
row binary.bin sdj 1 '^sse-decode: .*binary.bin: not an event stream'
row binary.bin dj 1 '^delta-join: .*binary.bin: not an event stream'
row binary.bin djj 1 '^delta-join: .*binary.bin: not an event stream'
row binary.bin sm 3 "$INC"
rss binary.bin delta-join 30000
rss binary.bin sse-decode 30000

# NUL bytes in data, field names and the id: kept (as \u0000 in JSON)
for k in $ALL; do
	if [ $k = sm ]; then row nul-bytes.sse $k 0 "$OKSM"; else row nul-bytes.sse $k 0 "$NONE"; fi
done
run sse-decode "$BAD/nul-bytes.sse" >"$T/out" 2>/dev/null
grep -qF '\u0000b' "$T/out"; ok $? "sse-decode: NUL in data written as \\u0000"
run delta-join "$BAD/nul-bytes.sse" >"$T/out" 2>/dev/null
printf 'a\0bok\n' >"$T/want"
same_file "$T/out" "$T/want" "delta-join: NUL in content written as is"

# lone CRs as line ends: a valid stream, read as with LF
for k in $ALL; do
	if [ $k = sm ]; then row lone-cr.sse $k 0 "$OKSM"; else row lone-cr.sse $k 0 "$NONE"; fi
done
is "$(run delta-join "$BAD/lone-cr.sse" 2>&1)" "one two" "delta-join: lone CRs end lines"

# invalid and overlong UTF-8: replaced (U+FFFD), never decoded; output valid
for in in invalid-utf8.sse overlong-utf8.sse; do
	for k in $ALL; do
		if [ $k = sm ]; then row $in $k 0 "$OKSM"; else row $in $k 0 "$NONE"; fi
	done
	for k in sd sdj dj djj; do
		# shellcheck disable=SC2046
		run $(tool $k) "$BAD/$in" 2>/dev/null >"$T/out"
		iconv -f UTF-8 -t UTF-8 "$T/out" >/dev/null 2>&1
		ok $? "$(tool $k) < $in: output is valid UTF-8"
	done
done
run delta-join "$BAD/overlong-utf8.sse" >"$T/out" 2>/dev/null
if grep -q '[/]' "$T/out"; then fail "overlong \"/\" is never decoded"; else pass "overlong \"/\" is never decoded"; fi

# numbers like 1e999999 (content, usage) are no text and no crash; as a
# choice index they are out of range
for k in $ALL; do
	if [ $k = sm ]; then row huge-number.sse $k 0 "$OKSM"; else row huge-number.sse $k 0 "$NONE"; fi
done
is "$(run delta-join "$BAD/huge-number.sse" 2>&1)" "a" "delta-join: a number is not content"
row huge-index.sse sd 0 "$NONE"
row huge-index.sse sdj 0 "$NONE"
row huge-index.sse dj 1 '^delta-join: .*huge-index.sse: choice index out of range'
row huge-index.sse djj 1 '^delta-join: .*huge-index.sse: choice index out of range'
row huge-index.sse sm 1 '^error +choice index out of range'

# truncated JSON in a data line (not the last event): bad input, the text
# before it is still written
row truncated-json.sse sd 0 "$NONE"
row truncated-json.sse sdj 0 "$NONE"
row truncated-json.sse dj 1 '^delta-join: .*: line 3: not valid JSON: Unfinished string'
row truncated-json.sse djj 1 '^delta-join: .*: line 3: not valid JSON'
row truncated-json.sse sm 1 '^error +line 3: not valid JSON'
is "$(run delta-join "$BAD/truncated-json.sse" 2>/dev/null)" "hel" "delta-join: text before the bad line is written"
run sse-decode -j "$BAD/truncated-json.sse" 2>/dev/null | sed -n 2p | jq -e '.data | type == "string" and endswith("\"content\":\"lo")' >/dev/null
ok $? "sse-decode -j: data that is not JSON is kept as its text"

# JSON nested 100 000 deep in a data line: libjq's depth limit, no stack
# overflow
row deep-nesting.sse sd 0 "$NONE"
row deep-nesting.sse sdj 0 "$NONE"
row deep-nesting.sse dj 1 '^delta-join: .*: line 1: not valid JSON: Exceeds depth limit'
row deep-nesting.sse djj 1 '^delta-join: .*: line 1: not valid JSON: Exceeds depth limit'
row deep-nesting.sse sm 1 '^error +line 1: not valid JSON: Exceeds depth limit'

# tool-call index 2147483647 and -1: out of range
for in in tool-index-max.sse tool-index-negative.sse; do
	row $in sd 0 "$NONE"
	row $in sdj 0 "$NONE"
	row $in dj 1 "^delta-join: .*$in: tool-call index out of range"
	row $in djj 1 "^delta-join: .*$in: tool-call index out of range"
	row $in sm 1 '^error +tool-call index out of range'
done

# duplicate and out-of-order indexes: assembled by index
for k in $ALL; do
	case $k in
	sm) row tool-index-dup-order.sse $k 0 "$OKSM" ;;
	# text mode tells that the reply is only tool calls
	dj) row tool-index-dup-order.sse $k 0 "^delta-join: .*: no text, 2 tool calls: f, g" ;;
	*) row tool-index-dup-order.sse $k 0 "$NONE" ;;
	esac
done
is "$(run delta-join --json "$BAD/tool-index-dup-order.sse" 2>/dev/null | jq -c '[.tool_calls[] | [.id, .name, .arguments]]')" \
    '[["call_a","f","{\"a\":1}"],["call_b","g","{\"b\":2}"]]' "delta-join --json: calls by index, fragments joined once"

# a Responses function-call delta before any output item (found by
# tests/fuzz/fuzz_dialect; was SIGSEGV, fixed in c7b3f0e): a delta for an
# item that does not exist is an index error (74eb15c); for stream-metrics
# a bad last event is a cut stream, incomplete
ORPHAN='response.function_call_arguments.delta for an output item or part that does not exist'
row responses-orphan-delta.sse sd 0 "$NONE"
row responses-orphan-delta.sse sdj 0 "$NONE"
row responses-orphan-delta.sse dj 1 "^delta-join: .*: $ORPHAN"
row responses-orphan-delta.sse djj 1 "^delta-join: .*: $ORPHAN"
row responses-orphan-delta.sse sm 3 "$INC"

# an Anthropic message_delta without its delta object (found by
# tests/fuzz/fuzz_dialect; was a jv assertion, fixed in c7b3f0e)
row anthropic-delta-missing.sse sd 0 "$NONE"
row anthropic-delta-missing.sse sdj 0 "$NONE"
row anthropic-delta-missing.sse dj 3 '^delta-join: .*: stream incomplete'
row anthropic-delta-missing.sse djj 3 '^delta-join: .*: stream incomplete'
row anthropic-delta-missing.sse sm 3 "$INC"

# a Responses output_item.added without its item (fuzz_dialect; was a jv
# assertion, fixed in c7b3f0e)
row responses-item-missing.sse sd 0 "$NONE"
row responses-item-missing.sse sdj 0 "$NONE"
row responses-item-missing.sse dj 3 '^delta-join: .*: stream incomplete'
row responses-item-missing.sse djj 3 '^delta-join: .*: stream incomplete'
row responses-item-missing.sse sm 3 "$INC"

# a million empty events
row empty-events.sse sd 0 "$NONE"
is "$(wc -l <"$T/out")" 1000000 "sse-decode: a million events written"
row empty-events.sse sdj 0 "$NONE"
row empty-events.sse dj 3 "^delta-join: .*: stream incomplete: $NOEV"
row empty-events.sse djj 3 "^delta-join: .*: stream incomplete: $NOEV"
row empty-events.sse sm 3 "$INC"
rss empty-events.sse sse-decode 20000
rss empty-events.sse delta-join 20000
rss empty-events.sse stream-metrics 20000 -q

# a million empty data lines in one event (its data: 999 999 newlines);
# it is whole, not cut off, and it is no provider event
row empty-data-lines.sse sd 0 "$NONE"
row empty-data-lines.sse sdj 0 "$NONE"
row empty-data-lines.sse dj 3 "^delta-join: .*: stream incomplete"
runt delta-join "$(input empty-data-lines.sse)" >/dev/null 2>"$T/err"
errmatch "^delta-join: .*: stream incomplete: $NOEV"
ok $? "delta-join < empty-data-lines.sse: stderr /$NOEV/"
row empty-data-lines.sse djj 3 "^delta-join: .*: stream incomplete"
row empty-data-lines.sse sm 3 "$INC"

# no newline for 100 MB: the line passes the 64 MiB event cap; a clear
# error, and memory stays at the cap, not the input
MSG='event larger than the 67108864-byte limit'
row no-newline.sse sd 1 "^sse-decode: .*no-newline.sse: $MSG"
row no-newline.sse sdj 1 "^sse-decode: .*no-newline.sse: $MSG"
row no-newline.sse dj 1 "^delta-join: .*no-newline.sse: $MSG"
row no-newline.sse djj 1 "^delta-join: .*no-newline.sse: $MSG"
row no-newline.sse sm 1 "^error +$MSG"
rss no-newline.sse sse-decode 100000
rss no-newline.sse delta-join 100000
rss no-newline.sse delta-join 100000 --json
rss no-newline.sse stream-metrics 100000 -q
rss no-newline.sse sse-decode 8000 --max-event 1M
rss no-newline.sse stream-metrics 8000 -q --max-event 1M
cat "$(input no-newline.sse)" | run sse-decode --max-event 1M >/dev/null 2>"$T/err"
is "$?:$(head -n 1 "$T/err")" "1:sse-decode: stdin: event larger than the 1048576-byte limit" \
    "sse-decode --max-event 1M: the smaller cap holds"

# A reader that goes away while SIGPIPE is ignored (a parent that ran
# `trap '' PIPE`): the write fails with EPIPE instead of killing the tool,
# and the tool still ends as if by SIGPIPE (status 141, nothing on stderr),
# not with "write error: Broken pipe" and status 1. From a file and from a
# pipe, so the tool, not its writer, is the one that meets the closed pipe.
awk 'BEGIN { for (i = 0; i < 100000; i++) printf "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"tok%d \"},\"finish_reason\":null}]}\n\n", i }' \
    >"$T/long.sse"
for tool in sse-decode delta-join stream-metrics; do
	( trap '' PIPE
	  "$BIN/$tool" "$T/long.sse" 2>"$T/err" | head -c 1 >/dev/null
	  echo "${PIPESTATUS[0]}" >"$T/st" )
	is "$(cat "$T/st"):$(cat "$T/err")" "141:" "$tool FILE | head -c 1 with SIGPIPE ignored: ends by SIGPIPE, quietly"
	( trap '' PIPE
	  cat "$T/long.sse" | "$BIN/$tool" 2>"$T/err" | head -c 1 >/dev/null
	  echo "${PIPESTATUS[1]}" >"$T/st" )
	is "$(cat "$T/st"):$(cat "$T/err")" "141:" "... | $tool | head -c 1 with SIGPIPE ignored: ends by SIGPIPE, quietly"
done

# llm-mock reads captures: one of no known dialect is refused at start
for in in empty.sse:'no events' html-error.sse:'cannot tell the dialect' \
    binary.bin:'cannot tell the dialect' deep-nesting.sse:'cannot tell the dialect'; do
	f=$(input "${in%%:*}")
	runt llm-mock -l 127.0.0.1:0 "$f" >/dev/null 2>"$T/err"
	st=$?
	is "$st" 1 "llm-mock ${in%%:*} as a capture: exit status 1"
	errmatch "^llm-mock: .*${in%%:*}: ${in#*:}"; ok $? "llm-mock ${in%%:*} as a capture: /${in#*:}/"
done

# 1025 tool calls in one Ollama message: the calls are numbered by their
# position, so the 1025th is past the accumulator's 1024, and only its
# own check stops it (as the Chat index check does in tool-index-max.sse)
tc='{"function":{"name":"f","arguments":{}}}'
calls=$(printf "$tc,%.0s" $(seq 1025))
printf '{"model":"m","message":{"role":"assistant","content":"","tool_calls":[%s]},"done":false}\n{"model":"m","message":{"role":"assistant","content":""},"done":true,"done_reason":"stop"}\n' \
    "${calls%,}" >"$T/calls-1025.ndjson"
run delta-join -q "$T/calls-1025.ndjson" >/dev/null 2>"$T/err"
is "$?:$(cat "$T/err")" "1:delta-join: $T/calls-1025.ndjson: tool-call index out of range" \
    "delta-join, 1025 tool calls in one Ollama message: exit 1, index out of range"

done_testing
