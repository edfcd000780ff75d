#!/bin/bash
# llm-request's smaller promises, each one a behaviour that a planted bug
# (scripts/mutate) changed without any other test noticing.
. "$(dirname "$0")/lib.sh"

# ---- a 3xx status is never a success, with or without a Location -------
start_mock -q --fail 1:300
OPENAI_API_KEY=k run llm-request --base-url "$MOCK_URL/v1" hi >"$T/out" 2>"$T/err"
is "$?:$(cat "$T/err")" "4:llm-request: HTTP 300: Request failed" \
    "HTTP 300 without a Location: a provider error (exit 4), not a success"
is "$(wc -c <"$T/out")" 0 "HTTP 300: nothing on stdout"
kill "$MOCK_PID" 2>/dev/null; wait "$MOCK_PID" 2>/dev/null

done_testing
