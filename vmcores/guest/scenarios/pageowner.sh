# pageowner: page_owner=on page_table_check=on; a process holds 16 MiB of
# anonymous memory; page_owner records are sampled across memory and at
# eight pfns of that process.
/memsect/memhog 16 8 >/tmp/hog &
wait_for 60 "memhog's pfns" test -s /tmp/hog
sleep 1
prefix hog </tmp/hog
report 24 $(awk '{ print $3 }' /tmp/hog)
ask dump
