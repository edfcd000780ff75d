#!/bin/bash
# delta-join's smaller promises, each one a behaviour that a planted bug
# (scripts/mutate) changed without any other test noticing.
. "$(dirname "$0")/lib.sh"

# ---- a bare error event is an error; another typed event is not ---------
printf 'event: notice\ndata: {"message":"not an error"}\n\ndata: {"choices":[{"index":0,"delta":{"content":"Hi"}}]}\n\ndata: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n' >"$T/notice.sse"
run delta-join -x "$T/notice.sse" >"$T/out" 2>"$T/err"
is "$?:$(cat "$T/out"):$(cat "$T/err")" "0:Hi:" \
    "an unknown typed event with a message before the stream is no error"
printf 'event: error\ndata: {"message":"boom","code":"x"}\n\n' >"$T/err.sse"
run delta-join "$T/err.sse" >/dev/null 2>"$T/err"
is "$?:$(cat "$T/err")" "4:delta-join: $T/err.sse: provider error: x: boom" \
    "a bare event: error with a message is the provider's error"

# ---- blank lines alone in the first read are held, not an error --------
{ printf '\n\r\n'; sleep 0.3; cat "$T/notice.sse"; } | run delta-join -x >"$T/out" 2>"$T/err"
is "$?:$(cat "$T/out"):$(cat "$T/err")" "0:Hi:" \
    "blank lines first, in a read of their own, then the stream"
{ printf '\n\n'; sleep 0.3; printf '{"model":"m","message":{"role":"assistant","content":"Yo"},"done":false}\n{"model":"m","message":{"role":"assistant","content":""},"done":true,"done_reason":"stop"}\n'; } |
    run delta-join -x >"$T/out" 2>"$T/err"
is "$?:$(cat "$T/out"):$(cat "$T/err")" "0:Yo:" \
    "blank lines first, in a read of their own, then NDJSON"

# ---- a typed dialect's events named only by the SSE event: field --------
# (data without "type": the name is copied from the event line)
printf '%s\n\n' 'event: message_start' 'data: {"message":{"id":"msg_1","role":"assistant","model":"claude-x","content":[],"usage":{"input_tokens":3,"output_tokens":1}}}' \
    'event: content_block_start' 'data: {"index":0,"content_block":{"type":"text","text":""}}' \
    'event: content_block_delta' 'data: {"index":0,"delta":{"type":"text_delta","text":"Hello"}}' \
    'event: content_block_delta' 'data: {"index":0,"delta":{"type":"text_delta","text":" there"}}' \
    'event: content_block_stop' 'data: {"index":0}' \
    'event: message_delta' 'data: {"delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":2}}' \
    'event: message_stop' 'data: {}' | sed '/^event:/{n;d}' >"$T/untyped.sse"
run delta-join -j "$T/untyped.sse" >"$T/out" 2>"$T/err"
is "$?:$(jq -c '[.id,.content,.finish_reason,.usage.output_tokens]' "$T/out"):$(cat "$T/err")" \
    '0:["msg_1","Hello there","stop",2]:' \
    "Anthropic events named only by their event: line (no \"type\" in the data)"

# ---- one bad event mid-stream is bad input, even in a cut stream -------
# (only a cut last event is truncation: exit 3; one before it is exit 1)
printf 'data: {"choices":[{"index":0,"delta":{"content":"A"}}]}\n\ndata: {"choices":[{"index":0,"delta":{"con\n\ndata: {"choices":[{"index":0,"delta":{"content":"B"}}]}\n\n' >"$T/midbad.sse"
run delta-join "$T/midbad.sse" >"$T/out" 2>"$T/err"
is "$?:$(cat "$T/out")" "1:AB" "a bad event before the last of a cut stream: exit 1, the text around it written"
grep -q 'line 3: not valid JSON' "$T/err"; ok $? "  and the bad event is named, not called truncation"
printf 'data: {"choices":[{"index":0,"delta":{"content":"A"}}]}\n\ndata: {"choices":[{"index":0,"delta":{"con\n\n' >"$T/lastbad.sse"
run delta-join "$T/lastbad.sse" >"$T/out" 2>/dev/null
is "$?:$(cat "$T/out")" "3:A" "the cut stream's last event cut short: truncation, exit 3"

# ---- a whole tool call with 11 MiB of arguments: written whole ---------
# (a string over a sixth of a buffer's 64 MiB once failed: the JSON
# writer reserved six bytes a byte)
if [ "${VALGRIND:-}" != 1 ]; then
	python3 -c '
import json
ev = {"candidates": [{"content": {"parts": [{"functionCall": {"name": "f",
      "args": {"q": "x" * (11 << 20)}}}], "role": "model"},
      "finishReason": "STOP", "index": 0}]}
print("data: " + json.dumps(ev) + "\n")' >"$T/gbig.sse"
	run delta-join -T "$T/gbig.sse" >"$T/out" 2>"$T/err"
	is "$?:$(wc -c <"$T/out"):$(cat "$T/err")" "0:$(((11 << 20) + 44)):" \
	    "Gemini functionCall with an 11 MiB string: -T writes it whole"
fi

# ---- data of blanks only (a tab too) is an event that carries nothing --
printf 'data:\t\n\ndata: {"choices":[{"index":0,"delta":{"content":"Hi"}}]}\n\ndata: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n' >"$T/tab.sse"
run delta-join -x "$T/tab.sse" >"$T/out" 2>"$T/err"
is "$?:$(cat "$T/out"):$(cat "$T/err")" "0:Hi:" "an event whose data is a tab: skipped, not bad JSON"

# ---- a size with something after its suffix is a usage error ------------
run delta-join --max-size 10Mx </dev/null >/dev/null 2>"$T/err"
is "$?:$(head -n 1 "$T/err")" "2:delta-join: invalid size '10Mx'" "--max-size 10Mx: usage error"

# ---- an NDJSON line that is JSON but no object: no record, no crash -----
printf '%s\n' '{"model":"m","message":{"role":"assistant","content":"A"},"done":false}' '[1]' '"text"' \
    '{"model":"m","message":{"role":"assistant","content":""},"done":true,"done_reason":"stop"}' >"$T/nonobj.ndjson"
run delta-join -x "$T/nonobj.ndjson" >"$T/out" 2>"$T/err"
is "$?:$(cat "$T/out"):$(cat "$T/err")" "0:A:" "NDJSON lines that are an array and a string: passed over"

# ---- a Responses status event names its own kind of item only ----------
# (web_search_call.* for an item that is missing, then for a message: the
# message's status is not the search's)
{
	printf 'data: %s\n\n' '{"type":"response.created","sequence_number":0,"response":{"id":"r1","object":"response","status":"in_progress","model":"m","output":[]}}' \
	    '{"type":"response.web_search_call.searching","sequence_number":1,"output_index":3,"item_id":"ws_1"}' \
	    '{"type":"response.output_item.added","sequence_number":2,"output_index":0,"item":{"id":"msg_1","type":"message","status":"in_progress","role":"assistant","content":[]}}' \
	    '{"type":"response.web_search_call.completed","sequence_number":3,"output_index":0,"item_id":"msg_1"}'
} >"$T/ws.sse"
run delta-join -n "$T/ws.sse" >"$T/out" 2>/dev/null
is "$?:$(jq -r '.output[0].status' "$T/out")" "3:in_progress" \
    "Responses: a search's status events leave a missing item alone and a message's status as it was"

done_testing
