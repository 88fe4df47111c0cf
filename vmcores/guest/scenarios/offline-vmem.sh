# offline-vmem: offline two memory blocks a virtio-mem device added.  arm64
# refuses to offline boot memory ("Boot memory ... offlining attempted",
# arch/arm64/mm/mmu.c) and Debian's arm64 kernel has no ACPI memory
# hot-plug (a DIMM), so hot-plugged memory means virtio-mem here.  Its
# blocks lie above RAM, onlined movable (memhp_default_state=online_movable);
# the highest two are offlined.
ask vmem-plugged
for b in $(blocks | tail -n 4); do
	wait_for 30 "block $b online" block_is "$b" online
done
for b in $(blocks | tail -n 2); do
	echo offline >"/sys/devices/system/memory/memory$b/state" || fail "offlining block $b"
done
report
ask dump
