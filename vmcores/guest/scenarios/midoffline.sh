# midoffline: hot-plug a DIMM, then offline one of its blocks while the host
# holds the vCPU at a breakpoint between __invalidate_page_ext() and
# __free_page_ext() in offline_page_ext(), and dumps there.  Nothing runs in
# the guest after the breakpoint: the report comes before it.
before=$(nblocks)
ask plug-dimm
wait_for 60 "the DIMM's memory blocks" more_blocks_than "$before"
new=$(blocks | tail -n $(( $(nblocks) - before )))
for b in $new; do
	wait_for 30 "block $b online" block_is "$b" online
done
victim=$(echo $new | tr ' ' '\n' | tail -n 1)
report
ask midoffline-arm "$victim"
echo offline >"/sys/devices/system/memory/memory$victim/state"
fail "offlining block $victim returned: the breakpoint was not hit"
