#!/bin/bash
# delta-join: golden outputs for every real fixture in every mode, splits,
# streaming, bad input, options.
. "$(dirname "$0")/lib.sh"
DJ=$BIN/delta-join
G=$TOP/tests/delta-join
REAL=$FIX/real

# 1. golden outputs (tests/delta-join/*.args; UPDATE_GOLDEN=1 rewrites)
golden "$G" delta-join

# 2. the facts each source states (*.expected.json) hold in --json
for exp in "$REAL"/*/*.expected.json; do
	f=${exp%.expected.json}.sse
	name=${f#"$REAL"/}
	"$DJ" -j "$f" 2>/dev/null | jq -s '.' >"$T/got.json"
	jq -n --slurpfile g "$T/got.json" --slurpfile e "$exp" '
	  ($g[0]) as $got | ($e[0]) as $want |
	  def calls: map({id, name, arguments});
	  if $want.choices then
	    [$want.choices[] | . as $c | $got[$c.index] |
	     (.content == $c.content and
	      (.finish_reason == ($c.finish_reason | if . == "STOP" then "stop" else . end)))] | all
	  else
	    $got[0] as $o |
	    ((($want | has("content")) | not) or $o.content == $want.content) and
	    ((($want | has("reasoning")) | not) or $o.reasoning == $want.reasoning) and
	    ((($want | has("refusal")) | not) or $o.refusal == $want.refusal) and
	    ((($want | has("tool_calls")) | not) or ($o.tool_calls | calls) == ($want.tool_calls | calls))
	  end' >"$T/v" 2>"$T/e"
	is "$(cat "$T/v")" true "--json agrees with $name.expected.json"
done

# 3. raw SSE and sse-decode's NDJSON give the same result, in every mode
for f in "$REAL"/*/*.sse; do
	name=${f#"$REAL"/}
	for m in -j -n -e -T; do
		"$DJ" $m "$f" >"$T/a" 2>"$T/a.err"
		sta=$?
		"$BIN/sse-decode" "$f" 2>"$T/sd.err" | "$DJ" $m >"$T/b" 2>"$T/b.err"
		stb="${PIPESTATUS[*]}"
		cmp -s "$T/a" "$T/b" || break
	done
	same_file "$T/b" "$T/a" "sse-decode NDJSON = raw SSE ($name, $m)" ||
	    diag "raw: status $sta, $(head -c 300 "$T/a.err")" \
		"sse-decode | delta-join: statuses $stb, $(head -c 300 "$T/sd.err") $(head -c 300 "$T/b.err")"
done

# 4. a stream split in two at every byte offset gives the same output
# (under valgrind, where each run costs half a second, every 29th and
# every 97th offset)
step=1 step7=7
[ "${VALGRIND:-}" = 1 ] && step=29 step7=97
if cc -O2 -o "$T/splitfeed" "$TOP/tests/gen/splitfeed.c" 2>/dev/null; then
	for f in gemini/text-crlf.sse anthropic-messages/tool-use-partial-json.sse \
	    openrouter-chat/kimi-k2-tool-call-split-args.sse; do
		for m in -e -n; do
			out=$("$T/splitfeed" $step "$REAL/$f" "$DJ" $m)
			is "$?:$out" "0:" "split at every byte (step $step): $f $m"
		done
	done
	out=$("$T/splitfeed" $step7 "$REAL/openai-chat/parallel-tool-calls.sse" "$DJ" -T)
	is "$?:$out" "0:" "split at every ${step7}th byte: parallel tool calls -T"
else
	pass "# SKIP no C compiler for the split harness"
fi

# 5. streaming: each delta is out before the writer closes the pipe
streams_before_eof delta-join -- \
    'data: {"choices":[{"index":0,"delta":{"content":"hel"}}]}\n\n' '^hel$'
streams_before_eof delta-join -e -- \
    'data: {"choices":[{"index":0,"delta":{"content":"hi"}}]}\n\n' '"text":"hi"'
streams_before_eof delta-join -T -- \
    'data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"a","function":{"name":"f","arguments":"{}"}}]}}]}\n\ndata: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"id":"b","function":{"name":"g","arguments":"{}"}}]}}]}\n\n' \
    '"id":"a"'
# a Responses function call is out once its item is done, before the stream ends
streams_before_eof delta-join -T -- \
    'data: {"type":"response.output_item.added","output_index":0,"item":{"id":"fc_1","type":"function_call","status":"in_progress","arguments":"","call_id":"call_1","name":"f"}}\n\ndata: {"type":"response.function_call_arguments.delta","item_id":"fc_1","output_index":0,"delta":"{}"}\n\ndata: {"type":"response.function_call_arguments.done","item_id":"fc_1","output_index":0,"arguments":"{}"}\n\ndata: {"type":"response.output_item.done","output_index":0,"item":{"id":"fc_1","type":"function_call","status":"completed","arguments":"{}","call_id":"call_1","name":"f"}}\n\n' \
    '"id":"call_1"'
streams_before_eof delta-join -r -- \
    'event: content_block_delta\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}\n\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"yo"}}\n\n' '^yo$'

# 6. bad input
chunk() { printf 'data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":%s,"finish_reason":%s}]}\n\n' "$1" "${2:-null}"; }
{ chunk '{"role":"assistant","tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"f","arguments":"{\"a\":"}}]}'
  chunk '{"tool_calls":[{"index":0,"function":{"arguments":"1,"}}]}'
  chunk '{}' '"tool_calls"'; printf 'data: [DONE]\n\n'; } >"$T/badargs.sse"
"$DJ" -j "$T/badargs.sse" >"$T/out" 2>"$T/err"; st=$?
is "$st" 1 "invalid tool-call arguments: exit 1"
is "$(jq -r '.tool_calls[0].arguments' "$T/out")" '{"a":1,' "invalid arguments kept verbatim in --json"
is "$(cat "$T/err")" "delta-join: $T/badargs.sse: tool call call_1: arguments are not valid JSON (kept verbatim)" "invalid arguments: the call is named"
"$DJ" -n "$T/badargs.sse" >"$T/out" 2>/dev/null
is "$(jq -r '.choices[0].message.tool_calls[0].function.arguments' "$T/out")" '{"a":1,' "invalid arguments kept verbatim in --native"
"$DJ" -T "$T/badargs.sse" >"$T/out" 2>/dev/null; st=$?
is "$st:$(cat "$T/out")" '1:{"id":"call_1","name":"f","arguments":"{\"a\":1,"}' "-T: invalid arguments as a string, exit 1"

{ chunk '{"role":"assistant","content":"one "}'; printf 'data: {not json\n\n'
  chunk '{"content":"two"}' '"stop"'; printf 'data: [DONE]\n\n'; } >"$T/nonjson.sse"
"$DJ" "$T/nonjson.sse" >"$T/out" 2>"$T/err"; st=$?
is "$st:$(cat "$T/out")" "1:one two" "non-JSON data line: exit 1, everything else written"
grep -q "line 3: not valid JSON" "$T/err"; ok $? "non-JSON data line: the line number is given"
printf '{"model":"m","created_at":"x","response":"a","done":false}\nnot json\n' |
    "$DJ" >"$T/out" 2>"$T/err"; st=$?
is "$st:$(cat "$T/out")" "1:a" "non-JSON NDJSON line: exit 1 after the text"
grep -q "line 2" "$T/err"; ok $? "non-JSON NDJSON line: the line number is given"

{ chunk '{"role":"assistant","content":"partial"}'; } >"$T/trunc.sse"
"$DJ" -j "$T/trunc.sse" >"$T/out" 2>"$T/err"; st=$?
is "$st:$(jq -r .content "$T/out")" "3:partial" "stream without [DONE]: exit 3, assembled text written"
grep -q "stream incomplete" "$T/err"; ok $? "stream without [DONE]: a warning"
head -c 150 "$REAL/openai-chat/text-plain.sse" >"$T/cut.sse"
{ cat "$T/trunc.sse"; printf 'data: {"id":"c1","choices":[{"index":0,"delta":{"content":"x'; } >"$T/cut.sse"
"$DJ" "$T/cut.sse" >"$T/out" 2>"$T/err"; st=$?
is "$st:$(cat "$T/out")" "3:partial" "stream cut inside an event: exit 3"
head -c 2000 "$REAL/anthropic-messages/tool-use-partial-json.sse" | "$DJ" >/dev/null 2>&1
is "$?" 3 "anthropic stream without message_stop: exit 3"

printf 'event: message_start\ndata: {"type":"message_start","message":{"id":"m1","type":"message","role":"assistant","model":"c","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":1,"output_tokens":1}}}\n\nevent: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}\n\nevent: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}\n\nevent: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n' >"$T/anth-err.sse"
"$DJ" "$T/anth-err.sse" >"$T/out" 2>"$T/err"; st=$?
is "$st:$(cat "$T/out")" "4:Hi" "anthropic event: error: exit 4 after the text"
is "$(cat "$T/err")" "delta-join: $T/anth-err.sse: provider error: overloaded_error: Overloaded" "anthropic event: error: message names the file"
"$DJ" -n "$T/anth-err.sse" 2>/dev/null | jq -e '.content[0].text == "Hi"' >/dev/null
ok $? "anthropic event: error: --native still has the text"

# An error before any provider event: exit 4, and --native is the error
# body (what the request without streaming gets), not null.
printf 'event: error\ndata: {"type":"error","code":"server_error","message":"boom","param":null}\n\n' >"$T/resp-err.sse"
"$DJ" -n "$T/resp-err.sse" >"$T/out" 2>"$T/err"; st=$?
is "$st:$(cat "$T/out")" '4:{"type":"error","code":"server_error","message":"boom","param":null}' "Responses error before response.created: exit 4, --native is the error body"
is "$(cat "$T/err")" "delta-join: $T/resp-err.sse: provider error: server_error: boom" "Responses error before response.created: message names the file"
printf 'data: {"error":{"message":"bad key","type":"invalid_request_error","code":"x"}}\n\n' >"$T/chat-err.sse"
"$DJ" -n "$T/chat-err.sse" >"$T/out" 2>/dev/null; st=$?
is "$st:$(cat "$T/out")" '4:{"error":{"message":"bad key","type":"invalid_request_error","code":"x"}}' "error object as the only event: --native is that body"

{ chunk '{"tool_calls":[{"index":5000,"id":"x","function":{"name":"f","arguments":"{}"}}]}'
  chunk '{"tool_calls":[{"index":-1,"id":"y","function":{"name":"g","arguments":"{}"}}]}'
  chunk '{"content":"ok"}' '"stop"'; printf 'data: [DONE]\n\n'; } >"$T/idx.sse"
"$DJ" -j "$T/idx.sse" >"$T/out" 2>"$T/err"; st=$?
is "$st:$(jq -r .content "$T/out")" "1:ok" "tool-call index out of range: exit 1, no crash"
grep -q "index out of range" "$T/err"; ok $? "tool-call index out of range: reported"
printf 'data: {"choices":[{"index":999,"delta":{"content":"x"}}]}\n\n' | "$DJ" >/dev/null 2>&1
is "$?" 1 "choice index out of range: exit 1"

# Colliding indexes: a second call with another id at index 0. Folded as
# the SDKs fold it (so --native still equals them), but an error.
{ chunk '{"role":"assistant","tool_calls":[{"index":0,"id":"a","type":"function","function":{"name":"f","arguments":"{}"}}]}'
  chunk '{"tool_calls":[{"index":0,"id":"b","type":"function","function":{"name":"g","arguments":"{}"}}]}'
  chunk '{}' '"tool_calls"'; printf 'data: [DONE]\n\n'; } >"$T/collide.sse"
"$DJ" -j "$T/collide.sse" >"$T/out" 2>"$T/err"; st=$?
is "$st:$(jq -c '[.tool_calls[] | .id, .arguments]' "$T/out")" '1:["b","{}{}"]' "colliding tool-call indexes: exit 1, folded as the SDK does"
grep -q "tool-call index 0 collides: call a, then call b" "$T/err"
ok $? "colliding tool-call indexes: reported ($(head -n 1 "$T/err"))"

# Anthropic deltas for a block that never started, and Responses deltas
# for an output item that does not exist: an index error (exit 1), not a
# silent drop; their text still streams.
astart='event: message_start\ndata: {"type":"message_start","message":{"id":"m1","type":"message","role":"assistant","model":"c","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":1,"output_tokens":1}}}\n\n'
ablk() { printf 'event: content_block_start\ndata: {"type":"content_block_start","index":%s,"content_block":{"type":"text","text":""}}\n\nevent: content_block_delta\ndata: {"type":"content_block_delta","index":%s,"delta":{"type":"text_delta","text":"%s"}}\n\n' "$1" "$2" "$3"; }
astop='event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":2}}\n\nevent: message_stop\ndata: {"type":"message_stop"}\n\n'
{ printf "$astart"; ablk 0 0 "a"; ablk 1 7 "b"; printf "$astop"; } >"$T/anth-idx.sse"
"$DJ" "$T/anth-idx.sse" >"$T/out" 2>"$T/err"; st=$?
is "$st:$(cat "$T/out")" "1:ab" "anthropic delta for a block that never started: exit 1, its text still streams"
grep -q "content_block_delta for a block that never started" "$T/err"; ok $? "anthropic delta for a block that never started: reported"
{ printf "$astart"; ablk 0 0 "a"; ablk 5 5 "b"; printf "$astop"; } >"$T/anth-idx2.sse"
"$DJ" -j "$T/anth-idx2.sse" >"$T/out" 2>"$T/err"; st=$?
is "$st:$(jq -r .content "$T/out")" "1:ab" "anthropic content_block_start out of order: exit 1, nothing lost"
grep -q "content_block_start index out of order" "$T/err"; ok $? "anthropic content_block_start out of order: reported"
rev() { printf 'event: %s\ndata: {"type":"%s",%s}\n\n' "$1" "$1" "$2"; }
{ rev response.created '"response":{"id":"r","object":"response","created_at":1,"status":"in_progress","model":"m","output":[]}'
  rev response.output_item.added '"output_index":0,"item":{"id":"i","type":"message","status":"in_progress","role":"assistant","content":[]}'
  rev response.content_part.added '"output_index":0,"item_id":"i","content_index":0,"part":{"type":"output_text","text":"","annotations":[]}'
  rev response.output_text.delta '"output_index":0,"item_id":"i","content_index":0,"delta":"x"'
  rev response.output_text.delta '"output_index":0,"item_id":"i","content_index":3,"delta":"y"'
  rev response.output_text.delta '"output_index":9,"item_id":"z","content_index":0,"delta":"z"'
  rev response.function_call_arguments.delta '"output_index":9,"item_id":"z","delta":"{}"'
  rev response.completed '"response":{"id":"r","object":"response","created_at":1,"status":"completed","model":"m","output":[]}'; } >"$T/resp-idx.sse"
"$DJ" "$T/resp-idx.sse" >"$T/out" 2>"$T/err"; st=$?
is "$st:$(cat "$T/out")" "1:xyz" "Responses deltas for a missing item or part: exit 1, their text still streams"
grep -q "response.output_text.delta for an output item or part that does not exist" "$T/err"
ok $? "Responses deltas for a missing item or part: reported"

# A surrogate pair cut between two chunks ("\ud83d" then "\ude00", as a
# server slicing UTF-16 text sends it; valid JSON each, jq 1.6 rejects the
# lone high half): the halves join into the character in every mode, as
# the SDKs' string concatenation does, also across other fields'
# fragments; an unpaired half is U+FFFD (where the SDKs keep the lone
# half); nothing is lost and nothing is called invalid.
R=$'\xef\xbf\xbd' E=$'\xf0\x9f\x98\x80'
{ chunk '{"role":"assistant","content":"a\ud83d"}'
  chunk '{"reasoning_content":"r\uD83D"}'
  chunk '{"content":"\ude00b \\ud83d \ud83d\ude00 x\udc00y\ud83d"}'
  chunk '{"reasoning_content":"\uDE00s"}'
  chunk '{"content":"z"}'
  chunk '{"content":"\ud83d"}'
  chunk '{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"f","arguments":"{\"a\":\"\ud83d"}}]}'
  chunk '{"tool_calls":[{"index":0,"function":{"arguments":"\ude00\"}"}}]}' '"stop"'
  printf 'data: [DONE]\n\n'; } >"$T/surr.sse"
want_text="a${E}b \\ud83d ${E} x${R}y${R}z${R}"
"$DJ" "$T/surr.sse" >"$T/out" 2>"$T/err"; st=$?
is "$st:$(cat "$T/out")$(cat "$T/err")" "0:$want_text" "surrogate halves in two chunks: joined in the text; unpaired halves U+FFFD; exit 0"
"$DJ" -r "$T/surr.sse" >"$T/out" 2>"$T/err"; st=$?
is "$st:$(cat "$T/out"):$(cat "$T/err")" "0:$want_text:r${E}s" "surrogate halves: -r joins them in the reasoning too (across the answer's fragments)"
"$DJ" -e "$T/surr.sse" >"$T/out" 2>"$T/err"; st=$?
is "$st:$(jq -r 'select(.type == "text") | .text' "$T/out" | tr -d '\n')" "0:$want_text" "surrogate halves: -e text events join to the text"
is "$(jq -c 'select(.type == "text") | .text' "$T/out" | head -n 3 | tr '\n' ' ')" "\"a\" \"${E}b \\\\ud83d ${E} x${R}y\" \"${R}z\" " \
    "surrogate halves: -e writes each delta as it comes, only a trailing high half held for the next one"
is "$(jq -r 'select(.type == "tool_call") | .arguments' "$T/out" | tr -d '\n')" "{\"a\":\"${E}\"}" "surrogate halves: -e tool-call fragments join"
grep -q $'\xf4\x8f' "$T/out"; is "$?" 1 "surrogate halves: no internal stand-in byte ever reaches the output"
"$DJ" -j "$T/surr.sse" >"$T/out" 2>"$T/err"; st=$?
is "$st:$(jq -r '.content, .reasoning, .tool_calls[0].arguments' "$T/out" | tr '\n' '|')" "0:$want_text|r${E}s|{\"a\":\"${E}\"}|" "surrogate halves: -j"
"$DJ" -T "$T/surr.sse" >"$T/out" 2>"$T/err"; st=$?
is "$st:$(cat "$T/out")" "0:{\"id\":\"call_1\",\"name\":\"f\",\"arguments\":{\"a\":\"${E}\"}}" "surrogate halves: -T"
"$DJ" -n "$T/surr.sse" >"$T/out" 2>"$T/err"; st=$?
is "$st:$(jq -r '.choices[0].message | .content, .reasoning_content, .tool_calls[0].function.arguments' "$T/out" | tr '\n' '|')" \
    "0:$want_text|r${E}s|{\"a\":\"${E}\"}|" "surrogate halves: -n"
# the halves at every place in an event (the scan that finds them reads
# sixteen bytes at a time, and the last ones apart)
{ for i in $(seq 0 40); do
	pad=$(printf '%*s' "$i" '' | tr ' ' p)
	chunk "{\"content\":\"$pad\ud83d\"}"
	chunk '{"content":"\ude00"}'
	chunk "{\"content\":\"\ud83d\ude00$pad\"}"
  done; printf 'data: [DONE]\n\n'; } >"$T/surr-at.sse"
want_at=$(for i in $(seq 0 40); do pad=$(printf '%*s' "$i" '' | tr ' ' p); printf '%s' "$pad$E$E$pad"; done)
"$DJ" -x "$T/surr-at.sse" >"$T/out" 2>"$T/err"; st=$?
is "$st:$(cat "$T/out")$(cat "$T/err")" "0:$want_at" "surrogate halves at every offset of an event: joined"
LLMPIPE_NO_FASTPATH=1 "$DJ" -e "$T/surr.sse" >"$T/out2" 2>&1
"$DJ" -e "$T/surr.sse" >"$T/out" 2>&1
cmp -s "$T/out" "$T/out2"; ok $? "surrogate halves: the fast path agrees"
# a high half that ends the stream (no finish, no terminal event) and one
# before a finish: U+FFFD, written, nothing lost
{ chunk '{"role":"assistant","content":"q\ud83d"}'; } >"$T/surr-end.sse"
"$DJ" "$T/surr-end.sse" >"$T/out" 2>/dev/null; st=$?
is "$st:$(jq -r .content <("$DJ" -j "$T/surr-end.sse" 2>/dev/null))" "3:q$R" "surrogate high half at the end of a cut stream: -j has U+FFFD, exit 3"
is "$st:$(cat "$T/out")" "3:q$R" "surrogate high half at the end of a cut stream: the streamed text ends with its U+FFFD too, exit 3"
"$DJ" -e "$T/surr-end.sse" 2>/dev/null | jq -r 'select(.type == "text") | .text' | tr -d '\n' >"$T/out"
is "$(cat "$T/out")" "q$R" "surrogate high half at the end of a cut stream: -e hands it on as U+FFFD"
# stream-metrics reads the same stream without a complaint
"$BIN/stream-metrics" -q "$T/surr.sse" >/dev/null 2>"$T/err"; st=$?
is "$st:$(grep -c 'not valid JSON' "$T/err"):$(grep -c '^status  *complete' "$T/err")" "0:0:1" \
    "surrogate halves: stream-metrics reads them without an error"
# streaming: "a" is written while the writer still holds the pipe open,
# the held high half is not, and it joins the next chunk
rm -f "$T/fifo"; mkfifo "$T/fifo"
"$DJ" <"$T/fifo" >"$T/out" 2>/dev/null & djpid=$!
exec 8>"$T/fifo"
head -n 4 "$T/surr.sse" >&8
for i in $(seq 50); do [ -s "$T/out" ] && break; sleep 0.1; done
is "$(cat "$T/out")" "a" "surrogate halves: the delta before the high half streams at once"
tail -n +5 "$T/surr.sse" >&8
exec 8>&-
wait "$djpid"
is "$(cat "$T/out")" "$want_text" "surrogate halves: then the rest, joined"

# Anthropic: text_delta and input_json_delta cut between the halves
as() { printf 'event: %s\ndata: {"type":"%s",%s}\n\n' "$1" "$1" "$2"; }
{ as message_start '"message":{"id":"msg_1","type":"message","role":"assistant","model":"c","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":1,"output_tokens":1}}'
  as content_block_start '"index":0,"content_block":{"type":"text","text":""}'
  as content_block_delta '"index":0,"delta":{"type":"text_delta","text":"a\ud83d"}'
  as ping '"x":1'
  as content_block_delta '"index":0,"delta":{"type":"text_delta","text":"\ude00b"}'
  as content_block_stop '"index":0'
  as content_block_start '"index":1,"content_block":{"type":"tool_use","id":"toolu_1","name":"f","input":{}}'
  as content_block_delta '"index":1,"delta":{"type":"input_json_delta","partial_json":"{\"q\":\"\ud83d"}'
  as content_block_delta '"index":1,"delta":{"type":"input_json_delta","partial_json":"\ude00\"}"}'
  as content_block_stop '"index":1'
  as message_delta '"delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":5}'
  as message_stop '"x":1'; } >"$T/asurr.sse"
"$DJ" "$T/asurr.sse" >"$T/out" 2>"$T/err"; st=$?
is "$st:$(cat "$T/out")$(cat "$T/err")" "0:a${E}b" "anthropic text_delta cut between surrogate halves: joined"
"$DJ" -T "$T/asurr.sse" >"$T/out" 2>"$T/err"; st=$?
is "$st:$(cat "$T/out")" "0:{\"id\":\"toolu_1\",\"name\":\"f\",\"arguments\":{\"q\":\"${E}\"}}" "anthropic input_json_delta cut between surrogate halves: -T"
"$DJ" -e "$T/asurr.sse" >"$T/out" 2>"$T/err"; st=$?
is "$st:$(jq -r 'select(.type == "text") | .text' "$T/out" | tr -d '\n')" "0:a${E}b" "anthropic surrogate halves: -e"
"$DJ" -n "$T/asurr.sse" >"$T/out" 2>"$T/err"; st=$?
is "$st:$(jq -c '[.content[0].text, .content[1].input]' "$T/out")" "0:[\"a${E}b\",{\"q\":\"${E}\"}]" "anthropic surrogate halves: -n"
{ as message_start '"message":{"id":"msg_1","type":"message","role":"assistant","model":"c","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":1,"output_tokens":1}}'
  as content_block_start '"index":0,"content_block":{"type":"text","text":""}'
  as content_block_delta '"index":0,"delta":{"type":"text_delta","text":"c\udc00"}'
  as content_block_delta '"index":0,"delta":{"type":"text_delta","text":"d\ud83d"}'
  as content_block_stop '"index":0'
  as message_delta '"delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":5}'
  as message_stop '"x":1'; } >"$T/alone.sse"
for m in "" -e -j -n; do
	"$DJ" $m "$T/alone.sse" >"$T/out" 2>"$T/err"; st=$?
	case $m in
	-e) got=$(jq -r 'select(.type == "text") | .text' "$T/out" | tr -d '\n') ;;
	-j) got=$(jq -r .content "$T/out") ;;
	-n) got=$(jq -r '.content[0].text' "$T/out") ;;
	*) got=$(cat "$T/out") ;;
	esac
	is "$st:$got" "0:c${R}d${R}" "anthropic unpaired surrogate halves: U+FFFD (${m:-text})"
