#!/usr/bin/env bash
# tests/75-hostile.t - issue 16: hostile servers and clients on loopback.
# llm-request against servers that end a body early in every way a body
# can end (a TLS stream cut without close_notify above all), that send a
# header or status line without end, broken chunked encoding; a malformed
# URL. llm-mock against clients that announce a body it will not take, and
# against many connections holding bodies open at once.
source "$(dirname "$0")/lib.sh"

if [ ! -x "$BIN/llm-mock" ] || [ ! -x "$BIN/llm-request" ] ||
    ! command -v python3 >/dev/null; then
	echo "1..0 # SKIP llm-mock, llm-request or python3 is missing"
	exit 0
fi
unset OPENAI_API_KEY ANTHROPIC_API_KEY GEMINI_API_KEY GOOGLE_API_KEY \
    OPENAI_BASE_URL LLM_MODEL HTTPS_PROXY https_proxy HTTP_PROXY http_proxy \
    ALL_PROXY all_proxy

# hostile.py MODE [CERT KEY]: a server on a free loopback port (TLS with
# CERT and KEY) that reads one request and answers it as MODE says; prints
# its port. The body is 40 SSE events and [DONE] (body.sse, written by the
# server so that the test compares with the very bytes).
cat >"$T/hostile.py" <<'PY'
import socket, ssl, sys, time
mode = sys.argv[1]
s = socket.socket()
s.bind(("127.0.0.1", 0)); s.listen(16)
ctx = None
if len(sys.argv) > 3:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(sys.argv[2], sys.argv[3])
body = b"".join(b'data: {"choices":[{"index":0,"delta":{"content":"word %d "}}]}\n\n' % i
                for i in range(40)) + b"data: [DONE]\n\n"
open(sys.argv[0] + ".body", "wb").write(body)
CUT = 690
print(s.getsockname()[1], flush=True)

def read_request(c):
    data = b""
    while b"\r\n\r\n" not in data:
        d = c.recv(65536)
        if not d:
            return
        data += d
    head, _, rest = data.partition(b"\r\n\r\n")
    n = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            n = int(line.split(b":")[1])
    while len(rest) < n:
        d = c.recv(65536)
        if not d:
            break
        rest += d

def cut(c):
    # the TCP connection ends without TLS close_notify: shut down the
    # socket under the TLS layer
    time.sleep(0.2)
    socket.socket.shutdown(c, socket.SHUT_RDWR)

def chunk(b):
    return b"%x\r\n%s\r\n" % (len(b), b)

SSE = b"Content-Type: text/event-stream\r\n"
served = 0
while True:
    c, _ = s.accept()
    served += 1
    try:
        if ctx:
            c = ctx.wrap_socket(c, server_side=True)
        read_request(c)
        if mode == "retry-cut" and served == 1:
            # a 503 whose body ends with the connection, closed with
            # close_notify; the retry then gets close-cut
            c.sendall(b"HTTP/1.0 503 Service Unavailable\r\nRetry-After: 0\r\n"
                      b"Content-Type: application/json\r\n\r\n"
                      b'{"error":{"message":"busy","type":"overloaded"}}')
            if ctx:
                c = c.unwrap()
        elif mode in ("close-cut", "retry-cut"):  # HTTP/1.0, the body ends with the connection
            c.sendall(b"HTTP/1.0 200 OK\r\n" + SSE + b"\r\n" + body[:CUT])
            cut(c)
        elif mode == "close-whole":    # the same, whole, then close_notify
            c.sendall(b"HTTP/1.0 200 OK\r\n" + SSE + b"\r\n" + body)
            if ctx:
                c = c.unwrap()
        elif mode == "length-short":   # Content-Length, fewer bytes
            c.sendall(b"HTTP/1.1 200 OK\r\n" + SSE + b"Content-Length: %d\r\n\r\n" % len(body) + body[:CUT])
            cut(c)
        elif mode == "chunk-cut":      # closed in the middle of a chunk
            c.sendall(b"HTTP/1.1 200 OK\r\n" + SSE + b"Transfer-Encoding: chunked\r\n\r\n" +
                      chunk(body[:CUT - 10]) + b"%x\r\n" % 100 + body[CUT - 10:CUT])
            cut(c)
        elif mode == "chunk-noend":    # whole chunks, never the last one
            c.sendall(b"HTTP/1.1 200 OK\r\n" + SSE + b"Transfer-Encoding: chunked\r\n\r\n" +
                      chunk(body[:CUT]))
            cut(c)
        elif mode == "chunk-bad":      # a chunk size that is no number
            c.sendall(b"HTTP/1.1 200 OK\r\n" + SSE + b"Transfer-Encoding: chunked\r\n\r\n" +
                      chunk(body[:CUT]) + b"zz\r\n" + body[CUT:CUT + 100])
            time.sleep(1)
        elif mode in ("long-header", "long-status"):
            c.sendall(b"HTTP/1.1 200 OK\r\nX-Endless: " if mode == "long-header"
                      else b"HTTP/1.1 200 ")
            for _ in range(200):       # 12.5 MiB at most, never a line end
                c.sendall(b"a" * 65536)
        elif mode == "text-error":     # a proxy's plain-text error, no line end
            msg = b"upstream unreachable"
            c.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/plain\r\n"
                      b"Content-Length: %d\r\n\r\n" % len(msg) + msg)
            time.sleep(0.2)
        elif mode == "many-headers":
            c.sendall(b"HTTP/1.1 200 OK\r\n")
            for i in range(10000):
                c.sendall(b"X-Header-%d: %s\r\n" % (i, b"a" * 100))
    except OSError:
        pass
    try:
        c.close()
    except OSError:
        pass
