#!/usr/bin/env bash
# stream-metrics: exact numbers from recorded-t fixtures (one per pitfall),
# pass-through, wrapper mode, aggregate goldens, real captures, llm-mock.
source "$(dirname "$0")/lib.sh"
D=$TOP/tests/stream-metrics

# the wall-clock start is the only thing that varies between runs
norm() { sed -E 's/"start":"[^"]*","start_unix":[0-9.]+/"start":"-","start_unix":0/'; }

# Recorded fixtures (sse-decode -t NDJSON written by hand): NAME.ndjson gives
# NAME.json exactly (numbers worked out by hand, see the fixture's t values)
# and exits NAME.status (default 0). The real-* ones are real captures
# (tests/fixtures/real: Gemini, DeepSeek and OpenAI Responses) given the
# times 0.2 + 0.05 * N s for their Nth event, so that each dialect's usage
# source and frame rules are pinned: Gemini's usageMetadata with thoughts,
# Responses' response.completed, reasoning first (ttft < ttfo), a tool
# call's first fragment (name, no arguments) not token-bearing.
for f in "$D"/*.ndjson; do
	name=${f%.ndjson}; base=${name##*/}
	run stream-metrics -q -j "$f" 2>"$T/err" >"$T/out"
	st=$?
	want=0; [ -e "$name.status" ] && want=$(cat "$name.status")
	is "$st" "$want" "$base: exit status"
	norm <"$T/err" >"$T/got"
	same_file "$T/got" "$name.json" "$base: report"
	is "$(wc -c <"$T/out")" 0 "$base: -q copies nothing"
done

# A raw stream cut inside an event's JSON is incomplete (3), not bad input
head -c 700 "$FIX/real/openai-chat/text-plain.sse" >"$T/cut.sse"
run stream-metrics -q -j "$T/cut.sse" 2>"$T/err"
is "$?" 3 "stream cut inside an event: exit 3"
is "$(jq -c '[.status, .error, .chunks]' "$T/err")" '["incomplete",null,1]' \
    "stream cut inside an event: incomplete, no error"

# --t0 first-byte moves every time but decode and the gaps
run stream-metrics -q -j --t0 first-byte "$D/role-first.ndjson" 2>&1 | norm >"$T/got"
same_file "$T/got" "$D/role-first-t0.json" "--t0 first-byte"

# The human report (start line left out: it is the wall clock)
run stream-metrics -q -N demo "$D/role-first.ndjson" 2>&1 | grep -v '^start ' >"$T/got"
same_file "$T/got" "$D/role-first.txt" "human report"
# a count of chunks is labelled as the estimate it is
run stream-metrics -q "$D/same-read.ndjson" 2>&1 | grep '^tokens' >"$T/got"
is "$(cat "$T/got")" "tokens  4 output (chunks, an estimate)" "human report: chunks are labelled an estimate"
run stream-metrics -q -p -N demo "$D/role-first.ndjson" 2>"$T/err" </dev/null
if grep -q $'\r' "$T/err"; then fail "-p draws nothing when stderr is not a tty"
else pass "-p draws nothing when stderr is not a tty"; fi

