#!/usr/bin/env bash
# What a person sees (issue 15): the tools on a real pseudo-terminal
# (tests/pty/screen: a pty of 24 x 80, the final screen read by pyte),
# the files a batch leaves, and what each error line names.
source "$(dirname "$0")/lib.sh"
SCREEN=$TOP/tests/pty/screen
REAL=$FIX/real
DJ=$BIN/delta-join
SM=$BIN/stream-metrics
LR=$BIN/llm-request
ANSWER="Hello! I am llm-mock, a local stand-in for a streaming LLM API."

have_screen=1
/usr/bin/python3 -c 'import pyte' 2>/dev/null || have_screen=0
if [ "${LLMPIPE_REQUIRE_PTY:-}" = 1 ] && [ $have_screen = 0 ]; then
	fail "python3-pyte is needed for the terminal tests (scripts/install-deps)"
fi

# ---- the terminal ----
if [ $have_screen = 1 ]; then
	start_mock --ttft 0 --delay 0
	# the README's headline pipeline, 50 times in a row: the report starts
	# on a line of its own after the answer, every time
	bad=0
	for i in $(seq 50); do
		"$SCREEN" "'$LR' --base-url $MOCK_URL/v1 hi | '$SM' | '$DJ'" >"$T/scr" 2>&1
		if [ "$(sed -n 1p "$T/scr")" != "$ANSWER" ] ||
		    ! sed -n 2p "$T/scr" | grep -q '^start   '; then
			bad=$((bad + 1)); cp "$T/scr" "$T/scr.bad"
		fi
	done
	is "$bad" 0 "llm-request | stream-metrics | delta-join on a pty: the report on its own line after the answer, 50 runs of 50"
	[ $bad = 0 ] || diag "$(cat "$T/scr.bad")"
	kill "$MOCK_PID"; wait "$MOCK_PID" 2>/dev/null

	# -p: the streamed answer stays on screen; the live line is gone at
	# the end; it showed tok/s as well as chunks/s
	start_mock --ttft 300 --delay 60
	"$SCREEN" -o "$T/raw" "'$LR' --base-url $MOCK_URL/v1 hi | '$SM' -p | '$DJ'" >"$T/scr" 2>&1
	is "$(sed -n 1p "$T/scr")" "$ANSWER" "-p on a pty: the answer is still on screen at the end"
	sed -n 2p "$T/scr" | grep -q '^start   '; ok $? "-p on a pty: the report follows it on its own line"
	grep -q 'chunks/s' "$T/scr"; is "$?" 1 "-p on a pty: the live line is gone at the end"
	grep -aq 'chunks/s · ~*[0-9.]* tok/s' "$T/raw"; ok $? "-p: the live line shows tok/s beside chunks/s"
	grep -aq $'\033\\[1;23r' "$T/raw"; ok $? "-p on a 24-row pty: the scroll region is rows 1 to 23, the last row kept for the live line"
	# a taller answer than the screen: it scrolls above the live line
	yes 'data: {"choices":[{"index":0,"delta":{"content":"line\n"}}]}
' | head -n 120 >"$T/tall.sse"
	printf 'data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n' >>"$T/tall.sse"
	"$SCREEN" -r 10 "(cat '$T/tall.sse'; sleep 0.5) | '$SM' -p | '$DJ'" >"$T/scr" 2>&1
	is "$(grep -c '^line$' "$T/scr")" 1 "-p on a 10-row pty: the last text line is on screen above the report"
	kill "$MOCK_PID"; wait "$MOCK_PID" 2>/dev/null

	# make demo (scripts/demo) on a terminal: the command, the answer, the
	# report on lines of their own, nothing after it
	mkdir "$T/demo-tmp"
	"$SCREEN" -c 200 "TMPDIR='$T/demo-tmp' LLMPIPE_BUILD='$(dirname "$REALBIN")' '$TOP/scripts/demo'" >"$T/scr" 2>&1
	is "$(sed -n 3p "$T/scr")" "$ANSWER" "make demo on a pty: the answer on its own line"
	sed -n 4p "$T/scr" | grep -q '^start   '; ok $? "make demo on a pty: the report follows on its own line"
	is "$(tail -n 1 "$T/scr" | cut -c1-8)" "count   " "make demo on a pty: the report is the last thing shown"

	# -r: reasoning and answer visibly apart
	f=$REAL/deepseek-chat/reasoner-reasoning-content.sse
	"$SCREEN" "'$DJ' -r '$f'" >"$T/scr"
	is "$(tail -n 2 "$T/scr")" "$(printf '\n%s' "$("$DJ" "$f")")" \
	    "delta-join -r on a pty: the answer on its own line after a blank line"