PY
_py=0
# start_py MODE [CERT KEY]: sets PY_PORT (the server is killed at exit)
start_py() {
	local port=$T/py.$((_py += 1)).port
	python3 "$T/hostile.py" "$@" >"$port" 2>/dev/null &
	_pids="$_pids $!"
	# up to 30 s: python3 starts slowly on a loaded machine
	for _ in $(seq 600); do [ -s "$port" ] && break; sleep 0.05; done
	PY_PORT=$(head -n 1 "$port")
}
# req URL ARGS...: llm-request against URL; $T/out, $T/err, ST
req() {
	local url=$1; shift
	run llm-request --retry 0 -m gpt-test --base-url "$url/v1" "$@" hi \
	    >"$T/out" 2>"$T/err"
	ST=$?
}
BODY=$T/hostile.py.body
# out_is_first N NAME: stdout is the first N bytes of the body
out_is_first() {
	if [ "$(wc -c <"$T/out")" = "$1" ] && cmp -s "$T/out" <(head -c "$1" "$BODY"); then
		pass "$2"
	else
		fail "$2" "got $(wc -c <"$T/out") bytes: $(cmp "$T/out" "$BODY" 2>&1)"
	fi
}
# one_line_matches REGEX NAME: stderr is one line that matches
one_line_matches() {
	[ "$(grep -c . "$T/err")" = 1 ] && grep -qE "$1" "$T/err"
	ok $? "$2 ($(head -n 1 "$T/err"))"
}

TLS=
if command -v openssl >/dev/null &&
    openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=localhost -days 1 \
    -keyout "$T/key.pem" -out "$T/cert.pem" >/dev/null 2>&1; then
	TLS=1
fi

# --- a TLS stream cut without close_notify ---------------------------------
if [ -n "$TLS" ]; then
	start_py close-cut "$T/cert.pem" "$T/key.pem"
	for ns in "" --no-stream; do
		req "https://127.0.0.1:$PY_PORT" --insecure $ns
		is "$ST" 5 "TLS, body delimited by the close, cut without close_notify ${ns:-(stream)}: exit 5"
		one_line_matches "^llm-request: connection cut after 690 bytes of the response: .*close_notify" \
		    "  says so, counting the bytes"
		out_is_first 690 "  the 690 bytes that arrived are written"
	done
	# a retry after an attempt that did end with close_notify
	start_py retry-cut "$T/cert.pem" "$T/key.pem"
	run llm-request --retry 1 -m gpt-test --base-url "https://127.0.0.1:$PY_PORT/v1" \
	    --insecure hi >"$T/out" 2>"$T/err"
	ST=$?
	is "$ST" 5 "TLS, a 503 closed with close_notify, then the retry's body cut without it: exit 5"
	grep -q "connection cut after 690 bytes of the response: .*close_notify" "$T/err"
	ok $? "  the retry's cut is said (the first attempt's close_notify does not count for it)"
	start_py close-whole "$T/cert.pem" "$T/key.pem"
	req "https://127.0.0.1:$PY_PORT" --insecure
	is "$ST:$(wc -c <"$T/err")" "0:0" "TLS, body delimited by the close, whole and closed by close_notify: exit 0, quiet"
	same_file "$T/out" "$BODY" "  the whole body"
	# other ways a body ends early over TLS
	for m in length-short chunk-cut chunk-noend; do
		start_py $m "$T/cert.pem" "$T/key.pem"
		req "https://127.0.0.1:$PY_PORT" --insecure
		is "$ST" 5 "TLS, $m: exit 5"
		one_line_matches "^llm-request: connection cut after 690 bytes of the response: " "  says so"
		out_is_first 690 "  the 690 bytes that arrived are written"
	done
