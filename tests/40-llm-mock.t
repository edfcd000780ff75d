#!/bin/bash
# llm-mock: endpoints and dialects, built-in set, --echo, captures, timing,
# faults, --require-key, the request log, concurrency and shutdown. The
# client is curl -sN; the streams are read back by sse-decode and
# delta-join. Timed assertions state their tolerance (generous: the
# machine is shared with other tests).
source "$(dirname "$0")/lib.sh"

if ! command -v curl >/dev/null || ! command -v jq >/dev/null; then
	echo "1..0 # SKIP curl and jq are needed"
	exit 0
fi
unset HTTP_PROXY http_proxy HTTPS_PROXY https_proxy ALL_PROXY all_proxy
D=$TOP/tests/llm-mock
R=$FIX/real
HAVE_DJ=0
[ -x "$BIN/delta-join" ] && HAVE_DJ=1

# mock ARGS...: a fresh llm-mock. The URL file is emptied first, so an old
# URL from the previous mock is never read.
mock() {
	: >"$T/mock.url"
	start_mock "$@"
	[ -n "$MOCK_URL" ] || diag "llm-mock did not start: $(cat "$T/mock.err")"
}
stop_mock() { kill "$MOCK_PID" 2>/dev/null; wait "$MOCK_PID" 2>/dev/null; }
post() { # post PATH BODY [CURL ARGS...]
	local p=$1 b=$2; shift 2
	curl -sN "$MOCK_URL$p" -H 'Content-Type: application/json' -d "$b" "$@"
}
# times FILE: the arrival times (ms) of the events of an SSE file made by
# sse-decode -t, one per line
times_ms() { jq -r '.t * 1000 | floor' "$1"; }

GEM=/v1beta/models/gemini-test:streamGenerateContent?alt=sse
GEM1=/v1beta/models/gemini-test:generateContent
BUILTIN="Hello! I am llm-mock, a local stand-in for a streaming LLM API."

# ---- usage -----------------------------------------------------------------
run llm-mock --help >"$T/help"
is "$?" 0 "--help: exit 0"
missing=""
opts=$(grep -oE '^\.It Fl [a-zA-Z] , Fl \\?-[a-z-]+|^\.It Fl \\?-[a-z-]+' \
    "$TOP/man/llm-mock.1" | grep -oE -- '-[a-z-]+$')
[ "$(echo "$opts" | wc -w)" -ge 20 ]
ok $? "the man page documents every option (found $(echo "$opts" | wc -w))"
for o in $opts; do
	grep -q -- "-$o" "$T/help" || missing="$missing -$o"
done
is "$missing" "" "--help lists every option the man page documents"
mandoc -Tlint -Wwarning "$TOP/man/llm-mock.1" >"$T/lint" 2>&1
is "$?:$(cat "$T/lint")" "0:" "man/llm-mock.1 passes mandoc -Tlint -Wwarning"
run llm-mock -V | grep -q '^llm-mock (llmpipe) '
ok $? "-V prints the version"
run llm-mock --bogus >/dev/null 2>&1
is "$?" 2 "unknown option: exit 2"
run llm-mock --fail 2 >/dev/null 2>"$T/err"
is "$?" 2 "--fail without STATUS: exit 2"
run llm-mock --listen nowhere >/dev/null 2>&1
is "$?" 2 "--listen without a port: exit 2"
run llm-mock --timing sometimes >/dev/null 2>&1
is "$?" 2 "--timing other than recorded|fixed: exit 2"
run llm-mock "$T/no-such-file.sse" >/dev/null 2>"$T/err"
is "$?" 1 "a missing capture: exit 1"
run llm-mock "$D/unknown-dialect.sse" >/dev/null 2>"$T/err"
is "$?" 1 "a capture of no known dialect: exit 1"
grep -q 'unknown-dialect.sse: cannot tell the dialect' "$T/err"
ok $? "a capture of no known dialect: says which file and why"

# --listen: a given address and port, IPv4 and IPv6
mock --listen 127.0.0.1:0
port=${MOCK_URL##*:}
stop_mock
mock --listen "127.0.0.1:$port"
is "$MOCK_URL" "http://127.0.0.1:$port" "--listen 127.0.0.1:$port: that address and port"
[ "$(post /v1/chat/completions '{"stream":true}' | grep -c '^data: ')" -gt 2 ]
ok $? "--listen 127.0.0.1:$port: a stream of events"
stop_mock
if [ -e /proc/net/if_inet6 ] && grep -q ' lo$' /proc/net/if_inet6; then
	mock --listen '[::1]:0'
	case $MOCK_URL in 'http://[::1]:'[0-9]*)
		[ "$(post /v1/chat/completions '{"stream":true}' | grep -c '^data: ')" -gt 2 ]
		ok $? "--listen [::1]:0: an IPv6 URL ($MOCK_URL) that answers" ;;
	*) fail "--listen [::1]:0: an IPv6 URL" "got: $MOCK_URL $(cat "$T/mock.err")" ;;
	esac
	stop_mock
else
	pass "# SKIP --listen [::1]:0: no IPv6 loopback here"