# -p on a terminal (script(1)): the live line is redrawn on the last row
# while nothing arrives (a long wait for the first token), and cleared
# with the scroll region reset before the report (tests/85 checks what
# the screen shows)
if command -v script >/dev/null 2>&1; then
	printf '%s\n' '(sleep 1.5; printf "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"x\"}}]}\n\ndata: [DONE]\n\n") |' \
	    "\"$BIN/stream-metrics\" -p -q" >"$T/tty.sh"
	script -qec "bash '$T/tty.sh'" /dev/null </dev/null | tr '\r' '\n' >"$T/tty.out"
	n=$(grep -o $'\033\\[24;1H\033\\[K''ttft - · 0 chunks · - chunks/s · ~- tok/s · [0-9.]* [m]*s' "$T/tty.out" | wc -l)
	if [ "$n" -ge 2 ]; then pass "-p on a terminal: the line ticks before the first token ($n redraws)"
	else fail "-p on a terminal: the line ticks before the first token ($n redraws)" "$(cat -v "$T/tty.out")"; fi
	grep -q $'\033\\[1;24r\0338start ' "$T/tty.out"
	ok $? "-p on a terminal: the line is cleared before the report"
	grep -q '^status  complete' "$T/tty.out"
	ok $? "-p on a terminal: the report follows"
	# the elapsed time as the report writes times: whole ms under 1 s,
	# seconds with two decimals from 1 s (ticks at 0.25 s: 250 ms,
	# 1.25 s...)
	n="-p on a terminal: the elapsed time as '250 ms', then '1.25 s'"
	# (each redraw: save the cursor, go to the last row, clear it, the
	# line, restore the cursor)
	if grep -qE $'\033\\[K''ttft - .* [1-9][0-9]{2} ms'$'\033''8' "$T/tty.out" &&
	    grep -qE $'\033\\[K''ttft - .* 1\.([1-9][0-9]|0[1-9]) s'$'\033''8' "$T/tty.out"
	then pass "$n"; else fail "$n" "$(grep 'ttft -' "$T/tty.out" | cat -v)"; fi
	# a recording's first token at t=0: a ttft of 0, not '-' (none yet)
	printf '"%s" -p -q "%s"\n' "$BIN/stream-metrics" "$D/t-zero.ndjson" >"$T/tty0.sh"
	script -qec "bash '$T/tty0.sh'" /dev/null </dev/null | tr '\r' '\n' >"$T/tty0.out"
	grep -q $'\033\\[K''ttft 0\.00 ms · 1 chunks' "$T/tty0.out"
	ok $? "-p on a terminal, a recording's first token at t=0: 'ttft 0.00 ms', not '-'"
fi

# Several frames in one read of raw SSE: each counts, with 0 ms gaps
run stream-metrics -q -j "$D/one-read.sse" 2>"$T/err"
is "$(jq -c '[.chunks, .frames, .itl_ms, .output_tokens_source, .status]' "$T/err")" \
    '[4,6,[0,0,0],"chunks","complete"]' "several frames in one read"

# Pass-through: byte-exact, with and without a wrapper
for f in "$FIX"/real/*/*.sse "$FIX"/real/*/*.ndjson "$D/role-first.ndjson"; do
	name=${f#"$FIX"/real/}
	run stream-metrics -j <"$f" >"$T/out" 2>"$T/err"
	st=$?
	same_file "$T/out" "$f" "$name: passes through byte for byte"
	case $name in
	*error*|*midstream*) want=4 ;;
	*) want=0 ;;
	esac
	if [ "$st" = "$want" ] && [ "$(wc -l <"$T/err")" = 1 ] &&
	    jq -e --argjson n "$(wc -c <"$f")" \
	    '.bytes == $n and .frames > 0 and (.status == "complete" or .status == "error")' \
	    "$T/err" >/dev/null 2>&1; then
		pass "$name: measured (status $st)"
	else
		fail "$name: measured (status $st, want $want)" "$(head -c 600 "$T/err")"
	fi
done
# Ollama's native counts (its arrival times are not recorded, so the
# numbers that do not depend on them)
f=$FIX/real/ollama/generate-thinking-gpt-oss.ndjson
run stream-metrics -q -j "$f" 2>"$T/err"
is "$(jq -c '[.dialect, .output_tokens, .output_tokens_source, .input_tokens, .status]' "$T/err")" \
    "[\"ollama\",$(tail -n 1 "$f" | jq .eval_count),\"usage\",$(tail -n 1 "$f" | jq .prompt_eval_count),\"complete\"]" \
    "ollama: output and input tokens from eval_count and prompt_eval_count"
f=$FIX/real/openai-chat/text-usage-json-mode.sse
run stream-metrics -q -- cat "$f" >"$T/out" 2>/dev/null
is "$(wc -c <"$T/out")" 0 "wrapper -q copies nothing"
run stream-metrics -- cat "$f" >"$T/out" 2>/dev/null
same_file "$T/out" "$f" "wrapper mode passes through byte for byte"

# Bad input: the rest is still copied through, the report says why, exit 1
printf '{"a":1}\nnot json\n{"b":2}\n' >"$T/bad.ndjson"
run stream-metrics -j <"$T/bad.ndjson" >"$T/out" 2>"$T/err"
is "$?" 1 "input that is not JSON: exit 1"
same_file "$T/out" "$T/bad.ndjson" "input that is not JSON: still passed through"
jq -e '.error | test("line 2: not valid JSON")' "$T/err" >/dev/null
ok $? "input that is not JSON: the report's error says where"

