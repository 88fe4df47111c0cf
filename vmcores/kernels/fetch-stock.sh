#!/bin/bash
# Fetch Debian bookworm's stock 6.1 kernel: the image (vmlinuz and the modules
# the scenarios need) and, from the -dbg package, vmlinux only.
#
#   fetch-stock.sh [amd64|arm64]      (default amd64)
#
# Output: $MEMSECT_CACHE/kernels/stock-6.1/{bzImage,vmlinux,config,modules/,release}
# for amd64, $MEMSECT_CACHE/kernels/stock-6.1-arm64/{Image,...} for arm64.
# The arm64 packages are downloaded (dpkg --add-architecture arm64 and apt-get
# update first), never installed: only their files are extracted.
set -euo pipefail
. "$(dirname "$0")/../lib/cache.sh"

arch=${1:-amd64}
case "$arch" in
amd64) name=stock-6.1 image=bzImage unsigned= ;;
arm64) name=stock-6.1-arm64 image=Image unsigned=-unsigned ;;
*) die "usage: fetch-stock.sh [amd64|arm64]" ;;
esac
abi=$(apt-cache depends "linux-image-$arch:$arch" |
	awk '/Depends: linux-image-6/ { sub(/:.*/, "", $2); print $2; exit }')
[ -n "$abi" ] || die "cannot resolve linux-image-$arch:$arch (run apt-get update; for arm64 dpkg --add-architecture arm64 first)"
release=${abi#linux-image-}
ver=$(apt-cache policy "$abi$unsigned:$arch" | awk '/Candidate:/ { print $2 }')
out=$MEMSECT_CACHE/kernels/$name
stamp="$abi $ver $(sha256sum "$0" | cut -c1-16)"
if [ -f "$out/stamp" ] && [ "$(cat "$out/stamp")" = "$stamp" ]; then
	log "stock kernel is cached ($release)"
	exit 0
fi
rm -rf "$out"
mkdir -p "$out" "$MEMSECT_CACHE/debs"
cd "$MEMSECT_CACHE/debs"
log "downloading $abi$unsigned and $abi-dbg ($ver, $arch; the -dbg package is ~800 MB)"
apt-get -qq download "$abi$unsigned:$arch=$ver" "$abi-dbg:$arch=$ver" ||
	die "download of $abi failed"
img=$(ls "${abi}${unsigned}_${ver//:/%3a}_$arch.deb")
dbg=$(ls "${abi}-dbg_${ver//:/%3a}_$arch.deb")

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dpkg-deb -x "$img" "$tmp/img"
cp "$tmp/img/boot/vmlinuz-$release" "$out/$image"
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
log "stock kernel $release ($arch) ready"
