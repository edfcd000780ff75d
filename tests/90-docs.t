#!/usr/bin/env bash
# Every tool feels the same: a linted man page with the shared sections and
# exit-status table, --help listing every option the page documents, -V,
# unknown options and bad values giving a usage line and status 2.
source "$(dirname "$0")/lib.sh"
TOOLS="sse-decode delta-join llm-request llm-mock stream-metrics llm-tokens"
for tool in $TOOLS; do
	page=$TOP/man/$tool.1
	if [ ! -x "$BIN/$tool" ] || [ ! -e "$page" ]; then
		fail "$tool: binary and man page exist"; continue
	fi
	out=$(mandoc -Tlint -Wwarning "$page" 2>&1)
	is "$out" "" "$tool(1) passes mandoc -Tlint"
	for sec in NAME SYNOPSIS DESCRIPTION "EXIT STATUS" ENVIRONMENT EXAMPLES "SEE ALSO"; do
		grep -q "^\.Sh $sec\$" "$page"
		ok $? "$tool(1) has $sec"
	done
	grep -q '^\.Xr llmpipe 7' "$page"
	ok $? "$tool(1) refers to llmpipe(7)"
	for st in 0 1 2 3 4 5; do
		grep -q "^\.It $st\$" "$page"
		ok $? "$tool(1) documents exit status $st"
	done
	run "$tool" --help >"$T/help" 2>&1
	is "$?" 0 "$tool --help exits 0"
	missing=""
	for o in $(grep -oE 'Fl \\-[a-z0-9][a-z0-9-]*' "$page" | sed 's/.*\\-//' | sort -u); do
		grep -qE -- "--$o([^a-z0-9-]|\$)" "$T/help" || missing="$missing --$o"
	done
	is "$missing" "" "$tool --help lists every long option in $tool(1)"
	missing=""
	for o in $(grep -oE '^\.It Fl [a-zA-Z]( |$)' "$page" | awk '{print $3}' | sort -u); do
		grep -qE -- "(^|[^a-zA-Z-])-$o([^a-zA-Z]|\$)" "$T/help" || missing="$missing -$o"
	done
	is "$missing" "" "$tool --help lists every short option in $tool(1)"
	# --help matches the SYNOPSIS: every option --help lists is there (by
	# its short letter when it has one, else by its long name)
	syn=$(sed -n '/^\.Sh SYNOPSIS/,/^\.Sh /p' "$page")
	missing=""
	for o in $(grep -oE '^ +(-[a-zA-Z], )?--[a-z0-9][a-z0-9-]*' "$T/help" |
	    sed -E 's/^ +//; s/^(-[a-zA-Z]),.*/\1/'); do
		case $o in
		--*) grep -qE "Fl \\\\?-${o#--}( |\$)" <<<"$syn" || missing="$missing $o" ;;
		*) l=${o#-}
		   grep -qE "Fl [a-zA-Z]*${l}[a-zA-Z]*( |\$)|Fl [a-zA-Z]+ \\| ${l}( |\$)|\\| ${l}( |\$)" <<<"$syn" ||
		       missing="$missing $o" ;;
		esac
	done
	is "$missing" "" "$tool(1) SYNOPSIS has every option of --help"
	run "$tool" --version >"$T/v" 2>&1
	grep -qE "^$tool \(llmpipe\) [0-9]+\.[0-9]+" "$T/v"
	ok $? "$tool --version"
	run "$tool" --no-such-option </dev/null >"$T/o" 2>"$T/e"
	st=$?
	is "$st" 2 "$tool: unknown option exits 2"
	grep -q "^$tool: " "$T/e" && grep -qi "usage\|--help" "$T/e"
	ok $? "$tool: unknown option says '$tool: ...' and points to usage"
done
out=$(mandoc -Tlint -Wwarning "$TOP/man/llmpipe.7" 2>&1)
is "$out" "" "llmpipe(7) passes mandoc -Tlint"
# llmpipe(7) points to the same documents as the README, and they exist
missing=""
for f in README.md doc/recipes.md doc/performance.md doc/reliability.md NEWS HACKING; do
	{ [ -s "$TOP/$f" ] && grep -qE "^\.Pa $f( ,)?\$" "$TOP/man/llmpipe.7"; } || missing="$missing $f"
done
is "$missing" "" "llmpipe(7) SEE ALSO names README.md, doc/*.md, NEWS and HACKING, which exist"
missing=""
for f in doc/recipes.md doc/performance.md doc/reliability.md NEWS HACKING; do
	grep -qF "]($f)" "$TOP/README.md" || missing="$missing $f"
done
is "$missing" "" "README.md links to doc/*.md, NEWS and HACKING"
# every relative link of the docs leads to a file, and an #anchor to one
# of its headings (GitHub's slug: lower case, spaces to -, punctuation out)
bad=""
for doc in "$TOP/README.md" "$TOP"/doc/*.md "$TOP/HACKING"; do
	for l in $(grep -oE '\]\([^)#: ]+(#[a-z0-9-]+)?\)' "$doc" | sed 's/^](//; s/)$//'); do
		f=$(dirname "$doc")/${l%%#*}
		if [ ! -e "$f" ]; then bad="$bad ${doc#"$TOP"/}:$l"; continue; fi
		case $l in *'#'*)
			sed -n 's/^#\{1,6\} //p' "$f" | tr 'A-Z ' 'a-z-' | tr -cd 'a-z0-9_\n-' |
			    grep -qxF "${l#*#}" || bad="$bad ${doc#"$TOP"/}:$l" ;;
		esac
	done
done
is "$bad" "" "every relative link in README.md, doc/*.md and HACKING resolves"
# The README stays short (issue 23): new recipes go to doc/recipes.md with a
# line in the README's index, new figures to doc/performance.md or
# doc/reliability.md
n=$(wc -l <"$TOP/README.md")
[ "$n" -le 120 ]
ok $? "README.md is at most 120 lines ($n): longer material goes to doc/"
# llmpipe(7)'s NDJSON schemas name every key the tools write
R=$FIX/real
sed -n '/^\.Ss NDJSON schemas/,/^\.S[sh] [^N]/p' "$TOP/man/llmpipe.7" |
    sed 's/\\(dq/"/g' >"$T/schemas"
keys_of() { jq -r '[paths(scalars, arrays, objects) | .[] | strings] | .[]' | sort -u; }
printf ': a comment\nid: 7\nretry: 500\nevent: e\ndata: {}\n\n' >"$T/all-fields.sse"
for c in "sse-decode -t -c $T/all-fields.sse" \
    "delta-join -j $R/openai-chat/parallel-tool-calls.sse" \
    "delta-join -e $R/openai-chat/parallel-tool-calls.sse" \
    "delta-join -e $R/groq-chat/gpt-oss-midstream-error-event.sse" \
    "delta-join -e $R/anthropic-messages/thinking-signature.sse" \
    "delta-join -T $R/openai-chat/parallel-tool-calls.sse"; do
	# shellcheck disable=SC2086
	missing=$(run $c 2>/dev/null | jq -c 'del(.data, .arguments)' | keys_of |
	    while read -r k; do grep -qF "\"$k\"" "$T/schemas" || printf ' %s' "$k"; done)
	is "$missing" "" "llmpipe(7) schemas: every key of ${c%% /*}"
done
missing=$(run stream-metrics -q -j "$R/openai-chat/text-plain.sse" 2>&1 | jq -c 'del(.itl_ms)' | keys_of |
    while read -r k; do grep -qF "\"$k\"" "$T/schemas" || printf ' %s' "$k"; done)
is "$missing" "" "llmpipe(7) schemas: every key of stream-metrics -j"

# llmpipe(7) lists every environment variable a tool reads: each getenv()
# and the per-provider key and base URL names
envs=$( { grep -ohE 'getenv\("[A-Z][A-Z0-9_]*"\)' "$TOP"/cmd/*.c "$TOP"/lib/*.c
	  grep -ohE '"[A-Z][A-Z0-9_]*_(KEY|URL|HOST)"' "$TOP"/lib/provider.c "$TOP"/lib/prov_*.c; } |
	grep -oE '[A-Z][A-Z0-9_]+' | grep -v '^getenv$' | sort -u)
[ -n "$envs" ]; ok $? "environment variables found in the sources"
env7=$(sed -n '/^\.Sh ENVIRONMENT/,/^\.Sh /p' "$TOP/man/llmpipe.7")
missing=""
for e in $envs; do grep -qE "Ev $e( |\$)" <<<"$env7" || missing="$missing $e"; done
is "$missing" "" "llmpipe(7) ENVIRONMENT lists every variable the tools read"
# the provider table is the one list: the names --help prints from it
# (llm-request -p, delta-join and stream-metrics --dialect) and llm-mock's
# endpoints are each in the man page that documents them
names_of() { # names_of TOOL OPTION: the values --help lists for OPTION
	run "$1" --help | sed -n "/^ *$2 /,/default/p" | sed 's/.* NAME *//' |
	    tr ',' '\n' | sed 's/ or .*//; s/(default.*//; s/^ *//; s/ *$//' |
	    grep -E '^[a-z][a-z0-9-]*$' | grep -vx auto
}
for t in "llm-request:-p, --provider" "delta-join:--dialect" "stream-metrics:--dialect"; do
	tool=${t%%:*} opt=${t#*:}
	names=$(names_of "$tool" "$opt")
	[ "$(wc -w <<<"$names")" -ge 5 ]; ok $? "$tool --help lists the providers for $opt ($(echo $names))"
	missing=""
	for n in $names; do grep -qE "^\.Cm ([^ ]+ )*$n( |\$)|[ (]$n([ ,.)]|\$)" "$TOP/man/$tool.1" || missing="$missing $n"; done
	is "$missing" "" "$tool(1) names every provider $opt takes"
done
paths=$(run llm-mock --help | sed -n '/^Endpoints:/,/^Stops/p' | grep -oE '/[a-z0-9/]+|:[a-zA-Z]+' | sed 's|/$||')
[ "$(wc -w <<<"$paths")" -ge 8 ]; ok $? "llm-mock --help lists its endpoints"
missing=""
for p in $paths; do grep -qF -- "$p" "$TOP/man/llm-mock.1" || missing="$missing $p"; done
is "$missing" "" "llm-mock(1) documents every endpoint of the table"
# each tool's page too: every tool reads LLMPIPE_FAIL_ALLOC (lib/mem.c);
# the ones that assemble deltas read LLMPIPE_NO_FASTPATH (lib/dialect.c)
for tool in sse-decode delta-join llm-request llm-mock stream-metrics llm-tokens; do
	want=LLMPIPE_FAIL_ALLOC
	case $tool in delta-join | stream-metrics) want="$want LLMPIPE_NO_FASTPATH" ;; esac
	# the tokenizer's rank files (lib/tok.c)
	case $tool in llm-tokens | stream-metrics) want="$want LLMPIPE_DATA_DIR" ;; esac
	envp=$(sed -n '/^\.Sh ENVIRONMENT/,/^\.Sh /p' "$TOP/man/$tool.1")
	missing=""
	for e in $want; do grep -qE "Ev $e( |\$)" <<<"$envp" || missing="$missing $e"; done
	is "$missing" "" "$tool(1) ENVIRONMENT lists the variables it reads"
