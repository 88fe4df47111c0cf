# `make check-newest`: build memsect and run the same tests (unit tests, then
# tests/integration on every dump `make vmcores` made on the host) inside a
# Debian sid chroot with the newest crash, drgn and libkdumpfile
# (scripts/sid-chroot.sh; tests/newest/README.md).  Included by the top-level
# Makefile; paths are relative to the top-level directory.
.PHONY: check-newest sid-chroot

sid-chroot:
	scripts/sid-chroot.sh ensure

check-newest: vmcores sid-chroot
	scripts/sid-chroot.sh run $(CURDIR)/tests/newest/in-chroot.sh
