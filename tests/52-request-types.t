#!/usr/bin/env bash
# llm-request's request bodies against the official SDKs' own request
# types (issue 21): the --dry-run body of every provider with every option
# that changes it is written into one TypeScript file, each typed with its
# SDK's params type (openai's ChatCompletionCreateParamsStreaming and
# ResponseCreateParamsStreaming, @anthropic-ai/sdk's
# MessageCreateParamsStreaming, @google/genai's Content, GenerationConfig
# and Tool as the REST body's parts, ollama's ChatRequest), and checked by
# tsc --noEmit: an unknown field, a misspelt one or a value of the wrong
# type fails it. Also: each provider's default model is one of its SDK's
# published model names, and the models only the Responses API serves (in
# the openai SDK's ResponsesModel but not its ChatModel) infer it.
# One tsc run (about a second); the bodies come from --dry-run, which
# sends nothing.
source "$(dirname "$0")/lib.sh"

need_peers
PEERS=$TOP/tests/peers
TSC=$PEERS/node_modules/.bin/tsc
if [ ! -x "$TSC" ]; then
	fail "tsc from the typescript peer is installed"
	done_testing
	exit
fi
unset OPENAI_BASE_URL ANTHROPIC_BASE_URL OLLAMA_HOST LLM_MODEL
D=$TOP/tests/llm-request

# body ARGS...: the body llm-request --dry-run builds (its last line)
body() {
	(cd "$D" && run llm-request --dry-run "$@" 2>/dev/null) | tail -n 1
}

# beside node_modules, for tsc to resolve the SDKs; a name of this run's
# own (two runs at once, plain and under valgrind, must not share it),
# removed on exit (lib.sh's own cleanup kept)
ts=$PEERS/request-types.$$.check.ts
bad_ts=$PEERS/request-types.$$.bad.ts
trap 'rm -f "$ts" "$bad_ts"; for p in $_pids; do kill "$p" 2>/dev/null; done; rm -rf "$T"' EXIT
n=0
# row TYPE NAME ARGS...: one typed constant of the file
row() {
	local type=$1 name=$2 b; shift 2
	b=$(body "$@")
	if [ -z "$b" ]; then
		fail "$name: llm-request --dry-run $* built a body"
		return
	fi
	n=$((n + 1))
	printf '// %s: llm-request %s\nexport const b%d: %s = %s;\n' \
	    "$name" "$*" "$n" "$type" "$b" >>"$ts"
}

cat >"$ts" <<'EOF'
import type { ChatCompletionCreateParamsStreaming, ChatCompletionCreateParamsNonStreaming } from "openai/resources/chat/completions";
import type { ResponseCreateParamsStreaming } from "openai/resources/responses/responses";
import type { ChatModel, ResponsesModel } from "openai/resources/shared";
import type { MessageCreateParamsStreaming, Model as AnthropicModel } from "@anthropic-ai/sdk/resources/messages";
import type { Content, GenerationConfig, Tool, Interactions } from "@google/genai";
import type { ChatRequest } from "ollama";
// Gemini's REST body (generateContent), made of the SDK's own types.
type GeminiBody = { contents: Content[]; systemInstruction?: Content;
  generationConfig?: GenerationConfig; tools?: Tool[] };
type OllamaBody = ChatRequest & { stream: boolean };
// The literal names of a model union, without its (string & {}) escape.
type Named<T> = T extends string ? (string extends T ? never : T) : never;
EOF

C=ChatCompletionCreateParamsStreaming R=ResponseCreateParamsStreaming
A=MessageCreateParamsStreaming G=GeminiBody O=OllamaBody
# the OpenAI rows, shared with tests/53 (the OpenAPI schema)
openai_row() {
	local kind=$1; shift
	case $kind in
	chat) row $C "$@" ;;
	chat-nostream) row ChatCompletionCreateParamsNonStreaming "$@" ;;
	responses) row $R "$@" ;;
	esac
}
source "$TOP/tests/request-cases.sh"
# (no --temperature: @anthropic-ai/sdk 1.17 dropped it from the params,
# llm-request sends it with a note, checked by tests/50's goldens)
row $A "anthropic" -m claude-x -s sys --max-tokens 10 hi
row $A "anthropic, --messages" -m claude-x --messages messages.json hi
for l in none low medium high 2048; do
	row $A "anthropic, --reasoning $l" -m claude-x --reasoning $l hi