# The reader goes away: stream-metrics ends quietly, as cat does
yes 'data: {"choices":[{"index":0,"delta":{"content":"x"}}]}
' | head -c 20000000 >"$T/many.sse"
( set -o pipefail; run stream-metrics <"$T/many.sse" 2>"$T/err" | head -c 10 >/dev/null )
st=$?
is "$st" 141 "| head -c: ends by SIGPIPE"
is "$(cat "$T/err")" "" "| head -c: nothing on stderr"

# Unbuffered: a frame is downstream before the writer closes
streams_before_eof stream-metrics -- \
    'data: {"choices":[{"index":0,"delta":{"content":"early"}}]}\n\n' 'early'

# Wrapper mode: the command's failure passes through, else the stream's
run stream-metrics -q -- sh -c "cat '$f'; exit 7" 2>/dev/null
is "$?" 7 "wrapper: the command's exit status passes through"
run stream-metrics -q -- sh -c 'kill -TERM $$' 2>/dev/null
is "$?" 143 "wrapper: a command killed by a signal gives 128+N"
run stream-metrics -q -- /nonexistent/command 2>"$T/err"
is "$?" 127 "wrapper: a command that cannot be found gives 127"
grep -q 'nonexistent/command' "$T/err"; ok $? "wrapper: says why"
run stream-metrics -q -- cat "$D/truncated.ndjson" 2>/dev/null
is "$?" 3 "wrapper: a successful command with a cut stream gives 3"
run stream-metrics -q -j -- sh -c "sleep 0.3; cat '$D/one-read.sse'" 2>"$T/err"
is "$?" 0 "wrapper: complete stream gives 0"
jq -e '.ttfb_ms >= 290 and .ttft_ms >= .ttfb_ms' "$T/err" >/dev/null
ok $? "wrapper: t0 is the command's start (ttfb >= 300 ms sleep)"

# SIGINT (Ctrl-C) ends the measurement, not the report: what arrived is
# reported (status incomplete, error "interrupted") and the exit is 130,
# without waiting for the writer. (The binary itself in the background,
# so $! is its PID, through env, which gives SIGINT back its default: a
# script's background jobs start with it ignored, and that is kept.)
ev='data: {"choices":[{"index":0,"delta":{"content":"x"}}]}\n\n'
# (the writer opens the FIFO read-write, which never blocks, so neither
# side can be left waiting in open)
# (files of their own: a stale $T/out would end the wait for the event
# before the tool has even started)
rm -f "$T/writer-done" "$T/fifo" "$T/int.out" "$T/int.err"; mkfifo "$T/fifo"
{ printf "$ev"; sleep 4; touch "$T/writer-done"; } 1<>"$T/fifo" &
wpid=$!
env --default-signal=INT "$BIN/stream-metrics" -j <"$T/fifo" >"$T/int.out" 2>"$T/int.err" &
pid=$!
for i in $(seq 100); do [ -s "$T/int.out" ] && break; sleep 0.1; done
kill -INT "$pid"
wait "$pid"
is "$?" 130 "SIGINT: exit 130"
[ ! -e "$T/writer-done" ]; ok $? "SIGINT: ends at once, not when the writer does"
kill "$wpid" 2>/dev/null
is "$(jq -c '[.status, .error, .chunks, .bytes]' "$T/int.err" 2>&1)" '["interrupted","interrupted",1,57]' \
    "SIGINT: the report of what arrived is written"
is "$(cat "$T/int.out")" "$(printf "$ev")" "SIGINT: what arrived was passed through"
# wrapper mode: COMMAND is told too (job control on, so the command does
# not inherit SIGINT ignored as a script's background job would)
(
	set -m
	"$BIN/stream-metrics" -q -j -- sh -c "printf '$ev'; exec sleep 30" 2>"$T/int.err" &
	pid=$!
	for i in $(seq 50); do
		[ "$(ps -o comm= --ppid "$pid" 2>/dev/null)" = sleep ] && break
		sleep 0.1
	done
	kill -INT "$pid"
	wait "$pid"
) >/dev/null 2>&1
is "$?" 130 "SIGINT in wrapper mode: exit 130, COMMAND stopped"
is "$(jq -c '[.status, .error, .chunks]' "$T/int.err" 2>&1)" '["interrupted","interrupted",1]' \
    "SIGINT in wrapper mode: the report is written"

