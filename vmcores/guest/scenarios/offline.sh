# offline: hot-plug a DIMM (the kernel onlines it movable:
# memhp_default_state=online_movable), then offline two of its blocks.
before=$(nblocks)
ask plug-dimm
wait_for 60 "the DIMM's memory blocks" more_blocks_than "$before"
new=$(blocks | tail -n $(( $(nblocks) - before )))
for b in $new; do
	wait_for 30 "block $b online" block_is "$b" online
done
for b in $(echo $new | tr ' ' '\n' | head -n 2); do
	echo offline >"/sys/devices/system/memory/memory$b/state" || fail "offlining block $b"
done
report
ask dump
