#!/usr/bin/env bash
# The recipes of README.md and doc/*.md, run as written against llm-mock:
# each block marked <!-- recipe: NAME --> is extracted and run in a fresh
# directory with the tools on PATH and OPENAI_BASE_URL pointing at a local
# llm-mock. Every code block of README.md, doc/*.md, HACKING and NEWS has
# such a marker (or <!-- run-by: TEST -->, naming the test that runs it),
# and every recipe marked is run here, so no example is dropped unseen.
source "$(dirname "$0")/lib.sh"
export PATH=$BIN:$PATH
unset OPENAI_API_KEY ANTHROPIC_API_KEY GEMINI_API_KEY GOOGLE_API_KEY
DOCS=("$TOP/README.md" "$TOP"/doc/*.md)

recipe() { # recipe NAME: print the sh block after the marker
	awk -v n="$1" '
		$0 == "<!-- recipe: " n " -->" { want = 1; next }
		want && /^```sh$/ { inside = 1; next }
		inside && /^```$/ { exit }
		inside { print }' "${DOCS[@]}"
}
# run_recipe NAME [sed expression]: runs it in $T/NAME; stdout in $T/NAME.out
run_recipe() {
	local d=$T/$1
	mkdir -p "$d"
	echo "$1" >>"$T/ran"
	recipe "$1" | sed "${2:-}" >"$d/recipe.sh"
	[ -s "$d/recipe.sh" ] || { fail "recipe $1 is in README.md or doc/*.md"; return 1; }
	(cd "$d" && set -o pipefail && timeout 60 bash -e recipe.sh) >"$T/$1.out" 2>"$T/$1.err"
}

# example NAME: print the literal block after '.\" example: NAME' in
# llmpipe(7), its mdoc escapes undone
example() {
	awk -v n="$1" '
		$0 == ".\\\" example: " n { want = 1; next }
		want && /^\.Bd -literal/ { inside = 1; next }
		inside && $0 == ".Ed" { exit }
		inside { print }' "$TOP/man/llmpipe.7" |
	    sed 's/\\e/\\/g; s/\\(dq/"/g; s/\\&//g'
}
# run_example NAME [sed expression]: like run_recipe, in $T/man-NAME
run_example() {
	local d=$T/man-$1
	mkdir -p "$d"
	example "$1" | sed "${2:-}" >"$d/example.sh"
	[ -s "$d/example.sh" ] || { fail "example $1 is in llmpipe(7)"; return 1; }
	(cd "$d" && set -o pipefail && timeout 60 bash -e example.sh) >"$T/man-$1.out" 2>"$T/man-$1.err"
}

# every fenced block in the docs follows a marker line (blank lines
# between allowed): a recipe run below, or the test that runs it
unmarked=$(awk 'FNR == 1 { prev = ""; inside = 0 }
	/^```/ { if (!inside && prev !~ /^<!-- (recipe|run-by): [^ ]+ -->$/)
		print FILENAME ":" FNR; inside = !inside; prev = $0; next }
	!inside && NF { prev = $0 }' "${DOCS[@]}" "$TOP/HACKING" "$TOP/NEWS" | sed "s|$TOP/||")
is "$unmarked" "" "every code block in README.md, doc/*.md, HACKING and NEWS is marked to be run"
grep -ho '^<!-- recipe: [^ ]* -->$' "${DOCS[@]}" | awk '{ print $3 }' | sort >"$T/marked"
is "$(uniq -d "$T/marked")" "" "recipe names are unique across README.md and doc/*.md"
# the blocks another test runs: the README's two set-up commands are
# run in the release tarball by tests/95 (make demo; make test with
# DIST_FULL=1, as CI runs it)
for f in "${DOCS[@]}"; do
	awk '/^<!-- run-by: / { t = $3; next } t && /^```sh$/ { inside = 1; next }
		inside && /^```$/ { inside = 0; t = ""; next }
		inside { sub(/ *#.*/, ""); print t, $0 }' "$f"
