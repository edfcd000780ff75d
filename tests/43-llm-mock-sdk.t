#!/bin/bash
# The official clients from the npm registry (openai, @anthropic-ai/sdk,
# @google/genai, ollama) against llm-mock (issue 18): streaming and not,
# with and without tools, in replay mode and through --proxy (a second
# llm-mock as the upstream, the key held by the proxy). No client error,
# and the text, tool calls, finish reason and usage each assembles equal
# what llm-request | delta-join -j reads from the same endpoint. Then the
# clients' retries against --fail. Node runs the same C paths as tests/41:
# skipped under VALGRIND=1 and the sanitizer build.
source "$(dirname "$0")/lib.sh"
unset HTTP_PROXY http_proxy HTTPS_PROXY https_proxy ALL_PROXY all_proxy
unset OPENAI_API_KEY ANTHROPIC_API_KEY GEMINI_API_KEY GOOGLE_API_KEY OLLAMA_HOST

if [ "${VALGRIND:-}" = 1 ] || case "${LLMPIPE_BUILD:-}" in *san*) true ;; *) false ;; esac; then
	echo "1..0 # SKIP the SDKs run the C paths tests/41 covers; not again under valgrind or sanitizers"
	exit 0
fi
need_peers
CL=$TOP/tests/llm-mock/clients.mjs

# the tool of each provider's request, in its own format
P='{"type":"object","properties":{"city":{"type":"string"}}}'
echo "[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"parameters\":$P}}]" >"$T/tools.openai"
cp "$T/tools.openai" "$T/tools.ollama"
echo "[{\"type\":\"function\",\"name\":\"get_weather\",\"parameters\":$P}]" >"$T/tools.responses"
echo "[{\"name\":\"get_weather\",\"input_schema\":$P}]" >"$T/tools.anthropic"
echo "[{\"functionDeclarations\":[{\"name\":\"get_weather\",\"parameters\":$P}]}]" >"$T/tools.gemini"

# ref URL PROVIDER text|tools: llm-request | delta-join -j, as
# [text, tools, finish, usage]
ref() {
	local base=$1/v1 tools=()
	[ "$2" = ollama ] && base=$1
	[ "$3" = tools ] && tools=(--tools "$T/tools.$2")
	OPENAI_API_KEY=k ANTHROPIC_API_KEY=k GEMINI_API_KEY=k \
	    run llm-request -p "$2" --base-url "$base" "${tools[@]}" hi | run delta-join -j |
	    jq -c '[.content // "", [.tool_calls[] | [.name, (.arguments | fromjson)]], .finish_reason,
	        [.usage.input_tokens, .usage.output_tokens]]'
}
# what a client reports, normalized as delta-join -j does: the vendors'
# finish reasons (end_turn, tool_use, STOP, completed) mapped
norm() {
	jq -c 'if .error then {case, error} else
	    (if (.tools | length) > 0 then "tool_calls" else "stop" end) as $calls |
	    [.text, .tools, ({"end_turn": "stop", "tool_use": "tool_calls", "STOP": $calls,
	      "completed": $calls, "stop": $calls, "tool_calls": "tool_calls"}[.finish] // .finish), .usage]
	    end'
}
provider_of() {
	case $1 in
	"openai chat"*) echo openai ;; "openai responses"*) echo responses ;;
	anthropic*) echo anthropic ;; gemini*) echo gemini ;; ollama*) echo ollama ;;
	esac
}

check() { # check URL MODE WHERE
	local url=$1 mode=$2 where=$3 line name p want
	node "$CL" "$url" "$mode" >"$T/clients" 2>"$T/clients.err"
	[ "$(grep -c . "$T/clients")" = 10 ]
	ok $? "$where, $mode: ten client cases ran" || diag "$(head -n 5 "$T/clients.err")"
	for p in openai responses anthropic gemini ollama; do
		ref "$url" "$p" "$mode" >"$T/ref.$p"
	done
	while IFS= read -r line; do
		name=$(jq -r .case <<<"$line")
		p=$(provider_of "$name")
		want=$(cat "$T/ref.$p")
		is "$(norm <<<"$line")" "$want" "$where, $mode: $name assembles what llm-request | delta-join -j reads"
	done <"$T/clients"
}

start_mock
check "$MOCK_URL" text "replay"
check "$MOCK_URL" tools "replay"
kill "$MOCK_PID"; wait "$MOCK_PID" 2>/dev/null

# through --proxy: the upstream takes only the key the proxy holds
SECRET=sk-sdk-$$-secret
start_mock --require-key="$SECRET"
UP=$MOCK_URL UP_PID=$MOCK_PID
printf '%s\n' "$SECRET" >"$T/key"
start_mock --proxy "$UP" --api-key-file "$T/key"
check "$MOCK_URL" text "--proxy"
check "$MOCK_URL" tools "--proxy"
kill "$MOCK_PID" "$UP_PID"; wait "$MOCK_PID" "$UP_PID" 2>/dev/null

# retries against --fail 1:429:0: openai and @anthropic-ai/sdk retry (two
# requests, the answer), @google/genai and ollama do not (one, the 429)
for c in openai:2:text anthropic:2:text gemini:1:429 ollama:1:429; do
	IFS=: read -r name n want <<<"$c"
	start_mock --fail 1:429:0 --log-requests "$T/req.$name"
	node "$CL" "$MOCK_URL" retry "$name" >"$T/r" 2>"$T/r.err"
	got=$(jq -r 'if .text then "text" else .status end' "$T/r")
	is "$got:$(grep -c . "$T/req.$name")" "$want:$n" \
	    "--fail 1:429: $name $([ "$n" = 2 ] && echo "retries once and gets the answer" || echo "does not retry: the 429")"
	kill "$MOCK_PID"; wait "$MOCK_PID" 2>/dev/null
done
done_testing
