# hvo: hugetlb_free_vmemmap=on, one 1 GiB page reserved at boot
# (hugepagesz=1G hugepages=1), four 2 MiB pages reserved now.
echo 4 >/proc/sys/vm/nr_hugepages
test "$(cat /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages)" = 4 ||
	fail "could not reserve four 2 MiB hugetlb pages"
test "$(cat /sys/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages)" = 1 ||
	fail "the boot-time 1 GiB hugetlb page is missing"
report
ask dump
