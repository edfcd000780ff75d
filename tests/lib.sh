# tests/lib.sh - shared helpers for the TAP test scripts (tests/*.t).
# Source it from a .t file run by prove; it sets LC_ALL=C, a temp dir $T
# removed on exit, $BIN (the build to test), and the functions below.
set -u
export LC_ALL=C
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN=${LLMPIPE_BUILD:-build}
case $BIN in /*) ;; *) BIN=$TOP/$BIN ;; esac
BUILD_DIR=$BIN # unit test programs are in $BUILD_DIR/tests
BIN=$BIN/bin
# the tools never wrapped by valgrind: for a tool used as a clock (sse-decode
# -t timing another tool), whose start-up under valgrind would skew it
REALBIN=$BIN
FIX=$TOP/tests/fixtures
T=$(mktemp -d "${TMPDIR:-/tmp}/llmpipe-test.XXXXXX")
_pids=""
trap 'for p in $_pids; do kill "$p" 2>/dev/null; done; rm -rf "$T"' EXIT
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# VALGRIND=1: every tool a test starts, by run or by "$BIN/tool", goes
# through a wrapper that execs it under memcheck (same pid, so signals
# and exit statuses reach the tool). Reports go to $T/vg/PID.log, not to
# the stderr tests compare; done_testing fails when any log holds an
# error or a definite or indirect leak. Tests whose point is timing
# read $VALGRIND to widen their tolerances.
if [ "${VALGRIND:-}" = 1 ]; then
	mkdir "$T/vg" "$T/vgbin"
	for _f in "$BIN"/*; do
		cat >"$T/vgbin/${_f##*/}" <<-VG
		#!/bin/sh
		exec valgrind -q --log-file=$T/vg/%p.log --error-exitcode=99 \\
		    --leak-check=full --show-leak-kinds=definite,indirect \\
		    --errors-for-leak-kinds=definite,indirect \\
		    --trace-children=no "$_f" "\$@"
		VG
		chmod +x "$T/vgbin/${_f##*/}"
	done
	BIN=$T/vgbin
fi
_n=0
_failed=0

# run TOOL ARGS...: runs a built tool (under valgrind when VALGRIND=1),
# with argv[0] as a shell gives it, so messages read "tool: ...".
run() {
	local tool=$1; shift
	(exec -a "$tool" "$BIN/$tool" "$@")
}

ok() { # ok COND-STATUS NAME
	_n=$((_n + 1))
	if [ "$1" = 0 ]; then echo "ok $_n - $2"
	else echo "not ok $_n - $2"; _failed=$((_failed + 1)); fi
}
pass() { ok 0 "$1"; }
fail() { ok 1 "$1"; [ $# -gt 1 ] && diag "$2"; return 0; }
diag() { printf '%s\n' "$@" | sed 's/^/# /' >&2; }

# is GOT WANT NAME
is() {
	if [ "$1" = "$2" ]; then pass "$3"
	else fail "$3"; diag "got:  $1" "want: $2"; fi
}

# same_file GOT WANT NAME: compare two files, show a diff on failure
# (and return 1 then, so a caller can add what it knows)
same_file() {
	if cmp -s "$1" "$2"; then pass "$3"
	else fail "$3"; diff -u "$2" "$1" | head -n 20 | sed 's/^/# /' >&2; return 1; fi
}

# golden DIR TOOL: every DIR/NAME.args (shell words; may be empty) with
# NAME.in as stdin (or /dev/null), compared with NAME.out, NAME.err when
# present, and NAME.status (default 0). UPDATE_GOLDEN=1 rewrites them.
golden() {
	local dir=$1 tool=$2 args f name in st want_st
	for f in "$dir"/*.args; do
		[ -e "$f" ] || continue
		name=${f%.args}
		in=/dev/null; [ -e "$name.in" ] && in=$name.in
		args=$(cat "$f")
		(cd "$dir" && eval "run $tool $args") <"$in" >"$T/out" 2>"$T/err"
		st=$?
		want_st=0; [ -e "$name.status" ] && want_st=$(cat "$name.status")
		if [ "${UPDATE_GOLDEN:-}" = 1 ]; then
			cp "$T/out" "$name.out"
			[ -s "$T/err" ] && sed "s|$dir/||g" "$T/err" >"$name.err"
			[ "$st" != 0 ] && echo "$st" >"$name.status"
			pass "updated ${name##*/}"; continue
		fi
		same_file "$T/out" "$name.out" "$tool ${name##*/}: stdout"
		is "$st" "$want_st" "$tool ${name##*/}: exit status"
		if [ -e "$name.err" ]; then
			same_file "$T/err" "$name.err" "$tool ${name##*/}: stderr"
		fi
	done
}

# streams_before_eof TOOL ARGS... -- FIRST_INPUT EXPECT_REGEX: writes
# FIRST_INPUT into the tool and, while the writer still holds the pipe
# open, waits up to 5 s for output matching EXPECT_REGEX.
streams_before_eof() {
	local tool=$1; shift
	local args=() input want i
	while [ "$1" != -- ]; do args+=("$1"); shift; done
	shift; input=$1 want=$2
	rm -f "$T/fifo_in"; mkfifo "$T/fifo_in"
	: >"$T/stream_out"
	"$BIN/$tool" "${args[@]}" <"$T/fifo_in" >"$T/stream_out" 2>/dev/null &
	local pid=$!
	exec 7>"$T/fifo_in"
	printf '%b' "$input" >&7
	for i in $(seq 50); do
		grep -qE "$want" "$T/stream_out" && break
		sleep 0.1
	done
	if grep -qE "$want" "$T/stream_out"; then
		pass "$tool ${args[*]}: output streams before the writer closes"
	else
		fail "$tool ${args[*]}: output streams before the writer closes" \
		    "got: $(cat "$T/stream_out")"
	fi
	exec 7>&-
	wait "$pid" 2>/dev/null
}

# wait_blocked PID: waits (up to 5 s, 20 s under valgrind) until PID is
# blocked waiting on its input, so all that was written to it is in
wait_blocked() {
	local i n=50
	[ "${VALGRIND:-}" = 1 ] && n=200
	for i in $(seq $n); do
		sleep 0.1
		# /proc/PID/syscall on x86-64: "0 0x0 ..." is read(0, ...) and
		# "7 ..." poll(2), blocked; elsewhere the wait runs out
		case $(cat "/proc/$1/syscall" 2>/dev/null) in "0 0x0 "* | "7 "*) return 0 ;; esac
	done
}

