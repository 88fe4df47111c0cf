// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * x86_64 kernel page tables, 4- and 5-level (arch/x86/include/asm/
 * pgtable_types.h): 4 KiB tables of 512 entries, a leaf at the PTE or, with
 * _PAGE_PSE, at the PMD (2 MiB) or PUD (1 GiB).  _PAGE_PSE is reserved in
 * the P4D and PGD, so an entry there with it set is no leaf the kernel made.
 */
#include <stdio.h>

#include "arch.h"
#include "vmcoreinfo.h"

#define X86_PAGE_PRESENT (1ULL << 0)
#define X86_PAGE_RW (1ULL << 1)
#define X86_PAGE_PSE (1ULL << 7)
/* Bits 51:12: the frame, without the NX bit and the software bits above. */
#define X86_PTE_PFN_MASK 0x000ffffffffff000ULL
/* __START_KERNEL_map: the kernel image's virtual base (asm/page_64_types.h). */
#define X86_START_KERNEL_MAP 0xffffffff80000000ULL

/*
 * arch_crash_save_vmcoreinfo() (arch/x86/kernel/crash_core_64.c, in older
 * kernels machine_kexec_64.c) exports NUMBER(phys_base) and the top-level table,
 * SYMBOL(init_top_pgt) since 4.13 (65ade2f872b4 "x86/boot/64: Rename
 * init_level4_pgt and early_level4_pgt"), SYMBOL(init_level4_pgt) before,
 * and NUMBER(pgtable_l5_enabled) since 4.17.  No other architecture
 * exports either number.
 */
static bool x86_detect(struct ms_target *t)
{
	int64_t v;

	return ms_vmci_number(t, "NUMBER(phys_base)", &v) == 0 ||
	       ms_vmci_number(t, "NUMBER(pgtable_l5_enabled)", &v) == 0;
}

/*
 * The root is a kernel image symbol: its physical address is
 * __pa_symbol(), x - __START_KERNEL_map + phys_base.  5-level paging when
 * NUMBER(pgtable_l5_enabled) is 1 (4.17+), 4 levels otherwise.
 */
static int x86_pgt_setup(struct ms_target *t, struct ms_pgt *pgt, char *err,
			 size_t errlen)
{
	uint64_t sym;
	int64_t phys_base, l5;

	if ((ms_vmci_hex(t, "SYMBOL(init_top_pgt)", &sym) &&
	     ms_vmci_hex(t, "SYMBOL(init_level4_pgt)", &sym)) ||
	    ms_vmci_number(t, "NUMBER(phys_base)", &phys_base))
		return MS_ABSENT;
	if (sym < X86_START_KERNEL_MAP || sym & 4095 || phys_base & 4095) {
		snprintf(err, errlen,
			 "the top-level page table 0x%llx with phys_base 0x%llx is not a page of the kernel image",
			 (unsigned long long)sym, (unsigned long long)phys_base);
		return MS_ERROR;
	}
	pgt->root = sym - X86_START_KERNEL_MAP + (uint64_t)phys_base;
	pgt->levels = ms_vmci_number(t, "NUMBER(pgtable_l5_enabled)", &l5) == 0 &&
		      l5 == 1 ? 5 : 4;
	return 0;
}

static bool x86_present(uint64_t entry)
{
	return entry & X86_PAGE_PRESENT;
}

static bool x86_leaf(uint64_t entry, int level)
{
	return level == 1 || (entry & X86_PAGE_PSE);
}

static bool x86_writable(uint64_t entry)
{
	return entry & X86_PAGE_RW;
}

static uint64_t x86_frame(uint64_t entry)
{
	return entry & X86_PTE_PFN_MASK;
}

/*
 * MAX_PHYSMEM_BITS when VMCOREINFO lacks it: a run-time value with 5-level
 * paging, pgtable_l5_enabled ? 52 : 46 (arch/x86/include/asm/sparsemem.h).
 */
static unsigned x86_max_physmem_bits(struct ms_target *t)
{
	int64_t l5;

	if (ms_vmci_number(t, "NUMBER(pgtable_l5_enabled)", &l5))
		return 0;
	return l5 ? 52 : 46;
}

const struct ms_arch ms_arch_x86_64 = {
	.name = "x86_64",
	.detect = x86_detect,
	.page_shift = 12,
	.index_bits = 9,
	.max_leaf_level = 3,
	.pgt_setup = x86_pgt_setup,
	.present = x86_present,
	.leaf = x86_leaf,
	.writable = x86_writable,
	.frame = x86_frame,
	.max_physmem_bits = x86_max_physmem_bits,
	/* arch/x86/mm/init_64.c, the probed block size (bytes). */
	.block_size_symbol = "memory_block_size_probed",
};