done
# ... and honours LLMPIPE_FAIL_ALLOC: its first allocation fails, cleanly
for c in sse-decode delta-join stream-metrics "llm-request --dry-run hi" \
    "llm-mock -l 127.0.0.1:0"; do
	# shellcheck disable=SC2086
	LLMPIPE_FAIL_ALLOC=1 timeout 20 "$BIN"/$c <"$FIX/real/openai-chat/text-plain.sse" \
	    >/dev/null 2>"$T/e"
	is "$?:$(cat "$T/e")" "1:${c%% *}: out of memory" \
	    "${c%% *}: LLMPIPE_FAIL_ALLOC=1: out of memory, exit 1"
done
# bad values, not only unknown options: a usage line and status 2
for c in "sse-decode --max-event x" "delta-join --dialect nope" \
    "llm-request --retry x hi" "llm-mock --delay x" "stream-metrics --t0 later" \
    "stream-metrics -o" "llm-tokens --split x" "llm-tokens -e p50k_base"; do
	# shellcheck disable=SC2086
	run $c </dev/null >/dev/null 2>"$T/e"
	st=$?
	grep -q "^${c%% *}: " "$T/e" && grep -q "Try '${c%% *} --help'" "$T/e"
	is "$st:$?" "2:0" "$c: status 2, '${c%% *}: ...' and the usage hint"