# -j is one line; -o appends, so parallel runs can share one file
rm -f "$T/all.jsonl"
for i in 1 2 3; do
	run stream-metrics -q -j -N "r$i" -o "$T/all.jsonl" "$D/role-first.ndjson"
done
is "$(jq -r .label "$T/all.jsonl" | tr '\n' ' ')" "r1 r2 r3 " "-o FILE appends one line per run"
for i in 1 2 3 4 5 6 7 8; do
	run stream-metrics -q -j -o "$T/par.jsonl" "$D/reasoning-first.ndjson" &
done
wait
is "$(jq -c .ttft_ms "$T/par.jsonl" | sort | uniq -c | sed 's/^ *//')" "8 200" \
    "8 parallel runs appending to one file: 8 whole lines"

# Aggregate: hand-computed goldens (see the report files)
run stream-metrics -a -j "$D/reports-a.jsonl" "$D/reports-b.jsonl" >"$T/got"
same_file "$T/got" "$D/aggregate.json" "-a -j: vLLM keys, linear percentiles"
cat "$D"/reports-[ab].jsonl | run stream-metrics -a -j --goodput ttft:300,tpot:15 >"$T/got"
same_file "$T/got" "$D/aggregate-goodput.json" "-a --goodput (stdin)"
run stream-metrics -a -j --percentiles 50,99.9 "$D/reports-a.jsonl" - \
    <"$D/reports-b.jsonl" >"$T/got"
same_file "$T/got" "$D/aggregate-pct.json" "-a --percentiles 50,99.9"
run stream-metrics -a --goodput ttft:300,tpot:15 "$D/reports-a.jsonl" "$D/reports-b.jsonl" >"$T/got"
same_file "$T/got" "$D/aggregate.txt" "-a human summary"
# a slow batch (2 requests in 40 minutes) keeps 4 significant digits of
# its rates instead of rounding them to 3 decimals (0.001, or 0)
printf '%s\n' '{"start_unix":1000,"status":"complete","total_ms":2400000,"ttft_ms":100,"output_tokens":10}' \
    '{"start_unix":1000,"status":"complete","total_ms":2000,"ttft_ms":100,"output_tokens":10}' >"$T/slow.jsonl"
run stream-metrics -a -j --goodput ttft:200 "$T/slow.jsonl" >"$T/got"
is "$(jq -c '[.duration, .request_throughput, .request_goodput, .output_throughput, .total_token_throughput]' "$T/got")" \
    '[2400,0.0008333,0.0008333,0.008333,0.008333]' "-a -j: rates below 1 keep 4 significant digits"
run stream-metrics -a "$T/slow.jsonl" >"$T/got"
grep -q '^throughput  0.0008333 req/s · 0.008333 output tok/s' "$T/got"
ok $? "-a: the same in the human summary"
# human output says "-" where JSON says null, never "null" or "nan"
{ run stream-metrics -a --goodput ttft:1 </dev/null
  printf '{"status":"complete","ttft_ms":5}\n' | run stream-metrics -a
  for f in "$D"/zero-tokens.ndjson "$D"/one-token.ndjson "$D"/error.ndjson; do
	run stream-metrics -q "$f" 2>&1; done; } >"$T/human" 2>&1
if grep -qiE 'null|nan|inf' "$T/human"; then fail "human reports: no null, nan or inf" "$(grep -iE 'null|nan|inf' "$T/human")"
else pass "human reports: no null, nan or inf"; fi
printf '{"status":"complete"}\n{oops\n' | run stream-metrics -a -j >/dev/null 2>"$T/err"
is "$?" 1 "-a: a report that is not JSON fails (exit 1)"
grep -q 'not valid JSON' "$T/err"; ok $? "-a: says why"
# per-stream reports round-trip into the aggregate
for f in "$D"/role-first.ndjson "$D"/reasoning-first.ndjson "$D"/anthropic-cumulative-usage.ndjson; do
	run stream-metrics -q -j "$f" 2>&1
