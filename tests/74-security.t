#!/bin/bash
# tests/74-security.t - issue 9, security: TLS verification is on by default
# (self-signed loopback HTTPS server), the API key never shows in argv,
# --verbose, --dry-run, error messages or llm-mock's request log, no key over
# plain http to a non-loopback host nor across a redirect, and files llmpipe
# creates are mode 0600 and never written through a symlink.
. "$(dirname "$0")/lib.sh"
unset OPENAI_API_KEY ANTHROPIC_API_KEY GEMINI_API_KEY GOOGLE_API_KEY
KEY=sk-test-SECRET-4f9a2c71e0
export OPENAI_API_KEY=$KEY

# sse.py [CERT KEY]: a one-answer SSE server on a free loopback port (HTTPS
# with CERT and KEY) that echoes the Authorization header it got back in
# X-Echo-Authorization; prints its port.
cat >"$T/sse.py" <<'PY'
import http.server, ssl, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        body = (b'data: {"choices":[{"index":0,"delta":{"content":"tls ok"}}]}\n\n'
                b'data: [DONE]\n\n')
        self.send_response(200)
        self.send_header("X-Echo-Authorization", str(self.headers.get("Authorization")))
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a): pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
if len(sys.argv) > 2:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(sys.argv[1], sys.argv[2])
    s.socket = ctx.wrap_socket(s.socket, server_side=True)
print(s.server_address[1], flush=True)
s.serve_forever()
PY
# start_py SCRIPT ARGS...: starts a python3 server script that prints its
# port, and waits up to 5 s for it; sets PY_PORT. The server is killed at
# exit (not to be called in a subshell, which would lose its pid).
_py=0
start_py() {
	local port=$T/py.$((_py += 1)).port
	python3 "$@" >"$port" 2>/dev/null &
	_pids="$_pids $!"
	for _ in $(seq 100); do [ -s "$port" ] && break; sleep 0.05; done
	PY_PORT=$(head -n 1 "$port")
}

# --- TLS: a self-signed HTTPS server on loopback -----------------------------
if command -v openssl >/dev/null && command -v python3 >/dev/null &&
    openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=localhost -days 1 \
    -keyout "$T/key.pem" -out "$T/cert.pem" >/dev/null 2>&1; then
	start_py "$T/sse.py" "$T/cert.pem" "$T/key.pem"
	TLS_URL=https://127.0.0.1:$PY_PORT/v1
	run llm-request -m gpt-test --base-url "$TLS_URL" hi >"$T/out" 2>"$T/err"
	is "$?" 5 "self-signed HTTPS server refused by default: exit 5"
	grep -qiE 'certificate|SSL|TLS' "$T/err"
	ok $? "the refusal says it is about the certificate"
	diag "$(head -n 2 "$T/err")"
	[ ! -s "$T/out" ]
	ok $? "nothing on stdout when TLS verification fails"
	! grep -q "$KEY" "$T/err"
	ok $? "key not in the TLS error message"
	run llm-request --insecure -m gpt-test --base-url "$TLS_URL" hi \
	    >"$T/out" 2>"$T/err"
	is "$?" 0 "--insecure: the same server is accepted"
	grep -q 'tls ok' "$T/out"
	ok $? "--insecure: the body arrives"
	run llm-request --insecure -m gpt-test \
	    --base-url https://192.0.2.1/v1 hi >/dev/null 2>"$T/err"
	is "$?" 2 "--insecure refused for a non-loopback host (usage, no connection)"
	# HTTP/2 when the server offers it: nghttpd (Debian nghttp2-server)
	# serves a real capture as the answer to the POST, over TLS
	if command -v nghttpd >/dev/null; then
		mkdir -p "$T/h2/v1/chat"
		cp "$FIX/real/openai-chat/text-plain.sse" "$T/h2/v1/chat/completions"
		h2port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
		nghttpd -d "$T/h2" --address=127.0.0.1 "$h2port" "$T/key.pem" "$T/cert.pem" >/dev/null 2>&1 &
		_pids="$_pids $!"
		for _ in $(seq 50); do
			(exec 3<>"/dev/tcp/127.0.0.1/$h2port") 2>/dev/null && break
			sleep 0.1
		done
		run llm-request -v --insecure --retry 0 -m gpt-test \
		    --base-url "https://127.0.0.1:$h2port/v1" hi >"$T/out" 2>"$T/err"
		st=$?
		[ "$st" = 0 ] && grep -q '^< HTTP/2 200' "$T/err" &&
		    cmp -s "$T/out" "$T/h2/v1/chat/completions"
		ok $? "HTTP/2 when the server offers it: negotiated over TLS, the stream byte for byte (status $st)"
	else
		pass "# SKIP no nghttpd (Debian nghttp2-server): HTTP/2 row not run"
	fi
