#!/bin/bash
# The provider table (lib/provider.c): every tool agrees on what a stream
# is, because one detector, one secret-header list and one percent-encoder
# serve them all. Each case here drifted apart when each tool kept its own.
. "$(dirname "$0")/lib.sh"

# ---- one detector: Ollama NDJSON whose lines carry no "model" ---------
printf '%s\n' \
    '{"created_at":"2025-01-01T00:00:00Z","message":{"role":"assistant","content":"Hi"},"done":false}' \
    '{"created_at":"2025-01-01T00:00:00Z","message":{"role":"assistant","content":" there"},"done":false}' \
    '{"created_at":"2025-01-01T00:00:00Z","message":{"role":"assistant","content":""},"done":true,"done_reason":"stop","eval_count":2}' \
    >"$T/nomodel.ndjson"
run delta-join -j "$T/nomodel.ndjson" >"$T/dj" 2>"$T/dj.err"
is "$?:$(jq -c '[.provider,.content,.finish_reason]' "$T/dj")" '0:["ollama","Hi there","stop"]' \
    "delta-join: Ollama NDJSON without \"model\" is ollama"
run stream-metrics -j "$T/nomodel.ndjson" >/dev/null 2>"$T/sm"
is "$(jq -c '[.dialect,.status]' "$T/sm")" '["ollama","complete"]' \
    "stream-metrics: Ollama NDJSON without \"model\" is ollama"
start_mock "$T/nomodel.ndjson"
if [ -n "$MOCK_URL" ]; then
	curl -sN "$MOCK_URL/api/chat" -d '{}' >"$T/served"
	cmp -s "$T/served" "$T/nomodel.ndjson"
	ok $? "llm-mock: the same capture is served as ollama, byte for byte"
	run delta-join "$T/served" >"$T/text" 2>/dev/null
	is "$?:$(cat "$T/text")" "0:Hi there" "llm-mock's answer joins back to the capture's text"
else
	fail "llm-mock: the capture loads" "$(cat "$T/mock.err")"
	fail "llm-mock's answer joins back to the capture's text"
fi
kill "$MOCK_PID" 2>/dev/null; wait "$MOCK_PID" 2>/dev/null

# ---- one secret-header list, one percent-encoder ------------------------
SECRET=cookie-secret-$$-Zp9
start_mock --log-requests "$T/log"
curl -s "$MOCK_URL/v1/chat/completions?x=a:b,c/d%20e&alt=sse" -d '{"stream":true}' \
    -H "Cookie: session=$SECRET" -H "X-Other: visible" >/dev/null
kill "$MOCK_PID" 2>/dev/null; wait "$MOCK_PID" 2>/dev/null
grep -q -- "$SECRET" "$T/log"
is "$?" 1 "llm-mock --log-requests: a Cookie header is a secret, as in llm-request"
is "$(jq -c '[.headers.cookie,.headers["x-other"]]' "$T/log")" '["<redacted>","visible"]' \
    "llm-mock --log-requests: cookie redacted, other headers kept"
is "$(jq -r .query "$T/log")" 'x=a%3Ab%2Cc%2Fd%20e&alt=sse' \
    "llm-mock --log-requests: the query encoded with RFC 3986's unreserved set only"
GEMINI_API_KEY=k run llm-request --dry-run -p gemini -m 'a:b,c/d e' hi >"$T/dry" 2>&1
grep -q '/models/a%3Ab%2Cc%2Fd%20e:streamGenerateContent' "$T/dry"
ok $? "llm-request: the Gemini model path encoded by the same encoder" ||
    diag "$(head -n 3 "$T/dry")"

# ---- each provider's error vocabulary, in its own file ------------------
# llm-mock --fail's body for every status it names and a few it does not,
# on every provider's endpoint (golden: tests/llm-mock/error-bodies.out)
for st in 400 401 403 404 408 409 413 422 429 500 502 503 504 529 599; do
	start_mock --fail "1000:$st"
	[ -n "$MOCK_URL" ] || { fail "llm-mock --fail 1000:$st starts" "$(cat "$T/mock.err")"; continue; }
	for path in /v1/chat/completions /v1/responses /v1/messages \
	    /v1beta/models/m:streamGenerateContent /api/chat; do
		printf '%s %s ' "$st" "$path"
		curl -s "$MOCK_URL$path" -d '{"model":"m","stream":true}'
		echo
	done
	kill "$MOCK_PID" 2>/dev/null; wait "$MOCK_PID" 2>/dev/null
done >"$T/error-bodies"
[ "${UPDATE_GOLDEN:-}" = 1 ] && cp "$T/error-bodies" "$TOP/tests/llm-mock/error-bodies.out"
same_file "$T/error-bodies" "$TOP/tests/llm-mock/error-bodies.out" \
    "llm-mock: every provider's error body for each status"

done_testing