done

# Interleaved fragments of parallel calls (0, 1, 0, 1): "the next index
# starts" does not complete a call whose arguments are not yet whole JSON,
# so -T writes each call whole, never a cut-off string.
{ chunk '{"role":"assistant","tool_calls":[{"index":0,"id":"a","type":"function","function":{"name":"f","arguments":"{\"x\":"}}]}'
  chunk '{"tool_calls":[{"index":1,"id":"b","type":"function","function":{"name":"g","arguments":"{\"y\":"}}]}'
  chunk '{"tool_calls":[{"index":0,"function":{"arguments":"1}"}}]}'
  chunk '{"tool_calls":[{"index":1,"function":{"arguments":"2}"}}]}'
  chunk '{}' '"tool_calls"'; printf 'data: [DONE]\n\n'; } >"$T/inter.sse"
"$DJ" -T "$T/inter.sse" >"$T/out" 2>"$T/err"; st=$?
is "$st:$(tr '\n' ' ' <"$T/out")$(cat "$T/err")" '0:{"id":"a","name":"f","arguments":{"x":1}} {"id":"b","name":"g","arguments":{"y":2}} ' "interleaved tool-call fragments: -T writes whole calls"
# ... and one whose partial arguments looked whole: reported, exit 1
{ chunk '{"role":"assistant","tool_calls":[{"index":0,"id":"a","type":"function","function":{"name":"f","arguments":"1"}}]}'
  chunk '{"tool_calls":[{"index":1,"id":"b","type":"function","function":{"name":"g","arguments":"{}"}}]}'
  chunk '{"tool_calls":[{"index":0,"function":{"arguments":"2"}}]}'
  chunk '{}' '"tool_calls"'; printf 'data: [DONE]\n\n'; } >"$T/late.sse"