fi

# ---- each endpoint, the built-in text answer ------------------------------
mock
case $MOCK_URL in http://127.0.0.1:[0-9]*) pass "prints its base URL" ;;
*) fail "prints its base URL" "got: $MOCK_URL" ;; esac

check_stream() { # check_stream NAME FILE CONTENT-TYPE-WANTED HEADERS-FILE
	local name=$1 f=$2 ct=$3 h=$4
	grep -qi "^content-type: $ct" "$h"
	ok $? "$name: Content-Type $ct"
	if [ "$ct" = application/x-ndjson ]; then
		jq -e . "$f" >/dev/null 2>&1
		ok $? "$name: every line is JSON"
	else
		run sse-decode "$f" >"$T/dec" 2>"$T/dec.err"
		is "$?" 0 "$name: sse-decode reads it back without error"
	fi
	if [ "$HAVE_DJ" = 1 ]; then
		run delta-join "$f" >"$T/text" 2>"$T/dj.err"
		is "$?" 0 "$name: delta-join: complete stream, exit 0"
	fi
}

post /v1/chat/completions '{"model":"gpt-x","stream":true}' -D "$T/h" >"$T/chat.sse"
check_stream "openai-chat builtin" "$T/chat.sse" text/event-stream "$T/h"
[ "$HAVE_DJ" = 1 ] && is "$(cat "$T/text")" "$BUILTIN" "openai-chat builtin: the text"
is "$(tail -n 2 "$T/chat.sse" | head -n 1)" "data: [DONE]" "openai-chat builtin: ends with [DONE]"
grep -q '"model":"gpt-x"' "$T/chat.sse"
ok $? "openai-chat builtin: the request's model in the chunks"

post /v1/responses '{"model":"gpt-x","stream":true,"input":"hi"}' -D "$T/h" >"$T/resp.sse"
check_stream "responses builtin" "$T/resp.sse" text/event-stream "$T/h"
[ "$HAVE_DJ" = 1 ] && is "$(cat "$T/text")" "$BUILTIN" "responses builtin: the text"
run sse-decode "$T/resp.sse" | tail -n 1 | jq -r .event >"$T/last"
is "$(cat "$T/last")" response.completed "responses builtin: ends with response.completed"

post /v1/messages '{"model":"claude-x","stream":true,"max_tokens":9}' -D "$T/h" >"$T/anth.sse"
check_stream "anthropic builtin" "$T/anth.sse" text/event-stream "$T/h"
[ "$HAVE_DJ" = 1 ] && is "$(cat "$T/text")" "$BUILTIN" "anthropic builtin: the text"
run sse-decode "$T/anth.sse" | tail -n 1 | jq -r .event >"$T/last"
is "$(cat "$T/last")" message_stop "anthropic builtin: ends with message_stop"

post "$GEM" '{"contents":[{"parts":[{"text":"hi"}]}]}' -D "$T/h" >"$T/gem.sse"
check_stream "gemini builtin" "$T/gem.sse" text/event-stream "$T/h"
[ "$HAVE_DJ" = 1 ] && is "$(cat "$T/text")" "$BUILTIN" "gemini builtin: the text"
run sse-decode -j -d "$T/gem.sse" | tail -n 1 | jq -r '.candidates[0].finishReason' >"$T/last"
is "$(cat "$T/last")" STOP "gemini builtin: the last chunk has finishReason"
grep -q $'\r$' "$T/gem.sse"
ok $? "gemini builtin: CRLF lines, as Gemini sends them"

post /api/chat '{"model":"llama-x","messages":[{"role":"user","content":"hi"}]}' -D "$T/h" >"$T/oll.ndjson"
check_stream "ollama builtin" "$T/oll.ndjson" application/x-ndjson "$T/h"
[ "$HAVE_DJ" = 1 ] && is "$(cat "$T/text")" "$BUILTIN" "ollama builtin: the text"
is "$(tail -n 1 "$T/oll.ndjson" | jq -c '[.done,.done_reason]')" '[true,"stop"]' \
    "ollama builtin: ends with done:true"
is "$(jq -r .message.content "$T/oll.ndjson" | tr -d '\n')" "$BUILTIN" \
    "ollama builtin: the text in message.content"

# the built-in tool-call answer: chosen when the request offers tools
TOOLS='"tools":[{"type":"function","function":{"name":"get_weather"}}]'
for ep in /v1/chat/completions /v1/responses /v1/messages "$GEM" /api/chat; do
	post "$ep" "{\"model\":\"m\",\"stream\":true,$TOOLS}" >"$T/tool.out"
	if [ "$HAVE_DJ" = 1 ]; then
		run delta-join -T "$T/tool.out" >"$T/calls" 2>"$T/dj.err"
		st=$?
		is "$st:$(jq -c '[.name,(.arguments|if type=="string" then fromjson else . end)]' "$T/calls" 2>&1)" \
		    '0:["get_weather",{"city":"Paris"}]' "builtin tools $ep: delta-join -T sees get_weather {city:Paris}"
		if [ "$ep" != /api/chat ]; then
			run sse-decode "$T/tool.out" >/dev/null 2>"$T/dec.err"
			is "$?:$(cat "$T/dec.err")" "0:" "builtin tools $ep: sse-decode reads it back without error"
		fi
	else
		grep -q get_weather "$T/tool.out"
		ok $? "builtin tools $ep: a get_weather call"
	fi
