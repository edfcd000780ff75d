#!/usr/bin/env bash
# Unit tests of lib/ (C programs in tests/unit, built by make): their TAP
# is passed through with the numbering of this script.
source "$(dirname "$0")/lib.sh"
UNIT=$BUILD_DIR/tests

relay() { # relay NAME CMD...: run a unit program, re-number its TAP
	local line
	"$@" >"$T/unit.out" 2>&1
	local st=$?
	while IFS= read -r line; do
		case $line in
		"ok "*) pass "$1: ${line#* - }" ;;
		"not ok "*) fail "$1: ${line#* - }" ;;
		"#"*) echo "$line" ;;
		esac
	done <"$T/unit.out"
	is "$st" 0 "${1##*/} exits 0"
}

relay "$UNIT/sse_split" "$FIX"/real/*/*.sse "$TOP"/tests/sse-decode/*.in
relay "$UNIT/rec_split" "$FIX"/real/*/*.sse "$FIX"/real/ollama/*.ndjson "$TOP"/tests/sse-decode/*.in
relay "$UNIT/jsonw_check"
relay "$UNIT/jscan_check"
relay "$UNIT/provider_roundtrip"
relay "$UNIT/retry_check"
relay "$UNIT/mstats_check"
relay "$UNIT/intr_check"
relay "$UNIT/buf_check"
done_testing
