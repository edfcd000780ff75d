#!/usr/bin/env bash
# Faults on the wire, through llm-mock and llm-request, for three dialects,
# in the pipeline
#   llm-request ... | tee raw | stream-metrics -j -o report | delta-join
# under set -o pipefail. Each fault leaves the documented status at the
# stage where it happened (PIPESTATUS), every byte received is on stdout
# (raw, what tee saw, compared with the same mock stream without the
# fault) and no byte is duplicated by a retry.
# (stream-metrics runs without -q so that delta-join gets the stream.)
source "$(dirname "$0")/lib.sh"

if [ ! -x "$BIN/llm-mock" ] || [ ! -x "$BIN/llm-request" ]; then
	echo "1..0 # SKIP llm-mock or llm-request is not built"
	exit 0
fi
unset OPENAI_API_KEY ANTHROPIC_API_KEY GEMINI_API_KEY GOOGLE_API_KEY \
    OPENAI_BASE_URL ANTHROPIC_BASE_URL OLLAMA_HOST LLM_MODEL \
    HTTPS_PROXY https_proxy HTTP_PROXY http_proxy ALL_PROXY all_proxy
export OPENAI_API_KEY=sk-llmpipe-test-faults ANTHROPIC_API_KEY=sk-ant-test-faults \
    GEMINI_API_KEY=gemini-test-faults
REAL=$FIX/real
CAPS=("$REAL/openai-chat/text-usage-json-mode.sse" "$REAL/anthropic-messages/text.sse"
    "$REAL/gemini/text-crlf.sse")

stop_mock() { kill "$MOCK_PID" 2>/dev/null; wait "$MOCK_PID" 2>/dev/null; }
mock() { rm -f "$T/mock.url"; start_mock "$@" "${CAPS[@]}"; }

# base PROVIDER: llm-request's arguments for the provider against $MOCK_URL
base() {
	case $1 in
	openai) echo "-p openai -m gpt-test --base-url $MOCK_URL/v1" ;;
	anthropic) echo "-p anthropic -m claude-test --base-url $MOCK_URL" ;;
	gemini) echo "-p gemini -m gemini-test --base-url $MOCK_URL" ;;
	esac
}

# pipe PROVIDER LLM-REQUEST-ARGS...: runs the pipeline against $MOCK_URL;
# $T/raw what llm-request wrote, $T/text delta-join's output, $T/rep the
# report, $T/lr.err $T/sm.err $T/dj.err; PS the statuses, ST the pipeline's
pipe() {
	local p=$1; shift
	rm -f "$T/rep"
	set -o pipefail
	# shellcheck disable=SC2046 # base gives several words
	run llm-request $(base "$p") "$@" hello 2>"$T/lr.err" |
	    tee "$T/raw" |
	    run stream-metrics -j -o "$T/rep" 2>"$T/sm.err" |
	    run delta-join -x >"$T/text" 2>"$T/dj.err" # -x: as received, so a
	    # cut text is a prefix of the whole
	PS="${PIPESTATUS[*]}" ST=$?
	set +o pipefail
}

repstatus() { jq -r .status "$T/rep" 2>/dev/null; }

# prefix_of A B NAME: A is a proper prefix of B (may be empty)
prefix_of() {
	local n
	n=$(wc -c <"$1")
	if [ "$n" -lt "$(wc -c <"$2")" ] && cmp -s "$1" <(head -c "$n" "$2"); then
		pass "$3"
	else
		fail "$3" "$(cmp "$1" "$2" 2>&1)"
	fi
}