done

# non-streaming: the assembled body, built by the dialect accumulator
post /v1/chat/completions '{"model":"gpt-x"}' -D "$T/h" >"$T/body"
is "$(jq -r '.object, .choices[0].message.content, .choices[0].finish_reason' "$T/body" | tr '\n' '|')" \
    "chat.completion|$BUILTIN|stop|" "openai-chat non-streaming: chat.completion body"
grep -qi '^content-type: application/json' "$T/h"
ok $? "non-streaming: Content-Type application/json"
post /v1/responses '{"model":"gpt-x","input":"hi"}' >"$T/body"
is "$(jq -r '.status, .output[0].content[0].text' "$T/body" | tr '\n' '|')" \
    "completed|$BUILTIN|" "responses non-streaming: the response object"
post /v1/messages '{"model":"claude-x","max_tokens":9}' >"$T/body"
is "$(jq -r '.type, .content[0].text, .stop_reason' "$T/body" | tr '\n' '|')" \
    "message|$BUILTIN|end_turn|" "anthropic non-streaming: the Message"
post "$GEM1" '{"contents":[]}' >"$T/body"
is "$(jq -r '.candidates[0].content.parts[0].text, .candidates[0].finishReason' "$T/body" | tr '\n' '|')" \
    "$BUILTIN|STOP|" "gemini :generateContent: the GenerateContentResponse"
post /api/chat '{"model":"llama-x","stream":false}' >"$T/body"
is "$(jq -r '.message.content, .done' "$T/body" | tr '\n' '|')" \
    "$BUILTIN|true|" "ollama stream:false: the final object"
post /v1/messages "{\"model\":\"c\",$TOOLS}" >"$T/body"
is "$(jq -c '[.content[0].type, .content[0].name, .content[0].input, .stop_reason]' "$T/body")" \
    '["tool_use","get_weather",{"city":"Paris"},"tool_use"]' "anthropic non-streaming tool call: input parsed"

# models, unknown paths, bad bodies
curl -s "$MOCK_URL/v1/models" >"$T/body"
is "$(jq -r '.data[0].id' "$T/body")" llm-mock "GET /v1/models"
is "$(curl -s -o /dev/null -w '%{http_code}' "$MOCK_URL/v1/nothing")" 404 "unknown path: 404"
is "$(curl -s -o /dev/null -w '%{http_code}' "$MOCK_URL/v1/chat/completions")" 405 "GET on a POST endpoint: 405"
post /v1/messages 'not json' -w '\n%{http_code}' >"$T/body"
is "$(tail -n 1 "$T/body")" 400 "a body that is not JSON: 400"
is "$(head -n 1 "$T/body" | jq -r '.type + " " + .error.type')" "error invalid_request_error" \
    "a body that is not JSON: Anthropic's error shape on /v1/messages"
stop_mock

# ---- --echo: the last user message, word by word, per request shape -----
mock --echo
echo_case() { # echo_case NAME PATH BODY
	post "$2" "$3" >"$T/echo.out"
	if [ "$HAVE_DJ" = 1 ]; then
		run delta-join "$T/echo.out" >"$T/text" 2>"$T/dj.err"
		is "$?:$(cat "$T/text")" "0:the quick  brown fox" "--echo $1: delta-join gives the last user message"
	else
		grep -q 'brown' "$T/echo.out"
		ok $? "--echo $1: the last user message"
	fi
}
echo_case chat /v1/chat/completions '{"stream":true,"messages":[{"role":"user","content":"no"},{"role":"assistant","content":"x"},{"role":"user","content":"the quick  brown fox"}]}'
echo_case "chat parts" /v1/chat/completions '{"stream":true,"messages":[{"role":"user","content":[{"type":"text","text":"the quick "},{"type":"text","text":" brown fox"}]}]}'
echo_case "responses string" /v1/responses '{"stream":true,"input":"the quick  brown fox"}'
echo_case "responses items" /v1/responses '{"stream":true,"input":[{"role":"user","content":[{"type":"input_text","text":"the quick  brown fox"}]}]}'
echo_case anthropic /v1/messages '{"stream":true,"messages":[{"role":"user","content":[{"type":"text","text":"the quick  brown fox"}]}]}'
echo_case gemini "$GEM" '{"contents":[{"role":"user","parts":[{"text":"the quick  brown fox"}]}]}'
echo_case ollama /api/chat '{"messages":[{"role":"user","content":"the quick  brown fox"}]}'
post /v1/chat/completions '{"stream":true,"messages":[{"role":"user","content":"the quick  brown fox"}]}' |
    run sse-decode -d -j | jq -r 'select(type=="object") | .choices[0]?.delta.content // empty' | tr '\n' '|' >"$T/toks"
