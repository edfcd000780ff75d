#!/usr/bin/env bash
# Conversation files (llmpipe(7)): one message format in and out, for
# every provider. llm-request --conversation sends them, delta-join
# --conversation appends the answer, llm-mock reads the bodies back.
source "$(dirname "$0")/lib.sh"
PROVIDERS="openai responses anthropic gemini ollama"
CONV=$TOP/tests/conversation

# -- round trips: conversation -> each provider's body -> conversation
roundtrip() { # roundtrip FILE...: the unit program's TAP, renumbered
	"$BUILD_DIR/tests/conv_roundtrip" "$@" >"$T/rt.out" 2>&1
	local st=$? line
	while IFS= read -r line; do
		case $line in
		"ok "*) pass "round trip: ${line#* - }" ;;
		"not ok "*) fail "round trip: ${line#* - }" ;;
		"#"*) echo "$line" ;;
		esac
	done <"$T/rt.out"
	is "$st" 0 "conv_roundtrip exits 0"
}
roundtrip "$CONV/chat-tools.ndjson"

# consecutive tool results: one user message (Anthropic), one user turn
# (Gemini), each result its own message elsewhere
shape() { # shape PROVIDER JQ: the dry-run body of chat-tools through JQ
	run llm-request -p "$1" --conversation "$CONV/chat-tools.ndjson" \
	    --dry-run 2>/dev/null | tail -n 1 | jq -c "$2"
}
is "$(shape anthropic '[.messages[] | .role + ":" + ([.content | arrays | .[].type] | join(","))]')" \
    '["user:","assistant:text","user:","assistant:text,tool_use,tool_use","user:tool_result,tool_result","assistant:tool_use","user:tool_result","assistant:text","user:"]' \
    "anthropic: calls as tool_use blocks, consecutive results merged in one user message, system on top"
is "$(shape anthropic .system)" '"You answer in one line."' "anthropic: the system message is the top-level system"
is "$(shape gemini '[.contents[] | .role + ":" + ([.parts[] | keys[0]] | join(","))]')" \
    '["user:text","model:text","user:text","model:text,functionCall,functionCall","user:functionResponse,functionResponse","model:functionCall","user:functionResponse","model:text","user:text"]' \
    "gemini: roles user and model, functionCall and functionResponse parts, results in one turn"
is "$(shape gemini '.systemInstruction.parts[0].text')" '"You answer in one line."' "gemini: systemInstruction"
is "$(shape ollama '[.messages[] | select(.tool_calls) | .tool_calls[].function.arguments | type]')" \
    '["object","object","object"]' "ollama: arguments as objects"
is "$(shape openai '[.messages[] | select(.role == "tool") | .tool_call_id]')" \
    '["call_a","call_b","call_c"]' "openai: one role tool message per result"
is "$(shape responses '[.input[] | .type // .role]')" \
    '["user","assistant","user","assistant","function_call","function_call","function_call_output","function_call_output","function_call","function_call_output","assistant","user"]' \
    "responses: input items, function_call and function_call_output"

