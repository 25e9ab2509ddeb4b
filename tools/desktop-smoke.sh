#!/usr/bin/env bash
# Builds the Tauri desktop shell's Debian package (tools/package-deb.sh) and checks the binary
# it installs under a virtual X server, like a Kita lead would use it:
#  1. a fresh data directory: the first-start assistant starts the demo Kita (no network); sign
#     in; the start page renders;
#  2. enrolment into a running demo network: `kitanetz demo` writes an enrolment file; the
#     assistant enrols a fresh directory with it; sign in; a peer connects on /sync and the
#     Kita's children arrive from its peers on /children;
#  3. the enrolled node started again: it signs in and connects again;
#  4. a backup of that node (`kitanetz backup`, as the app's Datensicherung page writes them)
#     restored through the assistant into a fresh directory: sign in with the account of run 2,
#     a peer connects, the children are there.
# A PNG of the last page of runs 1, 2 and 4 (as WebKit rendered it) stays in tests/e2e/screenshots.
#
# Needs the Debian packages from shared/design/TESTING.md (Desktop): libwebkit2gtk-4.1-dev
# libsoup-3.0-dev libjavascriptcoregtk-4.1-dev librsvg2-dev libayatana-appindicator3-dev
# libxdo-dev libgtk-3-dev xvfb, and desktop-file-utils for the menu entry. Honours CARGO_TARGET_DIR. Exits non-zero on any failure.
set -euo pipefail

cd "$(dirname "$0")/.."

target_dir="${CARGO_TARGET_DIR:-$PWD/target}"
work="$(mktemp -d)"
demo_pid=""
cleanup() {
    if [ -n "$demo_pid" ]; then kill "$demo_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

# The window under test is the one the Debian package installs: build the package (it builds
# both binaries), check its control data and menu entry, unpack it and run its binary.
deb=$(bash tools/package-deb.sh --debug --out "$work/deb" | tail -n 1)
dpkg-deb --field "$deb" Package Version Depends
dpkg-deb --field "$deb" Depends | grep -q "libwebkit2gtk-4.1-0" ||
    { echo "desktop smoke: the package does not depend on WebKitGTK" >&2; exit 1; }
dpkg-deb -x "$deb" "$work/pkg"
desktop-file-validate "$work/pkg/usr/share/applications/kitanetz-desktop.desktop"
desktop="$work/pkg/usr/bin/kitanetz-desktop"
echo "desktop smoke: package $(basename "$deb") ($(du -k "$deb" | cut -f1) KiB), running its binary"

# Pictures of the last page of each run stay beside the browser tests' (a CI artefact).
shots="${E2E_SCREENSHOTS:-$PWD/tests/e2e/screenshots}"
mkdir -p "$shots"

run_desktop() {
    timeout 180 xvfb-run -a -s "-screen 0 1280x800x24" "$desktop" --smoke "$@"
}

echo "desktop smoke 1/4: fresh data directory, demo Kita from the assistant"
run_desktop --data-dir "$work/alone" --screenshot "$shots/tauri-1-demo-kita.png"

echo "desktop smoke 2/4: enrolment into a running demo network"
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
run_desktop --data-dir "$work/desk" --enrol "$work/demo/desktop-enrolment.json" \
    --screenshot "$shots/tauri-2-enrolled-children.png"

echo "desktop smoke 3/4: the enrolled node started again"
run_desktop --data-dir "$work/desk"

echo "desktop smoke 4/4: a backup of it restored on a fresh directory (a new PC)"
"$target_dir/debug/kitanetz" backup --data-dir "$work/desk" --to "$work/backups/kitanetz-desk-1"
run_desktop --data-dir "$work/restored" --backups "$work/backups" \
    --screenshot "$shots/tauri-4-restored-children.png"
