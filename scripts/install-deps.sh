#!/bin/bash
# Install what memsect needs on a Debian 12 (bookworm) host.  Idempotent: does
# nothing when every package is already there.  Newer suites (trixie, sid) are
# never installed on the host; vmcores/lib/papt.sh downloads from them into the
# cache instead.
set -euo pipefail

pkgs=(
	# building memsect, the CLI and the crash extension
	gcc make pkg-config libkdumpfile-dev libdw-dev libelf-dev elfutils crash
	# the man pages (doc/*.scd), and man to read them
	scdoc man-db
	# the CLI without a vmlinux: the dump's BTF, parsed by libbpf
	libbpf-dev
	# the vmlinux found by build id on debuginfod servers (libdebuginfod);
	# the server itself for the tests
	libdebuginfod-dev debuginfod
	# memsect batch over many machines: the GNU parallel recipe and its test
	# (an sshd on 127.0.0.1)
	parallel openssh-server
	# the fuzz target (tests/fuzz): libFuzzer and the sanitizers
	clang
	# drgn helpers (python3-dev: their binding of libmemsect, src/python) and the tests
	python3-drgn python3-dev python3-libkdumpfile python3-pytest python3-pytest-xdist
	# pip install of the Python package (pyproject.toml) and its test
	python3-pip python3-setuptools
	# making the test dumps
	qemu-system-x86 busybox-static makedumpfile gdb cpio xz-utils
	linux-source-6.1 linux-source-6.12
	flex bison bc libssl-dev dwarves debootstrap
)

# `install-deps.sh arm64`: also what the arm64 dumps need (make check-arm64).
# The host's own packages only: the arm64 kernel, busybox and makedumpfile
# are downloaded (apt-get download, which needs the arm64 architecture in
# dpkg's list) and extracted into the cache, never installed.
if [ "${1:-}" = arm64 ]; then
	pkgs+=(qemu-system-arm qemu-user-static gcc-aarch64-linux-gnu)
	if ! dpkg --print-foreign-architectures | grep -qx arm64; then
		[ "$(id -u)" = 0 ] || { echo "install-deps: need root to add the arm64 architecture" >&2; exit 1; }
		dpkg --add-architecture arm64
		apt-get update -qq
	fi
fi

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

[ "$(id -u)" = 0 ] || { echo "install-deps: need root to install: ${missing[*]}" >&2; exit 1; }
echo "install-deps: installing ${missing[*]}" >&2
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