done | run stream-metrics -a -j >"$T/got"
is "$(jq -c '[.completed, .mean_ttft_ms, .p50_itl_ms, .max_itl_ms, .total_output_tokens]' "$T/got")" \
    '[3,300,70,200,30]' "-a over -j reports of the fixtures (pooled ITL)"

# Usage errors
for args in "-x" "--t0 later" "--dialect nope" "--max-event 0" \
    "-a --percentiles 101" "-a --percentiles 50,,90" "-a --goodput foo:1" \
    "-a --goodput ttft" "--goodput ttft:5" "a b" "-a -- true" "--"; do
	# shellcheck disable=SC2086
	run stream-metrics $args </dev/null >/dev/null 2>&1
	is "$?" 2 "usage error: $args"
done
run stream-metrics --help >"$T/help"
for o in json output quiet label progress t0 dialect max-event aggregate \
    percentiles goodput help version tpot_ms decode_tps e2e_tps guidellm llmperf; do
	grep -q -- "$o" "$T/help"; ok $? "--help mentions $o"
done

# llm-mock: known --ttft and --delay, measured within -50..+350 ms (a loaded
# 2-core CI machine under ASan delays events, never hastens them). The mock's
# --ttft is the wait before its first event, a role-only chunk, and the
# first word follows --delay later: so ttfb ~ 300 and ttft ~ 300 + 150.
if [ ! -x "$BIN/llm-mock" ]; then
	echo "ok $((_n + 1)) # SKIP llm-mock not built"; _n=$((_n + 1))
else
	start_mock --echo --ttft 300 --delay 150
	check_mock() { # NAME: the report in $T/mock.json
		if jq -e '.ttfb_ms >= 250 and .ttfb_ms <= 650 and
		    .ttft_ms >= 400 and .ttft_ms <= 800 and .chunks == 5 and
		    .itl_p50_ms >= 100 and .itl_p50_ms <= 500 and
		    .tpot_ms >= 100 and .tpot_ms <= 500 and
		    .decode_tps >= 2 and .decode_tps <= 10' "$T/mock.json" >/dev/null; then
			pass "$1: ttfb, ttft, itl p50 and tpot within -50..+350 ms (decode 2..10 tok/s)"
		else
			fail "$1: ttfb, ttft, itl p50 and tpot within -50..+350 ms (decode 2..10 tok/s)" \
			    "$(cat "$T/mock.json")"
		fi
	}
	run stream-metrics -q -j -- curl -sN "$MOCK_URL/v1/chat/completions" \
	    -H 'content-type: application/json' \
	    -d '{"model":"m","stream":true,"messages":[{"role":"user","content":"a b c d e"}]}' \
	    2>"$T/mock.json"
	is "$?" 0 "llm-mock via curl (wrapper mode): complete stream"
	check_mock "llm-mock --ttft 300 --delay 150, wrapper mode"
	# (in a pipe t0 is stream-metrics' own start, late under valgrind)
	if [ -x "$BIN/llm-request" ] && [ "${VALGRIND:-}" != 1 ]; then
		"$BIN/llm-request" -p openai -m m --base-url "$MOCK_URL" "a b c d e" |
		    run stream-metrics -q -j 2>"$T/mock.json"
		is "$?" 0 "llm-mock via llm-request | stream-metrics: complete stream"
		check_mock "llm-mock --ttft 300 --delay 150, llm-request | stream-metrics"
	fi
fi

# Without usage, the output tokens of the streamed text by the model's
# tokenizer (tokenizer-*.ndjson above: 24 for gpt-4o's o200k_base, 25 for
# gpt-4's cl100k_base, 4 + 8 for a text and a tool call's arguments, as the
# tiktoken package counts them; chunks for a model of no known encoding);
# --encoding chooses it, or none
D2=$TOP/tests/stream-metrics
src() { run stream-metrics -q -j "$@" 2>&1 >/dev/null | jq -r '"\(.output_tokens) \(.output_tokens_source)"'; }
is "$(src --encoding cl100k_base "$D2/tokenizer-gpt-4o.ndjson")" "25 tokenizer:cl100k_base" \
    "--encoding cl100k_base overrides the model's encoding"
