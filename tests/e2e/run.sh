#!/usr/bin/env bash
# Browser end-to-end and accessibility tests against a running `kitanetz demo` network.
#
# Builds nothing: expects the node binary in $KITANETZ_BIN (default: target/debug/kitanetz of this
# workspace) and Chromium in $CHROMIUM (default /usr/bin/chromium, Debian's package).
# Starts the demo on free loopback ports with a fresh data directory, waits until the city and a
# Kita answer /health, runs `node --test`, then stops the demo and removes its data.
# Exit code: the tests' exit code (or 2 if the demo did not come up).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
KITANETZ_BIN="${KITANETZ_BIN:-$REPO/target/debug/kitanetz}"
export CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"

if [ ! -x "$KITANETZ_BIN" ]; then
  echo "run.sh: no node binary at $KITANETZ_BIN (build it: cargo build -p kitanetz-node)" >&2
  exit 2
fi
if [ ! -x "$CHROMIUM" ]; then
  echo "run.sh: no Chromium at $CHROMIUM (apt-get install -y chromium)" >&2
  exit 2
fi

cd "$HERE"
if ! cmp -s package-lock.json node_modules/.kitanetz-lock 2>/dev/null; then
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json node_modules/.kitanetz-lock
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/kitanetz-e2e.XXXXXX")"
DEMO_PID=""
SINK_PID=""
cleanup() {
  if [ -n "$SINK_PID" ]; then kill "$SINK_PID" 2>/dev/null || true; fi
  if [ -n "$DEMO_PID" ] && kill -0 "$DEMO_PID" 2>/dev/null; then
    kill "$DEMO_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$DEMO_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$DEMO_PID" 2>/dev/null || true
    wait "$DEMO_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A real SMTP server on loopback receives the city's mails; the tests read them from $SMTP_SINK_DIR.
export SMTP_SINK_DIR="$WORK/mails"
node "$HERE/smtp-sink.mjs" "$SMTP_SINK_DIR" >"$WORK/smtp.port" 2>"$WORK/smtp.log" &
SINK_PID=$!
for _ in $(seq 1 100); do [ -s "$WORK/smtp.port" ] && break; sleep 0.1; done
SMTP_PORT="$(head -n 1 "$WORK/smtp.port")"
if [ -z "$SMTP_PORT" ]; then
  echo "run.sh: the SMTP sink did not start:" >&2
  cat "$WORK/smtp.log" >&2
  exit 2
fi

# Seven consecutive free loopback ports (city, two Träger, four Kitas).
BASE_PORT="$(node "$HERE/free-ports.mjs" 7)"
echo "run.sh: starting kitanetz demo on 127.0.0.1:$BASE_PORT..$((BASE_PORT + 6)), data in $WORK/data, mails to 127.0.0.1:$SMTP_PORT"
"$KITANETZ_BIN" demo --data-dir "$WORK/data" --base-port "$BASE_PORT" --p2p-base-port 0 --smtp "127.0.0.1:$SMTP_PORT" >"$WORK/demo.log" 2>&1 &
DEMO_PID=$!

# Wait for the city (first port) and one Kita (fourth port) to answer /health.
if ! node "$HERE/wait-health.mjs" 60 "http://127.0.0.1:$BASE_PORT/health" "http://127.0.0.1:$((BASE_PORT + 3))/health"; then
  echo "run.sh: demo did not come up; its output:" >&2
  cat "$WORK/demo.log" >&2
  exit 2
fi
# The node list is printed before sync starts; the network is ready once it is in sync.
for _ in $(seq 1 120); do
  grep -q "Nodes in sync" "$WORK/demo.log" && break
  sleep 0.5
done
cat "$WORK/demo.log"

export KITANETZ_DEMO_LOG="$WORK/demo.log"
export KITANETZ_BASE_PORT="$BASE_PORT"
export E2E_SCREENSHOTS="${E2E_SCREENSHOTS:-$HERE/screenshots}"
mkdir -p "$E2E_SCREENSHOTS"

set +e
node --test --test-reporter=spec --test-concurrency=1 "$HERE"/*.test.mjs
STATUS=$?
set -e
if [ "$STATUS" -ne 0 ]; then
  echo "run.sh: tests failed (exit $STATUS); demo output:" >&2
  tail -n 40 "$WORK/demo.log" >&2
fi
exit "$STATUS"
