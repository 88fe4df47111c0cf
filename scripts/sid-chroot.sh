#!/bin/bash
# The newest toolchain (Debian sid: crash 9.x, drgn 0.3.x, libkdumpfile 0.5.6+)
# in a chroot under the cache, so memsect is built and tested against it
# without installing anything from sid on the host.
#
#   scripts/sid-chroot.sh ensure       create or refresh the chroot if its
#                                      stamp (package list + this script) changed
#   scripts/sid-chroot.sh run CMD...   run CMD as root inside the chroot, with the
#                                      repository, $MEMSECT_CACHE/kernels and
#                                      /usr/src bound read-only at their host paths,
#                                      $MEMSECT_CACHE/dumps and build/sid
#                                      read-write
#   scripts/sid-chroot.sh path         print the chroot's directory
#
# The mirror is the host's own (vmcores/lib/papt.sh host_mirror).  `run`
# mounts inside a private mount namespace (unshare -m), so every mount vanishes
# when CMD exits, whatever its status; the host's mount table is never touched.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$REPO/vmcores/lib/papt.sh"

SID_DIR=$MEMSECT_CACHE/sid-chroot
SID_BUILD=$REPO/build/sid
# What the build and the test suite need; pulled by debootstrap in one go.
SID_PACKAGES=(
	crash python3-drgn libkdumpfile-dev python3-libkdumpfile
	libdw-dev libelf-dev libbpf-dev libdebuginfod-dev debuginfod gcc libc6-dev make
	pkg-config python3-pytest
	python3-pytest-xdist
	# the drgn helpers' binding of libmemsect (src/python) is built for it
	python3-dev
	# debootstrap does not resolve virtual packages: python3-pykdumpfile needs
	# python3-cffi-backend-api-{min,max}, which python3-cffi-backend provides
	python3-cffi-backend
	# the man pages (doc/*.scd) and their test
	scdoc man-db
	# pip install of the Python package (pyproject.toml) and its test
	python3-pip python3-setuptools
)

sid_die() { echo "sid-chroot: $*" >&2; exit 1; }
sid_log() { echo "sid-chroot: $*" >&2; }

# The chroot is rebuilt when the package list or the code that creates it
# changes (not when only the way `run` mounts things does).
sid_stamp() {
	{ printf '%s\n' "${SID_PACKAGES[@]}"; declare -f sid_ensure sid_rm_tree; } |
		sha256sum | cut -d' ' -f1
}

# Refuse to delete a tree that has anything mounted below it: a leftover bind
# mount of the repository would otherwise be deleted with it.
sid_rm_tree() {
	local dir=$1
	[ -e "$dir" ] || return 0
	if awk -v d="$dir/" 'index($5 "/", d) == 1 { found = 1 } END { exit !found }' \
		/proc/self/mountinfo; then
		sid_die "$dir has mounts below it; not deleting it"
	fi
	rm -rf --one-file-system "$dir"
}

sid_ensure() {
	local want have tmp mirror t0
	want=$(sid_stamp)
	have=$(cat "$SID_DIR/.memsect-stamp" 2>/dev/null || true)
	[ "$want" = "$have" ] && return 0
	command -v debootstrap >/dev/null || sid_die "debootstrap is not installed (apt-get install debootstrap)"
	mirror=$(host_mirror)
	tmp=$SID_DIR.new.$$
	sid_rm_tree "$tmp"
	mkdir -p "$MEMSECT_CACHE"
	sid_log "creating the sid chroot from $mirror (a few minutes)"
	t0=$(date +%s)
	local pkgs
	pkgs=$(IFS=,; echo "${SID_PACKAGES[*]}")
	if ! debootstrap --variant=minbase --include="$pkgs" sid "$tmp" "$mirror" \
		>"$MEMSECT_CACHE/sid-chroot.log" 2>&1; then
		tail -n 20 "$MEMSECT_CACHE/sid-chroot.log" >&2
		sid_rm_tree "$tmp"
		sid_die "debootstrap failed (log: $MEMSECT_CACHE/sid-chroot.log)"
	fi
	rm -rf "$tmp/var/cache/apt/archives/"*.deb
	echo "$want" >"$tmp/.memsect-stamp"
	# Swap in the new tree, then drop the old one.
	if [ -e "$SID_DIR" ]; then
		sid_rm_tree "$SID_DIR.old"
		mv "$SID_DIR" "$SID_DIR.old"
	fi
	mv "$tmp" "$SID_DIR"
	sid_rm_tree "$SID_DIR.old"
	sid_log "sid chroot ready in $(($(date +%s) - t0)) s ($(du -sm "$SID_DIR" | cut -f1) MB)"
}

# bind SRC [ro]: bind SRC at the same path inside the chroot.
sid_bind() {
	local src=$1 dst=$SID_DIR$1
	mkdir -p "$dst"
	mount --bind "$src" "$dst"
	[ "${2:-}" = ro ] && mount -o remount,bind,ro "$dst"
	return 0
}

# Runs inside the private mount namespace made by `run`.
sid_inner() {
	mount --make-rprivate /
	# The tmpfs first: a repository or cache under /tmp is bound inside it.
	mount -t tmpfs tmpfs "$SID_DIR/tmp"
	sid_bind "$REPO" ro
	mkdir -p "$SID_BUILD"
	sid_bind "$SID_BUILD"
	# dumps is writable only because crash_run() in
	# tests/integration/vmcores_readers.py writes its crash script next to
	# the dump.
	[ -d "$MEMSECT_CACHE/dumps" ] && sid_bind "$MEMSECT_CACHE/dumps"
	[ -d "$MEMSECT_CACHE/kernels" ] && sid_bind "$MEMSECT_CACHE/kernels" ro
	# the kernel source tarballs tests/integration/test_cli_owner.py reads
	sid_bind /usr/src ro
	mount -t proc proc "$SID_DIR/proc"
	mount --rbind /dev "$SID_DIR/dev"
	exec chroot "$SID_DIR" /usr/bin/env -i \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root LANG=C.UTF-8 TERM="${TERM:-dumb}" \
		MEMSECT_CACHE="$MEMSECT_CACHE" PYTHONDONTWRITEBYTECODE=1 \
		"$@"
}

case "${1:-}" in
ensure)
	sid_ensure ;;
run)
	shift
	[ $# -gt 0 ] || sid_die "run: no command"
	[ -f "$SID_DIR/.memsect-stamp" ] || sid_die "no chroot in $SID_DIR: run '$0 ensure' first"
	exec unshare --mount --propagation private "${BASH_SOURCE[0]}" __inner "$@" ;;
__inner)
	shift
	sid_inner "$@" ;;
path)
	echo "$SID_DIR" ;;
*)
	sid_die "usage: $0 ensure | run CMD... | path" ;;
esac
