#!/bin/bash
# llm-mock's smaller promises, each one a behaviour that a planted bug
# (scripts/mutate) changed without any other test noticing: the model list
# a client's own header chooses, what counts as a key, --pick on a field
# that is not a string, and what -v says about a refused request.
. "$(dirname "$0")/lib.sh"

chat_capture() { # chat_capture FILE TEXT
	printf 'data: {"choices":[{"index":0,"delta":{"content":"%s"}}]}\n\ndata: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n' "$2" >"$1"
}

# ---- the model list: /v1/models is both OpenAI's and Anthropic's --------
start_mock -q
curl -s "$MOCK_URL/v1/models" >"$T/openai"
curl -s -H 'anthropic-version: 2023-06-01' "$MOCK_URL/v1/models" >"$T/anthropic"
kill "$MOCK_PID" 2>/dev/null; wait "$MOCK_PID" 2>/dev/null
is "$(jq -c '[.object, .data[0].id]' "$T/openai")" '["list","llm-mock"]' \
    "GET /v1/models: OpenAI's list"
is "$(jq -c '[.has_more, .data[0].type]' "$T/anthropic")" '[false,"model"]' \
    "GET /v1/models with Anthropic's version header: Anthropic's list"

# ---- --require-key: a key is the header's scheme and something after it --
start_mock -q --require-key
code() { curl -s -o /dev/null -w '%{http_code}' "$MOCK_URL/v1/chat/completions" \
    -d '{"stream":true}' "$@"; }
is "$(code -H 'Authorization: Bearer k1')" 200 "--require-key: Bearer and a key: 200"
is "$(code -H 'Authorization: Basic azE6')" 401 "--require-key: another scheme is no key: 401"
is "$(code -H 'Authorization: Bearer ')" 401 "--require-key: the scheme alone is no key: 401"
is "$(code)" 401 "--require-key: no header: 401"
kill "$MOCK_PID" 2>/dev/null; wait "$MOCK_PID" 2>/dev/null

# ---- --pick on a boolean field (the file names say true and false) ------
chat_capture "$T/a-false.sse" "from false"
chat_capture "$T/b-true.sse" "from true"
start_mock -q --pick stream "$T/a-false.sse" "$T/b-true.sse"
curl -s "$MOCK_URL/v1/chat/completions" -d '{"stream":true}' >"$T/picked"
curl -s "$MOCK_URL/v1/chat/completions" -d '{"stream":true,"x":1}' >"$T/picked2"
kill "$MOCK_PID" 2>/dev/null; wait "$MOCK_PID" 2>/dev/null
is "$(run delta-join -x "$T/picked")$(run delta-join -x "$T/picked2")" \
    "from truefrom true" "--pick stream: \"stream\": true picks the capture named true, every time"

# ---- -v: one line for each refused request -------------------------------
start_mock -v --require-key
curl -s -o /dev/null "$MOCK_URL/v1/nope" -d '{}'
curl -s -o /dev/null "$MOCK_URL/v1/chat/completions" -d '{}'
kill "$MOCK_PID" 2>/dev/null; wait "$MOCK_PID" 2>/dev/null
grep -q '^llm-mock: POST /v1/nope 404 no such endpoint$' "$T/mock.err"
ok $? "-v: an unknown endpoint is said, with its status" || diag "$(cat "$T/mock.err")"
grep -q '^llm-mock: POST /v1/chat/completions 401 no key$' "$T/mock.err"
ok $? "-v: a request without a key is said, with its status" || diag "$(cat "$T/mock.err")"

# ---- --max-body-total: even a one-byte body is refused with an answer ---
# a first request announces 10 bytes and sends 5, holding the whole budget;
# a second one announcing 1 byte gets its 503 at once, not a cut connection
start_mock -q --max-body 10 --max-body-total 10
port=${MOCK_URL##*:}
exec 3<>"/dev/tcp/127.0.0.1/$port"
printf 'POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n{"a":1' >&3
sleep 0.3; [ "${VALGRIND:-}" = 1 ] && sleep 1
is "$(curl -s -o /dev/null -w '%{http_code}' "$MOCK_URL/v1/chat/completions" -d 1)" 503 \
    "--max-body-total held: a one-byte body is answered 503"
exec 3>&-
kill "$MOCK_PID" 2>/dev/null; wait "$MOCK_PID" 2>/dev/null

# ---- -q silences -v, and a log that cannot be written ------------------
start_mock -v -q --log-requests /dev/full
curl -s -o /dev/null "$MOCK_URL/v1/nope" -d '{}'
kill "$MOCK_PID" 2>/dev/null; wait "$MOCK_PID" 2>/dev/null
is "$(cat "$T/mock.url" | wc -l):$(cat "$T/mock.err")" "1:" "-q: no line on stderr, even with -v and a full log"
start_mock --log-requests /dev/full
curl -s -o /dev/null "$MOCK_URL/v1/nope" -d '{}'
kill "$MOCK_PID" 2>/dev/null; wait "$MOCK_PID" 2>/dev/null
grep -q '^llm-mock: log-requests: No space left on device$' "$T/mock.err"
ok $? "without -q, a log that cannot be written is said" || diag "$(cat "$T/mock.err")"

# ---- a capture given as sse-decode's records keeps its event names -------
f=$FIX/real/anthropic-messages/text.sse
run sse-decode "$f" >"$T/anth.ndjson"
start_mock -q "$T/anth.ndjson"
curl -s "$MOCK_URL/v1/messages" -d '{"stream":true,"model":"x","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}' >"$T/served"
kill "$MOCK_PID" 2>/dev/null; wait "$MOCK_PID" 2>/dev/null
is "$(grep '^event:' "$T/served" | tr '\n' ' ')" "$(grep '^event:' "$f" | tr '\n' ' ')" \
    "NDJSON records of an Anthropic capture: served with every event: line (message_start, message_delta, ...)"

# ---- a capture that cannot be read: said, exit 1, nothing served ---------
run llm-mock -q "$T" >"$T/out" 2>"$T/err"
is "$?:$(cat "$T/err")" "1:llm-mock: $T: read error: Is a directory" \
    "a directory given as the capture: a read error, exit 1"

# ---- --help names the key variables as a list ----------------------------
run llm-mock --help >"$T/help" 2>&1
tr -s ' \n' '  ' <"$T/help" | grep -qF '(OPENAI_API_KEY, ANTHROPIC_API_KEY, GEMINI_API_KEY or GOOGLE_API_KEY)'
ok $? "--help: the key variables joined by commas and a last 'or'"

done_testing
