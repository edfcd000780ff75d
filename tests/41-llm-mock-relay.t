#!/bin/bash
# llm-mock for every client (issue 18): the compatibility fixes (Bearer for
# Anthropic, Ollama's /api/generate, non-streaming bodies with their usage
# and errors), --cors, --proxy with a second llm-mock as the upstream,
# --record and the replay of what it kept, and the relay's security rules.
# The client is curl; nothing here is timed (the one timing row is a lower
# bound the upstream's own wait guarantees).
source "$(dirname "$0")/lib.sh"

if ! command -v curl >/dev/null || ! command -v jq >/dev/null; then
	echo "1..0 # SKIP curl and jq are needed"
	exit 0
fi
unset HTTP_PROXY http_proxy HTTPS_PROXY https_proxy ALL_PROXY all_proxy
unset OPENAI_API_KEY ANTHROPIC_API_KEY GEMINI_API_KEY GOOGLE_API_KEY
D=$TOP/tests/llm-mock
R=$FIX/real
SECRET=sk-upstream-$$-secret
GEN=/v1beta/models/gemini-test:streamGenerateContent?alt=sse

# server NAME ARGS...: an llm-mock of its own (URL in $NAME_URL, pid in
# $NAME_PID, stderr in $T/NAME.err).
server() {
	local name=$1 i url; shift
	: >"$T/$name.url"
	"$BIN/llm-mock" "$@" >"$T/$name.url" 2>"$T/$name.err" &
	eval "${name}_PID=$!"
	_pids="$_pids $!"
	for i in $(seq 600); do # 30 s at most: valgrind on a loaded machine
		[ -s "$T/$name.url" ] && break
		sleep 0.05
	done
	url=$(head -n 1 "$T/$name.url")
	[ -n "$url" ] || diag "llm-mock $name did not start: $(cat "$T/$name.err")"
	eval "${name}_URL=\$url"
}
stop() { eval "kill \$${1}_PID 2>/dev/null; wait \$${1}_PID 2>/dev/null"; }
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }

# ---- compatibility: non-streaming bodies -----------------------------------
server m "$R/openai-chat/gpt5-obfuscation-moderation-chunk.sse" \
    "$R/openai-responses/error-insufficient-quota-failed.sse" \
    "$D/anthropic-overloaded.sse" "$R/ollama/generate-thinking-gpt-oss.ndjson"
curl -s "$m_URL/v1/chat/completions" -d '{"model":"m"}' >"$T/n1"
is "$(jq -c '[.usage.prompt_tokens, .usage.completion_tokens, .usage.total_tokens, has("obfuscation")]' "$T/n1")" \
    "[13,11,24,false]" "non-streaming from a capture whose last chunk has \"usage\": null: the usage kept, no obfuscation"
is "$(jq -r .choices[0].message.content "$T/n1")" "Paris." "non-streaming: the text assembled"
curl -s -D "$T/h2" "$m_URL/v1/responses" -d '{"model":"m"}' >"$T/n2"
is "$(head -n 1 "$T/h2" | tr -d '\r')" "HTTP/1.1 429 Too Many Requests" \
    "non-streaming from a capture ending in insufficient_quota: 429, as the provider answers"
jq -r .error.message "$T/n2" | grep -q 'exceeded your current quota'
ok $? "... and the provider's error body with the stream's message"
curl -s -D "$T/h3" "$m_URL/v1/messages" -d '{"model":"m"}' >"$T/n3"
is "$(head -n 1 "$T/h3" | cut -d' ' -f2)" 529 "non-streaming from an Anthropic capture ending in overloaded_error: 529"
is "$(jq -c '[.type, .error.type, .error.message]' "$T/n3")" '["error","overloaded_error","Overloaded"]' \
    "... and Anthropic's error body"
# Ollama: generate lines on /api/generate as they are, on /api/chat as
# chat lines (never an empty answer), built-in answers on both
curl -s "$m_URL/api/chat" -d '{"model":"m"}' >"$T/o1"
is "$(jq -s -j '.[].message.content' "$T/o1")" "Soft, swift, curious." \
    "a generate capture on /api/chat: message lines with the text"
