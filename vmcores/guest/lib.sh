# Guest side of the host/guest protocol, sourced by /init and the scenarios.
# Every line the guest writes to the control channel (fd 3, ttyS1) is one of
#   @hello SCENARIO        the guest is up
#   @ask STEP [ARGS]       the host performs STEP and answers "ok [VALUE]"
#   @gt KEY VALUE...       one ground-truth record (see vmcores/driver/groundtruth.py)
#   @fail MESSAGE          the scenario cannot go on
# Ground truth is only ever what the running kernel says (sysfs, procfs,
# debugfs, kernel log); the host turns it into manifest.json.

say() { echo "$*" >&3; }

fail() {
	# the kernel's last words go to the console log the host shows
	dmesg | tail -n 40 >/dev/console
	say "@fail $*"
	sleep 1
	poweroff -f
}

# ask STEP [ARGS]: wait for the host to do STEP; its answer is left in $REPLY.
ask() {
	say "@ask $*"
	read -r answer <&3 || fail "control channel closed during $1"
	case "$answer" in
	ok*) REPLY=${answer#ok}; REPLY=${REPLY# } ;;
	*) fail "host refused $1: $answer" ;;
	esac
}

gt() { say "@gt $*"; }

# prefix KEY: copy stdin to the channel as "@gt KEY <line>" records.
prefix() { sed "s/^/@gt $1 /" >&3; }

# wait_for SECONDS DESCRIPTION COMMAND...: poll COMMAND every 0.5 s.
wait_for() {
	local t=$(( $1 * 2 )) what=$2
	shift 2
	while ! "$@"; do
		t=$((t - 1))
		[ "$t" -gt 0 ] || fail "timed out waiting for $what"
		sleep 0.5
	done
}

blocks() { ls -d /sys/devices/system/memory/memory* | sed 's/.*memory//' | sort -n; }
nblocks() { blocks | wc -l; }
block_state() { cat "/sys/devices/system/memory/memory$1/state"; }
more_blocks_than() { [ "$(nblocks)" -gt "$1" ]; }
block_is() { [ "$(block_state "$1")" = "$2" ]; }

# The memory blocks, as sysfs shows them now.
report_blocks() {
	gt block_size "$(cat /sys/devices/system/memory/block_size_bytes)"
	for b in $(blocks); do
		d=/sys/devices/system/memory/memory$b
		gt block "$b" "$(cat $d/state)" "$(cat $d/phys_index)" \
			"$(cat $d/valid_zones 2>/dev/null | tr ' ' ',')"
	done
}

# report [OWNER_COUNT [PFN...]]: everything the manifest needs, read now.
# page_owner records are sampled only if OWNER_COUNT is given.
report() {
	gt release "$(uname -r)"
	gt version "$(uname -v)"
	gt cmdline "$(cat /proc/cmdline)"
	report_blocks
	/memsect/kpfscan >/tmp/kpf || fail "kpfscan failed"
	prefix kpf </tmp/kpf
	gt hvo_sysctl "$(cat /proc/sys/vm/hugetlb_optimize_vmemmap 2>/dev/null || echo absent)"
	gt allocinfo "$( [ -e /proc/allocinfo ] && echo present || echo absent)"
	gt mem_profiling "$(cat /proc/sys/vm/mem_profiling 2>/dev/null || echo absent)"
	for h in /sys/kernel/mm/hugepages/hugepages-*; do
		gt hugepages "${h##*hugepages-}" "$(cat $h/nr_hugepages)"
	done
	dmesg | grep -E 'HugeTLB|page_ext|page_owner|page_table_check' | prefix dmesg
	if [ -n "$1" ]; then
		[ -r /sys/kernel/debug/page_owner ] || fail "no /sys/kernel/debug/page_owner"
		maxpfn=$(sed -n 's/^maxpfn //p' /tmp/kpf)
		n=$1
		shift
		/memsect/ownersample "$maxpfn" "$n" "$@" | prefix po
	fi
	gt page_owner_file "$( [ -e /sys/kernel/debug/page_owner ] && echo present || echo absent)"
}
