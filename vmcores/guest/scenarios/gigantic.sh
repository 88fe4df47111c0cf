# gigantic: page_owner=on, one 1 GiB hugetlb page reserved at run time
# (alloc_contig_pages with the full order on 6.11+), dumped right away: the
# only page_owner record read is the folio's head.
echo 1 >/sys/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages
test "$(cat /sys/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages)" = 1 ||
	fail "could not allocate a 1 GiB hugetlb page at run time"
/memsect/kpfscan >/tmp/kpf0 || fail "kpfscan failed"
head=$(awk '$1 == "huge" && $3 == 18 { print $2; exit }' /tmp/kpf0)
[ -n "$head" ] || fail "no order-18 hugetlb folio in /proc/kpageflags"
gt gigantic "$head"
report 0 "$head"
ask dump
