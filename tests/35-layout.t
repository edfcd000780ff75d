#!/bin/bash
# The layout's invariants (scripts/check-layout): only the provider files
# and the table name a provider, provider files include no other, private
# headers stay in lib/, no include circle, no file in lib/ over 1,000
# lines, no exit from lib/ but the documented die paths.
. "$(dirname "$0")/lib.sh"

out=$("$TOP/scripts/check-layout" "$TOP" 2>&1)
st=$?
is "$st" 0 "scripts/check-layout: the layout's invariants hold"
[ "$st" = 0 ] || diag "$out"

# the checker sees what it is meant to see: a copy of lib/ and cmd/ with
# one violation of each kind fails, naming each
mkdir -p "$T/tree"
cp -r "$TOP/lib" "$TOP/cmd" "$T/tree/"
printf '/* x-api-key */\n' >>"$T/tree/cmd/delta-join.c"
printf '#include "prov_gemini.c"\n' >>"$T/tree/lib/prov_ollama.c"
mkdir -p "$T/tree/tests/unit"
printf '#include "acc_priv.h"\n' >"$T/tree/tests/unit/x.c"
printf '#include "provider.h"\n' >>"$T/tree/lib/buf.h"
printf 'static void f(void) { exit(1); }\n' >>"$T/tree/lib/jvx.c"
"$TOP/scripts/check-layout" "$T/tree" >"$T/bad" 2>&1
is "$?" 1 "scripts/check-layout fails a tree that breaks them"
for want in "cmd/delta-join.c:.*x-api-key" "prov_ollama.c: includes prov_gemini.c" \
    "tests/unit/x.c: includes the private header" "include circle" \
    "lib/jvx.c:.*exits from lib/"; do
	grep -q "$want" "$T/bad"
	ok $? "scripts/check-layout reports: $want" || diag "$(cat "$T/bad")"
done

done_testing