is "$(cat "$T/toks")" "|the| quick|  brown| fox|" "--echo: token-sized deltas, each word with its leading space"
post /v1/chat/completions '{"stream":true,"messages":[{"role":"user","content":"a b c"}]}' |
    run sse-decode -d -j | jq -c 'select(type=="object" and .usage) | .usage' >"$T/usage"
is "$(cat "$T/usage")" '{"prompt_tokens":3,"completion_tokens":3,"total_tokens":6}' "--echo: a usage chunk"
# echo_deltas CONTENT: the content deltas (JSON) and completion_tokens
echo_deltas() {
	post /v1/chat/completions "{\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":$1}]}" |
	    run sse-decode -d -j | jq -c 'select(type=="object") |
	    (.choices[0]?.delta.content // empty), (.usage.completion_tokens // empty)' | tr '\n' '|'
}
is "$(echo_deltas '"a b\t"')" '""|"a"|" b\t"|2|' "--echo: trailing blanks (a tab too) stay with the last word"
is "$(echo_deltas '" \t "')" '""|" \t "|1|' "--echo: a message of blanks only is one token"
stop_mock

# --max-body: a body past it is refused with 413, one within it answered
mock --echo --max-body 1K
body() { printf '{"stream":true,"messages":[{"role":"user","content":"%s"}]}' "$(printf "%$1s" | tr ' ' x)"; }
is "$(post /v1/chat/completions "$(body 2000)" -o /dev/null -w '%{http_code}')" 413 "--max-body 1K: a 2 KB body: 413"
is "$(post /v1/chat/completions "$(body 900)" -o /dev/null -w '%{http_code}')" 200 "--max-body 1K: a 1 KB body: 200"
stop_mock

# ---- captures: byte for byte, by dialect, round-robin and --pick ---------
mock "$R/openai-chat/text-plain.sse" "$R/openai-chat/tool-call-strict.sse" \
    "$R/anthropic-messages/text.sse" "$R/gemini/text-crlf.sse" \
    "$R/ollama/generate-thinking-gpt-oss.ndjson" "$R/openai-responses/text.sse" \
    "$R/openrouter-chat/midstream-error-chunk.sse"
post /v1/chat/completions '{"stream":true}' >"$T/c1"
post /v1/chat/completions '{"stream":true}' >"$T/c2"
post /v1/chat/completions '{"stream":true}' >"$T/c3"
post /v1/chat/completions '{"stream":true}' >"$T/c4"
same_file "$T/c1" "$R/openai-chat/text-plain.sse" "capture replayed byte for byte (first chat capture)"
same_file "$T/c2" "$R/openai-chat/tool-call-strict.sse" "round-robin: the second chat capture next"
same_file "$T/c3" "$R/openrouter-chat/midstream-error-chunk.sse" "round-robin: comments and all"
same_file "$T/c4" "$R/openai-chat/text-plain.sse" "round-robin: back to the first"
post /v1/messages '{"stream":true}' >"$T/a1"
same_file "$T/a1" "$R/anthropic-messages/text.sse" "anthropic capture on /v1/messages, padded lines kept"
post "$GEM" '{}' >"$T/g1"
same_file "$T/g1" "$R/gemini/text-crlf.sse" "gemini capture, CRLF kept"
post /api/generate '{}' >"$T/o1"
same_file "$T/o1" "$R/ollama/generate-thinking-gpt-oss.ndjson" "Ollama NDJSON capture (generate lines) on /api/generate"
post /v1/responses '{"stream":true}' >"$T/r1"
same_file "$T/r1" "$R/openai-responses/text.sse" "Responses capture"
post /v1/messages '{}' >"$T/body"
is "$(jq -r '.content[0].text' "$T/body")" $'- Captain\n- Scoop' "non-streaming from a capture: the accumulated Message"
stop_mock

# -v: a line per capture loaded: its path, dialect and events
mock -v "$R/openai-chat/text-plain.sse" "$R/gemini/text-crlf.sse"
stop_mock
is "$(head -n 2 "$T/mock.err")" "llm-mock: $R/openai-chat/text-plain.sse: openai-chat, 34 events
llm-mock: $R/gemini/text-crlf.sse: gemini, 3 events" "-v: a line per capture loaded"

mock --pick model "$R/openai-chat/text-plain.sse" "$R/openai-chat/tool-call-strict.sse"
post /v1/chat/completions '{"stream":true,"model":"tool-call"}' >"$T/p1"
same_file "$T/p1" "$R/openai-chat/tool-call-strict.sse" "--pick model: the capture whose name contains the model"
post /v1/chat/completions '{"stream":true,"model":"text-plain"}' >"$T/p2"
same_file "$T/p2" "$R/openai-chat/text-plain.sse" "--pick model: another model, another capture"
post /v1/chat/completions '{"stream":true,"model":"no-such-capture"}' --max-time 10 >"$T/p4"
same_file "$T/p4" "$R/openai-chat/text-plain.sse" "--pick model: a model no capture names: round-robin"
stop_mock