done
row $A "anthropic, --tools" -m claude-x --tools tools.json hi
row $G "gemini" -m gemini-x -s sys --max-tokens 10 --temperature 0.5 hi
for l in none low medium high 2048; do
	row $G "gemini, --reasoning $l" -m gemini-x --reasoning $l hi
done
row $G "gemini, --tools (with a native one)" -m gemini-x --tools tools-mixed.json hi
row $O "ollama" -p ollama -s sys --max-tokens 10 --temperature 0.5 hi
for l in none low medium high; do
	row $O "ollama, --reasoning $l" -p ollama --reasoning $l hi
done
# (ollama-js types a tool's schema narrowly, without additionalProperties,
# which Ollama's server reads past: the tools without it)
row $O "ollama, --tools" -p ollama --tools tools-flat.json hi

# The defaults, each a name of its SDK's model list (ollama-js has none).
def() { body -p "$1" hi | jq -r '.model'; }
gem=$(cd "$D" && run llm-request --dry-run -p gemini hi 2>/dev/null | head -n 1 |
    sed -E 's|.*/models/([^:]*):.*|\1|')
cat >>"$ts" <<EOF
export const d1: ChatModel = "$(def openai)";
export const d2: Named<ResponsesModel> = "$(def responses)";
export const d3: Named<AnthropicModel> = "$(def anthropic)";
export const d4: Named<Interactions.Model> = "$gem";
EOF

# ... and none the SDK deprecates (its own warning list).
node -e '
const d = require(process.argv[1]).DEPRECATED_MODELS;
process.exit(process.argv[2] in d ? 1 : 0);' \
    "$PEERS/node_modules/@anthropic-ai/sdk/internal/data.js" "$(def anthropic)"
ok $? "the default anthropic model is not among the SDK's deprecated ones"

# A planted wrong body fails, so that a passing check means something.
cp "$ts" "$T/bad.ts"
echo 'export const bad: ChatCompletionCreateParamsStreaming = {"model":"m","messages":[],"stream":true,"max_tokens2":1};' >>"$T/bad.ts"
cp "$T/bad.ts" "$bad_ts"
"$TSC" --noEmit --strict --skipLibCheck --target es2022 --module nodenext \
    --moduleResolution nodenext "$bad_ts" >"$T/tsc-bad" 2>&1
st=$?
rm -f "$bad_ts"
[ "$st" != 0 ] && grep -q "max_tokens2" "$T/tsc-bad"
ok $? "tsc refuses a planted unknown field (the check can fail)"

"$TSC" --noEmit --strict --skipLibCheck --target es2022 --module nodenext \
    --moduleResolution nodenext "$ts" >"$T/tsc" 2>&1
st=$?
if [ "$st" = 0 ]; then
	pass "tsc --noEmit: $n request bodies and 4 default models match the SDKs' types"
else
	fail "tsc --noEmit: $n request bodies and 4 default models match the SDKs' types"
	# name the rows: each error's line, and the comment above it
	grep -oE '\.ts\([0-9]+' "$T/tsc" | grep -oE '[0-9]+$' | sort -un |
	    while read -r l; do sed -n "$((l - 1)),${l}p" "$ts" | cut -c1-300; done |
	    sed 's/^/# /' >&2
	head -n 20 "$T/tsc" | sed 's/^/# /' >&2
fi

# The models only the Responses API serves infer it; every chat model
# stays on chat.
sdk=$PEERS/node_modules/openai/resources/shared.d.ts
names() { grep -E "^export type $1 = " "$sdk" | grep -oE "'[^']+'" | tr -d "'"; }
names ChatModel | sort -u >"$T/chat"
names ResponsesModel | sort -u | comm -23 - "$T/chat" >"$T/only"
[ -s "$T/chat" ] && [ -s "$T/only" ]
ok $? "the openai SDK's model lists read ($(wc -l <"$T/chat") chat, $(wc -l <"$T/only") Responses-only)"
bad=""
while read -r m; do
	u=$("$BIN/llm-request" --dry-run -m "$m" hi 2>/dev/null | head -n 1)
	case $u in */responses) ;; *) bad="$bad $m" ;; esac
done <"$T/only"
is "$bad" "" "every Responses-only model of the SDK infers the Responses API"
bad=""
while read -r m; do
	u=$("$BIN/llm-request" --dry-run -m "$m" hi 2>/dev/null | head -n 1)
	case $u in */chat/completions) ;; *) bad="$bad $m" ;; esac
done <"$T/chat"
is "$bad" "" "every chat model of the SDK stays on chat completions"

done_testing