else
	pass "# SKIP no openssl: TLS rows not run"
fi

# --- an error body in plain text, without a line end: said as it is ---------
start_py text-error
req "http://127.0.0.1:$PY_PORT"
is "$ST:$(cat "$T/err")" "4:llm-request: HTTP 502: upstream unreachable" \
    "a plain-text error body without a line end: its text in the message, exit 4"

# --- every other way a body can end early, over plain http ------------------
for m in length-short chunk-cut chunk-noend; do
	start_py $m
	for ns in "" --no-stream; do
		req "http://127.0.0.1:$PY_PORT" $ns
		is "$ST" 5 "http, $m ${ns:-(stream)}: exit 5"
		one_line_matches "^llm-request: connection cut after 690 bytes of the response: " "  says so"
		out_is_first 690 "  the 690 bytes that arrived are written"
	done
done
# over plain http a body delimited by the close cannot be told from a cut
# one (man page, EXIT STATUS): all that arrived is written, exit 0
start_py close-cut
req "http://127.0.0.1:$PY_PORT"
is "$ST" 0 "plain http, body delimited by the close: nothing tells a cut (documented), exit 0"
out_is_first 690 "  all that arrived is written"

# --- malformed chunked encoding: reported as such ---------------------------
start_py chunk-bad
req "http://127.0.0.1:$PY_PORT"
is "$ST" 5 "malformed chunked encoding: exit 5"
one_line_matches "^llm-request: malformed chunked encoding after 690 bytes of the response: " \
    "  named as malformed chunked encoding, not as a cut"
out_is_first 690 "  the 690 bytes before it are written"

# --- a header line or status line without end -------------------------------
for m in long-header long-status many-headers; do
	start_py $m
	req "http://127.0.0.1:$PY_PORT"
	is "$ST" 5 "$m: a network error, exit 5 (not out of memory)"
	one_line_matches "^llm-request: .*([Rr]esponse header too large|Too large response headers)" \
	    "  the message names the oversized header"
	is "$(wc -c <"$T/out")" 0 "  nothing on stdout"
done

# --- a malformed URL is a usage error --------------------------------------
start_mock
for u in "http://user@evil@127.0.0.1:${MOCK_URL##*:}" "http://127.0.0.1:99999" "http://[::1"; do
	req "$u"
	is "$ST" 2 "malformed URL $u: exit 2 (usage), not a network error"
	one_line_matches "^llm-request: .*not a valid URL" "  says the URL is not valid"
done
kill "$MOCK_PID" 2>/dev/null

# --- llm-mock: a body it will not take is refused at once -------------------
# client.py PORT MODE...: hostile clients; prints what it saw
cat >"$T/client.py" <<'PY'
import socket, sys, time, select
port, mode = int(sys.argv[1]), sys.argv[2]
def connect():
    return socket.create_connection(("127.0.0.1", port))
def head(extra):
    return (b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n"
            b"Content-Type: application/json\r\n" + extra + b"\r\n")
def answer(s, wait):
    # the status, and whether the connection is then closed
    s.settimeout(wait)
    data = b""
    try:
        while True:
            d = s.recv(65536)
            if not d:
                return data.split(b" ")[1].decode() + "-closed" if data else "closed"
            data += d
    except socket.timeout:
        return (data.split(b" ")[1].decode() if data else "none") + "-open"
    except OSError:
        return (data.split(b" ")[1].decode() if data else "none") + "-reset"
if mode == "huge":
    # 2 GiB announced, not a byte of it sent
    s = connect()
    s.sendall(head(b"Content-Length: %s\r\n" % (sys.argv[3].encode()
                   if len(sys.argv) > 3 else b"2147483648")))
    print(answer(s, 5))
