#!/usr/bin/env bash
# Every EXAMPLES block of every tool's man page, run as written against
# llm-mock (as tests/80 runs the README's recipes and llmpipe(7)'s
# examples): each block follows a '.\" example: NAME' line; a block
# without one fails here, so no example can rot unseen. A few words are
# replaced where the page names a server that is not here (a local vLLM
# at 127.0.0.1:8000 becomes llm-mock, path kept, so a wrong path fails).
source "$(dirname "$0")/lib.sh"
export PATH=$BIN:$PATH
unset OPENAI_API_KEY ANTHROPIC_API_KEY GEMINI_API_KEY GOOGLE_API_KEY OLLAMA_HOST
REAL=$FIX/real
PAGES="delta-join sse-decode stream-metrics llm-request llm-mock"

# extract PAGE: writes $T/ex/PAGE/NAME.sh for each marked block; prints
# the blocks without a marker
extract() {
	mkdir -p "$T/ex/$1"
	awk -v dir="$T/ex/$1" '
		/^\.Sh / { ex = ($0 == ".Sh EXAMPLES"); next }
		!ex { next }
		/^\.\\" example: / { name = $3; next }
		inbd && $0 == ".Ed" { inbd = 0; name = ""; next }
		inbd { print > (dir "/" name ".sh"); next }
		/^\.Bd -literal/ { if (name == "") print FILENAME ":" FNR; else inbd = 1; next }
		/^\.Dl / { if (name == "") { print FILENAME ":" FNR; next }
			sub(/^\.Dl /, ""); print > (dir "/" name ".sh"); indl = 1; next }
		indl { indl = 0; name = "" }
	' "$TOP/man/$1.1"
	for f in "$T/ex/$1"/*.sh; do
		[ -e "$f" ] && sed -i 's/\\e/\\/g; s/\\(dq/"/g; s/\\&//g' "$f"
	done
}
unmarked=""
for p in $PAGES; do unmarked="$unmarked$(extract "$p")"; done
is "$unmarked" "" "every EXAMPLES block of every tool's man page is marked to be run"

# --strict: what the documentation shows is what the providers accept
MOCK_STRICT=1 start_mock --echo --ttft 0 --delay 0 --log-requests "$T/req.ndjson"
export OPENAI_BASE_URL=$MOCK_URL/v1 ANTHROPIC_BASE_URL=$MOCK_URL URL=$MOCK_URL

# ex PAGE NAME [sed]: runs the example in $T/run/PAGE-NAME (prepared by
# the caller through $D) in a process group of its own, ended afterwards
# (an example may leave a server running); $T/o, $T/e, status $EX
ex() {
	local f=$T/ex/$1/$2.sh pid
	EXNAME="$1(1) example $2"
	[ -s "$f" ] || { EX=99; fail "$EXNAME is in the page"; return; }
	sed "${3:-}" "$f" >"$D/example.sh"
	(cd "$D" && exec setsid timeout -k 5 300 bash -e -o pipefail example.sh) >"$T/o" 2>"$T/e" &
	pid=$!
	wait "$pid"; EX=$?
	kill -- -"$pid" 2>/dev/null
	[ "$EX" = 0 ] || diag "$EXNAME: status $EX" "$(head -n 5 "$T/e")"
}
prep() { D=$T/run/$1-$2; mkdir -p "$D"; }
printf 'first prompt\nsecond one with "quotes"\n' >"$T/prompts.txt"

# ---- delta-join(1)
prep delta-join stream; ex delta-join stream
is "$EX:$(cat "$T/o")" "0:Write a haiku" "$EXNAME"
prep delta-join reasoning; ex delta-join reasoning
is "$EX:$(cat "$D/answer.txt")" "0:Why?" "$EXNAME"
prep delta-join tool-calls
cp "$REAL/openai-chat/parallel-tool-calls.sse" "$D/run.sse"; mkdir "$D/tools"
for t in GetWeatherArgs get_stock_price; do
	printf '#!/bin/sh\n{ printf "%%s " %s; cat; echo; } >>"%s"\n' "$t" "$D/calls" >"$D/tools/$t"
	chmod +x "$D/tools/$t"
done
ex delta-join tool-calls
is "$EX:$(grep -o '^[A-Za-z_]* {' "$D/calls" | tr '\n' ' ')" "0:GetWeatherArgs { get_stock_price { " "$EXNAME: each tool run with its arguments"
prep delta-join native; cp "$REAL/openai-chat/text-plain.sse" "$D/capture.sse"; ex delta-join native
is "$EX:$(cat "$T/o")" "0:$(delta-join "$D/capture.sse")" "$EXNAME"
prep delta-join events; cp "$REAL/openai-chat/text-usage-json-mode.sse" "$D/run.sse"; ex delta-join events
is "$EX:$(jq -r .type "$T/o")" "0:usage" "$EXNAME"

# ---- sse-decode(1)
prep sse-decode look; ex sse-decode look
is "$EX:$(head -c 18 "$T/o")" '0:{"event":"message"' "$EXNAME"
prep sse-decode save-and-measure; ex sse-decode save-and-measure
is "$EX:$(grep -c '^status  complete' "$T/e")" "0:1" "$EXNAME"
prep sse-decode jq-text; cp "$REAL/openai-chat/text-plain.sse" "$D/run.sse"; ex sse-decode jq-text
is "$EX:$(cat "$T/o")" "0:$(delta-join "$D/run.sse")" "$EXNAME"

# ---- stream-metrics(1)
prep stream-metrics watch; ex stream-metrics watch
is "$EX:$(cat "$T/o")" "0:Write a haiku" "$EXNAME: the answer"
grep -q '^status  complete' "$T/e"; ok $? "$EXNAME: the report"
prep stream-metrics wrapper; ex stream-metrics wrapper
is "$EX:$(grep -c '^status  complete' "$T/e")" "0:1" "$EXNAME"
prep stream-metrics save-and-measure; ex stream-metrics save-and-measure
is "$EX:$(grep -c '^status  complete' "$T/e")" "0:1" "$EXNAME"
# The batch examples run 50 to 200 tools; under valgrind (each start-up a
# second or more of CPU) a tenth of them, the rest of the line unchanged.
sm_n=100 local_n=50 mock_n=200 mock_p=100
[ "${VALGRIND:-}" = 1 ] && sm_n=10 local_n=5 mock_n=20 mock_p=10
prep stream-metrics batch; ex stream-metrics batch "s/^seq 100 /seq $sm_n /"
is "$EX:$(grep -c '"status":"complete"' "$D/runs.jsonl")" "0:$sm_n" "$EXNAME: $sm_n reports"
grep -q "^requests    $sm_n · $sm_n completed" "$T/o"; ok $? "$EXNAME: the summary"
# llm-mock answers on /chat/completions too; vLLM does not: the path is
# checked in the mock's log
n0=$(wc -l <"$T/req.ndjson")
prep stream-metrics local-server
ex stream-metrics local-server "s|http://127.0.0.1:8000|$MOCK_URL|; s/^seq 50 /seq $local_n /"
is "$(tail -n +$((n0 + 1)) "$T/req.ndjson" | jq -r .path | sort | uniq -c | sed 's/^ *//')" "$local_n /v1/chat/completions" \
    "$EXNAME: every request to /v1/chat/completions, the path vLLM serves"
is "$EX:$(grep -c '"status":"complete"' "$D/local.jsonl")" "0:$local_n" "$EXNAME: $local_n complete reports (the URL has its /v1)"
is "$(jq -r .completed "$T/o")" "$local_n" "$EXNAME: the summary"

# ---- llm-request(1)
prep llm-request stream; ex llm-request stream
is "$EX:$(cat "$T/o")" "0:Why is the sky blue?" "$EXNAME"
prep llm-request claude; ex llm-request claude
is "$EX:$(jq -r 'fromjson | .type' "$T/o" | tail -n 1)" "0:message_stop" "$EXNAME"
prep llm-request local-server; ex llm-request local-server "s|http://127.0.0.1:8080|$MOCK_URL|"
is "$EX:$(delta-join <"$T/o")" "0:Hello" "$EXNAME"
prep llm-request jq; echo "From a file" >"$D/prompt.txt"; ex llm-request jq
is "$EX:$(delta-join <"$T/o")" "0:From a file" "$EXNAME"
prep llm-request dry-run; ex llm-request dry-run
is "$EX:$(grep -c 'streamGenerateContent' "$T/o")" "0:1" "$EXNAME"
prep llm-request batch-no-stream; cp "$T/prompts.txt" "$D/"; ex llm-request batch-no-stream
is "$EX:$(jq -r '.choices[0].message.content' "$D/out.2.json")" '0:second one with "quotes"' "$EXNAME"
prep llm-request batch-stream; cp "$T/prompts.txt" "$D/"; ex llm-request batch-stream
is "$EX:$(cat "$D/out.1.txt")" "0:first prompt" "$EXNAME"
prep llm-request body
printf '{"model":"m","stream":true,"messages":[{"role":"user","content":"From the body"}]}\n' >"$D/request.json"
ex llm-request body
is "$EX:$(delta-join "$D/out.sse")" "0:From the body" "$EXNAME"
prep llm-request conversation; ex llm-request conversation
is "$EX:$(cat "$T/o")" "0:$(printf 'Name a river.\nHow long is it?')" "$EXNAME"
is "$(jq -r '.role + ":" + (.provider // "") + ":" + .content' "$D/chat.ndjson" | tr '\n' ' ')" \
    "user::Name a river. assistant:openai-chat:Name a river. user::How long is it? assistant:anthropic:How long is it? " \
    "$EXNAME: the file holds both turns, each answer from its provider"

# ---- llm-mock(1): the examples that start a server are checked with a
# request to it
prep llm-mock pipeline; ex llm-mock pipeline
is "$EX:$(cat "$T/o")" "0:Tell me a story" "$EXNAME"
prep llm-mock curl; ex llm-mock curl
is "$EX:$(sse-decode <"$T/o" | tail -n 1 | jq -r .event)" "0:message_stop" "$EXNAME"
prep llm-mock replay; ex llm-mock replay
is "$EX:$(grep -c '^status  complete' "$T/e")" "0:1" "$EXNAME"
# server SED-FOR-CLIENT CLIENT...: runs the example in the background,
# waits for its URL, runs CLIENT (with $SURL), stops the server
server() {
	local page=$1 name=$2 pid i; shift 2
	sed 's/^llm-mock /exec llm-mock /' "$T/ex/$page/$name.sh" >"$D/example.sh"
	(cd "$D" && exec setsid bash example.sh) >"$D/url" 2>"$D/err" &
	pid=$!
	for i in $(seq 100); do [ -s "$D/url" ] && break; sleep 0.05; done
	export SURL=$(head -n 1 "$D/url")
	(cd "$D" && "$@") >"$T/o" 2>"$T/e"; EX=$?
	kill -- -"$pid" 2>/dev/null; wait "$pid" 2>/dev/null
}
prep llm-mock retries
server llm-mock retries sh -c 'llm-request --base-url "$SURL/v1" "after two 429s" | delta-join'
is "$EX:$(cat "$T/o"):$(wc -l <"$D/req.ndjson")" "0:after two 429s:3" "llm-mock(1) example retries: two 429s, then the answer"
prep llm-mock cut
server llm-mock cut sh -c 'llm-request --base-url "$SURL/v1" "one two three four five six seven"; echo "status $?" >&2'
grep -q '^status 5$' "$T/e"; ok $? "llm-mock(1) example cut: the client sees the cut (exit 5)"
prep llm-mock overloaded
server llm-mock overloaded sh -c 'llm-request -m claude-x --base-url "$SURL" hi | delta-join'
is "$EX" 4 "llm-mock(1) example overloaded: the provider error (exit 4)"
grep -q 'overloaded_error' "$T/e"; ok $? "llm-mock(1) example overloaded: overloaded_error"
prep llm-mock pick; mkdir "$D/captures"
cp "$REAL/openai-chat/text-plain.sse" "$D/captures/gpt-plain.sse"
cp "$REAL/openai-chat/refusal.sse" "$D/captures/gpt-refuse.sse"
server llm-mock pick sh -c 'llm-request -m gpt-plain --base-url "$SURL/v1" hi | delta-join'
is "$EX:$(cat "$T/o")" "0:$(delta-join "$REAL/openai-chat/text-plain.sse")" "llm-mock(1) example pick: the capture named by the model"
# --proxy examples: the provider is the mock started above
prep llm-mock browser
sed -i "s|https://api.openai.com|$MOCK_URL|" "$T/ex/llm-mock/browser.sh"
server llm-mock browser sh -c 'curl -s -D headers -o /dev/null -X OPTIONS "$SURL/v1/chat/completions" \
    -H "Origin: http://localhost:8000" -H "Access-Control-Request-Method: POST" &&
    curl -sN -H "Origin: http://localhost:8000" -D headers2 "$SURL/v1/chat/completions" \
    -d "{\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"from the page\"}]}" | delta-join'
is "$EX:$(cat "$T/o"):$(cat "$D/headers" "$D/headers2" | tr -d '\r' | grep -c '^Access-Control-Allow-Origin: http://localhost:8000$')" \
    "0:from the page:2" "llm-mock(1) example browser: the preflight and the stream allowed for the page's origin"
prep llm-mock record
sed -i "s|https://api.openai.com|$MOCK_URL|" "$T/ex/llm-mock/record.sh"
server llm-mock record sh -c 'llm-request --base-url "$SURL/v1" "kept for later" | delta-join'
is "$EX:$(cat "$T/o"):$(cd "$D" && delta-join rec/*.ndjson)" "0:kept for later:kept for later" \
    "llm-mock(1) example record: the answer, and the capture of it in rec/"
prep llm-mock batch; ex llm-mock batch "s/seq 200 | xargs -P 100 /seq $mock_n | xargs -P $mock_p /"
is "$EX:$(cd "$D" && for f in out.*.sse; do delta-join "$f" 2>/dev/null; done | grep -c '^item [0-9]*$')" "0:$mock_n" \
    "$EXNAME: $mock_n answers, each whole in its own file"

done_testing