jq -s -j '.[].message.thinking // empty' "$T/o1" | grep -q '^We need to respond with three words'
ok $? "... and the thinking"
is "$(grep -c '"response"' "$T/o1")" 0 "... and no generate field left"
is "$(curl -s "$m_URL/api/chat" -d '{"model":"m","stream":false}' | jq -r .message.content)" \
    "Soft, swift, curious." "a generate capture on /api/chat, non-streaming: the message"
is "$(curl -s "$m_URL/api/generate" -d '{"model":"m","stream":false}' | jq -r .response)" \
    "Soft, swift, curious." "/api/generate, non-streaming: the response"
stop m
server m "$D/usage-id-empty.sse"
is "$(curl -s "$m_URL/v1/chat/completions" -d '{}' | jq -c .usage)" \
    '{"completion_tokens":5,"prompt_tokens":22,"total_tokens":27}' \
    "non-streaming from a capture whose usage chunk has id \"\" (Snowflake): the usage kept"
stop m
server m
curl -s "$m_URL/api/generate" -d '{"model":"m"}' >"$T/g1"
is "$(jq -s -j '.[].response' "$T/g1")" "Hello! I am llm-mock, a local stand-in for a streaming LLM API." \
    "/api/generate: the built-in answer in generate lines"
is "$(tail -n 1 "$T/g1" | jq -c '[.done, .done_reason, has("message")]')" '[true,"stop",false]' \
    "/api/generate: its last line done, no message field"
stop m

# ---- --cors -----------------------------------------------------------------
server m "$R/openai-chat/text-plain.sse"
curl -s -D "$T/h" -o /dev/null -X OPTIONS "$m_URL/v1/chat/completions" -H 'Origin: http://page.test' \
    -H 'Access-Control-Request-Method: POST'
is "$(head -n 1 "$T/h" | cut -d' ' -f2):$(grep -ci '^access-control' "$T/h")" "405:0" \
    "without --cors: OPTIONS 405, no Access-Control headers (as before)"
stop m
run llm-mock --cors 'http://page.test/path' >/dev/null 2>"$T/err"
is "$?" 2 "--cors with a path: usage error"
server m --cors http://page.test --require-key "$R/openai-chat/text-plain.sse"
curl -s -D "$T/h" -o /dev/null -X OPTIONS "$m_URL/v1/chat/completions" -H 'Origin: http://page.test' \
    -H 'Access-Control-Request-Method: POST' \
    -H 'Access-Control-Request-Headers: authorization, content-type, x-stainless-os'
tr -d '\r' <"$T/h" >"$T/hh"
is "$(head -n 1 "$T/hh" | cut -d' ' -f2)" 204 "--cors: the preflight answered 204 (no key needed for it)"
is "$(grep -i '^access-control-allow-origin:' "$T/hh")" "Access-Control-Allow-Origin: http://page.test" \
    "--cors: the preflight allows the origin"
is "$(grep -i '^access-control-allow-headers:' "$T/hh")" \
    "Access-Control-Allow-Headers: authorization, content-type, x-stainless-os" \
    "--cors: the preflight allows the headers asked for"
grep -qi '^access-control-allow-methods: .*POST' "$T/hh" && grep -qi '^access-control-max-age: ' "$T/hh"
ok $? "--cors: the preflight names the methods and a max age"
curl -s -D "$T/h" -o /dev/null -X OPTIONS "$m_URL/v1/chat/completions" -H 'Origin: http://page.test' \
    -H 'Access-Control-Request-Method: POST' -H 'Access-Control-Request-Headers: Authorization, X-API-Key'
is "$(tr -d '\r' <"$T/h" | grep -i '^access-control-allow-headers:')" \
    "Access-Control-Allow-Headers: Authorization, X-API-Key" \
    "--cors: header names in capitals are allowed as asked"
curl -sN -D "$T/h" "$m_URL/v1/chat/completions" -H 'Origin: http://page.test' \
    -H 'Authorization: Bearer k' -d '{"stream":true}' >"$T/s"
