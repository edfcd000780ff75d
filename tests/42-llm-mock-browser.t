#!/bin/bash
# llm-mock and a real browser (issue 18): headless Chromium (Debian's
# chromium, driven by puppeteer-core from tests/peers) opens a page served
# from another origin, which streams from llm-mock with fetch, getReader()
# and TextDecoder as the tutorials do. With --cors the text arrives in
# pieces before the end and equals the reference, in replay mode and
# through --proxy (the key held by llm-mock); without it, or from another
# origin, the browser refuses the answer. The C paths are tests/41's
# (curl): under VALGRIND=1 or the sanitizer build this file is skipped.
source "$(dirname "$0")/lib.sh"
unset HTTP_PROXY http_proxy HTTPS_PROXY https_proxy ALL_PROXY all_proxy
unset OPENAI_API_KEY

if [ "${VALGRIND:-}" = 1 ] || case "${LLMPIPE_BUILD:-}" in *san*) true ;; *) false ;; esac; then
	echo "1..0 # SKIP the browser runs the C paths tests/41 covers; not again under valgrind or sanitizers"
	exit 0
fi
CHROMIUM=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
if [ -z "$CHROMIUM" ] || ! command -v python3 >/dev/null; then
	if [ "${LLMPIPE_REQUIRE_PEERS:-}" = 1 ]; then
		echo "1..1"
		echo "not ok 1 - chromium and python3 are needed (scripts/install-deps installs them)"
		exit 1
	fi
	echo "1..0 # SKIP chromium (Debian package chromium) or python3 not installed"
	exit 0
fi
export CHROMIUM
need_peers
[ -d "$TOP/tests/peers/node_modules/puppeteer-core" ] || {
	echo "1..0 # SKIP puppeteer-core not installed (tests/peers/install)"; exit 0; }

# the page's origin: a static server on another port
mkdir "$T/site"
echo '<!doctype html><title>llm-mock page</title>' >"$T/site/index.html"
python3 "$TOP/tests/llm-mock/page-server.py" "$T/site" >"$T/page.port" 2>/dev/null &
_pids="$_pids $!"
for _ in $(seq 100); do [ -s "$T/page.port" ] && break; sleep 0.05; done
ORIGIN=http://127.0.0.1:$(cat "$T/page.port")
PAGE=$ORIGIN/index.html

browse() { # browse API_URL [TOKEN]: the page's result in $T/b
	node "$TOP/tests/llm-mock/browser.mjs" "$PAGE" "$@" >"$T/b" 2>"$T/b.err"
	[ -s "$T/b" ] || diag "browser: $(head -n 5 "$T/b.err")"
}

# replay: the built-in answer, one event every 100 ms, behind a client
# token (the Authorization header makes the browser send a preflight)
start_mock --delay 100 --cors "$ORIGIN" --require-key=page-token
REF=$(OPENAI_API_KEY=page-token run llm-request --base-url "$MOCK_URL/v1" hi | run delta-join)
[ -n "$REF" ]; ok $? "the reference text (llm-request | delta-join): $REF"
browse "$MOCK_URL" page-token
is "$(jq -r .status "$T/b")" 200 "browser, --cors: the preflight passed and the stream answered 200"
is "$(jq -r .text "$T/b")" "$REF" "browser, --cors: the text the page assembled equals the reference"
is "$(jq -r .partial "$T/b")" true "browser, --cors: the text arrived in pieces before the end ($(jq -r .reads "$T/b") reads)"
browse "$MOCK_URL"
is "$(jq -r .status "$T/b")" 401 "browser, --cors: without the token, the 401 reaches the page (CORS on errors too)"
kill "$MOCK_PID"; wait "$MOCK_PID" 2>/dev/null

start_mock --delay 10
browse "$MOCK_URL"
is "$(jq -r .error "$T/b")" "Failed to fetch" "browser, no --cors: the browser refuses the answer"
kill "$MOCK_PID"; wait "$MOCK_PID" 2>/dev/null
start_mock --delay 10 --cors http://elsewhere.test
browse "$MOCK_URL"
is "$(jq -r .error "$T/b")" "Failed to fetch" "browser, --cors for another origin: refused"
kill "$MOCK_PID"; wait "$MOCK_PID" 2>/dev/null

# --proxy: the page holds no key; llm-mock adds it; the upstream (a second
# llm-mock) takes only that key
SECRET=sk-browser-$$-secret
start_mock --delay 100 --require-key="$SECRET"
UP=$MOCK_URL UP_PID=$MOCK_PID
OPENAI_API_KEY=$SECRET start_mock --proxy "$UP" --cors "$ORIGIN"
browse "$MOCK_URL"
is "$(jq -r .status "$T/b"):$(jq -r .text "$T/b")" "200:$REF" \
    "browser through --proxy (key held by llm-mock): the upstream's text"
is "$(jq -r .partial "$T/b")" true "browser through --proxy: in pieces before the end"
kill "$MOCK_PID"

# llmpipe(7)'s browser example, run as written but for the provider (the
# upstream above, its key in OPENAI_API_KEY) and the page's origin (a free
# port): llm-mock in the background, the page written, then served
mkdir "$T/ex"
awk '$0 == ".\\\" example: browser" { want = 1; next }
	want && /^\.Bd -literal/ { inside = 1; next }
	inside && $0 == ".Ed" { exit }
	inside { print }' "$TOP/man/llmpipe.7" | sed 's/\\e/\\/g; s/\\(dq/"/g; s/\\&//g' >"$T/ex/example.sh"
grep -q 'getReader()' "$T/ex/example.sh"; ok $? "llmpipe(7) has the browser example"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
sed -i "s|https://api.openai.com|$UP|; s|localhost:8000|127.0.0.1:$port|; s|http.server 8000|http.server -b 127.0.0.1 $port|" "$T/ex/example.sh"
(cd "$T/ex" && PATH=$BIN:$PATH OPENAI_API_KEY=$SECRET exec setsid bash example.sh) >/dev/null 2>"$T/ex.err" &
EXPID=$!
for _ in $(seq 200); do
	python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 1)" 2>/dev/null && break
	sleep 0.05
done
node "$TOP/tests/llm-mock/browser-page.mjs" "http://127.0.0.1:$port/index.html" >"$T/b" 2>"$T/b.err"
[ -s "$T/b" ] || diag "browser: $(head -n 5 "$T/b.err") $(head -n 5 "$T/ex.err")"
is "$(jq -r .text "$T/b")" "$REF" "llmpipe(7) example browser: the page shows the answer, the key held by llm-mock"
is "$(jq -r .partial "$T/b")" true "llmpipe(7) example browser: the text appears in pieces"
kill -- -"$EXPID" 2>/dev/null
kill "$UP_PID"
done_testing