# what only the same provider takes back, from real streams
for f in anthropic-messages/thinking-then-tool-use \
    anthropic-messages/redacted-thinking gemini/function-call-thought-signature \
    deepseek-responses/reasoning-function-call \
    openai-responses/reasoning-summary-multipart; do
	n=$T/${f##*/}.ndjson
	echo '{"role":"user","content":"q"}' >"$n"
	"$BIN/delta-join" -q --conversation "$n" "$FIX/real/$f.sse" >/dev/null
	jq -c 'select(.role=="assistant")|.tool_calls[]|
	    {role:"tool",tool_call_id:.id,content:"r"}' "$n" >>"$n"
	echo '{"role":"user","content":"next"}' >>"$n"
	is "$(jq -c 'select(.provider_data)|.provider_data|keys' "$n")" \
	    "$(case $f in anthropic*) echo '["content"]';; gemini*) echo '["parts"]';;
	    *) echo '["output"]';; esac)" "delta-join keeps ${f%%/*}'s provider_data"
done
roundtrip "$T"/*.ndjson

# -- a chat of three turns and a tool round trip, for every provider
start_mock --echo
echo '[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object"}}}]' >"$T/tools.json"
turn() { # turn PROVIDER FILE [ARGS...]
	local p=$1 f=$2; shift 2
	"$BIN/llm-request" -p "$p" --base-url "$MOCK_URL" --conversation "$f" \
	    "$@" | "$BIN/delta-join" -q --conversation "$f"
}
for p in $PROVIDERS; do
	c=$T/chat-$p.ndjson
	out=$(turn "$p" "$c" "one" && turn "$p" "$c" "two" && echo three | turn "$p" "$c")
	is "$out" "$(printf 'one\ntwo\nthree')" "$p: three turns answered"
	is "$(jq -r '.role + ":" + .content' "$c" | tr '\n' ' ')" \
	    "user:one assistant:one user:two assistant:two user:three assistant:three " \
	    "$p: the file holds the six messages in order"
	is "$(jq -s 'map(select(.role=="assistant"))|map(.provider)|unique|.[]' -r "$c")" \
	    "$(jq -rn --arg p "$p" '{openai:"openai-chat",responses:"openai-responses"}[$p] // $p')" \
	    "$p: assistant messages name their provider"

	t=$T/tool-$p.ndjson
	turn "$p" "$t" --tools "$T/tools.json" "weather in Paris?" >/dev/null
	id=$(jq -r 'select(.role=="assistant")|.tool_calls[0].id' "$t")
	is "$(jq -r 'select(.role=="assistant")|.tool_calls[0].name' "$t")" get_weather \
	    "$p: a new user message with tools gets a tool call"
	jq -nc --arg id "$id" '{role:"tool",tool_call_id:$id,content:"sunny"}' >>"$t"
	is "$(turn "$p" "$t" --tools "$T/tools.json")" sunny \
	    "$p: the tool result goes back and is answered in text (no prompt needed)"
	is "$(jq -r '.role' "$t" | tr '\n' ' ')" "user assistant tool assistant " \
	    "$p: tool round trip written in order"
done

# -- one conversation moving through every provider
c=$T/moving.ndjson
for p in openai anthropic gemini ollama responses; do
	turn "$p" "$c" "to $p" >/dev/null
done
is "$(jq -r 'select(.role=="assistant")|.provider + "=" + .content' "$c" | tr '\n' ' ')" \
    "openai-chat=to openai anthropic=to anthropic gemini=to gemini ollama=to ollama openai-responses=to responses " \
    "one conversation goes OpenAI -> Anthropic -> Gemini -> Ollama -> Responses"

# provider_data goes back to its own provider only, with a note otherwise
n=$T/thinking-then-tool-use.ndjson
run llm-request -p anthropic --conversation "$n" --dry-run >"$T/out" 2>/dev/null
ok "$(grep -q '"signature"' "$T/out"; echo $?)" \
    "anthropic takes its thinking blocks back, signature included"
run llm-request -p openai --conversation "$n" --dry-run >"$T/out" 2>"$T/err"
ok "$(grep -q 'provider_data left out' "$T/err"; echo $?)" \
    "another provider gets no provider_data, and a note says so"
ok "$(! grep -q signature "$T/out"; echo $?)" "... and no signature is sent to it"

n=$T/function-call-thought-signature.ndjson
run llm-request -p gemini --conversation "$n" --dry-run >"$T/out" 2>/dev/null
ok "$(tail -n 1 "$T/out" | jq -e '.contents[1].parts[0].thoughtSignature | length > 100' >/dev/null; echo $?)" \
    "gemini takes its thought signature back, on the call's part"
n=$T/reasoning-function-call.ndjson
run llm-request -p responses --conversation "$n" --dry-run >"$T/out" 2>/dev/null
is "$(tail -n 1 "$T/out" | jq -r '[.input[] | .type // .role] | join(" ")')" \
    "user reasoning function_call function_call_output user" \
    "responses takes its reasoning item back, before the call"

# -s after the file's system messages; a file ending in a user message
# needs no prompt
c=$T/sys.ndjson
printf '{"role":"system","content":"one"}\n{"role":"user","content":"hi"}\n' >"$c"
run llm-request -p anthropic --conversation "$c" -s two --dry-run </dev/null >"$T/out" 2>/dev/null
is "$?:$(tail -n 1 "$T/out" | jq -c '[.system, (.messages | length)]')" '0:["one\n\ntwo",1]' \
    "-s goes after the file's system messages; no prompt is read after a user message"

# -- llm-request appends only once a 2xx arrives
start_mock --fail 5:400
e=$T/err.ndjson
"$BIN/llm-request" --retry 0 --base-url "$MOCK_URL" --conversation "$e" hi >/dev/null 2>&1
is "$?" 4 "an HTTP error exits 4"
ok "$([ ! -s "$e" ]; echo $?)" "... and appends nothing"

is "$(stat -c %a "$T/chat-openai.ndjson")" 600 "a new conversation file is made private (0600)"

# -- delta-join: incomplete streams are kept and marked, empty ones not
i=$T/inc.ndjson
head -n 6 "$FIX/real/openai-chat/text-plain.sse" | "$BIN/delta-join" --conversation "$i" >/dev/null 2>&1
is "$?" 3 "a cut stream exits 3"
is "$(jq -c '[.incomplete, (.content|length > 0)]' "$i")" "[true,true]" \
    "... and what arrived is appended, marked incomplete"
printf 'data: [DONE]\n\n' | "$BIN/delta-join" --conversation "$T/none.ndjson" >/dev/null 2>&1
ok "$([ ! -e "$T/none.ndjson" ]; echo $?)" "a stream with no assistant output appends nothing"
interrupt delta-join --conversation "$T/int.ndjson" -- 'data: {"choices":[{"index":0,"delta":{"content":"half"}}]}\n\n'
is "$INT_STATUS" 130 "delta-join interrupted exits 130"
is "$(jq -c '[.content,.incomplete]' "$T/int.ndjson")" '["half",true]' \
    "... and keeps what arrived, marked incomplete"

# -- bad conversation files: exit 2, naming the line; never rewritten
bad() { # bad NAME EXPECTED-MESSAGE: $T/bad.ndjson is refused
	cp "$T/bad.ndjson" "$T/bad.before" 2>/dev/null
	run llm-request --conversation "$T/bad.ndjson" --dry-run hi >/dev/null 2>"$T/err"
	is "$?" 2 "$1: exit 2"
	ok "$(grep -qF -- "$2" "$T/err"; echo $?)" "$1: says '$2'" || true
	[ -f "$T/bad.before" ] && ok "$(cmp -s "$T/bad.ndjson" "$T/bad.before"; echo $?)" "$1: file unchanged"
	rm -f "$T/bad.before"
}
good='{"role":"user","content":"hi"}'
printf '%s\n{"role":"assistant","content":"x"' "$good" >"$T/bad.ndjson"
bad "truncated last line" "line 2: the last line is cut short"
printf '%s\nnot json\n' "$good" >"$T/bad.ndjson"
bad "a line that is not JSON" "line 2: not JSON"
printf '%s\n{"role":"bot","content":"x"}\n' "$good" >"$T/bad.ndjson"
bad "unknown role" "line 2: unknown role 'bot'"
printf '%s\n{"role":"tool","tool_call_id":"nope","content":"x"}\n' "$good" >"$T/bad.ndjson"
bad "tool result for an unknown call" "line 2: tool result for call nope"
printf '%s\n{"role":"assistant","content":null,"tool_calls":[{"id":"a","name":"f","arguments":"{oops"}]}\n' "$good" >"$T/bad.ndjson"
bad "arguments that are not JSON" "line 2: tool call a: arguments are not valid JSON"
printf '{"role":"user","content":"hi","v":2}\n' >"$T/bad.ndjson"
bad "a newer format version" "line 1: format version"
truncate -s 100M "$T/bad.ndjson"
bad "a file of 100 MB" "over the 64 MiB"
rm -f "$T/bad.ndjson"
echo "$good" >"$T/real.ndjson"
ln -s "$T/real.ndjson" "$T/bad.ndjson"
bad "a symlink" "is a symbolic link"
run delta-join --conversation "$T/bad.ndjson" "$FIX/real/openai-chat/text-plain.sse" >/dev/null 2>&1
is "$?" 1 "delta-join refuses to append through a symlink"
is "$(wc -l <"$T/real.ndjson")" 1 "... and the file it points to is untouched"
rm -f "$T/bad.ndjson"; mkdir "$T/bad.ndjson"
bad "a directory" "is a directory"
rmdir "$T/bad.ndjson"

# -- two turns appending at once: every line whole
start_mock --echo
w=$T/two.ndjson
pids=
for k in 1 2 3 4; do
	turn openai "$w" "turn $k $(head -c 3000 /dev/zero | tr '\0' x)" >/dev/null &
	pids="$pids $!"
	turn anthropic "$w" "other $k $(head -c 3000 /dev/zero | tr '\0' y)" >/dev/null &
	pids="$pids $!"
done
for k in $pids; do wait "$k"; done
is "$(jq -c . "$w" 2>&1 | wc -l)" 16 "16 lines from 8 concurrent turns, each whole JSON"
is "$(jq -r 'select(.role=="user")|.content' "$w" | cut -d' ' -f1,2 | sort | tr '\n' ' ')" \
    "other 1 other 2 other 3 other 4 turn 1 turn 2 turn 3 turn 4 " \
    "... every user message once"
"$BIN/llm-request" --conversation "$w" --dry-run next >/dev/null 2>&1
is "$?" 0 "... and the file still loads"

done_testing