is "$(src --encoding o200k_base "$D2/tokenizer-unknown-model.ndjson")" "24 tokenizer:o200k_base" \
    "--encoding o200k_base for a model of no known encoding"
is "$(src --encoding none "$D2/tokenizer-gpt-4o.ndjson")" "4 chunks" \
    "--encoding none keeps the chunk estimate"
is "$(src --encoding o200k_base "$FIX/real/openai-chat/text-plain.sse" | cut -d ' ' -f 2)" "usage" \
    "--encoding does not replace reported usage"
run stream-metrics -q "$D2/tokenizer-gpt-4o.ndjson" 2>"$T/human"
grep -q "^tokens  24 output (tokenizer:o200k_base)" "$T/human"
ok $? "the human report names the tokenizer, with no 'estimate'"
LLMPIPE_DATA_DIR=$T/nowhere run stream-metrics -q -j "$D2/tokenizer-gpt-4o.ndjson" 2>&1 >/dev/null |
    jq -r .output_tokens_source >"$T/src"
is "$(cat "$T/src")" "chunks" "no rank files: the labelled chunk estimate"
# The text is held (up to 1 MiB) and tokenized at the end only when no
# usage came, then tokenized as it comes: the count must not depend on it.
# A stream of 1.2 MB of text (held, then streamed), and one of text,
# reasoning and three tool calls, where each kind is one stream of text
# ("Think" and "ing": 1 token, apart 2) and each tool call one of its
# own ("1", "2", "3": 3 tokens, joined 1).
chat_chunk() { printf 'data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":%s,"finish_reason":null}]}\n\n' "$1"; }
awk 'BEGIN { for (i = 0; i < 80000; i++) printf "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\" w%d caf\u00e9, ta\"},\"finish_reason\":null}]}\n\n", i % 997;
    print "data: [DONE]\n" }' >"$T/long.sse"
run delta-join -x "$T/long.sse" >"$T/long.txt"
want=$(run llm-tokens <"$T/long.txt")
is "$(src "$T/long.sse")" "$want tokenizer:o200k_base" \
    "$(wc -c <"$T/long.txt") bytes of text, no usage: the count of llm-tokens on the text"
{
	chat_chunk '{"role":"assistant","reasoning_content":"Think"}'
	chat_chunk '{"content":"Call"}'
	for i in 0 1 2; do
		chat_chunk "{\"tool_calls\":[{\"index\":$i,\"id\":\"call_$i\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"\"}}]}"
		chat_chunk "{\"tool_calls\":[{\"index\":$i,\"function\":{\"arguments\":\"$((i + 1))\"}}]}"
	done
	chat_chunk '{"reasoning_content":"ing"}'
	chat_chunk '{"content":"ing"}'
	printf 'data: [DONE]\n\n'
} >"$T/mixed.sse"
run delta-join -T "$T/mixed.sse" >"$T/calls"
want=0
for part in "$(run delta-join -x "$T/mixed.sse")" "$(run delta-join -q -r -x "$T/mixed.sse" 2>&1 >/dev/null)" \
    "$(sed -n 1p "$T/calls" | jq -cj .arguments)" "$(sed -n 2p "$T/calls" | jq -cj .arguments)" \
    "$(sed -n 3p "$T/calls" | jq -cj .arguments)"; do
	want=$((want + $(printf %s "$part" | run llm-tokens)))
done
is "$want" 5 "(Calling 1, Thinking 1, three calls 1 each, by llm-tokens)"
is "$(src "$T/mixed.sse")" "$want tokenizer:o200k_base" \
    "text, reasoning and three tool calls, no usage: each kind one stream, each call its own"
run stream-metrics --encoding p50k_base </dev/null >/dev/null 2>"$T/e"
is "$?" 2 "--encoding p50k_base: usage error"

# a stream whose last event is cut: incomplete, and no error line (a cut
# is not bad input, and the bad event's message, once dropped, is gone)
printf 'data: {"choices":[{"index":0,"delta":{"content":"A"}}]}\n\ndata: {"choices":[{"index":0,"delta":{"con' >"$T/cutlast.sse"
run stream-metrics "$T/cutlast.sse" >/dev/null 2>"$T/e"
is "$?:$(grep -c '^error' "$T/e")" "3:0" "last event cut: exit 3 and no error line in the report"

done_testing
