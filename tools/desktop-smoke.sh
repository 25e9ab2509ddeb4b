#!/usr/bin/env bash
# Builds the Tauri desktop shell and checks it under a virtual X server, like a Kita lead would
# use it:
#  1. a fresh data directory: the first-start assistant starts the demo Kita (no network); sign
#     in; the start page renders;
#  2. enrolment into a running demo network: `kitanetz demo` writes an enrolment file; the
#     assistant enrols a fresh directory with it; sign in; a peer connects on /sync and the
#     Kita's children arrive from its peers on /children;
#  3. the enrolled node started again: it signs in and connects again.
#
# Needs the Debian packages from shared/design/TESTING.md (Desktop): libwebkit2gtk-4.1-dev
# libsoup-3.0-dev libjavascriptcoregtk-4.1-dev librsvg2-dev libayatana-appindicator3-dev
# libxdo-dev libgtk-3-dev xvfb. Honours CARGO_TARGET_DIR. Exits non-zero on any failure.
set -euo pipefail

cd "$(dirname "$0")/.."

target_dir="${CARGO_TARGET_DIR:-$PWD/target}"
cargo build -p kitanetz-desktop -p kitanetz-node --bin kitanetz-desktop --bin kitanetz -j"${CARGO_BUILD_JOBS:-2}"
desktop="$target_dir/debug/kitanetz-desktop"

work="$(mktemp -d)"
demo_pid=""
cleanup() {
    if [ -n "$demo_pid" ]; then kill "$demo_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

run_desktop() {
    timeout 180 xvfb-run -a -s "-screen 0 1280x800x24" "$desktop" --smoke "$@"
}

echo "desktop smoke 1/3: fresh data directory, demo Kita from the assistant"
run_desktop --data-dir "$work/alone"

echo "desktop smoke 2/3: enrolment into a running demo network"
# Ports well away from the README's demo (8080) and the e2e tests.
"$target_dir/debug/kitanetz" demo --data-dir "$work/demo" --base-port 18700 > "$work/demo.log" 2>&1 &
demo_pid=$!
for _ in $(seq 1 180); do
    grep -q "^Desktop app" "$work/demo.log" && break
    if ! kill -0 "$demo_pid" 2>/dev/null; then
        cat "$work/demo.log"
        echo "desktop smoke: the demo network stopped" >&2
        exit 1
    fi
    sleep 1
done
if ! grep -q "^Desktop app" "$work/demo.log"; then
    cat "$work/demo.log"
    echo "desktop smoke: the demo wrote no enrolment within 180 s" >&2
    exit 1
fi
run_desktop --data-dir "$work/desk" --enrol "$work/demo/desktop-enrolment.json"

echo "desktop smoke 3/3: the enrolled node started again"
run_desktop --data-dir "$work/desk"