else
	pass "# SKIP no openssl or python3: TLS rows not run"
fi

# --- the key in argv, --verbose, --dry-run, errors, the mock's log ----------
start_mock --require-key --log-requests "$T/log" --delay 200
# (core dumps allowed as far as the hard limit lets, to see what the tool
# itself sets; the unwrapped binary, since under VALGRIND=1 memcheck can
# still be starting 0.2 s later, before main has set any limit)
( ulimit -S -c "$(ulimit -H -c)" 2>/dev/null
  exec "$REALBIN/llm-request" -m gpt-test --base-url "$MOCK_URL/v1" hi >/dev/null 2>&1 ) &
rp=$!
sleep 0.2
if [ -r "/proc/$rp/cmdline" ]; then
	! tr '\0' ' ' <"/proc/$rp/cmdline" | grep -q "$KEY"
	ok $? "key not in /proc/PID/cmdline of a running llm-request"
else
	pass "# SKIP llm-request ended before its cmdline was read"
fi
# core dumps: the key is in llm-request's memory, so a crash must not write
# it to a core file (RLIMIT_CORE 0, as ssh-agent does with PR_SET_DUMPABLE)
if [ "$(ulimit -H -c)" = 0 ]; then
	pass "# SKIP core dumps are off by the hard limit here"
elif [ -r "/proc/$rp/limits" ]; then
	core=$(awk '/^Max core file size/ { print $5 }' "/proc/$rp/limits")
	[ "$core" = 0 ]
	ok $? "llm-request runs with core dumps off (RLIMIT_CORE soft limit $core)"
else
	pass "# SKIP llm-request ended before its limits were read"
fi
wait "$rp"
is "$?" 0 "the request with the key succeeds against --require-key"

run llm-request -v -m gpt-test --base-url "$MOCK_URL/v1" hi >"$T/out" 2>"$T/err"
is "$?" 0 "--verbose request succeeds"
grep -qi 'authorization' "$T/err"
ok $? "--verbose shows the Authorization header"
! grep -q "$KEY" "$T/err" "$T/out"
ok $? "key not in --verbose output"
run llm-request --dry-run -m gpt-test --base-url "$MOCK_URL/v1" hi >"$T/out" 2>"$T/err"
is "$?" 0 "--dry-run exit 0"
! grep -q "$KEY" "$T/err" "$T/out"
ok $? "key not in --dry-run output"
for p in anthropic gemini; do
	ANTHROPIC_API_KEY=$KEY GEMINI_API_KEY=$KEY run llm-request -p $p \
	    --dry-run --base-url "$MOCK_URL" hi >"$T/out" 2>"$T/err"
	! grep -q "$KEY" "$T/err" "$T/out"
	ok $? "key not in --dry-run output ($p)"
done
ANTHROPIC_API_KEY=$KEY run llm-request -m claude-test -v --base-url "$MOCK_URL" hi \
    >/dev/null 2>"$T/err"
! grep -q "$KEY" "$T/err"
ok $? "key not in --verbose output (anthropic x-api-key)"
GEMINI_API_KEY=$KEY run llm-request -m gemini-test -v --base-url "$MOCK_URL" hi \
    >/dev/null 2>"$T/err"
