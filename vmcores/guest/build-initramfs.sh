#!/bin/bash
# Build the guest initramfs for one kernel: busybox-static, /init, the
# scenario scripts and the static C helpers; for the stock kernel also the
# virtio and fw_cfg modules it needs (Debian builds them as modules).
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

mods=
[ "$kernel" = stock-6.1 ] && mods=$stock_modules
stamp=$( { cat "$guest"/init "$guest"/lib.sh "$guest"/scenarios/*.sh "$guest"/helpers/*.c "$0"
	   echo "$mods"; cat "$kdir/stamp" 2>/dev/null; readlink -f /bin/busybox; } | sha256sum | cut -c1-16)
if [ -f "$out" ] && [ "$(cat "$out.stamp" 2>/dev/null)" = "$stamp" ]; then
	echo "$out"
	exit 0
fi

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,dev,proc,sys,tmp,memsect/scenarios}
cp /bin/busybox "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
install -m 755 "$guest/init" "$root/init"
cp "$guest/lib.sh" "$root/memsect/"
cp "$guest"/scenarios/*.sh "$root/memsect/scenarios/"
for c in "$guest"/helpers/*.c; do
	gcc -static -O2 -Wall -Werror -o "$root/memsect/$(basename "$c" .c)" "$c" ||
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
