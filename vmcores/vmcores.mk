# vmcores: real dumps of real kernels with ground-truth manifests
# (vmcores/README.md).  Included by the top-level Makefile; paths are relative
# to the top-level directory.  Heavy artifacts live in $(MEMSECT_CACHE).
VMCORES_PYTHON ?= /usr/bin/python3
# Custom kernels, built one after the other (each build uses every core).
VMCORES_BUILT_KERNELS := 6.12 6.1 7.3 7.3-skippable

.PHONY: vmcores vmcores-kernels vmcores-arm64 vmcores-big demo-dump

# Each kernel build is a top-level make of its own: without this make's
# MAKELEVEL/MAKEFLAGS, its `make -s kernelrelease` prints only the release.
VMCORES_BUILD_KERNEL := env -u MAKELEVEL -u MAKEFLAGS -u MFLAGS vmcores/kernels/build.sh

vmcores-kernels:
	vmcores/kernels/fetch-stock.sh
	set -e; for k in $(VMCORES_BUILT_KERNELS); do $(VMCORES_BUILD_KERNEL) $$k; done

vmcores: vmcores-kernels
	$(VMCORES_PYTHON) vmcores/driver/make_dump.py --all

# arm64 dumps of Debian's stock arm64 kernel under qemu-system-aarch64 (TCG),
# not part of `make vmcores` (vmcores/README.md, "arm64").
vmcores-arm64:
	vmcores/kernels/fetch-stock.sh arm64
	$(VMCORES_PYTHON) vmcores/driver/make_dump.py --all-arm64

# Large-memory guests (vmcores/README.md, "Big machines"): 64 and 256 GiB,
# kdump and d31 only, in $(MEMSECT_CACHE)/dumps-big.  Not part of `vmcores`:
# about 45 min from nothing on the 2-core machine.  Needs the 6.12 and stock
# kernels only.
VMCORES_BIG := 6.12:64 stock-6.1:64 6.12:256 stock-6.1:256
vmcores-big:
	vmcores/kernels/fetch-stock.sh
	$(VMCORES_BUILD_KERNEL) 6.12
	set -e; for d in $(VMCORES_BIG); do \
		$(VMCORES_PYTHON) vmcores/big/make_big.py $${d%%:*} $${d##*:}; done

# One quick dump for the demo (about 15 s once the 6.12 kernel is built): a
# memory block caught mid-offline, PAGE_EXT_INVALID set in its page_ext.
DEMO_DUMP := $(MEMSECT_CACHE)/dumps/6.12/midoffline
demo-dump:
	$(VMCORES_BUILD_KERNEL) 6.12
	$(VMCORES_PYTHON) vmcores/driver/make_dump.py 6.12 midoffline
	@echo $(DEMO_DUMP)
