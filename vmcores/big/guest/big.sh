# big: a large guest with state at scale (vmcores/README.md, "Big machines").
# The parameters come from the kernel command line:
#   memsect.big_offline=N   offline N boot-memory blocks (tried from the
#                           middle of memory up; a block the kernel refuses
#                           is skipped)
#   memsect.big_huge2m=N    reserve N 2 MiB hugetlb pages now (the 1 GiB ones
#                           are reserved at boot: hugepagesz=1G hugepages=K)
#   memsect.big_balloon=1   ask the host to inflate virtio-balloon
# Then one /proc/kpageflags pass (report) and the dump.  Each step's guest
# time is a "tstep" record.
arg() { sed -n "s/.*memsect\.$1=\([^ ]*\).*/\1/p" /proc/cmdline; }
now() { cut -d' ' -f1 /proc/uptime; }
tstep() { gt tstep "$1" "$(awk -v a="$2" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }')"; }

t=$(now)
want=$(arg big_offline)
all=$(blocks)
n=$(echo $all | wc -w)
done=0
for b in $(echo $all | tr ' ' '\n' | tail -n $(( n / 2 ))); do
	[ "$done" -lt "${want:-0}" ] || break
	block_is "$b" online || continue
	if echo offline >"/sys/devices/system/memory/memory$b/state" 2>/dev/null; then
		gt offlined "$b"
		done=$((done + 1))
	else
		gt offline_refused "$b"
	fi
done
[ "$done" -eq "${want:-0}" ] || fail "offlined only $done of $want blocks"
tstep offline "$t"

t=$(now)
h1g=/sys/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages
want1g=$(sed -n 's/.*hugepagesz=1G hugepages=\([0-9]*\).*/\1/p' /proc/cmdline)
[ "$(cat $h1g)" = "$want1g" ] || fail "boot-time 1 GiB hugetlb pages: $(cat $h1g), wanted $want1g"
want=$(arg big_huge2m)
echo "$want" >/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
got=$(cat /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages)
[ "$got" = "$want" ] || fail "reserved $got of $want 2 MiB hugetlb pages"
tstep hugetlb "$t"

if [ "$(arg big_balloon)" = 1 ]; then
	t=$(now)
	ask balloon-big
	tstep balloon "$t"
fi

t=$(now)
report
tstep report "$t"
ask dump
