#!/usr/bin/env bash
# llm-request: what each provider's server receives, retries, timeouts,
# faults mid-stream, the reader going away, SIGINT, key safety, bad input.
# Everything runs against llm-mock on 127.0.0.1; nothing touches the network.
source "$(dirname "$0")/lib.sh"

if [ ! -x "$BIN/llm-mock" ]; then
	echo "1..0 # SKIP llm-mock is not built"
	exit 0
fi

# A clean environment: only what each test sets.
unset OPENAI_API_KEY ANTHROPIC_API_KEY GEMINI_API_KEY GOOGLE_API_KEY AZURE_OPENAI_API_KEY \
    OPENAI_BASE_URL ANTHROPIC_BASE_URL OLLAMA_HOST LLM_MODEL \
    HTTPS_PROXY https_proxy HTTP_PROXY http_proxy ALL_PROXY all_proxy
KEY=sk-llmpipe-test-$$-Zq7xK3vN9pRw
D=$TOP/tests/llm-request

mock() { # mock ARGS...: a fresh llm-mock logging requests to $T/log
	# (start_mock polls mock.url: remove the previous mock's URL first)
	rm -f "$T/log" "$T/mock.url"
	start_mock --log-requests "$T/log" "$@"
}
stop_mock() { kill "$MOCK_PID" 2>/dev/null; wait "$MOCK_PID" 2>/dev/null; }
nreq() { if [ -s "$T/log" ]; then wc -l <"$T/log" | tr -d ' '; else echo 0; fi; }
lastreq() { tail -n 1 "$T/log" | jq -c "$1"; }
now_ms() { date +%s%3N; }
# is_prefix A B: file A is a proper, non-empty prefix of file B
is_prefix() {
	local a b
	a=$(stat -c %s "$1") b=$(stat -c %s "$2")
	[ "$a" -gt 0 ] && [ "$a" -lt "$b" ] && cmp -s "$1" <(head -c "$a" "$2")
}
PROMPT='one two three four five six seven eight nine ten eleven twelve'

# ---- help and man page agree -------------------------------------------
run llm-request --help >"$T/help"
missing=""
for o in $(grep -oE '^\.It Fl [a-zA-Z] , Fl -[a-z-]+|^\.It Fl -[a-z-]+' \
    "$TOP/man/llm-request.1" | grep -oE -- '-[a-z-]+$'); do
	grep -q -- "-$o" "$T/help" || missing="$missing -$o"
done
is "$missing" "" "--help lists every option the man page documents"

# ---- dry run: method, URL, headers (key redacted) and body, per provider --
export OPENAI_API_KEY=$KEY ANTHROPIC_API_KEY=$KEY GEMINI_API_KEY=$KEY \
    AZURE_OPENAI_API_KEY=$KEY
