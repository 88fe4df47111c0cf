# The sid chroot's toolchain: print it, and refuse to call a run "newest" when
# sid's packages are older than the versions issue 8 targets.  Sourced by
# in-chroot.sh.
NEWEST_CRASH_MIN=9.0.2
NEWEST_DRGN_MIN=0.3.0
NEWEST_LIBKDUMPFILE_MIN=0.5.6

newest_version_ge() {	# A >= B, dpkg ordering
	dpkg --compare-versions "$1" ge "$2"
}

newest_require_versions() {
	local crash drgn kdf dw cc
	crash=$(crash --version | awk '/^crash /{ print $2; exit }')
	drgn=$(python3 -c 'import drgn; print(drgn.__version__)')
	kdf=$(pkg-config --modversion libkdumpfile)
	dw=$(pkg-config --modversion libdw)
	cc=$(gcc -dumpfullversion)
	echo "newest: crash $crash, drgn $drgn, libkdumpfile $kdf, libdw $dw, gcc $cc, $(python3 --version)"
	newest_version_ge "$crash" "$NEWEST_CRASH_MIN" || { echo "newest: crash $crash < $NEWEST_CRASH_MIN" >&2; return 1; }
	newest_version_ge "$drgn" "$NEWEST_DRGN_MIN" || { echo "newest: drgn $drgn < $NEWEST_DRGN_MIN" >&2; return 1; }
	newest_version_ge "$kdf" "$NEWEST_LIBKDUMPFILE_MIN" || { echo "newest: libkdumpfile $kdf < $NEWEST_LIBKDUMPFILE_MIN" >&2; return 1; }
}