mock --pick model "$R/deepseek-responses/reasoning-function-call.sse" "$R/openai-responses/function-call.sse"
post /v1/responses '{"stream":true,"model":"function-call"}' >"$T/p3"
same_file "$T/p3" "$R/openai-responses/function-call.sse" "--pick model: an exact file name wins over a longer one"
stop_mock

# sse-decode -t NDJSON: replayed as SSE, with its recorded timing
mock "$D/timed.ndjson"
post /v1/chat/completions '{"stream":true}' | "$REALBIN/sse-decode" -t -c >"$T/timed"
times_ms "$T/timed" >"$T/t"
mapfile -t tt <"$T/t"
is "$(jq -r '.data // ("#" + .comment)' "$T/timed" | tr '\n' '|' | sed 's/{[^|]*"content":"\([^"]*\)"[^|]*/\1/g')" \
    "|slow|# keep-alive| start|[DONE]|" "sse-decode -t capture: events and comment replayed"
[ "${tt[0]}" -ge 380 ] && [ "${tt[0]}" -le 900 ]
ok $? "recorded timing: first event at t=0.4 s (${tt[0]} ms; want 380..900)"
g=$(( tt[1] - tt[0] ))
[ "$g" -ge 420 ] && [ "$g" -le 650 ]
ok $? "recorded timing: the 0.5 s gap kept ($g ms; want 420..650)"
stop_mock
mock --timing fixed --delay 0 "$D/timed.ndjson"
post /v1/chat/completions '{"stream":true}' | "$REALBIN/sse-decode" -t >"$T/timed"
last=$(times_ms "$T/timed" | tail -n 1)
[ "$last" -lt 300 ]
ok $? "--timing fixed --delay 0: the recorded gaps ignored (${last} ms)"
stop_mock