"$DJ" -T "$T/late.sse" >"$T/out" 2>"$T/err"; st=$?
is "$st" 1 "-T: arguments after a call was written: exit 1"
grep -q "tool call a: arguments arrived after it was complete" "$T/err"
ok $? "-T: arguments after a call was written: reported"
"$DJ" -j "$T/late.sse" >"$T/out" 2>"$T/err"
is "$?:$(jq -c '[.tool_calls[].arguments]' "$T/out")" '0:["12","{}"]' "-j: the same stream assembles without complaint"

"$DJ" -j --max-size 100 "$REAL/deepseek-chat/reasoner-reasoning-content.sse" >"$T/out" 2>"$T/err"; st=$?
is "$st" 1 "--max-size: exit 1 over the cap"
grep -q "size cap" "$T/err"; ok $? "--max-size: a clear error"
for sz in 256M 257M 3G; do
	"$DJ" --max-size "$sz" "$REAL/openai-chat/text-plain.sse" >/dev/null 2>"$T/err"; st=$?
	case $sz in 256M) want=0 ;; *) want=2 ;; esac
	is "$st" "$want" "--max-size $sz: exit $want (at most 256M: libjq's int lengths)"
done

# constant memory: a long stream of pings, keep-alives and empty deltas,
# in every output mode (200k of each: the 20 MB cap is far below what
# keeping them would take)
if rss_meaningful; then
	awk 'BEGIN { for (i = 0; i < 200000; i++) {
	    print "data: {\"choices\":[{\"index\":0,\"delta\":{}}]}\n\n: keep-alive\n" }
	    print "data: [DONE]\n" }' >"$T/empty.sse"
	awk 'BEGIN { print "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"m\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"c\",\"content\":[],\"stop_reason\":null,\"usage\":{\"input_tokens\":1,\"output_tokens\":1}}}\n"
	    for (i = 0; i < 200000; i++) print "event: ping\ndata: {\"type\": \"ping\"}\n"
	    print "event: message_stop\ndata: {\"type\":\"message_stop\"}\n" }' >"$T/pings.sse"
	for f in empty pings; do
		for m in "" -j -n -e -T; do
			/usr/bin/time -f %M -o "$T/rss" "$DJ" $m "$T/$f.sse" >/dev/null 2>&1
			st=$? rss=$(tail -n 1 "$T/rss")
			[ "$st" = 0 ] && [ "$rss" -lt 20000 ]
			ok $? "200k ${f/empty/empty deltas} ($m): constant memory (status $st, ${rss} KiB)"
		done
	done