done
# the usage line itself (the synopsis from --help) before the hint, for the
# tools that register their --help text with err_usage()
for c in "sse-decode --bogus" "sse-decode -q" "sse-decode --max-event x" \
    "delta-join --bogus" "delta-join --dialect nope" "llm-request --bogus" \
    "llm-mock --delay x" "stream-metrics --bogus" "stream-metrics --t0 later" \
    "llm-tokens --bogus" "llm-tokens --truncate -1"; do
	t=${c%% *}
	# shellcheck disable=SC2086
	run $c </dev/null >/dev/null 2>"$T/e"
	st=$?
	"$BIN/$t" --help | sed -n '1{/^Usage: /p;q}' >"$T/syn"
	[ -s "$T/syn" ] && grep -qxFf "$T/syn" "$T/e"
	is "$st:$?" "2:0" "$c: status 2 and the usage line '$(cat "$T/syn")'"
done
# Human output is tidy: no escape codes (colour or other) from any tool,
# whether or not stdout and stderr are terminals (script(1) gives a tty);
# only stream-metrics -p draws, and only on a terminal (tests/60)
R=$FIX/real
tidy_cmds="sse-decode -c $R/anthropic-messages/text.sse
delta-join -r $R/anthropic-messages/thinking-signature.sse
delta-join -j $R/openai-chat/parallel-tool-calls.sse
delta-join $R/groq-chat/gpt-oss-midstream-error-event.sse
stream-metrics $R/openai-chat/text-plain.sse
stream-metrics -a $TOP/tests/stream-metrics/reports-a.jsonl
llm-request --dry-run -m m hi
llm-request -p nope hi
llm-mock --listen nope
llm-tokens $TOP/README.md
llm-tokens --split 500 $TOP/README.md"
while read -r c; do
	# shellcheck disable=SC2086
	OPENAI_API_KEY=k run $c </dev/null 2>&1