same_file "$T/s" "$R/openai-chat/text-plain.sse" "--cors: the stream unchanged"
tr -d '\r' <"$T/h" >"$T/hh"
grep -q '^Access-Control-Allow-Origin: http://page.test$' "$T/hh" && grep -qi '^access-control-expose-headers: .*retry-after' "$T/hh"
ok $? "--cors: the streamed answer carries Allow-Origin and Expose-Headers"
curl -s -D "$T/h" -o /dev/null "$m_URL/v1/chat/completions" -H 'Origin: http://page.test' -d '{}'
is "$(tr -d '\r' <"$T/h" | grep -c '^Access-Control-Allow-Origin: http://page.test$')" 1 \
    "--cors: an error answer (401) carries Allow-Origin too"
code=$(curl -s -D "$T/h" -o /dev/null -w '%{http_code}' "$m_URL/v1/chat/completions" \
    -H 'Origin: http://evil.test' -H 'Authorization: Bearer k' -d '{}')
is "$code:$(grep -ci '^access-control' "$T/h")" "200:0" "--cors: another origin is answered, with no Access-Control header"
stop m
server m --cors '*'
curl -s -D "$T/h" -o /dev/null "$m_URL/v1/chat/completions" -H 'Origin: http://any.test' -d '{"stream":true}'
is "$(tr -d '\r' <"$T/h" | grep -i '^access-control-allow-origin:')" "Access-Control-Allow-Origin: *" \
    "--cors '*': any origin"
stop m

# ---- --proxy: a second llm-mock as the upstream -----------------------------
# The upstream takes only the real key (--require-key=SECRET): a request
# that reaches it with anything else gets 401.
server up --require-key="$SECRET" --log-requests "$T/up.log" \
    "$R/openai-chat/text-plain.sse" "$R/anthropic-messages/text.sse" \
    "$R/gemini/text-crlf.sse" "$R/ollama/generate-thinking-gpt-oss.ndjson" \
    "$R/openai-responses/function-call.sse"
mkdir "$T/rec"
OPENAI_API_KEY=$SECRET GEMINI_API_KEY=$SECRET server px -v --proxy "$up_URL" --record "$T/rec"
curl -sN "$px_URL/v1/chat/completions" -H 'Authorization: Bearer client-token' \
    -d '{"model":"gpt-rec","stream":true}' >"$T/p1"
same_file "$T/p1" "$R/openai-chat/text-plain.sse" "--proxy: the upstream's stream byte for byte, the key from OPENAI_API_KEY"
curl -sN "$px_URL$GEN&key=client-key" -d '{}' >"$T/p2"
same_file "$T/p2" "$R/gemini/text-crlf.sse" "--proxy: gemini, CRLF kept, the client's ?key= replaced by the key"
is "$(jq -r 'select(.path | startswith("/v1beta")) | .query' "$T/up.log")" "alt=sse" \
    "--proxy: the client's ?key= never forwarded, the rest of the query kept"
is "$(code "$px_URL/v1/messages" -H 'x-api-key: client' -d '{"model":"claude-x","stream":true}')" 401 \
    "--proxy: no ANTHROPIC_API_KEY: the upstream's 401 passed through (the client's key never forwarded)"
