#!/usr/bin/env bash
# delta-join's fast path (a template of the previous delta chunk, applied
# without libjq) is held equal to the full path: every real capture, the
# hand-written edge cases in tests/delta-join-fast and a few hundred random
# generated streams of every provider give the same output and status in
# every mode with LLMPIPE_NO_FASTPATH=1 and without it; and on a long
# stream of each provider's repeated chunk (text, reasoning, tool-call
# arguments) the fast path really takes the chunks (libjq parses a few).
source "$(dirname "$0")/lib.sh"
files=("$FIX"/real/*/*.sse "$FIX"/real/*/*.ndjson "$TOP"/tests/delta-join-fast/*.sse)
# random streams per dialect: 60, or 6 under valgrind (4 runs each per mode)
nrand=60
[ "${VALGRIND:-}" = 1 ] && nrand=6
if command -v node >/dev/null 2>&1; then
	for kind in openai-chat openai-responses anthropic gemini ollama; do
		node "$TOP/tests/gen/gen-streams.mjs" "$kind" 7 "$nrand" "$T/gen-$kind" &&
		    files+=("$T/gen-$kind"/*.sse "$T/gen-$kind"/*.ndjson)
	done
fi
# long streams of one repeated chunk per provider and delta kind, the
# string (and what else varies: sequence numbers, obfuscation, timestamps,
# usage counts) different each time: NAME FIRST CHUNK LAST, CHUNK with
# @T@ for the text and @N@ for a counter
long() {
	local name=$1 first=$2 chunk=$3 last=$4 i c
	{
		printf '%s' "$first"
		for i in $(seq 300); do
			c=${chunk//@T@/w$i \\\"q\\\" é}
			printf '%s' "${c//@N@/$i}"
		done
		printf '%s' "$last"
	} >"$T/long-$name"
	[ -n "${KEEP_LONG:-}" ] && cp "$T/long-$name" "$KEEP_LONG/"
	# (under valgrind only counted below: the random streams cover
	# the same chunks, and CI runs this file three times)
	[ "${VALGRIND:-}" = 1 ] || files+=("$T/long-$name")
	longs+=("$name")
}
longs=()
e=$'\n\n' r=$'\r\n\r\n' nl=$'\n'
long chat-text "" 'data: {"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"@T@"},"logprobs":null,"finish_reason":null}],"obfuscation":"o@N@"}'"$e" "data: [DONE]$e"
long chat-args 'data: {"id":"c","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"f","arguments":""}}]}}]}'"$e" 'data: {"id":"c","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"@T@"}}]},"finish_reason":null}]}'"$e" "data: [DONE]$e"
long chat-reasoning "" 'data: {"id":"c","choices":[{"index":0,"delta":{"reasoning_content":"@T@","content":null}}]}'"$e" "data: [DONE]$e"
as='event: message_start'"$nl"'data: {"type":"message_start","message":{"id":"m","type":"message","role":"assistant","model":"x","content":[],"usage":{"input_tokens":1,"output_tokens":1}}}'"$e"'event: content_block_start'$nl
ae='event: message_stop'"$nl"'data: {"type":"message_stop"}'"$e"
long anthropic-args "$as"'data: {"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"t","name":"f","input":{}}}'"$e" 'event: content_block_delta'"$nl"'data: {"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"@T@"}}'"$e" "$ae"
long anthropic-thinking "$as"'data: {"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":""}}'"$e" 'event: content_block_delta'"$nl"'data: {"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"@T@"}}'"$e" "$ae"
rs='event: response.created'"$nl"'data: {"type":"response.created","sequence_number":0,"response":{"id":"r","object":"response","status":"in_progress","model":"m","output":[]}}'"$e"
long responses-text "$rs"'data: {"type":"response.output_item.added","output_index":0,"item":{"id":"i","type":"message","status":"in_progress","content":[],"role":"assistant"}}'"$e"'data: {"type":"response.content_part.added","item_id":"i","output_index":0,"content_index":0,"part":{"type":"output_text","annotations":[],"text":""}}'"$e" 'event: response.output_text.delta'"$nl"'data: {"type":"response.output_text.delta","sequence_number":@N@,"item_id":"i","output_index":0,"content_index":0,"delta":"@T@","logprobs":[],"obfuscation":"x@N@"}'"$e" ""
long responses-args "$rs"'data: {"type":"response.output_item.added","output_index":0,"item":{"id":"fc","type":"function_call","status":"in_progress","arguments":"","call_id":"call_1","name":"f"}}'"$e" 'data: {"type":"response.function_call_arguments.delta","sequence_number":@N@,"item_id":"fc","output_index":0,"delta":"@T@","obfuscation":"x"}'"$e" ""
long responses-summary "$rs"'data: {"type":"response.output_item.added","output_index":0,"item":{"id":"rs","type":"reasoning","summary":[]}}'"$e"'data: {"type":"response.reasoning_summary_part.added","item_id":"rs","output_index":0,"summary_index":0,"part":{"type":"summary_text","text":""}}'"$e" 'data: {"type":"response.reasoning_summary_text.delta","sequence_number":@N@,"item_id":"rs","output_index":0,"summary_index":0,"delta":"@T@"}'"$e" ""
long gemini-text "" 'data: {"candidates": [{"content": {"parts": [{"text": "@T@"}],"role": "model"},"index": 0}],"usageMetadata": {"promptTokenCount": 8,"candidatesTokenCount": @N@,"totalTokenCount": 1@N@},"modelVersion": "g","responseId": "r"}'"$r" ""
long gemini-thought "" 'data: {"candidates": [{"content": {"parts": [{"text": "@T@","thought": true}],"role": "model"},"index": 0}],"usageMetadata": {"promptTokenCount": 8,"totalTokenCount": 1@N@,"thoughtsTokenCount": @N@},"modelVersion": "g"}'"$r" ""
long ollama-chat "" '{"model":"l","created_at":"2025-08-21T20:43:@N@.5Z","message":{"role":"assistant","content":"@T@"},"done":false}'"$nl" '{"model":"l","created_at":"z","message":{"role":"assistant","content":""},"done":true,"done_reason":"stop","eval_count":3}'"$nl"
long ollama-generate-thinking "" '{"model":"l","created_at":"2025-08-21T20:43:@N@.5Z","response":"","thinking":"@T@","done":false}'"$nl" ""
# every mode; under valgrind (where each run costs a second, and this
# file ran near its 20-minute limit on a loaded machine) the two that
# reach the most code, the message and the tool calls: the plain and
# ASan runs hold every mode equal
modes=("" -j -n -e -T -r)
[ "${VALGRIND:-}" = 1 ] && modes=(-j -T)
for mode in "${modes[@]}"; do
	bad=0 first=""
	for f in "${files[@]}"; do
		"$BIN/delta-join" $mode "$f" >"$T/fast" 2>"$T/fast.err"; a=$?
		LLMPIPE_NO_FASTPATH=1 "$BIN/delta-join" $mode "$f" >"$T/slow" 2>"$T/slow.err"; b=$?
		if [ "$a" != "$b" ] || ! cmp -s "$T/fast" "$T/slow" || ! cmp -s "$T/fast.err" "$T/slow.err"; then
			bad=$((bad + 1)); [ -z "$first" ] && first=$f
		fi
	done
	is "$bad${first:+ (first: $first)}" 0 "delta-join ${mode:-(text)}: fast path equals the full path on ${#files[@]} streams"
done
# the edge cases really take both paths: the template is used
"$BIN/delta-join" "$TOP/tests/delta-join-fast/chat-edge.sse" >"$T/out" 2>/dev/null
is "$(cat "$T/out")" "$(printf 'Hello wor"ld\xc3\xa9\xf0\x9f\x98\x80\nabad \xef\xbf\xbd utf8lone \xef\xbf\xbdafter errorsxyztypedtail')" "edge cases: the text as jv reads it (escapes decoded, bad bytes replaced, rejected chunks skipped, a lone surrogate read as U+FFFD)"
# the long streams really take the fast path: a few of their 300 chunks
# (the first of a kind, the others) are read into jv, counted by an
# LD_PRELOAD shim around jv_parse_sized and jv_object (each object that
# lib/jscan's parser reads is one; not under ASan, whose runtime must come
# first): a bound that does not grow with the stream, against at least
# one per chunk
if ! ldd "$REALBIN/delta-join" 2>/dev/null | grep -q libasan &&
    cc -shared -fPIC -o "$T/pc.so" "$TOP/tests/gen/parse-count.c" -ldl 2>/dev/null; then
	for name in "${longs[@]}"; do
		for mode in "" -j; do
			PARSE_COUNT=$T/pc LD_PRELOAD=$T/pc.so "$REALBIN/delta-join" $mode "$T/long-$name" >/dev/null 2>&1
			fast=$(cat "$T/pc")
			PARSE_COUNT=$T/pc LD_PRELOAD=$T/pc.so LLMPIPE_NO_FASTPATH=1 "$REALBIN/delta-join" $mode "$T/long-$name" >/dev/null 2>&1
			full=$(cat "$T/pc")
			[ "$fast" -le 20 ] && [ "$full" -ge 300 ]
			ok $? "$name ${mode:-(text)}: the fast path takes the chunks (jv_parse_sized and jv_object called $fast times, $full without it)"
		done
	done
else
	skip "the parse-count shim needs cc and a build without ASan"
fi
done_testing