else
	pass "# SKIP constant memory: peak RSS not measured on this build"
fi

# SIGINT ends the input: what was assembled is written in every mode, a
# line on stderr says so, exit 130
two='data: {"choices":[{"index":0,"delta":{"content":"hel"}}]}\n\ndata: {"choices":[{"index":0,"delta":{"content":"lo"}}]}\n\n'
interrupt delta-join -j -- "$two"
is "$INT_STATUS:$(jq -r .content "$T/int_out" 2>&1)" "130:hello" "SIGINT: -j writes the message assembled so far, exit 130"
grep -q '^delta-join: stdin: interrupted' "$T/int_err"
ok $? "SIGINT: stderr says it was interrupted"
interrupt delta-join -n -- "$two"
is "$INT_STATUS:$(jq -r '.choices[0].message.content' "$T/int_out" 2>&1)" "130:hello" "SIGINT: -n writes the body assembled so far, exit 130"
interrupt delta-join -- "$two"
is "$INT_STATUS:$(cat "$T/int_out")" "130:hello" "SIGINT: text mode, exit 130"

# what had arrived in the pipe when SIGINT came is read, not dropped: the
# tool is stopped, 5000 more chunks (more than one read takes) are
# written, then SIGINT and SIGCONT
awk 'BEGIN { for (i = 0; i < 5000; i++) print "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"w\"}}]}\n" }' >"$T/more.sse"
rm -f "$T/fifo_st"; mkfifo "$T/fifo_st"
env --default-signal=INT "$DJ" -j <"$T/fifo_st" >"$T/st_out" 2>/dev/null &
pid=$!
exec 8>"$T/fifo_st"
printf '%b' "$two" >&8
wait_blocked "$pid"
kill -STOP "$pid"
cat "$T/more.sse" >&8
kill -INT "$pid"; kill -CONT "$pid"
wait "$pid"
st=$?
exec 8>&-
is "$st:$(jq -r '.content | length' "$T/st_out" 2>&1)" "130:5005" "SIGINT: the 5000 chunks already in the pipe are read and assembled"

