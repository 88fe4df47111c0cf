#!/bin/bash
# Debian's arm64 makedumpfile 1.7.2 and the libraries it loads, extracted
# (never installed) into $MEMSECT_CACHE/sysroot-arm64, to run under
# qemu-aarch64-static (host package qemu-user-static): makedumpfile
# translates addresses of its build's target architecture only, so the
# host's amd64 build cannot filter an aarch64 dump.
#
#   makedumpfile-arm64.sh        prints the sysroot's path
set -euo pipefail
. "$(dirname "$0")/cache.sh"

pkgs="makedumpfile libc6 libdw1 libelf1 liblzo2-2 zlib1g liblzma5 libbz2-1.0 libzstd1"
root=$MEMSECT_CACHE/sysroot-arm64
command -v qemu-aarch64-static >/dev/null ||
	die "qemu-aarch64-static missing (apt-get install qemu-user-static)"
vers=$(for p in $pkgs; do apt-cache policy "$p:arm64" | awk '/Candidate:/ { print $2 }'; done)
stamp=$(echo "$pkgs $vers" | sha256sum | cut -c1-16)
if [ -x "$root/usr/bin/makedumpfile" ] && [ "$(cat "$root/stamp" 2>/dev/null)" = "$stamp" ]; then
	echo "$root"
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && apt-get -qq download $(for p in $pkgs; do echo "$p:arm64"; done)) ||
	die "cannot download the arm64 makedumpfile packages (dpkg --add-architecture arm64; apt-get update)"
rm -rf "$root"
for d in "$tmp"/*.deb; do
	dpkg-deb -x "$d" "$root"
done
echo "$stamp" >"$root/stamp"
log "arm64 makedumpfile in $root"
echo "$root"
