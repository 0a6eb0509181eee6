#!/usr/bin/env bash
# Puts a private copy of Debian's chrony (chronyd, chronyc) into a directory
# for the end-to-end tests, without installing the package:
#   DIR/usr/sbin/chronyd, DIR/usr/bin/chronyc
# Usage: fetch-chrony.sh [DIR]   (default: <repository>/target/chrony)
# Idempotent (does nothing once DIR/usr/sbin/chronyd exists), safe to run
# concurrently (flock), quiet unless it fails. Needs apt-get and dpkg-deb;
# installs missing shared libraries of chronyd/chronyc with apt-get (root).
set -euo pipefail

dir=${1:-"$(git -C "$(dirname "$0")" rev-parse --show-toplevel)/target/chrony"}
chronyd="$dir/usr/sbin/chronyd"
[ -x "$chronyd" ] && exit 0

mkdir -p "$(dirname "$dir")"
exec 9>"$dir.lock"
flock 9
[ -x "$chronyd" ] && exit 0  # another run finished while we waited

work=$(mktemp -d "$dir.tmp.XXXXXX")
log="$work/log"
trap 'rm -rf "$work"' EXIT

fail() {
    echo "fetch-chrony.sh: $*" >&2
    echo "--- log:" >&2
    cat "$log" >&2
    exit 1
}

download() {
    (cd "$work" && apt-get download chrony) >>"$log" 2>&1
}

updated=
apt_update() {
    [ -n "$updated" ] && return 0
    updated=1
    apt-get update >>"$log" 2>&1
}

if ! download; then
    apt_update || fail "apt-get update failed"
    download || fail "apt-get download chrony failed"
fi

deb=$(ls "$work"/chrony_*.deb)
dpkg-deb -x "$deb" "$work/root" >>"$log" 2>&1 || fail "dpkg-deb -x $deb failed"

bins=("$work/root/usr/sbin/chronyd" "$work/root/usr/bin/chronyc")
missing_libs() {
    ldd "${bins[@]}" 2>&1 | grep 'not found' || true
}

if [ -n "$(missing_libs)" ]; then
    # Install the library packages chrony depends on (libcap2, libedit2,
    # libgnutls30, libnettle8, libseccomp2, ...): the real dependencies of
    # the binaries, without chrony itself and its service scripts.
    libs=$(dpkg-deb -f "$deb" Depends | tr ',' '\n' | sed -e 's/([^)]*)//g' -e 's/|.*//' \
        | awk '{print $1}' | grep '^lib' | grep -v '^libc6$' | tr '\n' ' ' || true)
    echo "missing libraries: $(missing_libs); installing: $libs" >>"$log"
    [ -n "$libs" ] || fail "chronyd needs libraries no dependency names"
    install() { DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $libs >>"$log" 2>&1; }
    if ! install; then
        apt_update || fail "apt-get update failed"
        install || fail "apt-get install $libs failed"
    fi
    [ -z "$(missing_libs)" ] || fail "still missing libraries: $(missing_libs)"
fi

"$work/root/usr/sbin/chronyd" -v >>"$log" 2>&1 || fail "chronyd -v does not run"
"$work/root/usr/bin/chronyc" -v >>"$log" 2>&1 || fail "chronyc -v does not run"

rm -rf "$dir"
mv "$work/root" "$dir"