done <<<"$tidy_cmds" >"$T/tidy" 
n=$(grep -c $'\033' "$T/tidy")
is "$n" 0 "no escape codes in any tool's output (not a terminal)"
if command -v script >/dev/null 2>&1; then
	while read -r c; do
		OPENAI_API_KEY=k NO_COLOR=1 script -qec "$BIN/$c" /dev/null </dev/null 2>&1
	done <<<"$tidy_cmds" >"$T/tidy"
	[ -s "$T/tidy" ]; ok $? "script(1) runs the tools on a terminal"
	n=$(grep -c $'\033' "$T/tidy")
	is "$n" 0 "no escape codes in any tool's output (a terminal, NO_COLOR set)"
fi

# make install puts binaries and pages where man finds them
make -s -C "$TOP" install DESTDIR="$T/root" PREFIX=/usr/local >/dev/null 2>&1
ok $? "make install DESTDIR=... succeeds"
for tool in $TOOLS; do
	[ -x "$T/root/usr/local/bin/$tool" ] && [ -e "$T/root/usr/local/share/man/man1/$tool.1" ]
	ok $? "make install: $tool and $tool.1"
done
[ -e "$T/root/usr/local/share/man/man7/llmpipe.7" ]
ok $? "make install: llmpipe.7"
MANPATH=$T/root/usr/local/share/man man -w llmpipe >/dev/null 2>&1
ok $? "man llmpipe finds the installed page"
for tool in $TOOLS; do
	[ -e "$T/root/usr/local/share/bash-completion/completions/$tool" ]
	ok $? "make install: bash completion for $tool"
done
[ -e "$T/root/usr/local/share/zsh/site-functions/_llmpipe" ]
ok $? "make install: zsh completion"
# bash completion: options from --help, provider names, file names
comp() { # comp WORD... : complete the last word, print COMPREPLY
	( source "$TOP/completions/llmpipe.bash"; PATH=$BIN:$PATH
	  COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _llmpipe "$1" "${@: -1}" "${@: -2:1}"
	  printf '%s\n' "${COMPREPLY[@]}" )
}
is "$(comp delta-join --js)" "--json" "bash completion: delta-join --js completes to --json"
is "$(comp llm-request --provider anth)" "anthropic" "bash completion: --provider values"
is "$(comp stream-metrics --perc)" "--percentiles" "bash completion: stream-metrics options"
is "$(comp llm-tokens -e "")" "o200k_base
cl100k_base" "bash completion: llm-tokens -e is --encoding"
touch "$T/capture-file.sse"
is "$(comp sse-decode "$T/capture-f")" "$T/capture-file.sse" "bash completion: file names"
is "$(comp llm-request -p "")" "openai
responses
anthropic
gemini
ollama" "bash completion: llm-request -p is --provider"
is "$(comp stream-metrics -p "$T/capture-f")" "$T/capture-file.sse" \
    "bash completion: stream-metrics -p (--progress) takes no value"
