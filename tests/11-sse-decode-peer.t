#!/usr/bin/env bash
# Differential test: sse-decode against the reference parser
# eventsource-parser (npm), on random streams fed in random chunks.
# Where they disagree by design (see sse-decode(1), STANDARDS): ids are
# not compared, since eventsource-parser 3.1.1 does not keep the last
# event ID across events as the WHATWG rules require.
source "$(dirname "$0")/lib.sh"
PEERS=$TOP/tests/peers
need_peers
N=${SSE_DIFF_COUNT:-400}
node "$PEERS/sse-gen.mjs" "$T/gen" "$N" 4242 || { fail "generator"; done_testing; exit; }
files=("$T"/gen/*.sse "$FIX"/real/*/*.sse)
mkdir -p "$T/ref"
node "$PEERS/sse-ref.mjs" "$T/ref" "${files[@]}" 2>"$T/referr" ||
    { fail "reference parser" "$(cat "$T/referr")"; done_testing; exit; }
bad=0 k=0
for f in "${files[@]}"; do
	k=$((k + 1))
	"$BIN/sse-decode" "$f" 2>/dev/null | jq -c '{event, data}' >"$T/ours"
	if ! cmp -s "$T/ref/$k.ref" "$T/ours"; then
		bad=$((bad + 1))
		[ $bad -le 3 ] && { diag "differs on $f:"; diff "$T/ref/$k.ref" "$T/ours" | head -n 6 | sed 's/^/# /' >&2; }
	fi
done
is "$bad" 0 "$N random streams and every real capture: same events as eventsource-parser"
done_testing