curl -s "$px_URL/v1/messages" -H 'x-api-key: client' -d '{}' | jq -e '.type == "error" and .error.type == "authentication_error"' >/dev/null
ok $? "--proxy: the upstream's error body passed through as it came"
curl -s "$px_URL/v1/responses" -H 'Authorization: Bearer x' -d '{"model":"resp-rec"}' >"$T/p4"
curl -s "$up_URL/v1/responses" -H "Authorization: Bearer $SECRET" -d '{"model":"resp-rec"}' >"$T/p4.direct"
same_file "$T/p4" "$T/p4.direct" "--proxy: a non-streaming answer passed through as the upstream sent it"
printf '%s\n' "$SECRET" >"$T/keyfile"
server px2 --proxy "$up_URL/" --api-key-file "$T/keyfile" --record "$T/rec"
curl -sN "$px2_URL/v1/messages" -H 'Authorization: Bearer client' -d '{"model":"claude-x","stream":false}' >"$T/p5"
jq -e '.content[0].text | length > 0' "$T/p5" >/dev/null
ok $? "--proxy --api-key-file: the key from the file (anthropic's x-api-key)"
curl -s "$px2_URL/api/generate" -d '{"model":"llama-rec"}' >"$T/p3"
same_file "$T/p3" "$R/ollama/generate-thinking-gpt-oss.ndjson" "--proxy: Ollama NDJSON byte for byte (the key file's key as its Bearer)"
curl -s "$px2_URL/api/chat" -d '{"model":"llama-body","stream":false}' >"$T/p6"
is "$(jq -r .message.content "$T/p6")" "Soft, swift, curious." "--proxy: Ollama \"stream\": false passed through"
curl -s "$px_URL/v1beta/models/gemini-body:generateContent" -d '{}' >"$T/p7"
jq -e '.candidates[0].content.parts[0].text | length > 0' "$T/p7" >/dev/null
ok $? "--proxy: Gemini's :generateContent (non-streaming) passed through"
stop px2
server fl --fail 1:429:7
server px2 --proxy "$fl_URL"
curl -s -D "$T/h" "$px2_URL/v1/chat/completions" -d '{"stream":true}' >"$T/b"
tr -d '\r' <"$T/h" >"$T/hh"
is "$(head -n 1 "$T/hh" | cut -d' ' -f2):$(grep -i '^retry-after:' "$T/hh")" "429:Retry-After: 7" \
    "--proxy: an upstream 429 and its Retry-After passed through"
is "$(jq -r .error.code "$T/b")" rate_limit_exceeded "... with its body"
stop px2
stop fl
# --fail in front of the relay: the first request fails here, the next is
# relayed
OPENAI_API_KEY=$SECRET server px2 --proxy "$up_URL" --fail 1:503
is "$(code "$px2_URL/v1/chat/completions" -d '{"stream":true}'):$(code "$px2_URL/v1/chat/completions" -d '{"stream":true}')" \
    "503:200" "--proxy --fail 1:503: the first request fails at llm-mock, the second is relayed"
stop px2
# an upstream that is not there: 502 in the provider's shape
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null || echo 9)
OPENAI_API_KEY=$SECRET server px2 --proxy "http://127.0.0.1:$port"
curl -s -D "$T/h" "$px2_URL/v1/chat/completions" -d '{"stream":true}' >"$T/b"
is "$(head -n 1 "$T/h" | cut -d' ' -f2)" 502 "--proxy: an upstream that cannot be reached: 502"
jq -r .error.message "$T/b" | grep -q '^llm-mock --proxy: upstream: '
ok $? "... with an OpenAI-shaped error saying so"
stop px2
run llm-mock --proxy 'ftp://example.test' >/dev/null 2>"$T/err"
is "$?" 2 "--proxy with another scheme: usage error"
run llm-mock --proxy "$up_URL" --api-key-file "$T/no-such-key" >/dev/null 2>"$T/err"
is "$?" 2 "--api-key-file missing: usage error"

# ---- --record: a capture per exchange, replayed and measured ----------------
ls "$T/rec" >"$T/ls"
is "$(grep -c '\.ndjson$' "$T/ls"):$(grep -c '\.request\.json$' "$T/ls")" "7:7" \
    "--record: one capture and one request per 200 exchange, streamed (chat, gemini, ollama) or not (responses, anthropic, ollama, gemini)"
is "$(cat "$T"/rec/resp-rec-*.ndjson | jq -c '[.provider, (.body | fromjson | .object), (.t >= 0)]')" '["openai-responses","response",true]' \
    "--record: a non-streaming answer kept as one line: its provider, its body as it came, its time"
