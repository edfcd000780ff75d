#!/usr/bin/env bash
# tests/76-netns.t - issue 16: a link that dies mid-stream, for real.
# Two network namespaces the test creates (and removes at exit), joined
# by a veth pair: llm-request in one, llm-mock in the other behind a small
# python3 forwarder that paces the stream and, after a set number of bytes,
# stops forwarding; the client's end of the link is then taken down, so no
# FIN, no RST, nothing more ever arrives. --idle-timeout and --max-time must
# end the request with exit 5, and every byte that reached the client must
# be on its stdout. (This machine kind has no netem, iptables nor nft.)
source "$(dirname "$0")/lib.sh"

if [ ! -x "$BIN/llm-mock" ] || [ ! -x "$BIN/llm-request" ] ||
    ! command -v python3 >/dev/null; then
	echo "1..0 # SKIP llm-mock, llm-request or python3 is missing"
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	echo "1..0 # SKIP not root: creating network namespaces needs root"
	exit 0
fi
if ! command -v ip >/dev/null; then
	echo "1..0 # SKIP no ip(8) (iproute2): no network namespaces"
	exit 0
fi
unset OPENAI_API_KEY HTTPS_PROXY https_proxy HTTP_PROXY http_proxy ALL_PROXY all_proxy

NSC=llmpipe-c$$ NSS=llmpipe-s$$ VC=lpc$$ VS=lps$$
cleanup() {
	local p
	for p in $_pids; do kill "$p" 2>/dev/null; done
	for p in $_pids; do wait "$p" 2>/dev/null; done
	ip netns del "$NSC" 2>/dev/null
	ip netns del "$NSS" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
# killed by make check's timeout or ^C: the namespaces go all the same
trap 'exit 143' TERM
trap 'exit 130' INT
if ! ip netns add "$NSC" 2>"$T/ip.err" || ! ip netns add "$NSS" 2>>"$T/ip.err"; then
	echo "1..0 # SKIP ip netns is not available here: $(head -n 1 "$T/ip.err")"
	exit 0
fi
# the veth pair is made in the client namespace and its peer moved: the
# host's own namespace is never touched
ip -n "$NSC" link add "$VC" type veth peer name "$VS" &&
    ip -n "$NSC" link set "$VS" netns "$NSS" &&
    ip -n "$NSC" addr add 10.77.0.1/24 dev "$VC" &&
    ip -n "$NSS" addr add 10.77.0.2/24 dev "$VS" &&
    ip -n "$NSC" link set "$VC" up && ip -n "$NSS" link set "$VS" up &&
    ip -n "$NSC" link set lo up && ip -n "$NSS" link set lo up
ok $? "two namespaces joined by a veth pair"

CAP=$FIX/real/openai-chat/text-plain.sse
# llm-mock in the server namespace, on its loopback, one event per 50 ms
rm -f "$T/mock.url"
ip netns exec "$NSS" "$BIN/llm-mock" --timing fixed --delay 50 "$CAP" \
    >"$T/mock.url" 2>"$T/mock.err" &
_pids="$_pids $!"
for _ in $(seq 200); do [ -s "$T/mock.url" ] && break; sleep 0.05; done
MOCK_PORT=$(sed -n 's/.*:\([0-9]*\)$/\1/p' "$T/mock.url")

# fwd.py PORTFILE TARGET_PORT DIE_AFTER DUMP MARK: listens on 10.77.0.2,
# forwards each connection to the mock, server to client in pieces of at
# most 512 bytes 10 ms apart; after DIE_AFTER bytes (0: never) it forwards
# nothing more either way and holds the sockets open. DUMP gets every byte
# it forwarded to the client; MARK is written once those bytes are all
# acknowledged by the client's kernel (no longer in the socket's queue).
cat >"$T/fwd.py" <<'PY'
import fcntl, socket, struct, sys, termios, threading, time
portfile, target, die_after, dump, mark = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.77.0.2", 0)); s.listen(8)
open(portfile, "w").write("%d\n" % s.getsockname()[1])
dead = threading.Event()
def up(c, u):
    while True:
        d = c.recv(65536)
        if not d:
            break
        if not dead.is_set():
            u.sendall(d)
def unacked(sock):
    return struct.unpack("i", fcntl.ioctl(sock, termios.TIOCOUTQ, b"\0\0\0\0"))[0]
while True:
    c, _ = s.accept()
    u = socket.create_connection(("127.0.0.1", target))
    threading.Thread(target=up, args=(c, u), daemon=True).start()
    out = open(dump, "wb")
    total = 0
    while True:
        d = u.recv(512)
        if not d:
            break
        if die_after and total + len(d) >= die_after:
            d = d[:die_after - total]
        time.sleep(0.01)
        c.sendall(d)
        out.write(d); out.flush()
        total += len(d)
        if die_after and total >= die_after:
            while unacked(c) > 0:
                time.sleep(0.01)
            dead.set()
            open(mark, "w").write("%d\n" % total)
            while True:
                time.sleep(60)
    c.close(); u.close()
PY
# fwd DIE_AFTER: starts a forwarder; sets FWD_URL
_fwd=0
fwd() {
	local pf=$T/fwd.$((_fwd += 1)).port
	rm -f "$T/dump" "$T/mark"
	ip netns exec "$NSS" python3 "$T/fwd.py" "$pf" "$MOCK_PORT" "$1" "$T/dump" "$T/mark" 2>"$T/fwd.err" &
	FWD_PID=$!
	_pids="$_pids $FWD_PID"
	for _ in $(seq 100); do [ -s "$pf" ] && break; sleep 0.05; done
	FWD_URL=http://10.77.0.2:$(cat "$pf")
}
# body DUMP: the response body in the forwarded bytes (chunks decoded,
# a partial last chunk's bytes included), as curl hands them on
body() {
	python3 - "$1" <<'PY'
import sys
raw = open(sys.argv[1], "rb").read()
head, _, rest = raw.partition(b"\r\n\r\n")
out = sys.stdout.buffer
if b"chunked" not in head.lower():
    out.write(rest); sys.exit()
while rest:
    line, sep, rest = rest.partition(b"\r\n")
    if not sep:
        break
    n = int(line.split(b";")[0], 16)
    if n == 0:
        break
    out.write(rest[:n])
    rest = rest[n + 2:]
PY
}
# request ARGS...: llm-request in the client namespace through the
# forwarder; $T/out, $T/err, ST; takes the client's link down once the
# forwarder has stopped (when it does)
request() {
	ip netns exec "$NSC" bash -c 'exec -a llm-request "$0" "$@"' "$BIN/llm-request" \
	    --retry 0 -m gpt-test --base-url "$FWD_URL/v1" "$@" hi >"$T/out" 2>"$T/err" &
	local rp=$!
	for _ in $(seq 600); do
		[ -s "$T/mark" ] && { ip -n "$NSC" link set "$VC" down; break; }
		kill -0 "$rp" 2>/dev/null || break
		sleep 0.05
	done
	wait "$rp"
	ST=$?
}

# the reference: the whole stream through the same path
fwd 0
request
is "$ST" 0 "through the namespaces and the forwarder, a whole stream: exit 0"
same_file "$T/out" <(body "$T/dump") "  stdout is the body forwarded"
cp "$T/out" "$T/clean"
kill "$FWD_PID" 2>/dev/null

# prefix_checks WHAT: stdout is exactly the body that reached the client,
# a proper prefix of the whole stream, and stderr counts its bytes
prefix_checks() {
	local n
	n=$(wc -c <"$T/out")
	same_file "$T/out" <(body "$T/dump") "  $1: every byte that reached the client is on stdout ($n bytes)"
	[ "$n" -gt 0 ] && [ "$n" -lt "$(wc -c <"$T/clean")" ] && cmp -s "$T/out" <(head -c "$n" "$T/clean")
	ok $? "  $1: a proper prefix of the whole stream"
	grep -q "after $n bytes of the response" "$T/err"
	ok $? "  $1: stderr counts the $n bytes ($(head -n 1 "$T/err"))"
	is "$(grep -c . "$T/err")" 1 "  $1: one line on stderr"
}

# the link dies after 3000 bytes: --idle-timeout ends it
ip -n "$NSC" link set "$VC" up
fwd 3000
start=$(date +%s)
request --idle-timeout 1
took=$(($(date +%s) - start))
is "$ST" 5 "link dead mid-stream, --idle-timeout 1: exit 5"
grep -q "^llm-request: no data for 1 s (--idle-timeout): stopped after" "$T/err"
ok $? "  the message names the idle timeout"
prefix_checks "--idle-timeout"
[ "$took" -lt 30 ]
ok $? "  ended within a generous bound ($took s)"
kill "$FWD_PID" 2>/dev/null

# the same, with no idle limit: --max-time ends it
ip -n "$NSC" link set "$VC" up
fwd 3000
start=$(date +%s)
request --idle-timeout 0 --max-time 4
took=$(($(date +%s) - start))
is "$ST" 5 "link dead mid-stream, --max-time 4 (no idle limit): exit 5"
grep -q "^llm-request: --max-time 4 s reached after" "$T/err"
ok $? "  the message names --max-time"
prefix_checks "--max-time"
[ "$took" -lt 30 ]
ok $? "  ended within a generous bound ($took s)"
kill "$FWD_PID" 2>/dev/null

done_testing