# a SIGINT ignored at start (a script's background job) stays ignored, as
# the Unix tools keep it: the stream is read to its end
rm -f "$T/fifo_ig"; mkfifo "$T/fifo_ig"
"$DJ" -j <"$T/fifo_ig" >"$T/ig_out" 2>/dev/null &
pid=$!
exec 8>"$T/fifo_ig"
printf '%b' "$two" >&8
sleep 0.5
kill -INT "$pid"
sleep 0.2
printf 'data: [DONE]\n\n' >&8
exec 8>&-
wait "$pid"
is "$?:$(jq -r .content "$T/ig_out" 2>&1)" "0:hello" "SIGINT ignored at start: kept ignored, the stream read to its end"

# write errors: every mode exits 1 with a message; -r's reasoning on a
# failing stderr is a write error too
for m in "" -j -n -e -T; do
	f=text-plain; [ "$m" = -T ] && f=parallel-tool-calls
	"$DJ" $m "$REAL/openai-chat/$f.sse" >/dev/full 2>"$T/err"
	st=$?
	[ "$st" = 1 ] && grep -q 'write error' "$T/err"
	ok $? "> /dev/full ($m): exit 1 and 'write error' (status $st)"
done
"$DJ" -r "$REAL/deepseek-chat/reasoner-reasoning-content.sse" >/dev/null 2>/dev/full
is "$?" 1 "-r 2> /dev/full: the reasoning is lost: exit 1"