done >"$T/run-by"
[ -s "$T/run-by" ]; ok $? "the README's set-up block is marked run-by"
while read -r t cmd; do
	target=${cmd#make }
	[ -e "$TOP/$t" ] && [ "$cmd" = "make $target" ] &&
	    grep -qF "make -C \"\$src\" $target " "$TOP/$t"
	ok $? "'$cmd' is run by $t"
done <"$T/run-by"

# --strict: what the documentation shows is what the providers accept
MOCK_STRICT=1 start_mock --echo
export OPENAI_BASE_URL=$MOCK_URL/v1

# a real provider's pipelines, the key in the environment (each provider
# here served by llm-mock)
ANTHROPIC_BASE_URL=$MOCK_URL ANTHROPIC_API_KEY=test-key run_recipe real-provider
st=$?
is "$st:$(cat "$T/real-provider.out")" "0:Explain Unix pipes in two sentences.
Explain Unix pipes." \
    "recipe real-provider: OpenAI's answer, then Anthropic's (provider from the model)"
grep -qE '^ttft +[0-9]' "$T/real-provider.err"
ok $? "recipe real-provider: stream-metrics' report"

run_recipe stream
is "$?:$(cat "$T/stream.out")" "0:Write a haiku about pipes" "recipe stream: the answer streams out"

run_recipe save-and-measure
st=$?
is "$st" 0 "recipe save-and-measure runs"
[ "$(jq -s 'length' "$T/save-and-measure/run.ndjson")" -gt 3 ] &&
    jq -e 'select(.t|type=="number")' "$T/save-and-measure/run.ndjson" >/dev/null
ok $? "recipe save-and-measure: saved with recorded times"
grep -q 'ttft' "$T/save-and-measure.err"
ok $? "recipe save-and-measure: the report names ttft"

printf 'first prompt\nsecond one with "quotes"\nit'"'"'s the third\n' >"$T/prompts.txt"
mkdir -p "$T/batch-xargs"; cp "$T/prompts.txt" "$T/batch-xargs/"
run_recipe batch-xargs
is "$?" 0 "recipe batch-xargs runs"
is "$(cat "$T/batch-xargs/out/2.txt")" 'second one with "quotes"' "recipe batch-xargs: one text file per prompt"
is "$(cat "$T/batch-xargs/out/3.txt")" "it's the third" "recipe batch-xargs: quotes survive"
grep -qE '(count|requests|completed).*3' "$T/batch-xargs.out"
ok $? "recipe batch-xargs: the summary counts 3 requests"

mkdir -p "$T/more/runs"
cp "$FIX/real/openai-chat/text-plain.sse" "$FIX/real/anthropic-messages/text.sse" "$T/more/runs/"
run_recipe more
is "$?" 0 "recipe more (More pipelines) runs"
is "$(head -n 1 "$T/more.out")" "Say hi" "recipe more: delta-join --json | jq -r .content"
jq -e '.choices[0].message.content == "Say hi"' <<<"$(sed -n 2p "$T/more.out")" >/dev/null
ok $? "recipe more: delta-join --native gives the provider's body"
is "$(jq -r .provider "$T/more/messages.ndjson" 2>&1 | tr '\n' ' ')" "openai-chat anthropic " \
    "recipe more: saved streams re-processed, one message each"

printf 'Name a river.\nHow long is it?\n' >"$T/questions.txt"
run_recipe chat <"$T/questions.txt"
is "$?:$(cat "$T/chat.out")" "0:$(printf 'Name a river.\nHow long is it?')" "recipe chat: each question answered"
is "$(jq -r .role "$T/chat/chat.ndjson" | tr '\n' ' ')" "user assistant user assistant " \
    "recipe chat: the history holds both turns"

mkdir -p "$T/tool-loop"
echo '[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object"}}}]' >"$T/tool-loop/tools.json"
run_recipe tool-loop
is "$?:$(cat "$T/tool-loop.out")" "0:sunny, 21 C" "recipe tool-loop: the model answers the tool's result in text"
is "$(jq -r '.role + (if .tool_calls then "/\(.tool_calls|length)" else "" end)' "$T/tool-loop/tools.ndjson" | tr '\n' ' ')" \
    "user assistant/1 tool assistant/0 " "recipe tool-loop: call, result, answer"

run_recipe debug-raw
is "$?" 0 "recipe debug-raw runs"
grep -q '^data: ' "$T/debug-raw/raw.sse" && grep -q '"event":"message"' "$T/debug-raw.out"
ok $? "recipe debug-raw: raw bytes kept, events decoded"
grep -qi 'content-type' "$T/debug-raw.err"
ok $? "recipe debug-raw: -v shows the headers"

if command -v parallel >/dev/null 2>&1; then
	mkdir -p "$T/home/.parallel" "$T/batch-parallel"; touch "$T/home/.parallel/will-cite"
	cp "$T/prompts.txt" "$T/batch-parallel/"
	# the same command with this machine as the only "host"
	HOME=$T/home run_recipe batch-parallel 's/--sshlogin host1,host2/--sshlogin :/'
	is "$?" 0 "recipe batch-parallel runs (GNU parallel, --sshlogin :)"
	is "$(cat "$T/batch-parallel/out/1.txt")" "first prompt" "recipe batch-parallel: results as files"
	grep -qE '(count|requests|completed).*3' "$T/batch-parallel.out"
	ok $? "recipe batch-parallel: the summary counts 3 requests"
else
	echo batch-parallel >>"$T/ran"
	echo "# SKIP GNU parallel not installed"
fi

# tokens: a prompt counted before it is sent, a book split for a batch
# (the mock answers with the prompt, so each summary shows its piece)
mkdir -p "$T/tokens"
printf 'Say hi in %s words.\n' 3 >"$T/tokens/prompt.txt"
cat "$TOP"/man/*.1 >"$T/tokens/book.txt"
run_recipe tokens
is "$?" 0 "recipe tokens runs"
is "$(cat "$T/tokens/answer.txt")" "Say hi in 3 words." "recipe tokens: the prompt that fits is sent"
parts=$(cd "$T/tokens" && ls part-?????? | wc -l)
want=$(( ($(llm-tokens -m gpt-4o <"$T/tokens/book.txt") + 1999) / 2000 ))
[ "$parts" -ge "$want" ] && [ "$parts" -le $((want + 2)) ]
ok $? "recipe tokens: the book in $parts pieces (about $want of 2000 tokens)"
is "$(cd "$T/tokens" && for p in part-??????; do llm-tokens <"$p"; done | awk '$1 > 2000' | wc -l)" 0 \
    "recipe tokens: no piece over 2000 tokens"
# (llm-request drops a prompt's trailing blanks and newlines, and
# delta-join ends each answer with a newline)
(cd "$T/tokens" && for p in part-??????; do
	x="Summarize: $(cat "$p")"; x=${x%"${x##*[!$' \t\r\n']}"}
	printf '%s\n' "$x"
done) >"$T/tokens.want"
(cd "$T/tokens" && for p in part-??????; do cat "$p.summary"; done) >"$T/tokens.got"
same_file "$T/tokens.got" "$T/tokens.want" "recipe tokens: one request per piece, in order"
printf 'x %.0s' $(seq 120000) >"$T/tokens/prompt.txt"
run_recipe tokens
grep -qE '^prompt.txt: 12000[0-9] tokens: too long$' "$T/tokens.err"
ok $? "recipe tokens: a prompt over the limit is not sent"

# llmpipe(7)'s EXAMPLES: every literal block is a named example, run here
untested=$(awk '/^\.Sh EXAMPLES/ { ex = 1; next } /^\.Sh / { ex = 0 }
	ex && /^\.Bd -literal/ && prev !~ /^\.\\" example: / { n++ }
	{ prev = $0 } END { print n + 0 }' "$TOP/man/llmpipe.7")
is "$untested" 0 "llmpipe(7): every example block is named, so it is run here"
run_example stream
is "$?:$(cat "$T/man-stream.out")" "0:Write a haiku about pipes" "llmpipe(7) example stream"
run_example metrics
is "$?:$(cat "$T/man-metrics.out")" "0:Explain pipes" "llmpipe(7) example metrics: the answer"
grep -qE '^ttft +[0-9]' "$T/man-metrics.err"
ok $? "llmpipe(7) example metrics: the report on stderr"
run_example debug-raw
st=$?
[ "$st" = 0 ] && grep -q '^data: ' "$T/man-debug-raw/raw.sse" &&
    grep -q '"event":"message"' "$T/man-debug-raw.out"
ok $? "llmpipe(7) example debug-raw (status $st)"
run_example save-and-measure
is "$?:$(jq -r .status "$T/man-save-and-measure.err" 2>&1)" "0:complete" \
    "llmpipe(7) example save-and-measure: a complete report"
cp "$T/prompts.txt" "$T/man-batch/" 2>/dev/null || { mkdir -p "$T/man-batch"; cp "$T/prompts.txt" "$T/man-batch/"; }
run_example batch
st=$?
is "$st:$(cat "$T/man-batch/out/2.txt")" '0:second one with "quotes"' \
    "llmpipe(7) example batch: one text file per prompt, the prompt alone"
is "$(cat "$T/man-batch/out/3.txt")" "it's the third" "llmpipe(7) example batch: quotes survive"
grep -qE 'requests +3 ' "$T/man-batch.out"
ok $? "llmpipe(7) example batch: the summary counts 3 requests"
if command -v parallel >/dev/null 2>&1; then
	mkdir -p "$T/man-batch-parallel"; cp "$T/prompts.txt" "$T/man-batch-parallel/"
	HOME=$T/home run_example batch-parallel 's/--sshlogin host1,host2/--sshlogin :/'
	is "$?:$(cat "$T/man-batch-parallel/out/3.txt")" "0:it's the third" \
	    "llmpipe(7) example batch-parallel (GNU parallel, --sshlogin :)"
fi
run_example offline
is "$?:$(cat "$T/man-offline.out")" "0:a b c" "llmpipe(7) example offline (its own llm-mock)"
# record: the provider is the mock above; the example replays what it kept
# and compares it with what the client got (cmp)
run_example record "s|https://api.openai.com|$MOCK_URL|"
st=$?
is "$st:$(grep "^{" "$T/man-record.err" | jq -r .status 2>&1)" "0:complete" \
    "llmpipe(7) example record: recorded, measured and replayed byte for byte"
is "$(cd "$T/man-record" && delta-join rec/*.ndjson)" "Write a haiku" \
    "llmpipe(7) example record: the capture holds the answer"
# browser: run by tests/42, in a real browser

# tool calls: a mock that answers with the real parallel tool call capture
kill "$MOCK_PID" 2>/dev/null
start_mock "$FIX/real/openai-chat/parallel-tool-calls.sse"
export OPENAI_BASE_URL=$MOCK_URL/v1
mkdir -p "$T/tool-calls"
cat >"$T/tool-calls/tools.json" <<'JSON'
[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}]
JSON
# the two tools the fixture's calls name, as programs reading their
# arguments on stdin
mkdir -p "$T/tool-calls/tools"
printf '#!/bin/sh\njq -r %s\n' "'\"weather in \\(.city), \\(.country): 14 \\(.units)\"'" \
    >"$T/tool-calls/tools/GetWeatherArgs"
printf '#!/bin/sh\njq -r %s\n' "'\"\\(.ticker) on \\(.exchange): 190.10\"'" \
    >"$T/tool-calls/tools/get_stock_price"
chmod +x "$T/tool-calls/tools"/*
run_recipe tool-calls
is "$?" 0 "recipe tool-calls runs"
is "$(cat "$T/tool-calls.out")" 'weather in Edinburgh, GB: 14 c
AAPL on NASDAQ: 190.10' "recipe tool-calls: each call run by its tool, with its parsed arguments"
mkdir -p "$T/man-tool-calls"; cp "$T/tool-calls/tools.json" "$T/man-tool-calls/"
run_example tool-calls
is "$?:$(cat "$T/man-tool-calls.out")" '0:GetWeatherArgs
get_stock_price' "llmpipe(7) example tool-calls: each call's name"

# every recipe marked in the docs was run above, and nothing else
sort -u "$T/ran" >"$T/ran.sorted"
same_file "$T/ran.sorted" "$T/marked" "every recipe of README.md and doc/*.md is run here"
done_testing