# interrupt TOOL ARGS... -- INPUT: starts TOOL reading a pipe, writes
# INPUT into it and, with the pipe still open, waits (wait_blocked) until
# the tool is blocked on stdin again, so all of INPUT is in, then sends
# SIGINT. Sets INT_STATUS; the tool's stdout is in $T/int_out, its
# stderr in $T/int_err.
interrupt() {
	local tool=$1; shift
	local args=()
	while [ "$1" != -- ]; do args+=("$1"); shift; done
	shift
	rm -f "$T/fifo_int"; mkfifo "$T/fifo_int"
	# a background job starts with SIGINT ignored: give it back its
	# default, as a terminal's Ctrl-C finds it
	env --default-signal=INT "$BIN/$tool" "${args[@]}" <"$T/fifo_int" \
	    >"$T/int_out" 2>"$T/int_err" &
	local pid=$!
	exec 8>"$T/fifo_int"
	# (a subshell: a tool already gone would kill it by SIGPIPE, not us)
	(printf '%b' "$1" >&8) 2>/dev/null
	wait_blocked "$pid"
	kill -INT "$pid"
	wait "$pid"
	INT_STATUS=$?
	exec 8>&-
}

# start_mock ARGS...: starts llm-mock on a free port; sets MOCK_URL, MOCK_PID.
# With MOCK_STRICT=1 it is --strict: a body the real provider refuses gets
# its 400 (what the README's and the man pages' requests must never get).
start_mock() {
	: >"$T/mock.url" # not the URL of a mock started earlier
	"$BIN/llm-mock" ${MOCK_STRICT:+--strict} "$@" >"$T/mock.url" 2>"$T/mock.err" &
	MOCK_PID=$!
	_pids="$_pids $MOCK_PID"
	local i
	# 30 s at most: llm-mock under valgrind on a loaded machine
	for i in $(seq 600); do
		[ -s "$T/mock.url" ] && break
		sleep 0.05
	done
	MOCK_URL=$(head -n 1 "$T/mock.url")
}

# need_peers: installs the npm peers (tests/peers/install) or ends the
# test file: skipped, or failed when LLMPIPE_REQUIRE_PEERS=1 (as CI sets
# it: a differential test that silently skips tests nothing)
need_peers() {
	command -v node >/dev/null 2>&1 && "$TOP/tests/peers/install" && return 0
	if [ "${LLMPIPE_REQUIRE_PEERS:-}" = 1 ]; then
		echo "1..1"
		echo "not ok 1 - node and the npm peers are needed (LLMPIPE_REQUIRE_PEERS=1)"
		exit 1
	fi
	echo "1..0 # SKIP node or the npm peers are not available"
	exit 0
}

# rss_meaningful: true when a tool's peak RSS is its own (the plain build
# with /usr/bin/time), not that of a sanitizer runtime or of valgrind.
rss_meaningful() {
	[ "${VALGRIND:-}" != 1 ] && [ -x /usr/bin/time ] &&
	    case "${LLMPIPE_BUILD:-}" in *san*) false ;; *) true ;; esac
}

# vg_check: under VALGRIND=1, one test that every valgrind log is empty
# (-q logs nothing else). Waits briefly for tools still exiting.
vg_check() {
	[ "${VALGRIND:-}" = 1 ] || return 0
	local p
	for p in $_pids; do kill "$p" 2>/dev/null; done
	sleep 1
	if find "$T/vg" -name '*.log' -size +0 | grep -q .; then
		fail "valgrind: no memory errors and no leaks"
		find "$T/vg" -name '*.log' -size +0 -exec head -n 40 {} + | sed 's/^/# /' >&2
	else
		pass "valgrind: no memory errors and no leaks ($(find "$T/vg" -name '*.log' | wc -l) processes)"
	fi
}

done_testing() {
	vg_check
	echo "1..$_n"
	[ "$_failed" = 0 ]
}