else
	echo "# SKIP pty tests: python3-pyte is not installed"
fi

# ---- final newline, in files and pipes too; -x byte-exact ----
f=$REAL/openai-chat/text-plain.sse
"$DJ" "$f" | tee "$T/out.txt" >/dev/null
is "$(tail -c 1 "$T/out.txt" | od -An -c | tr -d ' ')" '\n' "| tee out.txt: the text ends with a newline"
"$DJ" -x "$f" >"$T/exact"
is "$(cat "$T/exact")" "$(cat "$T/out.txt")" "-x: the same text"
is "$(($(wc -c <"$T/out.txt") - $(wc -c <"$T/exact")))" 1 "-x: byte-exact, no newline added"
printf 'x' >"$T/x"; "$DJ" -r -x "$REAL/deepseek-chat/reasoner-reasoning-content.sse" >/dev/null 2>"$T/r"
"$DJ" -r "$REAL/deepseek-chat/reasoner-reasoning-content.sse" >/dev/null 2>"$T/r2"
is "$(tail -c 1 "$T/r2" | od -An -c | tr -d ' ')" '\n' "-r to a file: the reasoning ends with a newline"

# ---- what text mode cannot print: one line each, -q silences ----
"$DJ" "$REAL/openai-chat/refusal.sse" >"$T/out" 2>"$T/err"; st=$?
is "$st:$(cat "$T/err")" "0:delta-join: $REAL/openai-chat/refusal.sse: refused: I'm sorry, I can't assist with that request." \
    "a refusal: told on stderr"
"$DJ" "$REAL/openai-chat/parallel-tool-calls.sse" 2>"$T/err" >/dev/null
grep -q 'no text, 2 tool calls: GetWeatherArgs, get_stock_price' "$T/err"; ok $? "only tool calls: told with their names"
"$DJ" "$REAL/openai-chat/finish-length-max-tokens.sse" 2>"$T/err" >/dev/null
grep -q 'answer cut off by the token limit' "$T/err"; ok $? "finish length: told"
printf 'data: {"choices":[{"index":0,"delta":{"content":"Some"}}]}\n\ndata: {"choices":[{"index":0,"delta":{},"finish_reason":"content_filter"}]}\n\ndata: [DONE]\n\n' >"$T/cf.sse"
"$DJ" "$T/cf.sse" 2>"$T/err" >/dev/null
grep -q 'answer stopped by the content filter' "$T/err"; ok $? "content filter: told"
for f in openai-chat/refusal.sse openai-chat/parallel-tool-calls.sse openai-chat/finish-length-max-tokens.sse; do
	"$DJ" -q "$REAL/$f" 2>"$T/err" >/dev/null
	is "$(cat "$T/err")" "" "-q: no notice ($f)"
	"$DJ" -j "$REAL/$f" 2>"$T/err" >/dev/null
	is "$(cat "$T/err")" "" "-j unchanged: no notice ($f)"
done

# ---- every error line names what it is about ----
printf 'data: {"choices":[{"index":0,"delta":{"content":"Hi"}}]}\n\ndata: {"error":{"message":"boom","type":"server_error"}}\n\n' >"$T/perr.sse"
"$DJ" "$T/perr.sse" >/dev/null 2>"$T/err"
is "$?:$(cat "$T/err")" "4:delta-join: $T/perr.sse: provider error: server_error: boom" "delta-join: a provider error names the file"
: | "$SM" -N prompt-7 -q 2>"$T/err" >/dev/null
grep -q '^stream-metrics: prompt-7: stdin: no input$' "$T/err"; ok $? "stream-metrics: -N's label in its stderr lines"

# ---- downstream of a failed command: once, plainly ----
"$LR" --bogus 2>/dev/null | "$DJ" >/dev/null 2>"$T/err"
is "$?:$(cat "$T/err")" "1:delta-join: stdin: no input" "delta-join after a usage error upstream: 'no input'"
printf '<!DOCTYPE html>\n<html><body>Bad gateway</body></html>\n' >"$T/page.html"
"$BIN/sse-decode" "$T/page.html" >/dev/null 2>"$T/err1"; st1=$?
"$DJ" "$T/page.html" >/dev/null 2>"$T/err2"; st2=$?
is "$st2:$(sed 's/^delta-join/X/' "$T/err2")" "$st1:$(sed 's/^sse-decode/X/' "$T/err1")" \
    "an HTML page: delta-join's verdict and status are sse-decode's"
is "$st2" 1 "an HTML page: exit 1"

