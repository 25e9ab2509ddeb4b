#!/usr/bin/env bash
# Benchmark (on demand, prints figures): the desktop app's cold start to a usable window — from
# starting the process until WebKit has finished loading the first page of an existing Kita
# node (its login page), under a virtual X server. A fresh demo Kita is set up once through the
# first-start assistant (`--smoke`), then the app is started RUNS times on it.
#
# usage: tools/desktop-start-bench.sh [RUNS] [BINARY]
#   RUNS    default 5
#   BINARY  default: the debug build in CARGO_TARGET_DIR (build a release one for real figures:
#           cargo build --release -p kitanetz-desktop, then pass target/release/kitanetz-desktop)
# Needs xvfb-run (tools/setup installs it).
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-5}"
target_dir="${CARGO_TARGET_DIR:-$PWD/target}"
binary="${2:-$target_dir/debug/kitanetz-desktop}"
[ -x "$binary" ] || cargo build -p kitanetz-desktop --bin kitanetz-desktop
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "desktop start bench: $binary"
timeout 180 xvfb-run -a -s "-screen 0 1280x800x24" "$binary" --smoke --data-dir "$work/kita" > /dev/null

# One start: the app logs each page load (KITANETZ_DESKTOP_TRACE); the first finished load of
# /login is the usable window. The app is then stopped.
start_once() {
    local started line
    started=$(date +%s%N)
    while IFS= read -r line; do
        case "$line" in
            "page load Finished: kitanetz://localhost/login"*)
                echo $(( ($(date +%s%N) - started) / 1000000 ))
                return 0
                ;;
        esac
    done < <(KITANETZ_DESKTOP_TRACE=1 timeout 60 xvfb-run -a -s "-screen 0 1280x800x24" \
        "$binary" --data-dir "$work/kita" 2>&1)
    echo "desktop start bench: no login page within 60 s" >&2
    return 1
}

times=()
for i in $(seq 1 "$runs"); do
    ms=$(start_once)
    # The read loop returns before the app exits: stop what it left running.
    pkill -f -- "--data-dir $work/kita" 2>/dev/null || true
    sleep 1
    echo "run $i: ${ms} ms"
    times+=("$ms")
done
sorted=$(printf '%s\n' "${times[@]}" | sort -n)
echo "cold start to a usable window (ms): min $(echo "$sorted" | head -1), median $(echo "$sorted" | sed -n "$(( (runs + 1) / 2 ))p"), max $(echo "$sorted" | tail -1) over $runs runs"