elif mode == "flood":
    # N connections, each announcing (or chunking) 15 MiB and sending it
    # without the last byte; the mock's VmRSS during and after
    pid, kind, n, settle = sys.argv[3], sys.argv[4], int(sys.argv[5]), float(sys.argv[6])
    def rss():
        for l in open("/proc/%s/status" % pid):
            if l.startswith("VmRSS:"):
                return int(l.split()[1]) // 1024
    size = 15 << 20
    conns = []
    for i in range(n):
        s = connect()
        s.sendall(head(b"Content-Length: %d\r\n" % (size + 1) if kind == "length"
                       else b"Transfer-Encoding: chunked\r\n"))
        conns.append(s)
    time.sleep(settle)  # every request's head read: the mock has decided
    piece = b"x" * 65536
    seen = []
    for s in conns:
        sent = 0
        while sent < size and not select.select([s], [], [], 0)[0]:
            try:
                s.sendall(piece if kind == "length" else b"10000\r\n" + piece + b"\r\n")
            except OSError:
                break
            sent += len(piece)
        seen.append(answer(s, 0.3))
    time.sleep(0.5)
    print("rss-during", rss())
    print(" ".join(seen))
    for s in conns:
        s.close()
PY

start_mock
port=${MOCK_URL##*:}
got=$(timeout 30 python3 "$T/client.py" "$port" huge)
is "$got" "413-closed" "2 GiB announced (over --max-body 16M): 413 at once, before any byte of the body, then closed"
got=$(timeout 30 python3 "$T/client.py" "$port" huge 02147483648)
is "$got" "413-closed" "2 GiB announced with a leading zero (02147483648): the same 413 at once"
# the mock still serves
run llm-request --retry 0 -m gpt-test --base-url "$MOCK_URL/v1" hi >/dev/null 2>&1
is "$?" 0 "  and the next request is served"
kill "$MOCK_PID" 2>/dev/null; wait "$MOCK_PID" 2>/dev/null

# --- llm-mock: memory bounded in total --------------------------------------
run llm-mock --max-body 16M --max-body-total 8M >/dev/null 2>"$T/err"
is "$?" 2 "--max-body-total below --max-body: usage error"
start_mock --max-body-total 64M
rss_of() { awk '/^VmRSS:/ { print int($2 / 1024) }' "/proc/$1/status"; }
before=$(rss_of "$MOCK_PID")
settle=1; [ "${VALGRIND:-}" = 1 ] && settle=5
for kind in length chunked; do
	timeout 120 python3 "$T/client.py" "${MOCK_URL##*:}" flood "$MOCK_PID" $kind 20 "$settle" >"$T/flood" 2>&1
	during=$(awk '/^rss-during/ { print $2 }' "$T/flood")
	seen=$(tail -n 1 "$T/flood")
	held=$(tr ' ' '\n' <<<"$seen" | grep -c '^none-open$')
	if [ $kind = length ]; then
		refused=$(tr ' ' '\n' <<<"$seen" | grep -c '^503-closed$')
		# 64M holds 4 announced bodies of 15 MiB; the others are told at once
		is "$held:$refused" "4:16" "20 x 15 MiB announced, --max-body-total 64M: 4 held, 16 refused with 503 at once ($seen)"
	else
		refused=$(tr ' ' '\n' <<<"$seen" | grep -cE '(^|-)(closed|reset)$')
		is "$held:$refused" "4:16" "20 x 15 MiB chunked: 4 held, the others' connections closed as the total is reached ($seen)"
	fi
	sleep 1
	after=$(rss_of "$MOCK_PID")
	if rss_meaningful; then
		[ "${during:-999}" -le 100 ]
		ok $? "  $kind: resident memory bounded by the cap ($before MB before, $during MB with the bodies held)"
		[ "$after" -le $((before + 10)) ]
		ok $? "  $kind: the memory is returned once they close ($after MB after)"
	else
		pass "# SKIP RSS not meaningful here (valgrind or sanitizers)"
		pass "# SKIP RSS not meaningful here (valgrind or sanitizers)"
	fi
	run llm-request --retry 0 -m gpt-test --base-url "$MOCK_URL/v1" hi >/dev/null 2>&1
	is "$?" 0 "  $kind: the cap is released: the next request is served"
done
grep -q 'max-body-total' "$TOP/man/llm-mock.1"
ok $? "--max-body-total is in llm-mock(1)"

done_testing