# ---- stream-metrics reports what happened ----
start_mock --fail 1:429
"$SM" -j -N p1 -- "$LR" --retry 0 --base-url "$MOCK_URL/v1" hi 2>"$T/err" >/dev/null; st=$?
rep=$(grep '^{' "$T/err")
is "$st:$(jq -c '[.status, .command_status, .label]' <<<"$rep")" '4:["error",4,"p1"]' \
    "wrapper mode, HTTP 429: status error, the COMMAND's exit status"
jq -r .error <<<"$rep" | grep -q '^llm-request: HTTP 429: '; ok $? "wrapper mode: the COMMAND's last stderr line is the error"
kill "$MOCK_PID"; wait "$MOCK_PID" 2>/dev/null
start_mock --error-after 2
"$LR" --base-url "$MOCK_URL/v1" hi 2>/dev/null | "$SM" -q -j 2>"$T/err"
is "$(jq -c '[.status, (.error != null)]' "$T/err")" '["error",true]' "a provider error event: status error with its text"
kill "$MOCK_PID"; wait "$MOCK_PID" 2>/dev/null
start_mock --cut-after 2
"$SM" -q -j -- "$LR" --retry 0 --base-url "$MOCK_URL/v1" hi 2>"$T/err"; st=$?
is "$st:$(grep '^{' "$T/err" | jq -c '[.status, .command_status]')" '5:["error",5]' "a network failure: status error, exit 5"
grep '^{' "$T/err" | jq -r .error | grep -q 'connection cut'; ok $? "a network failure: the error says so"
kill "$MOCK_PID"; wait "$MOCK_PID" 2>/dev/null
: | "$SM" -q -j 2>"$T/err"; st=$?
is "$st:$(jq -c '[.status, .error]' "$T/err")" '1:["error","no input"]' "no input: status error, 'no input', exit 1"

# a saved raw SSE file has no times of its own
"$SM" -q "$REAL/openai-chat/text-plain.sse" 2>"$T/err"
grep -q 'no recorded times: the figures are read times.*sse-decode -t' "$T/err"; ok $? "a raw SSE file: warns that the times are read times"
"$BIN/sse-decode" -t "$REAL/openai-chat/text-plain.sse" | "$SM" -q 2>"$T/err"
grep -q 'no recorded times' "$T/err"; is "$?" 1 "a pipe: no such warning"

# -a: failures by kind; no valid report, no table
for s in complete error error incomplete interrupted; do
	printf '{"status":"%s","start_unix":1,"total_ms":10,"ttft_ms":1}\n' "$s"
done >"$T/reps"
"$SM" -a -j "$T/reps" >"$T/agg"
is "$(jq -c '[.failed, .failed_error, .failed_incomplete, .failed_interrupted]' "$T/agg")" '[4,2,1,1]' "-a -j: failures counted by kind"
"$SM" -a "$T/reps" | head -n 1 >"$T/agg"
is "$(cat "$T/agg")" "requests    5 · 1 completed · 4 failed (2 error, 1 incomplete, 1 interrupted)" "-a: failures by kind in the summary"
printf 'not json\n' >"$T/junk"
"$SM" -a "$T/junk" >"$T/out" 2>"$T/err"; st=$?
is "$st:$(wc -c <"$T/out")" "1:0" "-a with no valid report: exit 1, no table"
grep -q 'no valid report' "$T/err"; ok $? "-a with no valid report: says so"

# ---- llm-request ----
start_mock
hp=${MOCK_URL#http://}
"$LR" --base-url "$hp/v1" hi 2>"$T/err" | "$DJ" >"$T/out"
is "$(cat "$T/out")" "$ANSWER" "llm-request: a base URL without a scheme is http, as curl takes it"
"$LR" --retry 2 --base-url "https://$hp/v1" hi >/dev/null 2>"$T/err"; st=$?
is "$st:$(wc -l <"$T/err")" "5:1" "llm-request: a TLS failure is not retried (one line, exit 5)"
kill "$MOCK_PID"; wait "$MOCK_PID" 2>/dev/null
start_mock --fail 1:429
"$LR" --retry 1 --base-url "$MOCK_URL/v1" hi 2>"$T/err" >/dev/null
grep -q '\.;' "$T/err"; is "$?" 1 "llm-request: no '.;' in its messages"
is "$(head -n 1 "$T/err" | sed 's/in [0-9.]* s$/in N s/')" \
    "llm-request: HTTP 429: Rate limit reached, please retry later; retry 1 of 1 in N s" "llm-request: one clean line"
kill "$MOCK_PID"; wait "$MOCK_PID" 2>/dev/null

done_testing
