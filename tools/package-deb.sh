#!/usr/bin/env bash
# Builds the desktop app's Debian package, the one a Kita PC installs:
#   /usr/bin/kitanetz-desktop, a menu entry (/usr/share/applications/kitanetz-desktop.desktop)
#   and its icons (/usr/share/icons/hicolor/*/apps/kitanetz-desktop.png).
# The node's data stays in the user's profile ($XDG_DATA_HOME/kitanetz, else
# ~/.local/share/kitanetz), never in the package, so an update or a removal keeps it; the app's
# *Datensicherung* page writes backups of it, and its first-start assistant restores one.
#
# This is the layout `cargo tauri build --bundles deb` makes from ui/desktop/tauri.conf.json
# (bundle section), done with dpkg-deb because tauri-cli is not on these machines. With
# tauri-cli installed, `cd ui/desktop && cargo tauri build --bundles deb` works too; Windows
# (`--bundles msi`, on Windows with WiX) and macOS (`--bundles dmg`, on a Mac) take the same
# tauri.conf.json and need their own build machines (README, "Desktop app").
#
# Depends: is read off the binary: the Debian package of every shared library it links
# directly (readelf's NEEDED entries, resolved by ldd and dpkg -S), so the list cannot go stale.
#
# usage: tools/package-deb.sh [--debug] [--out DIR]
#   --debug  package the debug build (what CI's desktop smoke already built), with its debug
#            symbols stripped; default is a release build
#   --out    where the .deb goes (default: target/debian under CARGO_TARGET_DIR)
# Prints the path of the package as its last line.
set -euo pipefail
cd "$(dirname "$0")/.."

profile=release
out=""
while (($#)); do
  case "$1" in
    --debug) profile=debug ;;
    --out)
      out="$2"
      shift
      ;;
    *)
      echo "usage: tools/package-deb.sh [--debug] [--out DIR]" >&2
      exit 2
      ;;
  esac
  shift
done

target_dir="${CARGO_TARGET_DIR:-$PWD/target}"
out="${out:-$target_dir/debian}"
if [ "$profile" = release ]; then
  cargo build --release -p kitanetz-desktop --bin kitanetz-desktop
else
  # The desktop smoke's own invocation (both binaries), so this reuses its build as it is.
  cargo build -p kitanetz-desktop -p kitanetz-node --bin kitanetz-desktop --bin kitanetz -j"${CARGO_BUILD_JOBS:-2}"
fi
binary="$target_dir/$profile/kitanetz-desktop"

conf=ui/desktop/tauri.conf.json
version=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["version"])' "$conf")
arch=$(dpkg --print-architecture)
package=kitanetz-desktop

# Every directly linked library's package (libc6 included), sorted, comma-separated.
depends=$(
  readelf -d "$binary" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | while read -r lib; do
    path=$(ldd "$binary" | awk -v lib="$lib" '$1 == lib && $3 ~ /^\// { print $3; exit }')
    [ -n "$path" ] || { [ "$lib" = "ld-linux-x86-64.so.2" ] && continue; echo "package-deb: $lib not found" >&2; exit 1; }
    # usrmerge: /lib/… and /usr/lib/… are the same file; dpkg knows one of the two names.
    dpkg -S "$path" 2>/dev/null || dpkg -S "/usr$path" 2>/dev/null || dpkg -S "${path#/usr}"
  done | cut -d: -f1 | sort -u | paste -sd, | sed 's/,/, /g'
)
[ -n "$depends" ] || { echo "package-deb: no dependencies found for $binary" >&2; exit 1; }

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
chmod 0755 "$root"
install -d "$root/DEBIAN" "$root/usr/bin" "$root/usr/share/applications" \
  "$root/usr/share/doc/$package"
# Debug symbols would make the package ten times larger; nobody debugs a Kita PC's install.
objcopy --strip-debug "$binary" "$root/usr/bin/kitanetz-desktop"
chmod 0755 "$root/usr/bin/kitanetz-desktop"
for size in 32x32 128x128; do
  install -D -m 0644 "ui/desktop/icons/$size.png" "$root/usr/share/icons/hicolor/$size/apps/$package.png"
done
cat > "$root/usr/share/applications/$package.desktop" << 'EOF'
[Desktop Entry]
Type=Application
Name=Kitanetz
GenericName=Kita-Verwaltung
Comment=Plätze, Verträge, Gruppen und Betreuung der Kita – arbeitet auch ohne Netz
Exec=kitanetz-desktop
Icon=kitanetz-desktop
Terminal=false
Categories=Office;
StartupWMClass=kitanetz-desktop
EOF
cat > "$root/usr/share/doc/$package/copyright" << 'EOF'
Kitanetz desktop app. Licence: see the project's Cargo.toml (workspace licence).
EOF
installed_kb=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
cat > "$root/DEBIAN/control" << EOF
Package: $package
Version: $version
Architecture: $arch
Maintainer: Kitanetz <kitanetz@localhost>
Installed-Size: $installed_kb
Depends: $depends
Section: misc
Priority: optional
Homepage: https://example.invalid/kitanetz
Description: Kitanetz for the Kita: a local-first node in a desktop window
 The Kita's own Kitanetz node (places, contracts, groups, extra care, staff)
 with its own data in the user's profile. It syncs with the Träger office and
 the city over encrypted, authenticated links, keeps working offline and
 catches up when the network is back.
EOF

mkdir -p "$out"
deb="$out/${package}_${version}_${arch}.deb"
# gzip -6: fast to build and to unpack; xz would save a little at a high CPU cost.
dpkg-deb --root-owner-group -Zgzip --build "$root" "$deb" > /dev/null
echo "$deb"
