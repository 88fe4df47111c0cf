// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * arm64 kernel page tables with the 4 KiB granule (Linux 6.1,
 * arch/arm64/include/asm/pgtable-hwdef.h): 4 KiB tables of 512 entries,
 * 3 levels for 39-bit and 4 for 48-bit virtual addresses.  Bits [1:0] of a
 * descriptor: 0b11 a table (or, at the last level, a page), 0b01 a block,
 * which with this granule exists only at the PMD (2 MiB) and the PUD
 * (1 GiB) level; bit 0 clear is invalid.  16 KiB and 64 KiB granules, and
 * 52-bit addresses (LPA2, 6.9+ with 4 KiB), are not handled: such dumps get
 * no architecture and no page-table walk of the core's own.
 */
#include <stdio.h>

#include "arch.h"
#include "vmcoreinfo.h"

/* pgtable-hwdef.h: PTE_VALID, PMD_TYPE_MASK, PMD_TYPE_SECT. */
#define ARM64_PTE_VALID (1ULL << 0)
#define ARM64_TYPE_MASK 3ULL
#define ARM64_TYPE_BLOCK 1ULL
/* pgtable-hwdef.h: PTE_RDONLY is AP[2]; PTE_DBM, which pgtable-prot.h
 * reuses as PTE_WRITE ("same as DBM (51)"). */
#define ARM64_PTE_RDONLY (1ULL << 7)
#define ARM64_PTE_DBM (1ULL << 51)
/*
 * PTE_ADDR_LOW, ((1 << (48 - PAGE_SHIFT)) - 1) << PAGE_SHIFT: bits [47:12]
 * (PTE_ADDR_HIGH, PA bits 51:48 in bits 15:12, exists only with 64 KiB
 * pages and CONFIG_ARM64_PA_BITS_52).
 */
#define ARM64_PTE_ADDR_MASK 0x0000fffffffff000ULL

/*
 * arch_crash_save_vmcoreinfo() (arch/arm64/kernel/crash_core.c, 4.12+,
 * f80fb3a3d508 "arm64: kdump: add VMCOREINFO's for user-space tools")
 * exports NUMBER(VA_BITS), NUMBER(kimage_voffset) and NUMBER(PHYS_OFFSET);
 * no other architecture exports kimage_voffset.  Only the 4 KiB granule
 * is handled (PAGESIZE, from the generic crash_save_vmcoreinfo_init()).
 */
static bool arm64_detect(struct ms_target *t)
{
	int64_t v;

	return ms_vmci_number(t, "NUMBER(kimage_voffset)", &v) == 0 &&
	       ms_vmci_number(t, "PAGESIZE", &v) == 0 && v == 4096;
}

/*
 * The kernel's half of the address space, TTBR1, is 64 - TCR_EL1.T1SZ bits
 * wide: vabits_actual, which is VA_BITS except for 52-bit kernels on
 * hardware without LVA.  NUMBER(TCR_EL1_T1SZ) since 5.12 (bbdbc11804ff
 * "arm64/crash_core: Export TCR_EL1.T1SZ in vmcoreinfo"; lower case in
 * the first version of that patch); NUMBER(VA_BITS) otherwise.  The level
 * count is ARM64_HW_PGTABLE_LEVELS(va_bits), (va_bits - 4) / (PAGE_SHIFT - 3)
 * (pgtable-hwdef.h).
 */
static int arm64_va_bits(struct ms_target *t, int64_t *va_bits)
{
	int64_t t1sz;

	if (ms_vmci_number(t, "NUMBER(TCR_EL1_T1SZ)", &t1sz) == 0 ||
	    ms_vmci_number(t, "NUMBER(tcr_el1_t1sz)", &t1sz) == 0) {
		*va_bits = 64 - t1sz;
		return 0;
	}
	return ms_vmci_number(t, "NUMBER(VA_BITS)", va_bits);
}

/*
 * The root is swapper_pg_dir, a kernel image symbol: its physical address
 * is __pa_symbol(), __kimg_to_phys(x) = x - kimage_voffset
 * (arch/arm64/include/asm/memory.h).  SYMBOL(swapper_pg_dir) is exported by
 * the generic crash_save_vmcoreinfo_init() on arm64 and holds the address
 * KASLR gave it.  RAM starts at PHYS_OFFSET (memstart_addr): a root below
 * it is no page of the kernel image.
 */
