#!/usr/bin/env bash
# Builds the Tauri desktop shell and checks, under a virtual X server, that it starts a kita node
# in-process and renders the node's start page through the kitanetz:// scheme.
#
# Needs the Debian packages from shared/design/TESTING.md (Desktop): libwebkit2gtk-4.1-dev
# libsoup-3.0-dev libjavascriptcoregtk-4.1-dev librsvg2-dev libayatana-appindicator3-dev
# libxdo-dev libgtk-3-dev xvfb. Honours CARGO_TARGET_DIR. Exits non-zero on any failure.
set -euo pipefail

cd "$(dirname "$0")/.."

target_dir="${CARGO_TARGET_DIR:-$PWD/target}"
cargo build -p kitanetz-desktop -j"${CARGO_BUILD_JOBS:-2}"

data_dir="$(mktemp -d)"
trap 'rm -rf "$data_dir"' EXIT

echo "desktop smoke: running $target_dir/debug/kitanetz-desktop --smoke --data-dir $data_dir"
timeout 120 xvfb-run -a -s "-screen 0 1280x800x24" \
    "$target_dir/debug/kitanetz-desktop" --smoke --data-dir "$data_dir"
