#!/usr/bin/env bash
# make dist: the release tarball llmpipe-VERSION.tar.gz holds exactly the
# committed files (git ls-files at HEAD) under llmpipe-VERSION/, and once
# extracted somewhere else it builds with `make` and runs `make demo`, the
# README's first command. With DIST_FULL=1 (as CI runs it, once, on the
# plain build) it runs the second one too, `make test`: the whole suite on
# the extracted tree.
source "$(dirname "$0")/lib.sh"
if ! command -v git >/dev/null 2>&1 ||
    [ "$(git -C "$TOP" rev-parse --show-toplevel 2>/dev/null)" != "$TOP" ]; then
	echo "1..0 # SKIP git or a git checkout is not available"
	exit 0
fi
# Sub-makes here are independent builds: not the caller's jobserver, flags
# or build directory (make check SAN=1 exports LLMPIPE_BUILD=build/san).
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES LLMPIPE_BUILD

# every fixture under tests/fixtures/real is in debian/copyright, in the
# stanza of the repository tests/fixtures/real/SOURCES.md names for it
awk '/^Files:/ { infiles = 1; n = 0; sub(/^Files:/, "") }
	/^[A-Z][a-zA-Z-]*:/ && !/^Files:/ { infiles = 0 }
	infiles { for (i = 1; i <= NF; i++) f[++n] = $i }
	/^Comment: from https:\/\/github.com\// { r = $3; sub(/^https:\/\/github.com\//, "", r)
		for (i = 1; i <= n; i++) print f[i], r; n = 0 }' "$TOP/debian/copyright" |
    sed 's|^tests/fixtures/real/||' | LC_ALL=C sort >"$T/cp-map"
awk -F'|' 'NF == 9 && $2 !~ /^ *(file|---)/ { gsub(/ /, "", $2); gsub(/ /, "", $4); print $2, $4 }' \
    "$FIX/real/SOURCES.md" >"$T/src-map"
(cd "$FIX/real" && ls -1 */*) | while read -r f; do
	base=${f%.expected.json} # an expected file: its capture's source
	[ "$base" = "$f" ] ||
	    base=$(cd "$FIX/real" && ls "$base".sse "$base".ndjson 2>/dev/null | head -n 1)
	echo "$f $(awk -v b="$base" '$1 == b { print $2 }' "$T/src-map")"
done | LC_ALL=C sort >"$T/want-map"
same_file "$T/cp-map" "$T/want-map" \
    "debian/copyright: every fixture, under the repository SOURCES.md names"

version=$(sed -n 's/.*LLMPIPE_VERSION "\(.*\)".*/\1/p' "$TOP/lib/err.h")
[ -n "$version" ]
ok $? "LLMPIPE_VERSION read from lib/err.h ($version)"
name=llmpipe-$version
tgz=$T/$name.tar.gz

make -s -C "$TOP" dist DISTDIR="$T" >"$T/dist.out" 2>"$T/dist.err"
st=$?
is "$st" 0 "make dist exits 0"
[ "$st" = 0 ] || diag "$(cat "$T/dist.err")"
[ -s "$tgz" ]
ok $? "make dist writes $name.tar.gz into DISTDIR"
gzip -t "$tgz" 2>/dev/null
ok $? "the tarball is valid gzip"

tar -tzf "$tgz" >"$T/list" 2>/dev/null
bad=$(grep -v "^$name/" "$T/list" | head -n 3)
is "$bad" "" "every entry is under $name/"
grep -v '/$' "$T/list" | sed "s|^$name/||" | LC_ALL=C sort >"$T/got"
git -C "$TOP" ls-tree -r --name-only HEAD | LC_ALL=C sort >"$T/want"
same_file "$T/got" "$T/want" "the tarball holds exactly the committed files (git ls-files)"
for f in Makefile README.md NEWS HACKING doc/performance.md doc/reliability.md \
    doc/recipes.md lib/err.h scripts/install-deps scripts/demo \
    man/llmpipe.7 completions/_llmpipe tests/lib.sh tests/fixtures/real/SOURCES.md \
    debian/control debian/rules; do
	grep -qxF "$name/$f" "$T/list"
	ok $? "the tarball has $f"
done

# The tarball's own build, in a fresh directory outside the checkout.
mkdir -p "$T/x"
tar -xzf "$tgz" -C "$T/x"
ok $? "the tarball extracts"
src=$T/x/$name
[ -x "$src/scripts/demo" ] && [ -x "$src/scripts/install-deps" ] && [ -x "$src/debian/rules" ]
ok $? "scripts keep their executable bit"
[ ! -e "$src/build" ]
ok $? "no build output in the tarball"

make -C "$src" -j2 >"$T/make.out" 2>&1
st=$?
is "$st" 0 "make builds the extracted tarball"
[ "$st" = 0 ] || diag "$(tail -n 20 "$T/make.out")"
for tool in sse-decode delta-join llm-request llm-mock stream-metrics llm-tokens; do
	v=$("$src/build/bin/$tool" --version 2>&1)
	is "$v" "$tool (llmpipe) $version" "the tarball's $tool --version"
done

# make demo: install-deps (a no-op once the dependencies are in), the build
# (already done), then one answer streamed through the pipeline on llm-mock.
make -C "$src" demo >"$T/demo.out" 2>"$T/demo.err" </dev/null
st=$?
is "$st" 0 "make demo in the extracted tarball exits 0"
[ "$st" = 0 ] || diag "$(tail -n 20 "$T/demo.err")"
grep -q 'I am llm-mock' "$T/demo.out"
ok $? "make demo streams the answer to stdout"
grep -qE '^status +complete' "$T/demo.err"
ok $? "make demo prints stream-metrics' report: stream complete"
grep -qE '^ttft +[0-9]' "$T/demo.err"
ok $? "make demo prints stream-metrics' report: ttft"

if [ "${DIST_FULL:-}" = 1 ]; then
	# (the tarball is no git checkout, so its own tests/95 skips)
	env -u DIST_FULL make -C "$src" test >"$T/test.out" 2>&1 </dev/null
	st=$?
	is "$st" 0 "make test in the extracted tarball: the whole suite passes"
	[ "$st" = 0 ] || diag "$(grep -E 'not ok|Failed|Result' "$T/test.out" | head -n 20)"
	grep -q '^Result: PASS' "$T/test.out"
	ok $? "make test in the extracted tarball: prove says PASS"
else
	pass "# SKIP make test in the extracted tarball (DIST_FULL=1 runs it)"
fi
done_testing