static int arm64_pgt_setup(struct ms_target *t, struct ms_pgt *pgt, char *err,
			   size_t errlen)
{
	uint64_t sym;
	int64_t voff, phys_offset, va_bits;
	uint64_t root;

	if (ms_vmci_hex(t, "SYMBOL(swapper_pg_dir)", &sym) ||
	    ms_vmci_number(t, "NUMBER(kimage_voffset)", &voff) ||
	    arm64_va_bits(t, &va_bits))
		return MS_ABSENT;
	if (va_bits < 25 || va_bits > 48) {
		snprintf(err, errlen,
			 "%lld-bit kernel virtual addresses: not a 4 KiB-granule layout of 3 or 4 levels",
			 (long long)va_bits);
		return MS_ERROR;
	}
	root = sym - (uint64_t)voff;
	if (sym & 4095 || root & ~ARM64_PTE_ADDR_MASK ||
	    (ms_vmci_number(t, "NUMBER(PHYS_OFFSET)", &phys_offset) == 0 &&
	     root < (uint64_t)phys_offset)) {
		snprintf(err, errlen,
			 "swapper_pg_dir 0x%llx with kimage_voffset 0x%llx is not a page of the kernel image",
			 (unsigned long long)sym, (unsigned long long)voff);
		return MS_ERROR;
	}
	pgt->root = root;
	pgt->levels = (int)((va_bits - 4) / 9);
	return 0;
}

static bool arm64_present(uint64_t entry)
{
	return entry & ARM64_PTE_VALID;
}

/*
 * A block at the PMD or PUD level: bits [1:0] 0b01 (PMD_TYPE_SECT,
 * PUD_TYPE_SECT).  In the top level of 4 levels 0b01 is reserved; the
 * walk's max_leaf_level check reports it.
 */
static bool arm64_leaf(uint64_t entry, int level)
{
	return level == 1 || (entry & ARM64_TYPE_MASK) == ARM64_TYPE_BLOCK;
}

/*
 * Writable when AP[2] (PTE_RDONLY) is clear, or when the entry is
 * writable-clean with hardware dirty-bit management: PTE_DBM, the kernel's
 * PTE_WRITE (pte_write() in arch/arm64/include/asm/pgtable.h).  The kernel
 * maps read-only with PTE_RDONLY and without PTE_WRITE (PAGE_KERNEL_RO,
 * pgtable-prot.h), e.g. the vmemmap pages HVO remaps.
 */
static bool arm64_writable(uint64_t entry)
{
	return !(entry & ARM64_PTE_RDONLY) || (entry & ARM64_PTE_DBM);
}

static uint64_t arm64_frame(uint64_t entry)
{
	return entry & ARM64_PTE_ADDR_MASK;
}

/*
 * MAX_PHYSMEM_BITS when VMCOREINFO lacks it (it exports it since 5.9,
 * 1d50e5d0c505 "crash_core, vmcoreinfo: Append 'MAX_PHYSMEM_BITS' to
 * vmcoreinfo"): CONFIG_ARM64_PA_BITS (arch/arm64/include/asm/sparsemem.h),
 * 48 with the 4 KiB granule (52 needs 64 KiB pages before 6.9).
 */
static unsigned arm64_max_physmem_bits(struct ms_target *t)
{
	(void)t;
	return 48;
}

const struct ms_arch ms_arch_arm64 = {
	.name = "arm64",
	.detect = arm64_detect,
	.page_shift = 12,
	.index_bits = 9,
	.max_leaf_level = 3,
	/*
	 * map_kernel() (arch/arm64/mm/mmu.c) maps the image's rodata, which
	 * holds swapper_pg_dir, with pages (NO_CONT_MAPPINGS, and no blocks
	 * with rodata=full, Debian's default): the walk for swapper_pg_dir's
	 * own address ends in a PTE pointing at the root.
	 */
	.ptes_map_tables = true,
	.pgt_setup = arm64_pgt_setup,
	.present = arm64_present,
	.leaf = arm64_leaf,
	.writable = arm64_writable,
	.frame = arm64_frame,
	.max_physmem_bits = arm64_max_physmem_bits,
	/*
	 * None: arm64 has no memory_block_size_bytes() of its own, the
	 * generic one returns MIN_MEMORY_BLOCK_SIZE, 1 << SECTION_SIZE_BITS
	 * (drivers/base/memory.c).
	 */
	.block_size_symbol = NULL,
};
