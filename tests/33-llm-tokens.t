#!/usr/bin/env bash
# llm-tokens: the CLI's goldens (tests/llm-tokens), the unit program of
# lib/tok and lib/bpe (input fed whole, in slices and byte by byte; heap
# and list merges), --split and --truncate's contracts, the data folder,
# a closed pipe, and bounded memory on 1 GiB (the plain build).
# tests/36 holds the tokens equal to the tiktoken package.
source "$(dirname "$0")/lib.sh"
D=$TOP/tests/llm-tokens

golden "$D" llm-tokens

# lib/tok's streaming and lib/bpe's two merges, on the goldens' texts, the
# man pages and a long run of spaces (a heap merge, and a partial match
# held over many reads)
awk 'BEGIN { for (i = 0; i < 30000; i++) printf " "; print "x"; for (i = 0; i < 5000; i++) printf "\n \t" }' >"$T/spaces.txt"
out=$("$BUILD_DIR/tests/tok_check" "$D"/*.txt "$TOP"/man/*.1 "$T/spaces.txt" 2>&1)
st=$?
is "$st" 0 "tok_check: streamed in any slices, merged either way, the same ids"
[ "$st" = 0 ] || diag "$(grep -v '^ok' <<<"$out" | head -n 20)"

# --split: the pieces are the text, in order, none over N tokens, each
# piece's count is its own count, and their sum the whole's
cat "$TOP"/man/*.1 "$D/chars.txt" "$D/invalid.txt" >"$T/doc.txt"
total=$(run llm-tokens <"$T/doc.txt")
for n in 1000 37 5; do
	run llm-tokens --split "$n" "$T/doc.txt" >"$T/split.ndjson"
	is "$?" 0 "--split $n exits 0"
	jq -j .text "$T/split.ndjson" >"$T/joined"
	# the text with invalid UTF-8 as U+FFFD: what --decode of the ids gives
	run llm-tokens --encode "$T/doc.txt" | run llm-tokens --decode >"$T/fixed"
	same_file "$T/joined" "$T/fixed" "--split $n: the pieces joined are the text"
	is "$(jq -s "map(select(.tokens > $n or .tokens < 1)) | length" "$T/split.ndjson")" 0 \
	    "--split $n: every piece has 1 to $n tokens"
	is "$(jq -s 'map(.tokens) | add' "$T/split.ndjson")" "$total" \
	    "--split $n: the pieces' tokens add up to the text's ($total)"
	bad=$(jq -c '[.tokens, .text]' "$T/split.ndjson" | head -n 40 | while read -r l; do
		want=$(jq -r '.[0]' <<<"$l"); jq -j '.[1]' <<<"$l" >"$T/piece"
		got=$(run llm-tokens <"$T/piece")
		[ "$got" -le "$want" ] || printf ' %s>%s' "$got" "$want"
	    done)
	is "$bad" "" "--split $n: each piece alone has at most its tokens"
	[ "$(jq -s 'map(.index) == [range(length)]' "$T/split.ndjson")" = true ]
	ok $? "--split $n: index counts from 0"
done
# --prefix writes numbered files and names them, for xargs
(cd "$T" && run llm-tokens --split 300 --prefix part- doc.txt >"$T/names")
is "$?" 0 "--split --prefix exits 0"
is "$(head -n 1 "$T/names")" "part-000000" "--prefix: the first file's name"
(cd "$T" && xargs cat <names) >"$T/joined2"
same_file "$T/joined2" "$T/fixed" "--prefix: the files joined are the text"
is "$(cd "$T" && xargs -n1 "$BIN/llm-tokens" <names | awk '$1 > 300' | wc -l)" 0 \
    "--prefix: xargs -n1 llm-tokens counts at most 300 in each"

# --truncate: the output is the text's prefix, and none longer fits
for n in 1 10 100 2000; do
	run llm-tokens --truncate "$n" "$T/doc.txt" >"$T/trunc"
	len=$(wc -c <"$T/trunc")
	cmp -s "$T/trunc" <(head -c "$len" "$T/fixed")
	ok $? "--truncate $n: a prefix of the text ($len bytes)"
	got=$(run llm-tokens <"$T/trunc")
	[ "$got" -le "$n" ]
	ok $? "--truncate $n: the prefix has at most $n tokens ($got)"
done

# the rank files: LLMPIPE_DATA_DIR overrides, and a missing one is said
mkdir "$T/empty"
LLMPIPE_DATA_DIR=$T/empty run llm-tokens <"$D/text.txt" >"$T/out" 2>"$T/err"
st=$?
is "$st" 1 "LLMPIPE_DATA_DIR without the rank files: exit 1"
grep -q "^llm-tokens: $T/empty/o200k_base.tiktoken: No such file" "$T/err"
ok $? "LLMPIPE_DATA_DIR without the rank files: says which file"
mkdir "$T/text"
cp "$TOP/share/o200k_base.tiktoken" "$T/text/"
LLMPIPE_DATA_DIR=$T/text run llm-tokens --encode "$D/text.txt" >"$T/out"
same_file "$T/out" "$D/encode.out" "the .tiktoken text form alone gives the same ids"
mkdir "$T/bad"; printf 'not ranks\n' >"$T/bad/o200k_base.ranks"
printf 'QQ== notanumber\n' >"$T/bad/o200k_base.tiktoken"
LLMPIPE_DATA_DIR=$T/bad run llm-tokens <"$D/text.txt" >"$T/out" 2>"$T/err"
is "$?:$(cat "$T/err")" "1:llm-tokens: $T/bad/o200k_base.tiktoken:1: not a rank file" \
    "a damaged rank file: exit 1 and the line"
printf 'QQ== 0\n\nQg== 1\n!!!! 2\n' >"$T/bad/o200k_base.tiktoken"
LLMPIPE_DATA_DIR=$T/bad run llm-tokens <"$D/text.txt" >"$T/out" 2>"$T/err"
is "$?:$(cat "$T/err")" "1:llm-tokens: $T/bad/o200k_base.tiktoken:4: not a rank file" \
    "bad base64 in a rank file: the line it is on (blank lines counted)"
printf 'QQ== 0\nQg== 0\n' >"$T/bad/o200k_base.tiktoken"
LLMPIPE_DATA_DIR=$T/bad run llm-tokens <"$D/text.txt" >"$T/out" 2>"$T/err"
is "$?:$(cat "$T/err")" "1:llm-tokens: $T/bad/o200k_base.tiktoken:2: not a rank file" \
    "a rank given twice: the line of the second"

# a reader that goes away ends llm-tokens quietly
yes 'The quick brown fox jumps over the lazy dog.' | head -c 20000000 >"$T/big.txt"
st=$( { run llm-tokens --encode "$T/big.txt"; echo $? >"$T/st"; } | head -c 10 >/dev/null; cat "$T/st")
case $st in 0 | 141) pass "--encode | head: ends by SIGPIPE or quietly ($st)" ;;
*) fail "--encode | head: ends by SIGPIPE or quietly ($st)" ;; esac
# a run of letters longer than 16M is an error, not unbounded memory
head -c 17000000 /dev/zero | tr '\0' a | run llm-tokens >"$T/out" 2>"$T/err"
is "$?" 1 "17M letters without a break: exit 1"
grep -q "longer than 16M" "$T/err"
ok $? "17M letters without a break: says why"

# 1 GiB of varied text: memory stays bounded, counted as the sum of parts
if rss_meaningful; then
	cat "$TOP"/man/*.1 "$TOP"/README.md "$D"/*.txt >"$T/unit.txt"
	unit=$(run llm-tokens <"$T/unit.txt")
	size=$(wc -c <"$T/unit.txt")
	reps=$(( (1 << 30) / size + 1 ))
	# each copy ends in a newline, after which no piece runs on
	tail -c 1 "$T/unit.txt" | od -An -c | grep -q '\\n'
	ok $? "the repeated unit ends in a newline"
	got=$(yes "$T/unit.txt" | head -n "$reps" | xargs cat |
	    /usr/bin/time -f %M -o "$T/rss" "$BIN/llm-tokens")
	is "$got" "$((unit * reps))" "$((reps * size >> 20)) MiB: the count is the sum of its copies'"
	kb=$(tail -n 1 "$T/rss")
	[ "$kb" -lt 65536 ]
	ok $? "$((reps * size >> 20)) MiB: peak RSS under 64 MiB ($kb KiB)"
else
	pass "# SKIP 1 GiB: peak RSS not measured on this build"
fi
done_testing