# an option whose value is not a file (a number, a name, an address)
# offers no file names: every such option in every --help
for tool in $TOOLS; do
	"$BIN/$tool" --help |
	    sed -nE 's/^ +(-([a-zA-Z0-9]), )?--([a-z0-9-]+) ([A-Z][A-Z:|.-]*).*/s\2 \3 \4/p'
done >"$T/valopts" 2>/dev/null
bad=""
while read -r short long arg; do
	case $arg in FILE* | *FILE | FIELD | DIR) continue ;; esac # a file or a directory, or part of a file name
	short=${short#s}
	for o in ${short:+-$short} --$long; do
		[ "$o" = -p ] && continue # -p is --progress or --pick elsewhere
		[ "$o" = -e ] && continue # -e is --encoding in llm-tokens only
		for tool in $TOOLS; do
			"$BIN/$tool" --help | grep -qE -- "(^|[ ,])${o}[ ,]" || continue
			# the same name may be a flag in another tool (--reasoning)
			"$BIN/$tool" --help | grep -qE -- "--${long} ${arg}" || continue
			[ -z "$(comp "$tool" "$o" "$T/capture-f")" ] || bad="$bad $tool:$o"
		done
	done
done <"$T/valopts"
[ -s "$T/valopts" ]; ok $? "options with values found in --help"
is "$bad" "" "bash completion: no file names after an option whose value is not a file"
if command -v zsh >/dev/null 2>&1; then
	zsh -n "$TOP/completions/_llmpipe"
	ok $? "zsh completion parses"
	# zcomp LINE: the matches an interactive zsh (under zpty, compinit with
	# completions/ first in fpath) offers when TAB is pressed at the end of
	# LINE, in $T; compadd is wrapped to print them
	cat >"$T/capture.zsh" <<-'ZSH'
	zmodload zsh/zpty || exit 1
	zpty z zsh -f -i
	zpty -w z "PROMPT= RPROMPT= PS2="
	zpty -w z "fpath=($COMPDIR \$fpath); PATH=$TOOLPATH:\$PATH; cd $DIR"
	zpty -w z 'autoload -Uz compinit; compinit -u -D'
	zpty -w z 'compadd () {
	  if [[ ${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then builtin compadd "$@"; return $?; fi
	  typeset -a __hits; builtin compadd -A __hits "$@"; local st=$?
	  (( $#__hits )) && print -l -- ${^__hits} >&2
	  return st
	}'
	zpty -w z 'exec 2>'"$OUT"
	zpty -w z 'bindkey "^I" complete-word'
	zpty -n -w z "$1"$'\t'
	sleep 1.5
	zpty -d z
	ZSH
	zcomp() {
		COMPDIR=$TOP/completions TOOLPATH=$BUILD_DIR/bin DIR=$T OUT=$T/zout \
		    zsh -f "$T/capture.zsh" "$1" >/dev/null 2>&1
		cat "$T/zout"
	}
	is "$(zcomp 'stream-metrics --perc')" "--percentiles" "zsh completion: options from --help"
	is "$(zcomp 'llm-request --provider anth')" "anthropic" "zsh completion: --provider values"
	is "$(zcomp 'llm-request -p o' | sort | tr '\n' ' ')" "ollama openai " \
	    "zsh completion: llm-request -p is --provider"
	is "$(zcomp 'sse-decode capture-f')" "capture-file.sse" "zsh completion: file names"
fi
make -s -C "$TOP" uninstall DESTDIR="$T/root" PREFIX=/usr/local >/dev/null 2>&1
left=$(find "$T/root" -type f | wc -l)
is "$left" 0 "make uninstall removes what make install put"
done_testing