is "$(find "$T/rec" -type f ! -perm 0600 | wc -l)" 0 "--record: every file 0600"
server rp --pick model "$T"/rec/*.ndjson
curl -sN "$rp_URL/v1/chat/completions" -d '{"model":"gpt-rec","stream":true}' >"$T/r1"
same_file "$T/r1" "$R/openai-chat/text-plain.sse" "a fresh llm-mock replays the recording: the same bytes"
curl -sN "$rp_URL$GEN" -d '{}' >"$T/r2"
same_file "$T/r2" "$R/gemini/text-crlf.sse" "... gemini's CRLF as it came"
curl -sN "$rp_URL/api/generate" -d '{"model":"llama-rec"}' >"$T/r3"
same_file "$T/r3" "$R/ollama/generate-thinking-gpt-oss.ndjson" "... Ollama's lines as they came"
curl -s "$rp_URL/v1/responses" -d '{"model":"resp-rec"}' >"$T/r5"
same_file "$T/r5" "$T/p4" "... a recorded non-streaming answer (Responses) served as it came"
curl -s "$rp_URL/v1/messages" -d '{"model":"claude-x","stream":false}' >"$T/r6"
same_file "$T/r6" "$T/p5" "... Anthropic's \"stream\": false"
curl -s "$rp_URL/api/chat" -d '{"model":"llama-body","stream":false}' >"$T/r7"
same_file "$T/r7" "$T/p6" "... Ollama's \"stream\": false"
curl -s "$rp_URL/v1beta/models/gemini-body:generateContent" -d '{}' >"$T/r8"
same_file "$T/r8" "$T/p7" "... Gemini's :generateContent"
curl -sN -D "$T/h" "$rp_URL/v1/responses" -d '{"model":"resp-rec","stream":true}' >/dev/null
is "$(tr -d '\r' <"$T/h" | grep -i '^content-type:' | cut -d' ' -f2)" text/event-stream \
    "... a recorded body never answers a streaming request (the built-in stream does)"
stop rp
req=$(ls "$T"/rec/gpt-rec-*.request.json)
is "$(jq -c '[.method, .path, .headers.authorization, .body.model]' "$req")" \
    '["POST","/v1/chat/completions","<redacted>","gpt-rec"]' "--record: the request kept, credentials redacted"
is "$(jq -r .query "$(ls "$T"/rec/gemini-test-*.request.json)")" "alt=sse&key=<redacted>" \
    "--record: a key in the query redacted"
stop px
# the upstream's timing: it waits 300 ms before its first event
server up2 --ttft 300 --delay 50
mkdir "$T/rec2"
server px --proxy "$up2_URL" --record "$T/rec2"
curl -sN "$px_URL/v1/chat/completions" -d '{"model":"slow","stream":true}' >"$T/s1"
stop px
run stream-metrics -j -q "$T"/rec2/slow-*.ndjson 2>"$T/sm" >/dev/null
jq -e '.ttft_ms >= 300 and .status == "complete" and .chunks == 15' "$T/sm" >/dev/null
ok $? "stream-metrics on the recording: the upstream's wait (ttft >= 300 ms), complete, 15 chunks" || diag "$(cat "$T/sm")"
is "$(run delta-join "$T"/rec2/slow-*.ndjson)" "$(run delta-join "$T/s1")" \
    "delta-join reads the recording as the stream the client got"

# a model name past the file name's room: cut to 127 characters, "/" made "_"
mkdir "$T/reclong"
server m --record "$T/reclong" "$R/openai-chat/text-plain.sse"
long=$(printf 'm/%0300d' 0)
curl -sN "$m_URL/v1/chat/completions" -d "{\"model\":\"$long\",\"stream\":true}" >/dev/null
stop m
f=$(ls "$T"/reclong/*.ndjson | head -n 1)
is "$(basename "$f" | sed 's/-[0-9TZ]*-[0-9]*\.ndjson$//')" "$(printf 'm_%0125d' 0)" \
    "--record: a 302-character model named by its first 127 characters, '/' as '_'"
is "$(grep -c 'record' "$T/m.err")" 0 "--record: a recording closed well says nothing"

# --record in replay mode: what llm-mock itself served, kept the same way
mkdir "$T/rec3"
server m --record "$T/rec3" "$R/anthropic-messages/text.sse"
curl -sN "$m_URL/v1/messages" -d '{"model":"claude-replayed","stream":true}' >/dev/null
curl -s "$m_URL/v1/messages" -d '{"model":"claude-replayed"}' >"$T/n4"
stop m
is "$(ls "$T/rec3" | grep -c '^claude-replayed-.*\.ndjson$')" 2 "--record without --proxy: the replayed stream kept, and the non-streaming answer"
server m $(grep -l '"provider"' "$T"/rec3/*.ndjson)
curl -s "$m_URL/v1/messages" -d '{}' >"$T/r9"
same_file "$T/r9" "$T/n4" "... which a fresh llm-mock serves as it was served"
stop m
server m "$T"/rec3/*.ndjson
curl -sN "$m_URL/v1/messages" -d '{"stream":true}' >"$T/r4"
same_file "$T/r4" "$R/anthropic-messages/text.sse" "... and replayed as it was served, padded lines and all"
stop m
# a non-streaming body cut short upstream is no answer: nothing kept
cat >"$T/cut.py" <<'PY'
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(4)
print(s.getsockname()[1], flush=True)
while True:
    c = s.accept()[0]
    c.recv(65536)
    c.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
              b"Content-Length: 100\r\n\r\n{\"id\":\"cut")
    c.close()
PY
if command -v python3 >/dev/null; then
	python3 "$T/cut.py" >"$T/cut.port" 2>/dev/null &
	_pids="$_pids $!"
	for _ in $(seq 600); do [ -s "$T/cut.port" ] && break; sleep 0.05; done
	mkdir "$T/rec5"
	server px --proxy "http://127.0.0.1:$(cat "$T/cut.port")" --record "$T/rec5"
	curl -s -o /dev/null "$px_URL/v1/chat/completions" -d '{"model":"cut-body"}'
	stop px
	is "$(ls "$T/rec5" | wc -l)" 0 "--record: a non-streaming body the upstream cut short is not kept"
else
	pass "# SKIP no python3: cut-body row not run"
fi
run llm-mock --record "$T/no-such-dir" >/dev/null 2>"$T/err"
is "$?" 1 "--record to a missing directory: exit 1"
# names taken in advance: a fresh llm-mock numbers from 1, so for every
# second the request may fall in, -1.ndjson is a symlink to a file of
# ours, -2.ndjson a file, -3.request.json a dangling symlink: the
# recording lands at -4, none of them followed or overwritten
mkdir "$T/rec4"
echo keep1 >"$T/victim1"
server m --record "$T/rec4" "$R/anthropic-messages/text.sse"
now=$(date +%s)
for i in $(seq -1 20); do # up to 20 s later: valgrind on a loaded machine
	st=$(date -u -d "@$((now + i))" +%Y%m%dT%H%M%SZ)
	ln -s "$T/victim1" "$T/rec4/planted-$st-1.ndjson"
	echo keep2 >"$T/rec4/planted-$st-2.ndjson"
	ln -s "$T/victim3" "$T/rec4/planted-$st-3.request.json"
done
curl -sN "$m_URL/v1/messages" -d '{"model":"planted","stream":true}' >/dev/null
stop m
is "$(cat "$T/victim1"):$(test -e "$T/victim3" && echo made || echo none)" "keep1:none" \
    "--record: a symlink at the next name never followed (its target untouched, a dangling one never created)"
is "$(cat "$T"/rec4/planted-*-2.ndjson | sort -u)" keep2 "--record: an existing file at the next name never overwritten"
is "$(find "$T/rec4" -type f -newer "$T/victim1" -name '*-4.*' | wc -l):$(find "$T/rec4" -type f -name '*-4.*' -size +0 | wc -l)" "2:2" \
    "... the recording made at the first number free under both names (-4: capture and request)"
is "$(find "$T/rec4" -type f \( -name '*-1.*' -o -name '*-3.*' \) | wc -l)" 0 \
    "... nothing left behind at a number passed over"

# ---- the client goes away: the upstream request ends -----------------------
server up3 --delay 400
server px --proxy "$up3_URL"
upport=${up3_URL##*:}
curl -sN "$px_URL/v1/chat/completions" -d '{"stream":true}' | head -c 10 >/dev/null
gone=1
for _ in $(seq 100); do
	if ! ss -tnH state established "( dport = :$upport )" 2>/dev/null | grep -q .; then
		gone=0
		break
	fi
	sleep 0.1
done
ok $gone "a client that goes away ends the upstream connection (the upstream stream would last 6 s)"
stop px
# ... also while the upstream has not sent its headers: an upstream that
# accepts and says nothing, a client that gives up after 1 s
# upstream_gone PORT: no connection to PORT is established within 3 s
upstream_gone() {
	local _
	for _ in $(seq 100); do # 10 s at most (valgrind on a loaded machine)
		ss -tnH state established "( dport = :$1 )" 2>/dev/null | grep -q . || return 0
		sleep 0.1
	done
	return 1
}
cat >"$T/silent.py" <<'PY'
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(16)
print(s.getsockname()[1], flush=True)
held = []
while True:
    held.append(s.accept()[0])   # read nothing, say nothing, close nothing
PY
if command -v python3 >/dev/null && command -v ss >/dev/null; then
	python3 "$T/silent.py" >"$T/silent.port" 2>/dev/null &
	_pids="$_pids $!"
	for _ in $(seq 600); do [ -s "$T/silent.port" ] && break; sleep 0.05; done
	sport=$(cat "$T/silent.port")
	server px --proxy "http://127.0.0.1:$sport"
	curl -s -m 1 -o /dev/null "$px_URL/v1/chat/completions" -d '{"stream":true}'
	is "$?" 28 "an upstream that sends no headers: the client (curl -m 1) gives up"
	upstream_gone "$sport"
	ok $? "... and the upstream connection is gone at once, before any header came" ||
	    diag "$(ss -tn "( dport = :$sport )" 2>&1)"
	stop px
	# the bound on an upstream that sends nothing at all
	server px --proxy "http://127.0.0.1:$sport" --proxy-timeout 1
	curl -s -m 20 -D "$T/h" "$px_URL/v1/messages" -d '{"stream":true}' >"$T/b"
	is "$(head -n 1 "$T/h" | cut -d' ' -f2)" 504 "--proxy-timeout 1: an upstream silent for 1 s is answered 504"
	is "$(jq -r '[.type, .error.message] | join(" ")' "$T/b")" \
	    "error llm-mock --proxy: upstream: nothing came for 1 s (--proxy-timeout)" \
	    "... in the provider's error shape, saying why"
	upstream_gone "$sport"
	ok $? "... and the upstream connection given up"
	stop px
else
	for _ in 1 2 3 4 5; do pass "# SKIP no python3 or ss: silent-upstream rows not run"; done
fi
run llm-mock --proxy "$up3_URL" --proxy-timeout 0 >/dev/null 2>"$T/err"
is "$?:$(head -n 1 "$T/err")" "2:llm-mock: --proxy-timeout: expected seconds (above 0, at most 86400), got '0'" \
    "--proxy-timeout 0: usage error"
# memory bounded: an exchange in flight counts against --max-body-total
server px --proxy "$up3_URL" --max-body 100K --max-body-total 200K
curl -sN "$px_URL/v1/chat/completions" -d '{"stream":true}' >"$T/slow" &
slow=$!
for _ in $(seq 100); do [ -s "$T/slow" ] && break; sleep 0.1; done
curl -s -D "$T/h" -o /dev/null "$px_URL/v1/chat/completions" -d '{"stream":true}'
is "$(head -n 1 "$T/h" | cut -d' ' -f2):$(tr -d '\r' <"$T/h" | grep -ci '^retry-after: 1$')" "503:1" \
    "--proxy: a second exchange over --max-body-total while one is in flight: 503, Retry-After"
kill "$slow" 2>/dev/null; wait "$slow" 2>/dev/null
stop px
stop up3

# ---- security ----------------------------------------------------------------
# a redirect from the upstream is passed back, never followed
cat >"$T/redir.py" <<'PY'
import http.server, sys
seen = open(sys.argv[1], "a")
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        seen.write(self.path + " " + str(self.headers.get("Authorization")) + "\n"); seen.flush()
        self.send_response(307)
        self.send_header("Location", "http://127.0.0.1:%d/elsewhere" % self.server.server_address[1])
        self.send_header("Content-Length", "0")
        self.end_headers()
    def log_message(self, *a): pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
PY
if command -v python3 >/dev/null; then
	: >"$T/seen"
	python3 "$T/redir.py" "$T/seen" >"$T/py.port" 2>/dev/null &
	_pids="$_pids $!"
	for _ in $(seq 600); do [ -s "$T/py.port" ] && break; sleep 0.05; done
	OPENAI_API_KEY=$SECRET server px --proxy "http://127.0.0.1:$(cat "$T/py.port")"
	curl -s -D "$T/h" -o /dev/null "$px_URL/v1/chat/completions" -d '{}'
	tr -d '\r' <"$T/h" >"$T/hh"
	is "$(head -n 1 "$T/hh" | cut -d' ' -f2):$(grep -c '^Location: .*/elsewhere$' "$T/hh")" "307:1" \
	    "--proxy: an upstream redirect passed back to the client as it came"
	is "$(cat "$T/seen")" "/v1/chat/completions Bearer $SECRET" \
	    "--proxy: one request upstream only (the redirect not followed, the key sent to the configured host)"
	stop px