# whole_events_then_error NAME: raw is the clean stream's first events,
# byte for byte up to an event boundary, then the error event
whole_events_then_error() {
	local at b
	at=$(cmp "$T/raw" "$T/clean.$p" 2>/dev/null | awk '{print $5}' | tr -d ,)
	# the last blank line before the first difference ends the last
	# whole event
	b=$(head -c $((${at:-1} - 1)) "$T/raw" |
	    perl -0777 -ne '$i = rindex($_, "\n\n"); $j = rindex($_, "\r\n\r\n");
	        print $i > $j + 2 ? $i + 2 : $j >= 0 ? $j + 4 : 0')
	if [ -n "$at" ] && [ "${b:-0}" -gt 0 ] &&
	    tail -c +$((b + 1)) "$T/raw" | grep -qi error; then
		pass "$1"
	else
		fail "$1" "first difference at byte ${at:-none}, last whole event ends at ${b:-none}"
	fi
}

# a port that refuses: a mock's, once it has stopped
mock
DEAD_URL=$MOCK_URL
stop_mock

# a server that reads the request and resets the connection before any
# response header
RST_URL=
if command -v python3 >/dev/null; then
	python3 -c '
import socket, struct, sys
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(16)
print("http://127.0.0.1:%d" % s.getsockname()[1], flush=True)
while True:
    c, _ = s.accept()
    try:
        c.recv(65536)
    except OSError:
        pass
    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    c.close()
' >"$T/rst.url" 2>/dev/null &
	_pids="$_pids $!"
	for _ in $(seq 100); do [ -s "$T/rst.url" ] && break; sleep 0.05; done
	RST_URL=$(head -n 1 "$T/rst.url")
fi

# a server that reads the request and never answers (the connection stays
# open): --idle-timeout does not apply before the response, --max-time does
MUTE_URL=
if command -v python3 >/dev/null; then
	python3 -c '
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(16)
print("http://127.0.0.1:%d" % s.getsockname()[1], flush=True)
held = []
while True:
    c, _ = s.accept()
    held.append(c)
' >"$T/mute.url" 2>/dev/null &
	_pids="$_pids $!"
	for _ in $(seq 100); do [ -s "$T/mute.url" ] && break; sleep 0.05; done
	MUTE_URL=$(head -n 1 "$T/mute.url")
fi

for p in openai anthropic gemini; do
	# the reference: the same stream without a fault
	mock
	pipe "$p"
	is "$PS" "0 0 0 0" "$p clean: every stage succeeds"
	cp "$T/raw" "$T/clean.$p"; cp "$T/text" "$T/text.$p"
	[ -s "$T/clean.$p" ]; ok $? "$p clean: bytes arrived"
	is "$(repstatus)" complete "$p clean: stream-metrics reports it complete"

	# 429 and 503 with Retry-After, then success: waits as told, then the
	# whole stream once
	stop_mock
	for code in 429 503; do
		mock --fail 1:$code:1
		pipe "$p"
		is "$PS" "0 0 0 0" "$p $code Retry-After: 1, then success: statuses"
		same_file "$T/raw" "$T/clean.$p" "$p $code then success: every byte once"
		grep -qE "^llm-request: HTTP $code: .*retry 1 of 2 in 1\.0 s" "$T/lr.err"
		ok $? "$p $code: the retry honours Retry-After ($(head -n 1 "$T/lr.err"))"
		stop_mock

		# no retry left: the HTTP error is llm-request's (4); the
		# rest see no input (1)
		mock --fail 1:$code:1
		pipe "$p" --retry 0
		is "$PS:$ST" "4 0 1 1:1" "$p $code, --retry 0: status 4 at llm-request"
		grep -qE "^llm-request: HTTP $code: " "$T/lr.err"; ok $? "$p $code: stderr names the status"
		is "$(wc -c <"$T/raw")" 0 "$p $code: no error body on stdout"
		stop_mock
	done

	# 500 then success (exponential backoff, no Retry-After)
	mock --fail 1:500
	pipe "$p"
	is "$PS" "0 0 0 0" "$p 500 then success: statuses"
	same_file "$T/raw" "$T/clean.$p" "$p 500 then success: every byte once"
	grep -q "^llm-request: HTTP 500: .*retry 1 of" "$T/lr.err"; ok $? "$p 500: retried"
	stop_mock

	# an HTTP error body: not retried (400); with --fail-with-body the
	# body goes down the pipe and the decoders report the provider error
	mock --fail 9:400
	pipe "$p" --fail-with-body
	is "$PS:$ST" "4 0 4 4:4" "$p HTTP 400 --fail-with-body: 4 at every stage"
	jq -e . "$T/raw" >/dev/null 2>&1; ok $? "$p HTTP 400: the error body is on stdout, whole"
	grep -q "^delta-join: stdin: provider error: " "$T/dj.err"; ok $? "$p HTTP 400: delta-join names the provider error"
	is "$(repstatus)" error "$p HTTP 400: stream-metrics reports an error"
	pipe "$p"
	is "$PS:$ST" "4 0 1 1:1" "$p HTTP 400: 4 at llm-request, an empty stream after it"
	is "$(wc -c <"$T/raw")" 0 "$p HTTP 400: nothing on stdout without --fail-with-body"
	stop_mock

	# connection refused: network (5) at llm-request, after its retries
	MOCK_URL=$DEAD_URL
	pipe "$p" --retry 1
	is "$PS:$ST" "5 0 1 1:1" "$p connection refused: 5 at llm-request"
	grep -qiE "^llm-request: .*(refused|connect)" "$T/lr.err"; ok $? "$p connection refused: said so ($(tail -n 1 "$T/lr.err"))"
	is "$(wc -c <"$T/raw")" 0 "$p connection refused: nothing on stdout"

	# reset before any response header
	if [ -n "$RST_URL" ]; then
		MOCK_URL=$RST_URL
		pipe "$p" --retry 1
		is "$PS:$ST" "5 0 1 1:1" "$p reset before headers: 5 at llm-request"
		grep -qiE "^llm-request: .*(reset|closed|empty reply|recv)" "$T/lr.err"
		ok $? "$p reset before headers: said so ($(tail -n 1 "$T/lr.err"))"
		is "$(wc -c <"$T/raw")" 0 "$p reset before headers: nothing on stdout"
	else
		pass "# SKIP no python3 for the resetting server"
	fi

	# no response at all: --max-time ends the wait, 5
	if [ -n "$MUTE_URL" ]; then
		MOCK_URL=$MUTE_URL
		pipe "$p" --retry 1 --idle-timeout 1 --max-time 2
		is "$PS:$ST" "5 0 1 1:1" "$p no response: 5 at llm-request (--max-time)"
		grep -q "^llm-request: --max-time 2 s reached after 0 bytes" "$T/lr.err"
		ok $? "$p no response: said so ($(head -n 1 "$T/lr.err"))"
		is "$(wc -c <"$T/raw")" 0 "$p no response: nothing on stdout"
	else
		pass "# SKIP no python3 for the silent server"
	fi

	# cut after the headers, before any event: retried, then 5
	mock --cut-after 0
	pipe "$p" --retry 1
	is "$PS:$ST" "5 0 1 1:1" "$p cut before the first event: 5 at llm-request"
	grep -q "retry 1 of 1" "$T/lr.err"; ok $? "$p cut before the first event: retried (no byte was out)"
	is "$(wc -c <"$T/raw")" 0 "$p cut before the first event: nothing on stdout"
	stop_mock

	# reset mid-stream: no retry once output started; every byte kept
	mock --cut-after 2
	pipe "$p"
	is "$PS:$ST" "5 0 3 3:3" "$p cut mid-stream: 5 at llm-request, incomplete after it"
	prefix_of "$T/raw" "$T/clean.$p" "$p cut mid-stream: every received byte, once"
	n=$(wc -c <"$T/raw")
	grep -q "^llm-request: connection cut after $n bytes" "$T/lr.err"
	ok $? "$p cut mid-stream: stderr counts the $n bytes ($(head -n 1 "$T/lr.err"))"
	is "$(repstatus)" incomplete "$p cut mid-stream: stream-metrics reports it incomplete"
	prefix_of "$T/text" "$T/text.$p" "$p cut mid-stream: delta-join wrote the text that arrived"
	stop_mock

	# stall: --idle-timeout ends it, everything received is kept
	mock --stall-after 2:4
	pipe "$p" --idle-timeout 1
	is "$PS:$ST" "5 0 3 3:3" "$p stall: 5 at llm-request (idle timeout), incomplete after it"
	prefix_of "$T/raw" "$T/clean.$p" "$p stall: every received byte, once"
	grep -q "^llm-request: no data for 1 s" "$T/lr.err"; ok $? "$p stall: stderr names the idle timeout"
	stop_mock

	# trickle: one byte per write, the same stream
	mock --trickle
	pipe "$p"
	is "$PS" "0 0 0 0" "$p trickle: every stage succeeds"
	same_file "$T/raw" "$T/clean.$p" "$p trickle: the same bytes"
	same_file "$T/text" "$T/text.$p" "$p trickle: the same text"
	stop_mock

	# the provider's in-stream error after HTTP 200: llm-request did its
	# job (0); stream-metrics and delta-join report the provider error (4)
	mock --error-after 2
	pipe "$p"
	is "$PS:$ST" "0 0 4 4:4" "$p in-stream error: 0 at llm-request, 4 after it"
	whole_events_then_error "$p in-stream error: the events before it, byte for byte"
	grep -q "^delta-join: stdin: provider error: " "$T/dj.err"; ok $? "$p in-stream error: delta-join says so ($(cat "$T/dj.err"))"
	is "$(repstatus)" error "$p in-stream error: stream-metrics reports it"
	stop_mock
done

done_testing
