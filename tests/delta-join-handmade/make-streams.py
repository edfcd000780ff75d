#!/usr/bin/env python3
# tests/delta-join-handmade/make-streams.py - writes the hand-made streams
# of this folder (run it here; its output is committed). Shapes follow the
# providers' API references, for event kinds no real capture in
# tests/fixtures/real holds: the Responses refusal deltas and
# response.incomplete, Chat Completions' legacy function_call, Anthropic's
# stop_sequence stop reason and Gemini candidates out of array order.
import json

def ev(f, name, obj):
    if name:
        f.write("event: %s\n" % name)
    f.write("data: %s\n\n" % json.dumps(obj, separators=(",", ":")))

def resp(status, output, usage, incomplete=None):
    return {"id": "resp_hand1", "object": "response", "created_at": 1700000000,
            "status": status, "error": None,
            "incomplete_details": incomplete, "instructions": None,
            "max_output_tokens": 16, "model": "gpt-4o-2024-08-06",
            "output": output, "parallel_tool_calls": True,
            "previous_response_id": None, "reasoning": {"effort": None, "summary": None},
            "store": False, "temperature": 1.0,
            "text": {"format": {"type": "text"}}, "tool_choice": "auto",
            "tools": [], "top_p": 1.0, "truncation": "disabled",
            "usage": usage, "user": None, "metadata": {}}

def responses(path, kind, pieces, final):
    seq = [0]
    def e(name, obj):
        obj["sequence_number"] = seq[0]; seq[0] += 1
        ev(f, name, obj)
    whole = "".join(pieces)
    item = {"id": "msg_hand1", "type": "message", "status": "in_progress",
            "role": "assistant", "content": []}
    empty_part = ({"type": "refusal", "refusal": ""} if kind == "refusal" else
                  {"type": "output_text", "annotations": [], "text": ""})
    part = ({"type": "refusal", "refusal": whole} if kind == "refusal" else
            {"type": "output_text", "annotations": [], "text": whole})
    usage = {"input_tokens": 12, "input_tokens_details": {"cached_tokens": 0},
             "output_tokens": 16 if final == "incomplete" else 7,
             "output_tokens_details": {"reasoning_tokens": 0},
             "total_tokens": 28 if final == "incomplete" else 19}
    with open(path, "w") as f:
        e("response.created", {"type": "response.created",
          "response": resp("in_progress", [], None)})
        e("response.output_item.added", {"type": "response.output_item.added",
          "output_index": 0, "item": item})
        e("response.content_part.added", {"type": "response.content_part.added",
          "item_id": "msg_hand1", "output_index": 0, "content_index": 0,
          "part": empty_part})
        for p in pieces:
            e("response.%s.delta" % ("refusal" if kind == "refusal" else "output_text"),
              {"type": "response.%s.delta" % ("refusal" if kind == "refusal" else "output_text"),
               "item_id": "msg_hand1", "output_index": 0, "content_index": 0,
               "delta": p})
        if kind == "refusal":
            e("response.refusal.done", {"type": "response.refusal.done",
              "item_id": "msg_hand1", "output_index": 0, "content_index": 0,
              "refusal": whole})
        else:
            e("response.output_text.done", {"type": "response.output_text.done",
              "item_id": "msg_hand1", "output_index": 0, "content_index": 0,
              "text": whole})
        e("response.content_part.done", {"type": "response.content_part.done",
          "item_id": "msg_hand1", "output_index": 0, "content_index": 0,
          "part": part})
        done = dict(item, status="completed" if final == "completed" else "incomplete",
                    content=[part])
        e("response.output_item.done", {"type": "response.output_item.done",
          "output_index": 0, "item": done})
        if final == "incomplete":
            e("response.incomplete", {"type": "response.incomplete",
              "response": resp("incomplete", [done], usage,
                               {"reason": "max_output_tokens"})})
        else:
            e("response.completed", {"type": "response.completed",
              "response": resp("completed", [done], usage)})

responses("responses-refusal.sse", "refusal",
          ["I'm sorry, ", "but I can\u2019t ", "help with that."], "completed")
responses("responses-incomplete.sse", "text",
          ["The first ", "ten primes are 2, 3, 5, ", "7, 11, 13"], "incomplete")

# Chat Completions' legacy function_call (the functions parameter): name
# on the first fragment, arguments cut inside a string and an escape.
with open("chat-legacy-function-call.sse", "w") as f:
    base = {"id": "chatcmpl-hand1", "object": "chat.completion.chunk",
            "created": 1700000000, "model": "gpt-3.5-turbo-0613",
            "system_fingerprint": None}
    def chunk(delta, finish=None):
        ev(f, None, dict(base, choices=[{"index": 0, "delta": delta,
                                         "logprobs": None,
                                         "finish_reason": finish}]))
    chunk({"role": "assistant", "content": None,
           "function_call": {"name": "get_weather", "arguments": ""}})
    for a in ['{"', 'city', '":"Par', 'is \\"', 'Fr\\u00e9', '\\"","unit":"c"}']:
        chunk({"function_call": {"arguments": a}})
    chunk({}, "function_call")
    f.write("data: [DONE]\n\n")

# Anthropic Messages ending on a stop sequence: stop_reason "stop_sequence"
# with the sequence that matched (normalized finish reason: "stop").
with open("anthropic-stop-sequence.sse", "w") as f:
    ev(f, "message_start", {"type": "message_start", "message": {
        "id": "msg_hand1", "type": "message", "role": "assistant",
        "model": "claude-haiku-4-5-20251001", "content": [],
        "stop_reason": None, "stop_sequence": None,
        "usage": {"input_tokens": 14, "output_tokens": 1}}})
    ev(f, "content_block_start", {"type": "content_block_start", "index": 0,
       "content_block": {"type": "text", "text": ""}})
    for t in ["1, 2, ", "3, 4"]:
        ev(f, "content_block_delta", {"type": "content_block_delta",
           "index": 0, "delta": {"type": "text_delta", "text": t}})
    ev(f, "content_block_stop", {"type": "content_block_stop", "index": 0})
    ev(f, "message_delta", {"type": "message_delta",
       "delta": {"stop_reason": "stop_sequence", "stop_sequence": ", 5"},
       "usage": {"output_tokens": 9}})
    ev(f, "message_stop", {"type": "message_stop"})

# Gemini with candidateCount 2: a chunk's candidates are placed by their
# "index", not by their position in the array (the second chunk carries
# candidate 1 alone, at position 0; the third lists them in reverse).
with open("gemini-two-candidates.sse", "w") as f:
    def gem(cands, usage=None):
        obj = {"candidates": cands, "modelVersion": "gemini-2.5-flash-lite",
               "responseId": "hand1"}
        if usage:
            obj["usageMetadata"] = usage
        ev(f, None, obj)
    def cand(i, text, finish=None):
        c = {"content": {"parts": [{"text": text}], "role": "model"},
             "index": i}
        if finish:
            c["finishReason"] = finish
        return c
    gem([cand(0, "Red"), cand(1, "Blue")])
    gem([cand(1, " sky")])
    gem([cand(1, ".", "STOP"), cand(0, " rose.", "STOP")],
        {"promptTokenCount": 6, "candidatesTokenCount": 6,
         "totalTokenCount": 12})