else
	pass "# SKIP no python3: redirect rows not run"
	pass "# SKIP no python3: redirect rows not run"
fi
# the key never in a recording, a log, an error or an answer
grep -rl -- "$SECRET" "$T/rec" "$T/rec2" "$T/up.log" "$T"/*.err "$T"/p? "$T"/r? >"$T/leaks" 2>/dev/null
is "$(cat "$T/leaks")" "" "the upstream key appears in no recording, log, error or answer"
# never an open relay
run llm-mock --listen 0.0.0.0:0 --proxy "$up_URL" >/dev/null 2>"$T/err"
is "$?" 2 "--proxy on 0.0.0.0 without --require-key=TOKEN: usage error"
grep -q 'needs --require-key=TOKEN' "$T/err"
ok $? "... saying why"
OPENAI_API_KEY=$SECRET server px --listen 0.0.0.0:0 --proxy "$up_URL" --require-key=client-token
px_URL=http://127.0.0.1:${px_URL##*:}
is "$(code "$px_URL/v1/chat/completions" -H 'Authorization: Bearer wrong' -d '{"stream":true}')" 401 \
    "--proxy off loopback: a request without the client token refused (401)"
is "$(code "$px_URL/v1/chat/completions" -H 'Authorization: Bearer client-token' -d '{"stream":true}')" 200 \
    "--proxy off loopback: with the token, relayed (the token replaced by the key upstream)"
is "$(code "$px_URL/v1/chat/completions" -H 'Host: rebind.example' -H 'Authorization: Bearer client-token' -d '{"stream":true}')" 200 \
    "--proxy with a token: any Host name, relayed"
stop px
# DNS rebinding: without a token, only a loopback Host name is relayed
OPENAI_API_KEY=$SECRET server px --proxy "$up_URL"
is "$(code "$px_URL/v1/chat/completions" -H 'Host: rebind.example' -d '{"stream":true}')" 403 \
    "--proxy on loopback without a token: a Host naming another site refused (403)"
is "$(code "$px_URL/v1/chat/completions" -H 'Host: localhost:1234' -d '{"stream":true}'):$(code "$px_URL/v1/chat/completions" -H 'Host: [::1]:80' -d '{"stream":true}')" 200:200 \
    "... and localhost or [::1] relayed"
stop px
stop up
sleep 0.2
is "$(grep -l 'Sanitizer\|runtime error' "$T"/*.err 2>/dev/null)" "" "no sanitizer report from any llm-mock"
done_testing