! grep -q "$KEY" "$T/err"
ok $? "key not in --verbose output (gemini)"
[ -s "$T/log" ] && ! grep -q "$KEY" "$T/log"
ok $? "key not in llm-mock's --log-requests file"
grep -q '<redacted>' "$T/log"
ok $? "the log shows the credential as <redacted>"
is "$(stat -c %a "$T/log")" 600 "llm-mock --log-requests file created mode 0600"

# error paths: HTTP error, connection refused, timeout
start_mock --fail 5:401
run llm-request --retry 0 -m gpt-test --base-url "$MOCK_URL/v1" hi >"$T/out" 2>"$T/err"
is "$?" 4 "HTTP 401: exit 4"
! grep -q "$KEY" "$T/err" "$T/out"
ok $? "key not in an HTTP error message"
run llm-request --retry 0 -m gpt-test --base-url http://127.0.0.1:1/v1 hi \
    >"$T/out" 2>"$T/err"
is "$?" 5 "connection refused: exit 5"
! grep -q "$KEY" "$T/err"
ok $? "key not in a connection error message"

# --- no key over plain http to a non-loopback host --------------------------
run llm-request -m gpt-test --base-url http://example.invalid/v1 hi \
    >"$T/out" 2>"$T/err"
is "$?" 2 "key over http to a non-loopback host: refused (exit 2)"
grep -q 'plain http' "$T/err"
ok $? "the refusal names plain http"
! grep -q "$KEY" "$T/err"
ok $? "key not in that message"
# refused before any connection: example.invalid cannot resolve, so a
# connection attempt would end 5; --dry-run is refused the same way
run llm-request --dry-run -m gpt-test --base-url http://example.invalid/v1 hi \
    >"$T/out" 2>/dev/null
is "$?" 2 "--dry-run refuses it too"
! grep -q "$KEY" "$T/out"
ok $? "key not printed by that --dry-run"
printf 'x-api-key: %s\n' "$KEY" >"$T/keyhdr"
run llm-request -m gpt-test --base-url http://10.255.255.1/v1 -H @"$T/keyhdr" \
    --connect-timeout 1 hi >/dev/null 2>"$T/err"
is "$?" 2 "a secret -H @FILE header over http to a non-loopback host: refused"
grep -q 'plain http' "$T/err"
ok $? "the refusal names plain http"
# a credential header typed on the command line is refused before anything
# (argv is public), and the message does not echo its value
for h in "x-api-key: $KEY" "Authorization: Bearer $KEY" "x-goog-api-key: $KEY"; do
	run llm-request --dry-run -m gpt-test -H "$h" hi >"$T/out" 2>"$T/err"
	st=$?
	[ "$st" = 2 ] && [ ! -s "$T/out" ] && grep -q 'give -H @FILE' "$T/err" &&
	    ! grep -q -- "$KEY" "$T/err"
	ok $? "-H '${h%%:*}: ...' on the command line: refused, exit 2 (status $st)"
done

# --- proxies: never for a loopback server (the key would go to the proxy
# over plain http, and the proxy cannot reach this machine's server) ------
start_mock --log-requests "$T/plog"
for pv in http_proxy HTTP_PROXY ALL_PROXY; do
	env "$pv=http://127.0.0.1:1" "$BIN/llm-request" \
	    --retry 0 -m gpt-test --base-url "$MOCK_URL/v1" hi >"$T/out" 2>"$T/err"
	is "$?:$(grep -c . "$T/plog")" "0:1" "$pv set: a loopback server is reached directly, not through the proxy"
	: >"$T/plog"
done
# a non-loopback https URL still goes through the proxy (here the mock,
# which refuses the CONNECT): the request reaches the proxy
env HTTPS_PROXY="$MOCK_URL" "$BIN/llm-request" --retry 0 -m gpt-test \
    --base-url https://api.example.invalid/v1 hi >/dev/null 2>"$T/err"
