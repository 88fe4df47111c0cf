#!/bin/bash
# Build the guest initramfs for one kernel: busybox-static, /init, the
# scenario scripts and the static C helpers; for the stock kernel also the
# virtio and fw_cfg modules it needs (Debian builds them as modules).
# A kernel whose name ends in -arm64 gets an aarch64 userland: busybox-static
# from Debian's arm64 package (downloaded and extracted, not installed) and
# helpers built with aarch64-linux-gnu-gcc.
#
#   build-initramfs.sh KERNEL       prints the path of the cpio.gz
#
# Output: $MEMSECT_CACHE/initramfs/KERNEL.cpio.gz, rebuilt when its inputs change.
set -euo pipefail
. "$(dirname "$0")/../lib/cache.sh"

kernel=${1:?usage: build-initramfs.sh KERNEL}
guest=$VMCORES_DIR/guest
kdir=$MEMSECT_CACHE/kernels/$kernel
out=$MEMSECT_CACHE/initramfs/$kernel.cpio.gz
# Load order matters: busybox insmod does not resolve dependencies.
stock_modules="virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci
virtio_mem virtio_balloon qemu_fw_cfg"

# Debian's arm64 config builds virtio and virtio_ring in, the rest as
# modules; virtio_console is the control channel (hvc0, see guest/init).
stock_modules_arm64="virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci virtio_console
virtio_mem virtio_balloon qemu_fw_cfg"

mods=
busybox=/bin/busybox
cc=gcc
case "$kernel" in
stock-6.1) mods=$stock_modules ;;
stock-6.1-arm64) mods=$stock_modules_arm64 ;;
esac
case "$kernel" in
*-arm64)
	cc=aarch64-linux-gnu-gcc
	command -v $cc >/dev/null || die "$cc missing (apt-get install gcc-aarch64-linux-gnu)"
	busybox=$MEMSECT_CACHE/busybox-arm64/bin/busybox
	if [ ! -x "$busybox" ]; then
		mkdir -p "$MEMSECT_CACHE/debs"
		(cd "$MEMSECT_CACHE/debs" && apt-get -qq download busybox-static:arm64) ||
			die "cannot download busybox-static:arm64 (dpkg --add-architecture arm64; apt-get update)"
		rm -rf "$MEMSECT_CACHE/busybox-arm64"
		dpkg-deb -x "$(ls "$MEMSECT_CACHE"/debs/busybox-static_*_arm64.deb | tail -n1)" \
			"$MEMSECT_CACHE/busybox-arm64"
		rm -f "$MEMSECT_CACHE"/debs/busybox-static_*_arm64.deb
	fi
	;;
esac
stamp=$( { cat "$guest"/init "$guest"/lib.sh "$guest"/scenarios/*.sh "$guest"/helpers/*.c "$0"
	   echo "$mods"; cat "$kdir/stamp" 2>/dev/null; readlink -f "$busybox"; } | sha256sum | cut -c1-16)
if [ -f "$out" ] && [ "$(cat "$out.stamp" 2>/dev/null)" = "$stamp" ]; then
	echo "$out"
	exit 0
fi

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,dev,proc,sys,tmp,memsect/scenarios}
cp "$busybox" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
install -m 755 "$guest/init" "$root/init"
cp "$guest/lib.sh" "$root/memsect/"
cp "$guest"/scenarios/*.sh "$root/memsect/scenarios/"
for c in "$guest"/helpers/*.c; do
	$cc -static -O2 -Wall -Werror -o "$root/memsect/$(basename "$c" .c)" "$c" ||
		die "cannot build guest helper $c"
done
if [ -n "$mods" ]; then
	mkdir -p "$root/modules"
	for m in $mods; do
		ko=$(find "$kdir/modules/kernel" -name "$m.ko" | head -n1)
		[ -n "$ko" ] || die "module $m.ko not found under $kdir/modules"
		cp "$ko" "$root/modules/"
		echo "$m" >>"$root/modules/order"
	done
fi
mkdir -p "$(dirname "$out")"
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0 | gzip -6) >"$out.new"
mv "$out.new" "$out"
echo "$stamp" >"$out.stamp"
log "initramfs for $kernel: $(du -h "$out" | cut -f1)"
echo "$out"
