#!/bin/bash
# Fetch Debian bookworm's stock 6.1 kernel: the image (vmlinuz and the modules
# the scenarios need) and, from the -dbg package, vmlinux only.
#
# Output: $MEMSECT_CACHE/kernels/stock-6.1/{bzImage,vmlinux,modules/,release}.
set -euo pipefail
. "$(dirname "$0")/../lib/cache.sh"

abi=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-6/ { print $2; exit }')
[ -n "$abi" ] || die "cannot resolve linux-image-amd64 (run apt-get update)"
release=${abi#linux-image-}
ver=$(apt-cache policy "$abi" | awk '/Candidate:/ { print $2 }')
out=$MEMSECT_CACHE/kernels/stock-6.1
stamp="$abi $ver $(sha256sum "$0" | cut -c1-16)"
if [ -f "$out/stamp" ] && [ "$(cat "$out/stamp")" = "$stamp" ]; then
	log "stock kernel is cached ($release)"
	exit 0
fi
rm -rf "$out"
mkdir -p "$out" "$MEMSECT_CACHE/debs"
cd "$MEMSECT_CACHE/debs"
log "downloading $abi and $abi-dbg ($ver; the -dbg package is ~850 MB)"
apt-get -qq download "$abi=$ver" "$abi-dbg=$ver" || die "download of $abi failed"
img=$(ls "${abi}_${ver//:/%3a}_amd64.deb")
dbg=$(ls "${abi}-dbg_${ver//:/%3a}_amd64.deb")

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dpkg-deb -x "$img" "$tmp/img"
cp "$tmp/img/boot/vmlinuz-$release" "$out/bzImage"
cp "$tmp/img/boot/config-$release" "$out/config"
# Keep the whole module tree: the guest loads what a scenario needs.
mv "$tmp/img/lib/modules/$release" "$out/modules"
log "extracting vmlinux from $(basename "$dbg")"
dpkg-deb --fsys-tarfile "$dbg" |
	tar -x -C "$tmp" "./usr/lib/debug/boot/vmlinux-$release"
mv "$tmp/usr/lib/debug/boot/vmlinux-$release" "$out/vmlinux"
echo "$release" >"$out/release"
rm -f "$img" "$dbg"
echo "$stamp" >"$out/stamp"
log "stock kernel $release ready"
