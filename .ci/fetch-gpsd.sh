#!/usr/bin/env bash
# Puts a private copy of Debian's gpsd into a directory for the GPSD JSON
# driver's test against a real gpsd (refclock-cli/tests/cli_gpsd.rs),
# without installing anything: the gpsd package and the packages of the
# shared libraries it needs (libusb, libbluetooth, libdbus, libgps) are
# downloaded and unpacked into DIR, and DIR/gpsd runs DIR/usr/sbin/gpsd
# with DIR's libraries first:
#   DIR/gpsd [gpsd options]
# Usage: fetch-gpsd.sh [DIR]   (default: <repository>/target/gpsd)
# Idempotent (does nothing once DIR/gpsd exists), safe to run concurrently
# (flock), quiet unless it fails. Needs apt-get and dpkg-deb.
set -euo pipefail

dir=${1:-"$(git -C "$(dirname "$0")" rev-parse --show-toplevel)/target/gpsd"}
wrapper="$dir/gpsd"
[ -x "$wrapper" ] && exit 0

mkdir -p "$(dirname "$dir")"
exec 9>"$dir.lock"
flock 9
[ -x "$wrapper" ] && exit 0  # another run finished while we waited

work=$(mktemp -d "$dir.tmp.XXXXXX")
log="$work/log"
trap 'rm -rf "$work"' EXIT

fail() {
    echo "fetch-gpsd.sh: $*" >&2
    echo "--- log:" >&2
    cat "$log" >&2
    exit 1
}

updated=
apt_update() {
    [ -n "$updated" ] && return 0
    updated=1
    apt-get update >>"$log" 2>&1
}

download() {
    if ! (cd "$work" && apt-get download "$@") >>"$log" 2>&1; then
        apt_update || fail "apt-get update failed"
        (cd "$work" && apt-get download "$@") >>"$log" 2>&1 || fail "apt-get download $* failed"
    fi
}

download gpsd
deb=$(ls "$work"/gpsd_*.deb)
# The library packages gpsd depends on (libc6 is the system's).
libs=$(dpkg-deb -f "$deb" Depends | tr ',' '\n' | sed -e 's/([^)]*)//g' -e 's/|.*//' \
    | awk '{print $1}' | sed 's/:any$//' | grep '^lib' | grep -v '^libc6$' || true)
# shellcheck disable=SC2086
[ -z "$libs" ] || download $libs
for d in "$work"/*.deb; do
    dpkg-deb -x "$d" "$work/root" >>"$log" 2>&1 || fail "dpkg-deb -x $d failed"
done

arch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo "$(uname -m)-linux-gnu")
cat >"$work/root/gpsd" <<EOF
#!/bin/sh
# gpsd from Debian's package, with the libraries unpacked beside it.
here=\$(dirname "\$0")
LD_LIBRARY_PATH="\$here/usr/lib/$arch:\$here/lib/$arch\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}" \\
    exec "\$here/usr/sbin/gpsd" "\$@"
EOF
chmod +x "$work/root/gpsd"

missing=$(LD_LIBRARY_PATH="$work/root/usr/lib/$arch:$work/root/lib/$arch" \
    ldd "$work/root/usr/sbin/gpsd" 2>&1 | grep 'not found' || true)
[ -z "$missing" ] || fail "gpsd still misses libraries: $missing"
"$work/root/gpsd" -V >>"$log" 2>&1 || fail "gpsd -V does not run"

rm -rf "$dir"
mv "$work/root" "$dir"