# '-' is stdin
"$DJ" -j - <"$REAL/openai-chat/text-plain.sse" >"$T/a" 2>/dev/null
"$DJ" -j "$REAL/openai-chat/text-plain.sse" >"$T/b" 2>/dev/null
same_file "$T/a" "$T/b" "'-' reads stdin"

# 7. --native numbers where no SDK exists (Gemini, Ollama): checked with jq
for f in "$REAL"/gemini/*.sse; do
	name=${f#"$REAL"/}
	want=$(sed -n 's/^data: //p' "$f" | tr -d '\r' | jq -s -c '
	  {usage: (map(.usageMetadata // empty) | last),
	   text: ([.[].candidates[0].content.parts[]? | select(.text and (.thought | not)) | .text] | add),
	   finish: ([.[].candidates[0].finishReason // empty] | last)}')
	got=$("$DJ" -n "$f" | jq -c '{usage: .usageMetadata,
	   text: ([.candidates[0].content.parts[] | select(.text and (.thought | not)) | .text] | add),
	   finish: .candidates[0].finishReason}')
	is "$got" "$want" "gemini --native usage, text, finishReason = jq ($name)"
done
f=$REAL/ollama/generate-thinking-gpt-oss.ndjson
want=$(jq -s -c '{r: (map(.response) | add), t: (map(.thinking // empty) | add), e: last.eval_count, p: last.prompt_eval_count}' "$f")
got=$("$DJ" -n "$f" | jq -c '{r: .response, t: .thinking, e: .eval_count, p: .prompt_eval_count}')
is "$got" "$want" "ollama --native response, thinking, counts = jq"
printf '%s\n' '{"model":"m","created_at":"t","message":{"role":"assistant","content":"He"},"done":false}' \
    '{"model":"m","created_at":"t","message":{"role":"assistant","content":"","tool_calls":[{"function":{"name":"f","arguments":{"x":1}}}]},"done":false}' \
    '{"model":"m","created_at":"t","message":{"role":"assistant","content":"y"},"done":true,"done_reason":"stop","eval_count":3}' >"$T/ochat.ndjson"
is "$("$DJ" -n "$T/ochat.ndjson" | jq -c '.message')" \
    '{"role":"assistant","content":"Hey","tool_calls":[{"function":{"name":"f","arguments":{"x":1}}}]}' \
    "ollama /api/chat --native: message assembled"
is "$("$DJ" -T "$T/ochat.ndjson")" '{"id":null,"name":"f","arguments":{"x":1}}' "ollama tool call with -T"

# 8. options, --dialect, help, version, man page
"$DJ" --dialect nope </dev/null >/dev/null 2>"$T/err"
is "$?" 2 "unknown --dialect: exit 2"
"$DJ" --bogus </dev/null >/dev/null 2>&1
is "$?" 2 "unknown option: exit 2"
"$DJ" --json -n </dev/null >"$T/out" 2>"$T/err"
is "$?:$(cat "$T/out"):$(head -n 1 "$T/err")" "2::delta-join: -j and -n cannot be used together" \
    "two output modes: usage error, not the last one silently"
"$DJ" -T -T "$REAL/openai-chat/parallel-tool-calls.sse" >/dev/null 2>&1
is "$?" 0 "the same mode twice is fine"
# --max-event, as in sse-decode: what came before the big event is written
{ printf 'data: {"choices":[{"delta":{"content":"before"}}]}\n\ndata: {"choices":[],"pad":"'
  head -c 3000 /dev/zero | tr '\0' x
  printf '"}\n\ndata: {"choices":[{"delta":{"content":"after"}}]}\n\ndata: [DONE]\n\n'; } >"$T/big.sse"
"$DJ" --max-event 1K "$T/big.sse" >"$T/out" 2>"$T/err"
is "$?:$(cat "$T/out"):$(head -n 1 "$T/err")" \
    "1:before:delta-join: $T/big.sse: event larger than the 1024-byte limit" \
    "--max-event 1K: a larger event is an error after what came before"
"$DJ" --max-event 4K "$T/big.sse" >"$T/out" 2>/dev/null
is "$?:$(cat "$T/out")" "0:beforeafter" "--max-event 4K: the same stream passes"
"$DJ" --max-event 2G </dev/null >/dev/null 2>"$T/err"
is "$?:$(head -n 1 "$T/err")" "2:delta-join: --max-event: '2G' is over the 1G limit" "--max-event over 1G: usage error"
"$DJ" --dialect anthropic "$REAL/openai-chat/text-plain.sse" >"$T/out" 2>/dev/null
is "$(cat "$T/out")" "" "--dialect forces the dialect (openai chunks read as anthropic: no text)"
"$DJ" --dialect openai-chat "$REAL/openai-chat/text-plain.sse" | cmp -s - "$G/openai-chat--text-plain.text.out"
ok $? "--dialect openai-chat on an openai stream"
"$DJ" -h >"$T/help"; is "$?" 0 "-h: exit 0"
for o in --reasoning --json --native --events --tool-calls --dialect --max-size --help --version; do
	grep -q -- "$o" "$T/help" || { fail "--help lists $o"; continue; }
	grep -q -- "^\.Fl ${o#--}" "$TOP/man/delta-join.1" 2>/dev/null ||
	    grep -q -- "Fl .*${o#--}" "$TOP/man/delta-join.1" 2>/dev/null
	ok $? "--help and the man page list $o"
done
"$DJ" -V | grep -q "^delta-join (llmpipe) "; ok $? "-V prints the version"
if command -v mandoc >/dev/null; then
	is "$(mandoc -Tlint -Wwarning "$TOP/man/delta-join.1" 2>&1)" "" "man page lints clean"
fi
"$DJ" "$REAL/openai-chat/text-plain.sse" "$REAL/anthropic-messages/text.sse" >"$T/out"
st=$?; cat "$G/openai-chat--text-plain.text.out" "$G/anthropic-messages--text.text.out" >"$T/want"
is "$st" 0 "several FILEs: exit 0"
same_file "$T/out" "$T/want" "several FILEs: each assembled in turn, each text ending its line"
yes 'data: {"choices":[{"index":0,"delta":{"content":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}}]}
' | head -n 200000 | "$DJ" | head -c 10 >/dev/null
st=${PIPESTATUS[2]}
[ "$st" = 141 ] || [ "$st" = 0 ]; ok $? "closed downstream pipe ends quietly ($st)"

# Ollama NDJSON whose last line was cut off mid-JSON: incomplete (3), not
# bad input, with what was assembled written
head -c 2000 "$FIX/real/ollama/generate-thinking-gpt-oss.ndjson" >"$T/cut.ndjson"
"$BIN/delta-join" -j "$T/cut.ndjson" >"$T/out" 2>"$T/err"
is "$?" 3 "ollama NDJSON cut mid-line: exit 3"
grep -q 'stream incomplete' "$T/err"
ok $? "ollama NDJSON cut mid-line: says the stream is incomplete"
is "$(jq -r .reasoning "$T/out" | head -c 7)" "We need" "ollama NDJSON cut mid-line: what arrived is assembled"
done_testing