# ---- timing: --ttft and --delay, --jitter -------------------------------
mock --ttft 300 --delay 100
post /v1/chat/completions '{"stream":true}' | "$REALBIN/sse-decode" -t >"$T/timed"
mapfile -t tt < <(times_ms "$T/timed")
# sse-decode's clock starts with curl's, give or take a loaded machine
[ "${tt[0]}" -ge 250 ] && [ "${tt[0]}" -le 1500 ]
ok $? "--ttft 300: first event after about 300 ms (${tt[0]} ms; want 250..1500)"
bad=""
for ((i = 1; i < ${#tt[@]}; i++)); do
	g=$(( tt[i] - tt[i - 1] ))
	{ [ "$g" -lt 20 ] || [ "$g" -gt 500 ]; } && bad="$bad $g"
done
is "$bad" "" "--delay 100: every gap within 20..500 ms"
span=$(( tt[${#tt[@]} - 1] - tt[0] ))
want=$(( (${#tt[@]} - 1) * 100 ))
[ "$span" -ge $((want - 20)) ] && [ "$span" -le $((want + 1500)) ]
ok $? "--delay 100: $((${#tt[@]} - 1)) gaps take ${span} ms (want $want, -20..+1500)"
stop_mock

mock --delay 50 --jitter 40 --seed 7
post /v1/chat/completions '{"stream":true}' | "$REALBIN/sse-decode" -t >"$T/timed"
mapfile -t tt < <(times_ms "$T/timed")
bad="" min=1000 max=0
for ((i = 1; i < ${#tt[@]}; i++)); do
	g=$(( tt[i] - tt[i - 1] ))
	[ "$g" -lt "$min" ] && min=$g
	[ "$g" -gt "$max" ] && max=$g
	{ [ "$g" -lt 0 ] || [ "$g" -gt 500 ]; } && bad="$bad $g"
done
is "$bad" "" "--delay 50 --jitter 40: every gap within 10..90 ms (+410 tolerance for a loaded machine)"
[ $((max - min)) -ge 15 ]
ok $? "--jitter 40: the gaps vary (min $min, max $max ms)"
stop_mock

# --seed: the same seed gives the same jitter, another seed another one.
# gaps SEED: the gaps (ms) of one stream from a fresh mock, one per line
gaps() {
	mock --delay 150 --jitter 120 --seed "$1"
	post /v1/chat/completions '{"stream":true}' | "$REALBIN/sse-decode" -t |
	    jq -r '.t * 1000 | floor' | awk 'NR > 1 { print $1 - p } { p = $1 }'
	stop_mock
}
gaps 7 >"$T/g7a"; gaps 7 >"$T/g7b"; gaps 8 >"$T/g8"
# mean absolute difference of two gap lists, in ms
mad() { paste "$1" "$2" | awk '{ d = $1 - $2; s += d < 0 ? -d : d; n++ } END { printf "%d", n ? s / n : 999 }'; }
same=$(mad "$T/g7a" "$T/g7b") other=$(mad "$T/g7a" "$T/g8")
# two draws of -120..+120 ms differ by 80 ms on average; the clock's noise
# on a loaded machine is far below that
[ "$(wc -l <"$T/g7a")" -ge 5 ] && [ "$same" -lt 30 ] && [ "$other" -gt $((same + 30)) ]
ok $? "--seed 7 twice: the same gaps (mean difference $same ms; seed 8: $other ms)"

# ---- faults ----------------------------------------------------------------
mock --echo --fail 2:429:7 --fail-header 'x-should-retry: false' --fail-header 'X-Extra: 1'
post /v1/chat/completions '{"stream":true}' -D "$T/h" -o "$T/body"
is "$(head -n 1 "$T/h" | tr -d '\r')" "HTTP/1.1 429 Too Many Requests" "--fail 2:429:7: first request 429"
grep -qi '^retry-after: 7' "$T/h"
ok $? "--fail 2:429:7: Retry-After: 7"
grep -qi '^x-should-retry: false' "$T/h" && grep -qi '^x-extra: 1' "$T/h"
ok $? "--fail-header: both extra headers"
is "$(jq -c '.error | [.type,.code,(.message|type)]' "$T/body")" \
    '["requests","rate_limit_exceeded","string"]' "--fail: OpenAI's error shape"
post /v1/messages '{"stream":true}' -o "$T/body" -w '%{http_code}' >"$T/code"
is "$(cat "$T/code"):$(jq -c '[.type,.error.type]' "$T/body")" '429:["error","rate_limit_error"]' \
    "--fail: second request 429 in Anthropic's shape"
post /v1/chat/completions '{"stream":true}' -o /dev/null -w '%{http_code}' >"$T/code"
is "$(cat "$T/code")" 200 "--fail 2: the third request succeeds"
stop_mock
mock --fail 2:503
post "$GEM" '{}' -o "$T/body" -D "$T/h"
is "$(jq -c '.error | [.code,.status]' "$T/body")" '[503,"UNAVAILABLE"]' "--fail: Gemini's error shape"
grep -qi '^retry-after' "$T/h"
is "$?" 1 "--fail N:STATUS: no Retry-After without one"
post /api/chat '{}' -o "$T/body"
is "$(jq -r '.error | type' "$T/body")" string "--fail: Ollama's {\"error\":\"...\"}"
stop_mock

mock --cut-after 3
post /v1/chat/completions '{"stream":true}' >"$T/cut"
is "$?" 18 "--cut-after 3: curl sees a truncated transfer (exit 18)"
is "$(run sse-decode "$T/cut" | wc -l | tr -d ' ')" 3 "--cut-after 3: exactly 3 events arrived"
post /api/chat '{}' >"$T/cut"
is "$?:$(wc -l <"$T/cut" | tr -d ' ')" "18:3" "--cut-after 3: Ollama NDJSON cut after 3 lines"
stop_mock

mock --stall-after 2:1.2
post /v1/chat/completions '{"stream":true}' | "$REALBIN/sse-decode" -t >"$T/stall"
mapfile -t tt < <(times_ms "$T/stall")
g=$(( tt[2] - tt[1] ))
[ "$g" -ge 1150 ] && [ "$g" -le 3500 ]
ok $? "--stall-after 2:1.2: nothing for 1.2 s after event 2 ($g ms; want 1150..3500)"
is "$(tail -n 1 "$T/stall" | jq -r .data)" "[DONE]" "--stall-after: then the stream goes on to its end"
stop_mock

mock --error-after 2
post /v1/chat/completions '{"stream":true}' | run sse-decode >"$T/err.ev"
is "$(wc -l <"$T/err.ev" | tr -d ' '):$(tail -n 1 "$T/err.ev" | jq -r '.data | fromjson | .error.code')" \
    "3:overloaded" "--error-after 2: chat: 2 events, then data: {\"error\":...}, no [DONE]"
post /v1/messages '{"stream":true}' | run sse-decode >"$T/err.ev"
is "$(tail -n 1 "$T/err.ev" | jq -r '.event + " " + (.data | fromjson | .error.type)')" \
    "error overloaded_error" "--error-after 2: anthropic: event: error overloaded_error"
grep -q message_stop "$T/err.ev"
is "$?" 1 "--error-after 2: anthropic: no message_stop"
post /v1/responses '{"stream":true}' | run sse-decode >"$T/err.ev"
is "$(jq -r .event "$T/err.ev" | tr '\n' ' ')" \
    "response.created response.in_progress error response.failed " "--error-after 2: responses: error then response.failed"
post "$GEM" '{}' | run sse-decode >"$T/err.ev"
is "$(tail -n 1 "$T/err.ev" | jq -r '.data | fromjson | .error.status')" UNAVAILABLE \
    "--error-after 2: gemini: an error object"
post /api/chat '{}' >"$T/err.ev"
is "$(tail -n 1 "$T/err.ev" | jq -r '.error | type')" string "--error-after 2: ollama: {\"error\":...}"
if [ "$HAVE_DJ" = 1 ]; then
	post /v1/messages '{"stream":true}' >"$T/err.sse"
	run delta-join "$T/err.sse" >/dev/null 2>&1
	is "$?" 4 "--error-after: delta-join reports the provider error (exit 4)"
fi
stop_mock

mock --echo
post /api/chat '{"messages":[{"role":"user","content":"a b c d e f g"}]}' >"$T/plain"
stop_mock
mock --echo --trickle
post /api/chat '{"messages":[{"role":"user","content":"a b c d e f g"}]}' \
    --trace-ascii "$T/trace" >"$T/trickled"
same_file "$T/trickled" "$T/plain" "--trickle: the same bytes"
size=$(stat -c %s "$T/plain")
reads=$(grep -c '<= Recv data' "$T/trace")
[ "$reads" -ge $((size / 4)) ]
ok $? "--trickle: arrives in tiny pieces ($reads reads for $size bytes)"
stop_mock

# ---- --require-key ---------------------------------------------------------
mock --echo --require-key
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
is "$(code "$MOCK_URL/v1/chat/completions" -d '{}')" 401 "--require-key: chat without a key: 401"
is "$(code "$MOCK_URL/v1/chat/completions" -H 'Authorization: Bearer k' -d '{}')" 200 \
    "--require-key: chat with Authorization: Bearer: 200"
is "$(code "$MOCK_URL/v1/responses" -H 'Authorization: Bearer k' -d '{}')" 200 \
    "--require-key: responses with Authorization: Bearer: 200"
is "$(code "$MOCK_URL/v1/messages" -H 'Authorization: Bearer k' -d '{}')" 200 \
    "--require-key: anthropic with a Bearer token only (as @anthropic-ai/sdk 1.x sends it): 200"
is "$(code "$MOCK_URL/v1/messages" -H 'Authorization: Basic k' -d '{}')" 401 \
    "--require-key: anthropic with Authorization but not Bearer: 401"
is "$(code "$MOCK_URL/v1/messages" -H 'x-api-key: k' -d '{}')" 200 "--require-key: anthropic with x-api-key: 200"
is "$(code "$MOCK_URL$GEM1" -H 'x-goog-api-key: k' -d '{}')" 200 "--require-key: gemini with x-goog-api-key: 200"
is "$(code "$MOCK_URL$GEM1" -d '{}')" 401 "--require-key: gemini without: 401"
is "$(code "$MOCK_URL$GEM1?key=k" -d '{}')" 200 "--require-key: gemini with the key as ?key=: 200"
is "$(code "$MOCK_URL$GEM1?key=" -d '{}')" 401 "--require-key: gemini with an empty ?key=: 401"
is "$(code "$MOCK_URL/v1/chat/completions?key=k" -d '{}')" 401 "--require-key: ?key= is Gemini's only: chat 401"
is "$(code "$MOCK_URL/api/chat" -d '{"stream":false}')" 200 "--require-key: ollama needs no key"
curl -s "$MOCK_URL/v1/messages" -d '{}' >"$T/body"
is "$(jq -r .error.type "$T/body")" authentication_error "--require-key: 401 in Anthropic's shape"
curl -s "$MOCK_URL$GEM1" -d '{}' >"$T/body"
is "$(jq -r .error.status "$T/body")" UNAUTHENTICATED "--require-key: 401 in Gemini's shape"
stop_mock

# ---- the request log -------------------------------------------------------
SECRET=sk-mock-secret-$$-Qw3
mock --echo --log-requests "$T/log"
post /v1/chat/completions '{"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]}' \
    -H "Authorization: Bearer $SECRET" -H "Proxy-Authorization: Basic $SECRET" >/dev/null
post /v1/messages '{"stream":true}' -H "x-api-key: $SECRET" -H "api-key: $SECRET" >/dev/null
post "$GEM&key=$SECRET" '{}' -H "x-goog-api-key: $SECRET" >/dev/null
curl -s "$MOCK_URL/v1/models" >/dev/null
curl -s "$MOCK_URL/api/chat" -d 'plain text' >/dev/null
is "$(wc -l <"$T/log" | tr -d ' ')" 5 "--log-requests: one line per request"
jq -e . "$T/log" >/dev/null 2>&1
ok $? "--log-requests: every line is JSON"
grep -q -- "$SECRET" "$T/log"
is "$?" 1 "--log-requests: no credential ever written"
is "$(sed -n 1p "$T/log" | jq -c '[.method,.path,.key_header,.headers.authorization,.headers["proxy-authorization"],.body.model]')" \
    '["POST","/v1/chat/completions","authorization","<redacted>","<redacted>","m"]' \
    "--log-requests: chat: method, path, key header, redacted values, parsed body"
is "$(sed -n 2p "$T/log" | jq -c '[.key_header,.headers["x-api-key"],.headers["api-key"]]')" \
    '["x-api-key","<redacted>","<redacted>"]' "--log-requests: anthropic: x-api-key and api-key redacted"
is "$(sed -n 3p "$T/log" | jq -c '[.path,.query,.key_header,.headers["x-goog-api-key"]]')" \
    '["/v1beta/models/gemini-test:streamGenerateContent","alt=sse&key=<redacted>","x-goog-api-key","<redacted>"]' \
    "--log-requests: gemini: the query, key= redacted"
is "$(sed -n 4p "$T/log" | jq -c '[.method,.path,.key_header]')" '["GET","/v1/models",null]' \
    "--log-requests: GET, no key header: null"
is "$(sed -n 5p "$T/log" | jq -c .body)" '"plain text"' "--log-requests: a body that is not JSON, as a string"
is "$(sed -n 1p "$T/log" | jq -r '.headers | keys[]' | grep -c '[A-Z]')" 0 \
    "--log-requests: header names lowercased"
stop_mock

# ---- concurrency: 100 parallel streams, all complete and byte-exact -----
mock --delay 10
post /v1/chat/completions '{"stream":true}' >"$T/ref"
mkdir "$T/par"
seq 100 | xargs -P 100 -I{} sh -c \
    'curl -sN "$1/v1/chat/completions" -d "{\"stream\":true}" >"$2/{}.out"; echo $? >"$2/{}.rc"' \
    sh "$MOCK_URL" "$T/par"
is "$(cat "$T"/par/*.rc | sort | uniq -c | tr -s ' ')" " 100 0" "100 parallel streams: every curl exits 0"
badn=0
for f in "$T"/par/*.out; do cmp -s "$f" "$T/ref" || badn=$((badn + 1)); done
is "$badn" 0 "100 parallel streams: all byte-exact against the reference"
stop_mock

# ---- the official SDKs as clients ---------------------------------------
if command -v node >/dev/null && "$TOP/tests/peers/install" 2>/dev/null; then
	mock --echo
	timeout 60 node "$D/sdk-client.mjs" "$MOCK_URL" >"$T/sdk" 2>&1
	for c in "openai chat stream" "openai chat create" "openai responses stream" \
	    "openai responses create" "anthropic stream" "anthropic create"; do
		is "$(jq -c --arg c "$c" 'select(.case == $c) | .text // .error' "$T/sdk")" \
		    '"the quick brown fox"' "SDK $c: --echo assembled by the official SDK"
	done
	stop_mock
	mock
	timeout 60 node "$D/sdk-client.mjs" "$MOCK_URL" tools >"$T/sdk" 2>&1
	is "$(jq -c '.text // .error' "$T/sdk" | tr '\n' ' ')" \
	    '["tool_calls","get_weather",{"city":"Paris"}] ["completed","get_weather",{"city":"Paris"}] ["tool_use","get_weather",{"city":"Paris"}] ' \
	    "SDKs: the built-in tool call assembled by openai (chat, responses) and anthropic"
	stop_mock
else
	echo "ok $((_n + 1)) # SKIP node or the npm peers are not available"; _n=$((_n + 1))
fi

# ---- clean shutdown --------------------------------------------------------
for sig in TERM INT; do
	mock --delay 1000
	( post /v1/chat/completions '{"stream":true}' >"$T/inflight"; echo $? >"$T/inflight.rc" ) &
	cpid=$!
	sleep 1.3
	t0=$(date +%s%3N)
	kill -$sig "$MOCK_PID"
	wait "$MOCK_PID"
	st=$? t=$(( $(date +%s%3N) - t0 ))
	wait "$cpid"
	is "$st" 0 "SIG$sig: exit 0"
	[ "$t" -lt 2000 ]
	ok $? "SIG$sig: stops at once with a stream in flight (${t} ms)"
	is "$(cat "$T/inflight.rc")" 18 "SIG$sig: the in-flight stream is closed, not ended cleanly (curl 18)"
done

# ---- scripts/demo (make demo) stops its llm-mock however it ends ----------
# Its temporary directory is removed by the same trap that stops llm-mock,
# so an empty $TMPDIR afterwards means llm-mock was stopped.
if [ -x "$REALBIN/llm-request" ] && [ -x "$REALBIN/stream-metrics" ] &&
    [ -x "$REALBIN/delta-join" ]; then
	mkdir "$T/demo-tmp"
	TMPDIR=$T/demo-tmp LLMPIPE_BUILD=$(dirname "$REALBIN") \
	    "$TOP/scripts/demo" >"$T/demo.out" 2>"$T/demo.err" </dev/null
	st=$?
	grep -q 'I am llm-mock' "$T/demo.out"
	is "$st:$?:$(ls "$T/demo-tmp")" "0:0:" "scripts/demo: the text streams, exit 0, llm-mock stopped"
	# stderr's reader gone before the first line: sh dies of SIGPIPE at
	# that echo, where no EXIT trap runs unless the signal is trapped
	TMPDIR=$T/demo-tmp LLMPIPE_BUILD=$(dirname "$REALBIN") \
	    sh -c '"$1" 2>&1 >/dev/null </dev/null | true' sh "$TOP/scripts/demo"
	sleep 0.2
	is "$(ls "$T/demo-tmp")" "" "scripts/demo with its reader gone (SIGPIPE): llm-mock stopped"
	# on failure, stop the leaked llm-mock: the one whose stdout is its url file
	for f in "$T"/demo-tmp/*/url; do
		[ -e "$f" ] || continue
		for p in /proc/[0-9]*; do
			[ "$(readlink "$p/fd/1" 2>/dev/null)" = "$f" ] && kill "${p#/proc/}"
		done
	done
else
	echo "ok $((_n + 1)) # SKIP the pipeline's tools are not built"; _n=$((_n + 1))
	echo "ok $((_n + 1)) # SKIP the pipeline's tools are not built"; _n=$((_n + 1))
fi

done_testing