st=$?
is "$st:$(jq -r .method "$T/plog" 2>/dev/null)" "5:CONNECT" "HTTPS_PROXY is used for a non-loopback host (exit $st)"
! grep -q "$KEY" "$T/err" "$T/plog"
ok $? "key not in the proxy's log nor in the error (CONNECT tunnel)"
# ... unless NO_PROXY names the host: then no request reaches the proxy
# (the direct connection to a .invalid name cannot resolve: exit 5)
: >"$T/plog"
env HTTPS_PROXY="$MOCK_URL" NO_PROXY=api.example.invalid "$BIN/llm-request" --retry 0 --connect-timeout 2 \
    -m gpt-test --base-url https://api.example.invalid/v1 hi >/dev/null 2>"$T/err"
st=$?
is "$st:$(grep -c . "$T/plog")" "5:0" "NO_PROXY=api.example.invalid: that host is not reached through the proxy"

# --- redirects: never followed, so the key never goes on ------------------
cat >"$T/redir.py" <<'PY'
import http.server, sys
seen = open(sys.argv[1], "a")
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        seen.write(self.path + " " + str(self.headers.get("Authorization")) + "\n"); seen.flush()
        self.send_response(307)
        self.send_header("Location", "http://127.0.0.1:%d/v2/chat/completions" % self.server.server_address[1])
        self.send_header("Content-Length", "0")
        self.end_headers()
    def log_message(self, *a): pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
PY
if command -v python3 >/dev/null; then
	: >"$T/seen"
	start_py "$T/redir.py" "$T/seen"
	run llm-request --retry 0 -m gpt-test \
	    --base-url "http://127.0.0.1:$PY_PORT/v1" hi \
	    >/dev/null 2>"$T/err"
	st=$?
	[ "$st" != 0 ]
	ok $? "a 307 redirect is not followed (exit $st)"
	is "$(grep -c . "$T/seen")" 1 "one request only: the redirect target never got the key"
else
	pass "# SKIP no python3: redirect row not run"
fi

# --- a server that echoes the key back in a response header: --verbose
# prints the response headers, the key still redacted ---------------------
if command -v python3 >/dev/null; then
	start_py "$T/sse.py"
	run llm-request -v --retry 0 -m gpt-test \
	    --base-url "http://127.0.0.1:$PY_PORT/v1" hi \
	    >/dev/null 2>"$T/err"
	is "$?" 0 "a server echoing the key in a response header: exit 0"
	grep -q '^< X-Echo-Authorization: Bearer <redacted>' "$T/err" && ! grep -q "$KEY" "$T/err"
	ok $? "--verbose: the echoed key is redacted in the response headers"
else
	pass "# SKIP no python3: echo row not run"
fi

# --- files created: mode 0600, never through a symlink -----------------------
umask 022
printf 'data: {"choices":[{"index":0,"delta":{"content":"x"}}]}\n\ndata: [DONE]\n\n' >"$T/in.sse"
run stream-metrics -q -o "$T/rep" "$T/in.sse"
is "$?" 0 "stream-metrics -o creates its report file"
is "$(stat -c %a "$T/rep")" 600 "stream-metrics -o file created mode 0600 (umask 022)"
n1=$(wc -l <"$T/rep")
run stream-metrics -q -j -o "$T/rep" "$T/in.sse"
[ "$(wc -l <"$T/rep")" -gt "$n1" ]
ok $? "stream-metrics -o appends to an existing regular file"
echo keep >"$T/target"
ln -s "$T/target" "$T/link"
run stream-metrics -q -o "$T/link" "$T/in.sse" >/dev/null 2>"$T/err"
is "$?" 1 "stream-metrics -o through a symlink: refused (exit 1)"
is "$(cat "$T/target")" keep "the symlink's target is untouched"
# refused at once; a server that started instead is ended by timeout (124)
timeout 20 "$BIN/llm-mock" --log-requests "$T/link" >/dev/null 2>"$T/err"
is "$?" 1 "llm-mock --log-requests through a symlink: refused (exit 1)"
is "$(cat "$T/target")" keep "the symlink's target is untouched"
done_testing
