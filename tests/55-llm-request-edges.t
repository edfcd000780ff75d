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

# ---- --body is sent as is: each option that would change it is refused --
printf '{"model":"m","messages":[{"role":"user","content":"hi"}]}' >"$T/body.json"
printf '[]' >"$T/tools.json"
printf '[{"role":"user","content":"x"}]' >"$T/msgs.json"
for o in "--tools $T/tools.json" "--messages $T/msgs.json" "-s sys" "--max-tokens 5" "--temperature 0.5"; do
	OPENAI_API_KEY=k run llm-request --dry-run --body "$T/body.json" $o >/dev/null 2>"$T/err"
	st=$?
	is "$st:$(head -n 1 "$T/err" | cut -c1-30)" "2:llm-request: --body is sent as" \
	    "--body with ${o%% *}: a usage error"
done

# ---- a documented minimum is a usage error before anything is sent -----
OPENAI_API_KEY=k run llm-request --dry-run -p responses --max-tokens 15 hi >/dev/null 2>"$T/err"
is "$?:$(head -n 1 "$T/err")" "2:llm-request: --max-tokens: 15 is under openai-responses's minimum, 16" \
    "Responses' max_output_tokens under 16: a usage error (the API's schema minimum)"
OPENAI_API_KEY=k run llm-request --dry-run -p responses --max-tokens 16 hi >"$T/out" 2>/dev/null
is "$?:$(grep -c '"max_output_tokens":16' "$T/out")" "0:1" "--max-tokens 16 to Responses is sent"

# ---- an Azure host gets the Azure key, from the Responses API too -------
for p in openai responses; do
	OPENAI_API_KEY=sk-openai AZURE_OPENAI_API_KEY=az-key run llm-request --dry-run -p $p \
	    --base-url https://r.openai.azure.com/openai/v1 hi >"$T/out" 2>"$T/err"
	is "$?:$(grep -ic '^authorization:' "$T/out"):$(grep -c '^api-key: <redacted>$' "$T/out")" "0:0:1" \
	    "-p $p to an Azure host: api-key with AZURE_OPENAI_API_KEY, the OpenAI key not sent"
done

# ---- a credential header with no value after its scheme is no key -------
printf 'Authorization: Bearer   \n' >"$T/blank.hdr"
env -u OPENAI_API_KEY "$BIN/llm-request" -H @"$T/blank.hdr" --retry 0 --connect-timeout 1 \
    --base-url https://10.255.255.1/v1 hi >/dev/null 2>"$T/err"
is "$?:$(cat "$T/err")" "2:llm-request: no API key: set OPENAI_API_KEY or use --api-key-file" \
    "-H @FILE with 'Authorization: Bearer' and only blanks: no key, said before connecting"

done_testing
