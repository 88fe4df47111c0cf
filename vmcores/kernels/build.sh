#!/bin/bash
# Build one fixture kernel from Debian's kernel sources into the cache.
#
#   build.sh NAME      NAME is one of: 6.1 6.12 7.3 7.3-skippable
#
# Output: $MEMSECT_CACHE/kernels/NAME/{bzImage,vmlinux,config,release}.
# The build is skipped when the stamp (source package version, fragments,
# patches, this script) is unchanged.
set -euo pipefail
. "$(dirname "$0")/../lib/papt.sh"

name=${1:?usage: build.sh NAME}
here=$(cd "$(dirname "$0")" && pwd)
frags=("$here/common.config")
patches=()
case "$name" in
6.1)	srcpkg=linux-source-6.1;  frags+=("$here/x86-5level.config") ;;
6.12)	srcpkg=linux-source-6.12; frags+=("$here/x86-5level.config" "$here/alloc-tag.config") ;;
7.3)	srcpkg=linux-source-7.3;  frags+=("$here/alloc-tag.config") ;;
7.3-skippable)
	srcpkg=linux-source-7.3;  frags+=("$here/alloc-tag.config")
	patches=("$here"/patches/offline-skippable/*.patch) ;;
*)	die "unknown kernel '$name'" ;;
esac

out=$MEMSECT_CACHE/kernels/$name
mkdir -p "$out"

# Where the source tarball comes from: the host package for bookworm's
# kernels, the private apt configuration for newer suites.
if [ "$srcpkg" = linux-source-7.3 ]; then
	srcver=$(papt_version "$srcpkg")
else
	srcver=$(dpkg-query -W -f='${Version}' "$srcpkg" 2>/dev/null) ||
		die "$srcpkg is not installed (run scripts/install-deps.sh)"
fi
stamp=$( { echo "$srcpkg $srcver"; cat "${frags[@]}" "${patches[@]}" "$0"; } | sha256sum | cut -c1-16)
if [ -f "$out/stamp" ] && [ "$(cat "$out/stamp")" = "$stamp" ] &&
   [ -f "$out/bzImage" ] && [ -f "$out/vmlinux" ]; then
	log "kernel $name is cached ($(cat "$out/release"))"
	exit 0
fi

work=$MEMSECT_CACHE/build/$name
rm -rf "$work"
mkdir -p "$work"
if [ "$srcpkg" = linux-source-7.3 ]; then
	deb=$(papt_download "$srcpkg" "$MEMSECT_CACHE/debs")
	log "extracting $deb"
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$work" --wildcards './usr/src/linux-source-*.tar.xz'
	tarball=$(ls "$work"/usr/src/linux-source-*.tar.xz)
else
	tarball=/usr/src/$srcpkg.tar.xz
fi
log "unpacking $tarball"
tar -xf "$tarball" -C "$work"
src=$(ls -d "$work"/linux-source-*/)
for p in "${patches[@]}"; do
	log "applying $(basename "$p")"
	patch -d "$src" -p1 --quiet <"$p"
done

cd "$src"
export KBUILD_BUILD_USER=memsect KBUILD_BUILD_HOST=fixture
make -s ARCH=x86_64 tinyconfig >/dev/null
scripts/kconfig/merge_config.sh -m .config "${frags[@]}" >/dev/null
./scripts/config --set-str LOCALVERSION "-memsect${name#"${name%%-*}"}" -d LOCALVERSION_AUTO
make -s ARCH=x86_64 olddefconfig >/dev/null

# Every wanted option must have survived olddefconfig.
missing=0
while IFS= read -r line; do
	case "$line" in
	CONFIG_*=*) grep -qxF "$line" .config || { echo "missing: $line" >&2; missing=1; } ;;
	"# CONFIG_"*" is not set")
		opt=${line#\# }; opt=${opt%% *}
		! grep -q "^$opt=" .config || { echo "unexpectedly set: $opt" >&2; missing=1; } ;;
	esac
done < <(cat "${frags[@]}")
[ "$missing" = 0 ] || die "kernel $name: olddefconfig dropped wanted options"

log "building kernel $name ($srcpkg $srcver), this takes 10-15 minutes"
start=$(date +%s)
make -s ARCH=x86_64 -j"$(nproc)" bzImage >"$out/build.log" 2>&1 ||
	{ tail -n 30 "$out/build.log" >&2; die "kernel $name failed to build"; }
cp arch/x86/boot/bzImage "$out/bzImage"
cp vmlinux "$out/vmlinux"
cp .config "$out/config"
make -s ARCH=x86_64 kernelrelease >"$out/release"
echo "$stamp" >"$out/stamp"
log "kernel $name built in $(( $(date +%s) - start )) s: $(cat "$out/release")"
cd /
rm -rf "$work"
