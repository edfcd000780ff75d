#!/usr/bin/env bash
# The official SDKs' own documented tool loops (tests/peers/sdk-tool-loop.mjs:
# openai chat and Responses, @anthropic-ai/sdk) against llm-mock, their
# requests logged; the same loop through llmpipe (llm-request
# --conversation | delta-join --conversation, a tool result appended)
# must send the same messages on the second request.
source "$(dirname "$0")/lib.sh"
need_peers

# norm: the conversation part of a logged request body, without what the
# SDK echoes back and the API ignores (null fields, the chat message's
# refusal, the Responses output items' own id and status)
norm='walk(if type == "object" then with_entries(select(.value != null))
    | del(.refusal) | (if .type == "function_call" then del(.id, .status) else . end)
    else . end) | {system, instructions, messages, input}'

for kind in openai-chat anthropic openai-responses; do
	case $kind in
	openai-chat) p=openai
	    tools='[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}]' ;;
	anthropic) p=anthropic
	    tools='[{"name":"get_weather","input_schema":{"type":"object","properties":{"city":{"type":"string"}}}}]' ;;
	openai-responses) p=responses
	    tools='[{"type":"function","name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}]' ;;
	esac
	start_mock --log-requests "$T/sdk-$p.log"
	node "$TOP/tests/peers/sdk-tool-loop.mjs" "$kind" "$MOCK_URL" >"$T/sdk.out" 2>&1
	is "$?" 0 "$kind: the SDK's tool loop runs against llm-mock"

	start_mock --log-requests "$T/lp-$p.log"
	echo "$tools" >"$T/tools.json"
	c=$T/conv-$p.ndjson
	printf '{"role":"system","content":"Be brief."}\n' >"$c"
	"$BIN/llm-request" -p "$p" --base-url "$MOCK_URL" --conversation "$c" \
	    --tools "$T/tools.json" "Weather in Paris?" |
	    "$BIN/delta-join" -q --conversation "$c" >/dev/null
	jq -c 'select(.role == "assistant") | .tool_calls[] |
	    {role: "tool", tool_call_id: .id, content: "sunny, 21 C"}' "$c" >>"$c"
	"$BIN/llm-request" -p "$p" --base-url "$MOCK_URL" --conversation "$c" \
	    --tools "$T/tools.json" | "$BIN/delta-join" --conversation "$c" >"$T/lp.out"
	is "$(cat "$T/lp.out")" "$(cat "$T/sdk.out")" "$kind: the same final answer"
	for n in 1 2; do
		want=$(sed -n "${n}p" "$T/sdk-$p.log" | jq -cS ".body | $norm")
		got=$(sed -n "${n}p" "$T/lp-$p.log" | jq -cS ".body | $norm")
		is "$got" "$want" "$kind: request $n sends the messages the SDK's loop sends"
	done
	is "$(wc -l <"$T/lp-$p.log")" "$(wc -l <"$T/sdk-$p.log")" "$kind: as many requests"
done
done_testing