golden "$D" llm-request
if grep -rq -- "$KEY" "$D"/*.out; then
	fail "--dry-run never prints the key"
else
	pass "--dry-run never prints the key"
fi
unset OPENAI_API_KEY ANTHROPIC_API_KEY GEMINI_API_KEY AZURE_OPENAI_API_KEY

# ---- each provider as the server received it -----------------------------
mock --echo
OPENAI_API_KEY=$KEY run llm-request --base-url "$MOCK_URL/v1" -m gpt-test \
    -s 'be brief' --max-tokens 50 --temperature 0.5 'hello openai' \
    >"$T/out" 2>"$T/err"
is "$?" 0 "openai: exit 0"
is "$(lastreq '[.method,.path,.key_header]')" \
    '["POST","/v1/chat/completions","authorization"]' "openai: POST /v1/chat/completions with Authorization"
is "$(lastreq '.headers["content-type"], .headers.accept' | tr '\n' ' ')" \
    '"application/json" "text/event-stream" ' "openai: content-type and accept"
is "$(lastreq '.body')" \
    '{"model":"gpt-test","messages":[{"role":"system","content":"be brief"},{"role":"user","content":"hello openai"}],"max_tokens":50,"temperature":0.5,"stream":true,"stream_options":{"include_usage":true}}' \
    "openai: body"
grep -q 'hello' "$T/out" && ok 0 "openai: the stream reaches stdout" ||
    fail "openai: the stream reaches stdout" "$(head -c 300 "$T/out")"

OPENAI_API_KEY=$KEY run llm-request -p responses --base-url "$MOCK_URL/v1" \
    -m gpt-test -s 'be brief' --max-tokens 50 'hello responses' >"$T/out" 2>"$T/err"
is "$?" 0 "responses: exit 0"
is "$(lastreq '[.path,.key_header]')" '["/v1/responses","authorization"]' \
    "responses: POST /v1/responses with Authorization"
is "$(lastreq '.body')" \
    '{"model":"gpt-test","instructions":"be brief","input":"hello responses","max_output_tokens":50,"stream":true}' \
    "responses: body"

ANTHROPIC_API_KEY=$KEY run llm-request -m claude-test --base-url "$MOCK_URL" \
    -s 'be brief' 'hello anthropic' >"$T/out" 2>"$T/err"
is "$?" 0 "anthropic (inferred from claude-*): exit 0"
is "$(lastreq '[.path,.key_header,.headers["anthropic-version"]]')" \
    '["/v1/messages","x-api-key","2023-06-01"]' \
    "anthropic: POST /v1/messages with x-api-key and anthropic-version"
is "$(lastreq '.body')" \
    '{"model":"claude-test","system":"be brief","messages":[{"role":"user","content":"hello anthropic"}],"max_tokens":4096,"stream":true}' \
    "anthropic: body, max_tokens always set"

GEMINI_API_KEY=$KEY run llm-request -m gemini-test --base-url "$MOCK_URL" \
    -s 'be brief' --max-tokens 9 'hello gemini' >"$T/out" 2>"$T/err"
is "$?" 0 "gemini (inferred from gemini-*): exit 0"
is "$(lastreq '[.path,.query,.key_header]')" \
    '["/v1beta/models/gemini-test:streamGenerateContent","alt=sse","x-goog-api-key"]' \
    "gemini: streamGenerateContent?alt=sse, key in x-goog-api-key"
if tail -n 1 "$T/log" | jq -r '.path + "?" + .query' | grep -q "$KEY"; then
	fail "gemini: the key is not in the URL"
else
	pass "gemini: the key is not in the URL"
fi
is "$(lastreq '.body')" \
    '{"contents":[{"role":"user","parts":[{"text":"hello gemini"}]}],"systemInstruction":{"parts":[{"text":"be brief"}]},"generationConfig":{"maxOutputTokens":9}}' \
    "gemini: body"

GOOGLE_API_KEY=$KEY run llm-request -p gemini --base-url "$MOCK_URL" hi >/dev/null 2>&1
is "$(lastreq '.key_header')" '"x-goog-api-key"' "gemini: GOOGLE_API_KEY when GEMINI_API_KEY is unset"

OLLAMA_HOST=${MOCK_URL#http://} run llm-request -p ollama -m llama-test \
    --temperature 0 'hello ollama' >"$T/out" 2>"$T/err"
is "$?" 0 "ollama via OLLAMA_HOST=host:port: exit 0"
is "$(lastreq '[.path,.key_header]')" '["/api/chat",null]' "ollama: POST /api/chat, no key"
is "$(lastreq '.body')" \
    '{"model":"llama-test","messages":[{"role":"user","content":"hello ollama"}],"options":{"temperature":0},"stream":true}' \
    "ollama: body"

# A base URL that already ends with the API version is not given it twice
# (one base, $MOCK_URL/v1, for every provider of the mock).
ANTHROPIC_BASE_URL=$MOCK_URL/v1/ ANTHROPIC_API_KEY=$KEY run llm-request \
    -p anthropic hi >/dev/null 2>"$T/err"
is "$?:$(lastreq '.path')" '0:"/v1/messages"' \
    "anthropic: ANTHROPIC_BASE_URL ending in /v1 is not given /v1 twice"
for v in v1beta v1; do
	GEMINI_API_KEY=$KEY run llm-request -p gemini -m gemini-x \
	    --base-url "$MOCK_URL/$v" hi >/dev/null 2>"$T/err"
	is "$?:$(lastreq '.path')" "0:\"/$v/models/gemini-x:streamGenerateContent\"" \
	    "gemini: --base-url ending in /$v is not given /v1beta"
done
# OLLAMA_HOST as Ollama reads it: no port means 11434, no host 127.0.0.1
OLLAMA_HOST=:${MOCK_URL##*:} run llm-request -p ollama hi >/dev/null 2>"$T/err"
is "$?:$(lastreq '.path')" '0:"/api/chat"' "ollama: OLLAMA_HOST=:PORT is 127.0.0.1:PORT"
is "$(OLLAMA_HOST=0.0.0.0 run llm-request -p ollama --dry-run hi | head -n 1)" \
    "POST http://0.0.0.0:11434/api/chat" "ollama: OLLAMA_HOST without a port means port 11434"

# No key needed for a loopback server; none is sent.
run llm-request --base-url "$MOCK_URL/v1" 'no key' >/dev/null 2>"$T/err"
is "$?:$(lastreq '.key_header')" "0:null" "loopback server: no key needed, none sent"

# --api-key-file
printf '%s\n' "$KEY" >"$T/keyfile"
run llm-request --api-key-file "$T/keyfile" --base-url "$MOCK_URL/v1" hi >/dev/null 2>&1
is "$(lastreq '.key_header')" '"authorization"' "--api-key-file: the key is sent"

# Prompt from stdin, and from '-'
echo 'prompt from stdin' | run llm-request --base-url "$MOCK_URL/v1" >/dev/null 2>&1
is "$(lastreq '.body.messages[-1].content')" '"prompt from stdin"' "prompt from stdin"
printf '[{"role":"user","content":"a"},{"role":"assistant","content":"b"}]' >"$T/msgs.json"
echo 'and then?' | run llm-request --base-url "$MOCK_URL/v1" --messages "$T/msgs.json" - >/dev/null 2>&1
is "$(lastreq '[.body.messages[].content]')" '["a","b","and then?"]' \
    "--messages with '-': the prompt from stdin is appended"

# --tools, --jq, -H, -H @file, --no-stream
printf '[{"type":"function","function":{"name":"f","parameters":{}}}]' >"$T/tools.json"
printf 'X-From-File: yes\n\nX-Second: 2\n' >"$T/headers"
run llm-request --base-url "$MOCK_URL/v1" --tools "$T/tools.json" \
    --jq '.seed = 7 | .top_p = 0.9' -H 'X-Extra: one two' -H @"$T/headers" hi \
    >/dev/null 2>&1
is "$(lastreq '[.body.tools[0].function.name,.body.seed,.body.top_p]')" '["f",7,0.9]' \
    "--tools and --jq transform the body"
is "$(lastreq '[.headers["x-extra"],.headers["x-from-file"],.headers["x-second"]]')" \
    '["one two","yes","2"]' "-H and -H @FILE"
run llm-request --base-url "$MOCK_URL/v1" --no-stream hi >"$T/out" 2>/dev/null
is "$?:$(lastreq '[.body.stream,.body.stream_options,.headers.accept]')" \
    '0:[false,null,"application/json"]' "--no-stream: stream false, no stream_options"
run llm-request -p ollama --base-url "$MOCK_URL" --no-stream hi >/dev/null 2>&1
is "$(lastreq '.body.stream')" false "--no-stream: ollama gets stream false"
run llm-request -p gemini --base-url "$MOCK_URL" --no-stream hi >/dev/null 2>&1
is "$(lastreq '.path')" '"/v1beta/models/gemini-flash-latest:generateContent"' \
    "--no-stream: gemini generateContent"

# --body: sent byte for byte when it already streams; stream forced otherwise
printf '{"model":"m-body", "messages":[{"role":"user","content":"x"}],\n "stream":true, "stream_options":{"include_usage":true}, "n":1}\n' >"$T/body.json"
run llm-request --base-url "$MOCK_URL/v1" --body "$T/body.json" -v >/dev/null 2>"$T/err"
is "$(lastreq '.body')" '{"model":"m-body","messages":[{"role":"user","content":"x"}],"stream":true,"stream_options":{"include_usage":true},"n":1}' \
    "--body: sent as is"
grep -q "Content-Length: $(stat -c %s "$T/body.json")" "$T/err" ||
    grep -qi "content-length: $(stat -c %s "$T/body.json")" <(tail -n 1 "$T/log" | jq -r '.headers|to_entries[]|"\(.key): \(.value)"')
ok $? "--body: the exact bytes of the file (length matches)"
printf '{"model":"m-body","messages":[]}' | run llm-request --base-url "$MOCK_URL/v1" --body - >/dev/null 2>&1
is "$(lastreq '[.body.stream,.body.stream_options]' | tr -d '\n')" '[true,{"include_usage":true}]' \
    "--body -: from stdin, streaming forced on, usage asked for"
stop_mock

# ---- llm-mock --strict refuses what the providers refuse; llm-request's
# requests from options pass it (the refusals of issue 21)
mock --echo --strict
strict() { # strict WANT_STATUS WANT_STDERR_REGEX ('': none) NAME ARGS...
	local st=$1 re=$2 name=$3; shift 3
	(cd "$D" && OPENAI_API_KEY=$KEY ANTHROPIC_API_KEY=$KEY GEMINI_API_KEY=$KEY \
	    run llm-request --base-url "$MOCK_URL" --retry 0 "$@") >/dev/null 2>"$T/err"
	local got=$? said=1
	if [ -z "$re" ]; then [ ! -s "$T/err" ]; said=$?
	else grep -qE -- "$re" "$T/err"; said=$?; fi
	if [ "$got" = "$st" ] && [ "$said" = 0 ]; then pass "--strict: $name"
	else fail "--strict: $name" "status $got, stderr: $(head -c 300 "$T/err")"; fi
}
strict 4 "HTTP 400: Unsupported parameter: 'max_tokens'.*max_completion_tokens" \
    "chat: max_tokens for a reasoning model refused" -m gpt-5 --max-tokens 5 --max-tokens-field max_tokens hi
strict 0 '' "chat: max_completion_tokens for it taken" \
    -m gpt-5 --max-tokens 5 --max-tokens-field max_completion_tokens hi
strict 4 "HTTP 400: temperature: 2.5 is out of range" "chat: a temperature over 2 refused (sent by --jq)" \
    --jq '.temperature = 2.5' hi
strict 4 "Missing required parameter: 'tools\[0\]\.name'" "responses: chat-format tools refused" \
    -p responses --tools tools.json --jq '.tools = [{type: "function", function: .tools[0]}]' hi
strict 0 '' "responses: --tools converted and taken" -p responses --tools tools.json hi
strict 4 "max_tokens: Field required" "anthropic: no max_tokens refused" \
    -m claude-x --jq 'del(.max_tokens)' hi
strict 4 "tools\.0\.custom\.input_schema: Field required" "anthropic: chat-format tools refused" \
    -m claude-x --tools tools.json --jq '.tools = [{type: "function", function: .tools[0]}]' hi
strict 4 "must be greater than .thinking\.budget_tokens" "anthropic: a budget over max_tokens refused" \
    -m claude-x --reasoning 2048 --jq '.max_tokens = 2000' hi
strict 0 "^llm-request: note: anthropic has deprecated temperature" \
    "anthropic: --tools, --reasoning and --temperature taken (with a note)" \
    -m claude-x --tools tools.json --reasoning 2048 --temperature 1 hi
strict 4 'Unknown name "function" at .tools\[0\]' "gemini: chat-format tools refused" \
    -m gemini-x --jq '.tools = [{type: "function", function: {name: "f"}}]' hi
strict 0 '' "gemini: --tools converted and taken" -m gemini-x --tools tools-mixed.json --reasoning low hi
strict 0 '' "ollama: --reasoning taken" -p ollama --reasoning high hi
stop_mock

# ---- a model the provider does not know: named, default or not -------------
mock --fail 9:404
strict 4 "HTTP 404: .*\(model 'claude-sonnet-4-6', the default of anthropic; choose one with -m or \\\$LLM_MODEL\)" \
    "404: the default model named as such" -p anthropic hi
strict 4 "HTTP 404: .*\(model 'claude-gone'; choose one with -m or \\\$LLM_MODEL\)" \
    "404: the model given named" -m claude-gone hi
stop_mock

# ---- streaming: an event reaches stdout while the server is still sending --
mock --echo --delay 300
# (the binary itself, not a subshell, so that $! is its PID)
OPENAI_API_KEY=$KEY "$BIN/llm-request" --base-url "$MOCK_URL/v1" "$PROMPT" >"$T/stream" 2>/dev/null &
pid=$!
for i in $(seq 50); do [ -s "$T/stream" ] && break; sleep 0.1; done
if [ -s "$T/stream" ] && kill -0 "$pid" 2>/dev/null; then
	pass "streaming: the first event is on stdout before the stream ends"
else
	fail "streaming: the first event is on stdout before the stream ends"
fi
# /proc/PID/cmdline never holds the key (it is not in argv)
if [ -r "/proc/$pid/cmdline" ] && grep -q llm-request "/proc/$pid/cmdline" &&
    grep -q -- "$KEY" "/proc/$pid/environ" && ! grep -q -- "$KEY" "/proc/$pid/cmdline"; then
	pass "the key is not in /proc/PID/cmdline"
else
	fail "the key is not in /proc/PID/cmdline"
fi
wait "$pid"
is "$?" 0 "streaming: exit 0 at the end"
cp "$T/stream" "$T/full"

# ---- SIGINT: stop, what arrived is kept, 130 ------------------------------
# (env gives SIGINT back its default: a script's background job starts with
# it ignored, and llm-request keeps it so, as Unix tools do)
env --default-signal=INT "$BIN/llm-request" --base-url "$MOCK_URL/v1" "$PROMPT" >"$T/int" 2>"$T/interr" &
pid=$!
for i in $(seq 50); do [ -s "$T/int" ] && break; sleep 0.1; done
kill -INT "$pid"
wait "$pid"
is "$?" 130 "SIGINT: exit 130"
is_prefix "$T/int" "$T/full"
ok $? "SIGINT: the bytes that arrived are on stdout"

# SIGINT while the prompt is still being read from stdin: 130 too, not a
# usage error, and nothing sent
mkfifo "$T/fifo"
exec 7<>"$T/fifo"
n0=$(nreq)
env --default-signal=INT "$BIN/llm-request" --base-url "$MOCK_URL/v1" <"$T/fifo" >/dev/null 2>"$T/interr" &
pid=$!
for i in $(seq 50); do grep -q llm-request "/proc/$pid/cmdline" 2>/dev/null && break; sleep 0.1; done
sleep 1
kill -INT "$pid"
wait "$pid"
is "$?:$(nreq)" "130:$n0" "SIGINT while reading the prompt from stdin: exit 130, nothing sent"
exec 7>&-

# ---- the reader goes away: quiet and quick --------------------------------
t0=$(now_ms)
( set -o pipefail; run llm-request --base-url "$MOCK_URL/v1" "$PROMPT" 2>"$T/err" |
    head -c 10 >"$T/head" )
st=$? t=$(( $(now_ms) - t0 ))
is "$( { [ "$st" = 141 ] || [ "$st" = 0 ]; } && echo quiet)" quiet "| head -c 10: ends by SIGPIPE (status $st)"
is "$(cat "$T/err")" "" "| head -c 10: nothing on stderr"
is "$(stat -c %s "$T/head")" 10 "| head -c 10: 10 bytes"
[ "$t" -lt 3000 ]
ok $? "| head -c 10: stops at the next piece, not at the end of the stream (${t} ms, stream ~3.3 s)"
stop_mock

# ... also when the stream stalls (a model thinking): the reader's going is
# noticed without waiting for the next byte
mock --stall-after 1:30
t0=$(now_ms)
( set -o pipefail; run llm-request --base-url "$MOCK_URL/v1" hi 2>"$T/err" |
    head -c 10 >"$T/head" )
st=$? t=$(( $(now_ms) - t0 ))
is "$( { [ "$st" = 141 ] || [ "$st" = 0 ]; } && echo quiet):$(cat "$T/err")" "quiet:" \
    "| head -c 10 during a stall: quiet (status $st)"
[ "$t" -lt 15000 ]
ok $? "| head -c 10 during a 30 s stall: stops at once (${t} ms)"
stop_mock

# ---- retries ---------------------------------------------------------------
mock --echo --fail 2:429:1
t0=$(now_ms)
run llm-request --base-url "$MOCK_URL/v1" hi >"$T/out" 2>"$T/err"
st=$? t=$(( $(now_ms) - t0 ))
is "$st:$(nreq)" "0:3" "429 with Retry-After: 1, twice: retried, exit 0 after 3 requests"
[ "$t" -ge 1900 ] && [ "$t" -lt 10000 ]
ok $? "Retry-After: 1 honoured twice (${t} ms, want >= 1.9 s)"
is "$(grep -c 'HTTP 429: .*retry [12] of 2 in 1.0 s' "$T/err")" 2 "each retry said on stderr"
stop_mock

mock --echo --fail 1:500
run llm-request --base-url "$MOCK_URL/v1" "$PROMPT" >"$T/out" 2>"$T/err"
is "$?:$(nreq)" "0:2" "500 then success: exit 0 after 2 requests"
same_file "$T/out" "$T/full" "500 then success: the stream once, not the error body"
stop_mock

mock --echo --fail 1:503:0 --fail-header 'retry-after-ms: 1500'
t0=$(now_ms)
run llm-request --base-url "$MOCK_URL/v1" hi >/dev/null 2>"$T/err"
st=$? t=$(( $(now_ms) - t0 ))
[ "$st" = 0 ] && [ "$t" -ge 1400 ] && [ "$t" -lt 10000 ]
ok $? "retry-after-ms: 1500 comes before Retry-After (status $st, ${t} ms)"
stop_mock

# Retry-After as an HTTP date, 2 s ahead: the wait is 1 to 2 s.
mock --echo --fail 1:503 --fail-header "Retry-After: $(date -u -d '+2 sec' '+%a, %d %b %Y %H:%M:%S GMT')"
t0=$(now_ms)
run llm-request --base-url "$MOCK_URL/v1" hi >/dev/null 2>"$T/err"
st=$? t=$(( $(now_ms) - t0 ))
[ "$st" = 0 ] && [ "$t" -ge 900 ] && [ "$t" -lt 10000 ]
ok $? "Retry-After as an HTTP date (status $st, ${t} ms, want >= 0.9 s)"
stop_mock

# A longer wait than --retry-max-wait: the ordinary backoff (0.375 to 0.5 s
# for the first retry) instead, as the SDKs do, not a wait of 5 s.
mock --echo --fail 1:429:30
t0=$(now_ms)
run llm-request --base-url "$MOCK_URL/v1" --retry-max-wait 5 hi >/dev/null 2>"$T/err"
st=$? t=$(( $(now_ms) - t0 ))
[ "$st" = 0 ] && [ "$t" -ge 300 ] && [ "$t" -lt 4000 ]
ok $? "Retry-After: 30 over --retry-max-wait 5: backoff instead (status $st, ${t} ms)"
grep -q 'HTTP 429: .*asks for 30.0 s, over --retry-max-wait.*retry 1 of 2 in 0\.[45] s' "$T/err"
ok $? "the retry line says the server's wait was over --retry-max-wait"
stop_mock

for s in 400 401; do
	mock --echo --fail 5:$s
	run llm-request --base-url "$MOCK_URL/v1" hi >"$T/out" 2>"$T/err"
	is "$?:$(nreq)" "4:1" "HTTP $s: never retried, exit 4"
	grep -qE "^llm-request: HTTP $s: .+" "$T/err" && ok 0 "HTTP $s: the provider's message on stderr" ||
	    fail "HTTP $s: the provider's message on stderr" "$(cat "$T/err")"
	is "$(stat -c %s "$T/out")" 0 "HTTP $s: nothing on stdout without --fail-with-body"
	stop_mock
done

# every status the SDKs retry is retried (Retry-After: 0, so no wait);
# other client errors are not
for s in 408 409 502 504 529 403 404 422; do
	case $s in 403|404|422) want=4:1 ;; *) want=4:2 ;; esac
	mock --echo --fail 5:$s:0
	run llm-request --base-url "$MOCK_URL/v1" --retry 1 hi >/dev/null 2>"$T/err"
	is "$?:$(nreq)" "$want" "HTTP $s: $( [ "$want" = 4:2 ] && echo retried || echo 'not retried'), then exit 4"
	stop_mock
done

# a timeout before any body byte reached stdout is retried
mock --echo --stall-after 0:4
run llm-request --base-url "$MOCK_URL/v1" --idle-timeout 1 --retry 1 hi >"$T/out" 2>"$T/err"
is "$?:$(nreq):$(stat -c %s "$T/out")" "5:2:0" "idle timeout before the first byte: retried once, then exit 5, nothing on stdout"
stop_mock

# SIGINT during a retry wait ends it at once: exit 130
mock --echo --fail 5:503:30
t0=$(now_ms)
env --default-signal=INT "$BIN/llm-request" --base-url "$MOCK_URL/v1" hi >/dev/null 2>"$T/err" &
pid=$!
for i in $(seq 100); do [ "$(nreq)" = 1 ] && grep -q 'retry 1 of' "$T/err" && break; sleep 0.1; done
kill -INT "$pid"
wait "$pid"
st=$? t=$(( $(now_ms) - t0 ))
[ "$st" = 130 ] && [ "$t" -lt 20000 ] && [ "$(nreq)" = 1 ]
ok $? "SIGINT during a 30 s Retry-After wait: exit 130 at once (status $st, ${t} ms)"
stop_mock

mock --echo --fail 5:429:0 --fail-header 'x-should-retry: false'
run llm-request --base-url "$MOCK_URL/v1" hi >/dev/null 2>"$T/err"
is "$?:$(nreq)" "4:1" "429 with x-should-retry: false: not retried"
stop_mock

mock --echo --fail 5:503:0
run llm-request --base-url "$MOCK_URL/v1" --retry 1 --fail-with-body hi >"$T/out" 2>"$T/err"
is "$?:$(nreq)" "4:2" "--retry 1: two requests, then exit 4"
jq -e '.error' "$T/out" >/dev/null 2>&1
ok $? "--fail-with-body: the error body on stdout"
is "$(grep -c '^llm-request: HTTP 503' "$T/err")" 2 "HTTP 503: one retry line and the final error"
stop_mock

# a Retry-After past --max-time: no retry, and the exit of the HTTP error (4)
mock --echo --fail 5:503:30
run llm-request --base-url "$MOCK_URL/v1" --retry 2 --max-time 5 hi >/dev/null 2>"$T/err"
is "$?:$(nreq)" "4:1" "HTTP 503, Retry-After 30 s past --max-time 5: not retried, exit 4"
grep -q 'no time left for a retry (--max-time)' "$T/err"
ok $? "HTTP 503, Retry-After past --max-time: stderr says no time is left"
stop_mock

# ---- mid-stream faults: bytes kept, no retry, no duplication, exit 5 -------
mock --echo --cut-after 4
run llm-request --base-url "$MOCK_URL/v1" "$PROMPT" >"$T/cut" 2>"$T/err"
is "$?:$(nreq)" "5:1" "cut mid-stream: exit 5, not retried"
is_prefix "$T/cut" "$T/full"
ok $? "cut mid-stream: what arrived is on stdout, once (a prefix of the full stream)"
grep -q "after $(stat -c %s "$T/cut") bytes" "$T/err" && ok 0 "cut mid-stream: stderr says how many bytes arrived" ||
    fail "cut mid-stream: stderr says how many bytes arrived" "$(cat "$T/err")"
stop_mock

mock --echo --stall-after 3:8
t0=$(now_ms)
run llm-request --base-url "$MOCK_URL/v1" --idle-timeout 1 "$PROMPT" >"$T/stall" 2>"$T/err"
st=$? t=$(( $(now_ms) - t0 ))
is "$st:$(nreq)" "5:1" "stall: --idle-timeout 1 ends it with exit 5, not retried"
[ "$t" -lt 5000 ]
ok $? "stall: stopped by the idle timeout, not by the server (${t} ms)"
is_prefix "$T/stall" "$T/full"
ok $? "stall: what arrived is on stdout"
grep -q "no data for 1 s.*after $(stat -c %s "$T/stall") bytes" "$T/err" &&
    ok 0 "stall: stderr says why and how many bytes" ||
    fail "stall: stderr says why and how many bytes" "$(cat "$T/err")"

t0=$(now_ms)
run llm-request --base-url "$MOCK_URL/v1" --idle-timeout 0 --max-time 1.5 "$PROMPT" >"$T/mt" 2>"$T/err"
st=$? t=$(( $(now_ms) - t0 ))
[ "$st" = 5 ] && [ "$t" -lt 5000 ] && grep -q -- '--max-time' "$T/err"
ok $? "--max-time 1.5: exit 5 (status $st, ${t} ms)"
stop_mock

# ---- connection refused ----------------------------------------------------
mock --echo
dead=$MOCK_URL
stop_mock
run llm-request --base-url "$dead/v1" --retry 0 hi >/dev/null 2>"$T/err"
is "$?" 5 "connection refused: exit 5"
grep -q "$dead" "$T/err" && ok 0 "connection refused: the URL and reason on stderr" ||
    fail "connection refused: the URL and reason on stderr" "$(cat "$T/err")"
run llm-request --base-url "$dead/v1" --retry 1 hi >/dev/null 2>"$T/err"
is "$?:$(grep -c 'retry 1 of 1' "$T/err")" "5:1" "connection refused: retried, then exit 5"

# ---- the key header each provider's server checks (llm-mock --require-key) --
mock --echo --require-key
OPENAI_API_KEY=$KEY run llm-request --base-url "$MOCK_URL/v1" hi >/dev/null 2>&1
is "$?" 0 "--require-key: openai accepts the Authorization header"
ANTHROPIC_API_KEY=$KEY run llm-request -p anthropic --base-url "$MOCK_URL" hi >/dev/null 2>&1
is "$?" 0 "--require-key: anthropic accepts the x-api-key header"
GEMINI_API_KEY=$KEY run llm-request -p gemini --base-url "$MOCK_URL" hi >/dev/null 2>&1
is "$?" 0 "--require-key: gemini accepts the x-goog-api-key header"
run llm-request --base-url "$MOCK_URL/v1" hi >/dev/null 2>"$T/err"
is "$?:$(nreq)" "4:4" "--require-key without a key: HTTP 401, exit 4, not retried"
stop_mock

# ---- one byte at a time: the same bytes --------------------------------------
mock --echo --trickle
run llm-request --base-url "$MOCK_URL/v1" "$PROMPT" >"$T/trickle" 2>/dev/null
is "$?" 0 "--trickle: exit 0"
same_file "$T/trickle" "$T/full" "--trickle: byte for byte the same stream"
stop_mock

# ---- $LLM_MODEL: the model, and the provider inferred from it -----------
LLM_MODEL=claude-test ANTHROPIC_API_KEY=$KEY run llm-request --dry-run hi >"$T/out" 2>&1
head -n 1 "$T/out" | grep -q '^POST https://api.anthropic.com/v1/messages$' &&
    [ "$(sed -n '/^{/p' "$T/out" | jq -r .model)" = claude-test ]
ok $? "LLM_MODEL=claude-test: that model, sent to Anthropic"
LLM_MODEL=claude-test OPENAI_API_KEY=$KEY run llm-request --dry-run -m gpt-x hi >"$T/out" 2>&1
[ "$(sed -n '/^{/p' "$T/out" | jq -r .model)" = gpt-x ]
ok $? "-m wins over LLM_MODEL"

# ---- keys: never printed, never over plain http, never missing silently ----
mock --echo --fail 1:401
OPENAI_API_KEY=$KEY run llm-request --base-url "$MOCK_URL/v1" -v --retry 0 hi \
    >"$T/out" 2>"$T/err"
is "$?" 4 "401: exit 4"
if grep -q -- "$KEY" "$T/err" "$T/out"; then
	fail "the key is not in --verbose output or the error message"
else
	pass "the key is not in --verbose output or the error message"
fi
grep -q '^> Authorization: Bearer <redacted>' "$T/err"
ok $? "--verbose: request headers with the key redacted"
grep -q '^< HTTP/1.1 401' "$T/err"
ok $? "--verbose: response headers"
OPENAI_API_KEY=$KEY run llm-request --base-url "$MOCK_URL/v1" -v hi >"$T/out" 2>"$T/err"
if [ "$?" = 0 ] && ! grep -q -- "$KEY" "$T/err" "$T/out"; then
	pass "the key is not printed by a successful --verbose run"
else
	fail "the key is not printed by a successful --verbose run"
fi
OPENAI_API_KEY=$KEY run llm-request --base-url "$MOCK_URL/v1" --dry-run hi >"$T/out" 2>&1
if grep -q -- "$KEY" "$T/out"; then
	fail "--dry-run: the key is redacted"
else
	pass "--dry-run: the key is redacted"
fi
is "$(nreq)" 2 "--dry-run sends nothing"

OPENAI_API_KEY=$KEY run llm-request --base-url http://llmpipe.invalid/v1 hi >/dev/null 2>"$T/err"
st=$?
is "$st" 2 "a key over plain http to a non-loopback host: refused, exit 2"
grep -q -- "$KEY" "$T/err" && fail "refusal message without the key" || pass "refusal message without the key"
run llm-request --base-url https://llmpipe.invalid/v1 hi >/dev/null 2>"$T/err"
is "$?" 2 "missing key: exit 2"
grep -q 'OPENAI_API_KEY' "$T/err" && ok 0 "missing key: the message names OPENAI_API_KEY" ||
    fail "missing key: the message names OPENAI_API_KEY" "$(cat "$T/err")"
run llm-request -p anthropic --base-url https://llmpipe.invalid hi >/dev/null 2>"$T/err"
grep -q 'ANTHROPIC_API_KEY' "$T/err"
ok $? "missing key: the message names ANTHROPIC_API_KEY"
run llm-request -p gemini --base-url https://llmpipe.invalid hi >/dev/null 2>"$T/err"
grep -q 'GEMINI_API_KEY' "$T/err"
ok $? "missing key: the message names GEMINI_API_KEY"
OPENAI_API_KEY=$KEY run llm-request --base-url https://llmpipe.invalid/v1 --insecure hi >/dev/null 2>&1
is "$?" 2 "--insecure is refused for a non-loopback host"
# every provider's key is kept off plain http, and with no key set a plain
# http server (an OpenAI-compatible box on the local network) is reached
# with no credential header at all
for p in openai:OPENAI_API_KEY anthropic:ANTHROPIC_API_KEY gemini:GEMINI_API_KEY; do
	env "${p#*:}=$KEY" "$BIN/llm-request" -p "${p%%:*}" -m m \
	    --base-url http://llmpipe.invalid/v1 hi >/dev/null 2>"$T/err"
	st=$?
	[ "$st" = 2 ] && grep -q 'plain http' "$T/err" && ! grep -q -- "$KEY" "$T/err"
	ok $? "${p%%:*}: its key over plain http to a non-loopback host: refused, exit 2 ($st)"
	run llm-request --dry-run -p "${p%%:*}" -m m --base-url http://10.0.0.5:8000/v1 hi \
	    >"$T/out" 2>"$T/err"
	st=$?
	[ "$st" = 0 ] && [ ! -s "$T/err" ] && ! grep -qiE '^(authorization|x-api-key|x-goog-api-key):' "$T/out"
	ok $? "${p%%:*}: no key and a plain http server: no key needed, none sent ($st)"
done
# A credential header from -H @FILE (the man page's way to keep it out of
# argv) is the key: no "no API key" refusal. 192.0.2.1 (TEST-NET) is never
# reached: exit 5 from the connection, not 2.
printf 'Authorization: Bearer %s\n' "$KEY" >"$T/cred-headers"
run llm-request -H @"$T/cred-headers" --retry 0 --connect-timeout 1 \
    --base-url https://192.0.2.1:9/v1 hi >/dev/null 2>"$T/err"
st=$?
if [ "$st" = 5 ] && ! grep -q 'no API key' "$T/err"; then
	pass "-H @FILE with a credential header: no key variable needed"
else
	fail "-H @FILE with a credential header: no key variable needed" "$st: $(cat "$T/err")"
fi
run llm-request -H @"$T/cred-headers" --dry-run --base-url https://192.0.2.1:9/v1 hi \
    >"$T/out" 2>"$T/err"
if grep -q 'no API key' "$T/err" || grep -q -- "$KEY" "$T/out"; then
	fail "--dry-run with a -H @FILE credential: no missing-key warning, key redacted" "$(cat "$T/err")"
else
	pass "--dry-run with a -H @FILE credential: no missing-key warning, key redacted"
fi

# ---- bad input: exit 2, the file and position named, nothing sent ----------
printf '[{"a":1},\n {"b" 2}]' >"$T/bad.json"
for o in --tools --messages --body; do
	if [ "$o" = --body ]; then args=("$o" "$T/bad.json"); else args=("$o" "$T/bad.json" hi); fi
	run llm-request --base-url "$MOCK_URL/v1" "${args[@]}" >/dev/null 2>"$T/err"
	is "$?" 2 "$o with bad JSON: exit 2"
	grep -q "bad.json: bad JSON: .*line 2, column" "$T/err" &&
	    ok 0 "$o with bad JSON: the file and the position named" ||
	    fail "$o with bad JSON: the file and the position named" "$(cat "$T/err")"
done
printf '{"a":1}' >"$T/obj.json"
run llm-request --base-url "$MOCK_URL/v1" --tools "$T/obj.json" hi >/dev/null 2>&1
is "$?" 2 "--tools with an object instead of an array: exit 2"
run llm-request --base-url "$MOCK_URL/v1" --jq '.a[]' hi >/dev/null 2>&1
is "$?" 2 "--jq with a runtime error: exit 2"
run llm-request --base-url "$MOCK_URL/v1" --jq '.x =' hi >/dev/null 2>&1
is "$?" 2 "--jq that does not compile: exit 2"
run llm-request --base-url "$MOCK_URL/v1" </dev/null >/dev/null 2>&1
is "$?" 2 "empty prompt: exit 2"
run llm-request --base-url "$MOCK_URL/v1" -H 'no colon' hi >/dev/null 2>&1
is "$?" 2 "-H without a colon: exit 2"
run llm-request --retry x hi >/dev/null 2>&1
is "$?" 2 "--retry x: exit 2"
is "$(nreq)" 2 "bad input: nothing sent"
stop_mock

done_testing
