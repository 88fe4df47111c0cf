// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Resolve one dump's layout once.  Every compatibility branch is chosen by
 * probing what VMCOREINFO, the types, the enumerators and the symbols say,
 * never by comparing version numbers; each names the kernel change it is for.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "arch.h"
#include "memsect/layout.h"
#include "probe.h"
#include "vmcoreinfo.h"

#define MAX_SECTION_ROOTS (1ULL << 22)

/*
 * A VMCOREINFO number and the debug info must agree where both have it: a
 * vmlinux of another build (even one whose build-id note was forged) gives
 * other sizes and offsets.  Returns 0 when they agree or only one has it.
 */
static int agree(struct ms_probe *p, const char *vmci_key, uint64_t vmci,
		 uint64_t debug)
{
	if (vmci == debug)
		return 0;
	ms_probe_fail(p, "the debug info is not this dump's kernel: VMCOREINFO %s=%llu, the debug info says %llu",
	     vmci_key, (unsigned long long)vmci, (unsigned long long)debug);
	return MS_ERROR;
}

/* A VMCOREINFO number, else the debug info's; both checked when both exist. */
static int size_of(struct ms_probe *p, const char *vmci_key, const char *type,
		   size_t *size)
{
	int64_t v;
	size_t dbg;
	int have_vmci = ms_vmci_number(p->t, vmci_key, &v) == 0 && v > 0;
	int have_dbg = ms_probe_try_size(p, type, &dbg) == 0;

	if (have_vmci && have_dbg && agree(p, vmci_key, (uint64_t)v, dbg))
		return MS_ERROR;
	if (have_vmci) {
		*size = (size_t)v;
		return 0;
	}
	if (have_dbg) {
		*size = dbg;
		return 0;
	}
	ms_probe_fail(p, "size of struct %s is neither in VMCOREINFO nor in the debug info",
	     type);
	return MS_ERROR;
}

static int offset_of(struct ms_probe *p, const char *vmci_key, const char *type,
		     const char *name, size_t *off)
{
	int64_t v;
	size_t dbg;
	int have_vmci = vmci_key && ms_vmci_number(p->t, vmci_key, &v) == 0 &&
			v >= 0;
	int have_dbg = ms_probe_member(p, type, name, &dbg, NULL) == 0;

	if (have_vmci && have_dbg && agree(p, vmci_key, (uint64_t)v, dbg))
		return MS_ERROR;
	if (have_vmci) {
		*off = (size_t)v;
		return 0;
	}
	if (have_dbg) {
		*off = dbg;
		return 0;
	}
	ms_probe_fail(p, "offset of %s.%s is neither in VMCOREINFO nor in the debug info",
	     type, name);
	return MS_ERROR;
}

/*
 * VMCOREINFO SYMBOL(name) is the run-time address of name
 * (kernel/crash_core.c VMCOREINFO_SYMBOL); the debug info's symbol, relocated
 * by the front end, must equal it.  Symbols of the kernel image every
 * VMCOREINFO since 4.x carries; mem_section is left out (under
 * SPARSEMEM_EXTREME its SYMBOL() is the pointer's value).
 */
static void check_symbols(struct ms_probe *p)
{
	static const char *const names[] = {
		"init_uts_ns", "_stext", "swapper_pg_dir", "node_online_map",
	};
	char key[64];
	uint64_t vmci, dbg;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]) && !p->failed; i++) {
		snprintf(key, sizeof(key), "SYMBOL(%s)", names[i]);
		if (ms_vmci_hex(p->t, key, &vmci) == 0 &&
		    ms_probe_try_symbol(p, names[i], &dbg) == 0 &&
		    vmci != dbg)
			ms_probe_fail(p, "the debug info is not this dump's kernel: VMCOREINFO %s=%llx, the debug info's symbol is at %llx",
			     key, (unsigned long long)vmci,
			     (unsigned long long)dbg);
	}
}

static void resolve_identity(struct ms_probe *p, struct ms_layout *L)
{
	const char *s = ms_vmci_str(p->t, "OSRELEASE");

	snprintf(L->osrelease, sizeof(L->osrelease), "%s", s ? s : "");
	s = ms_vmci_str(p->t, "BUILD-ID");
	snprintf(L->build_id, sizeof(L->build_id), "%s", s ? s : "");
}

static void resolve_geometry(struct ms_probe *p, struct ms_layout *L)
{
	const struct ms_arch *arch = ms_arch_detect(p->t);
	int64_t v;
	uint64_t roots;

	L->page_size = 4096;
	if (ms_vmci_number(p->t, "PAGESIZE", &v) == 0)
		L->page_size = (uint64_t)v;
	if (L->page_size < 4096 || L->page_size > 65536 ||
	    (L->page_size & (L->page_size - 1))) {
		ms_probe_fail(p, "implausible VMCOREINFO PAGESIZE %llu",
		     (unsigned long long)L->page_size);
		return;
	}
	for (L->page_shift = 0; (1ULL << L->page_shift) < L->page_size;)
		L->page_shift++;
	L->max_folio_order = 2 * (L->page_shift - 3);

	/*
	 * NUMBER(SECTION_SIZE_BITS): 5.13, backported to 5.10.y.  Kernels use
	 * 24 (powerpc) to 29 (arm64 with 64 KiB pages); more than 2^18 pages a
	 * section or 2 GiB sections no kernel has.
	 */
	if (ms_vmci_number(p->t, "NUMBER(SECTION_SIZE_BITS)", &v) == 0 &&
	    v > (int64_t)L->page_shift && v <= 31 &&
	    v - (int64_t)L->page_shift <= 18) {
		L->section_size_bits = (unsigned)v;
	} else {
		ms_probe_fail(p, "VMCOREINFO has no plausible NUMBER(SECTION_SIZE_BITS)");
		return;
	}
	/*
	 * NUMBER(MAX_PHYSMEM_BITS) can be a run-time value (5-level paging);
	 * without it, the architecture's rule (arch.h).
	 */
	if (ms_vmci_number(p->t, "NUMBER(MAX_PHYSMEM_BITS)", &v) == 0 &&
	    v > L->section_size_bits && v <= 64) {
		L->max_physmem_bits = (unsigned)v;
	} else if (arch && arch->max_physmem_bits(p->t) > L->section_size_bits) {
		L->max_physmem_bits = arch->max_physmem_bits(p->t);
	} else {
		ms_probe_fail(p, "VMCOREINFO has no NUMBER(MAX_PHYSMEM_BITS), and no architecture rule gives it");
		return;
	}
	L->pages_per_section = 1ULL << (L->section_size_bits - L->page_shift);
	L->nr_mem_sections = 1ULL << (L->max_physmem_bits - L->section_size_bits);

	/*
	 * SYMBOL(mem_section) is the value of the mem_section pointer (the
	 * root array) under SPARSEMEM_EXTREME (VMCOREINFO_SYMBOL_ARRAY, ~4.15).
	 */
	if (ms_vmci_hex(p->t, "SYMBOL(mem_section)", &roots) != 0) {
		uint64_t sym;

		if (ms_probe_symbol(p, "mem_section", &sym) != 0 ||
		    ms_probe_read(p, sym, 8, &roots) != 0) {
			ms_probe_fail(p, "cannot find the mem_section root array");
			return;
		}
	}
	L->mem_section_roots = roots;
	if (size_of(p, "SIZE(mem_section)", "mem_section", &L->ms_size))
		return;
	if (L->ms_size == 0 || L->ms_size > L->page_size) {
		ms_probe_fail(p, "implausible sizeof(struct mem_section) %zu", L->ms_size);
		return;
	}
	L->sections_per_root = L->page_size / L->ms_size;
	L->nr_section_roots = (L->nr_mem_sections + L->sections_per_root - 1) /
			      L->sections_per_root;
	if (ms_vmci_number(p->t, "LENGTH(mem_section)", &v) == 0 && v > 0 &&
	    (uint64_t)v <= L->nr_section_roots)
		L->nr_section_roots = (uint64_t)v;
	/* 52 physical bits need 262144 roots; refuse what no kernel has. */
	if (L->nr_section_roots > MAX_SECTION_ROOTS)
		ms_probe_fail(p, "implausible number of mem_section roots %llu",
		     (unsigned long long)L->nr_section_roots);
}

/*
 * Section flag bits.  6.0 turned them into the anonymous enum
 * SECTION_*_BIT with SECTION_MAP_LAST_BIT as the count; before, they were
 * #defines, invisible to DWARF (kernel_defines.def).
 */
static void resolve_section_flags(struct ms_probe *p, struct ms_layout *L)
{
	static const struct {
		const char *enumerator;
		int old_bit;
	} flags[MS_SECTION_NFLAGS] = {
#define MS_SECTION_FLAG(name, enumerator, old_bit, json, letter) \
		[MS_SECTION_##name] = { enumerator, old_bit },
#include "memsect/kernel_defines.def"
	};
	int64_t v, last;

	if (ms_probe_enum(p, "SECTION_MAP_LAST_BIT", &last) == 0 && last > 0 &&
	    last < 16) {
		L->section_flags_from_enum = true;
		for (int i = 0; i < MS_SECTION_NFLAGS; i++) {
			L->section_flag_bit[i] = -1;
			if (ms_probe_enum(p, flags[i].enumerator, &v) == 0 &&
			    v >= 0 && v < last)
				L->section_flag_bit[i] = (int)v;
		}
		L->section_map_mask = ~((1ULL << last) - 1);
		return;
	}
	for (int i = 0; i < MS_SECTION_NFLAGS; i++)
		L->section_flag_bit[i] = flags[i].old_bit;
	L->section_map_mask = MS_KD_OLD_SECTION_MAP_MASK;
}

static void resolve_mem_section(struct ms_probe *p, struct ms_layout *L)
{
	int r;

	if (offset_of(p, "OFFSET(mem_section.section_mem_map)", "mem_section",
		      "section_mem_map", &L->ms_mem_map_off))
		return;
	/* mem_section.page_ext exists with CONFIG_PAGE_EXTENSION (not in VMCOREINFO). */
	r = ms_probe_member(p, "mem_section", "page_ext", &L->ms_page_ext_off, NULL);
	L->has_page_ext = r == 0;
	if (L->has_page_ext && L->ms_page_ext_off + 8 > L->ms_size)
		ms_probe_fail(p, "mem_section.page_ext at %zu is outside the struct",
		     L->ms_page_ext_off);
}

/*
 * page->page_type and PageOffline.
 *  - 6.12+: one type in the top byte, enum pagetype PGTY_offline = 0xf1
 *    (4ffca5a96678 "mm: support only one page_type per page", v6.12).
 *  - 6.11: enum pagetype with PAGE_TYPE_BASE 0x80000000 and PG_offline
 *    0x20000000, sense still inverted ("mm: allow reuse of the lower 16 bit
 *    of the page type with an actual type", David Hildenbrand, v6.11).
 *  - 5.0 .. 6.10: #define PAGE_TYPE_BASE 0xf0000000, PG_offline 0x100,
 *    inverted sense (PG_offline arrived in 5.0 replacing PG_balloon).
 * NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE) is preferred when present (only under
 * CONFIG_HUGETLB_PAGE before 6.9, unconditional since d99e3140a4d3, v6.9).
 */
static void resolve_page(struct ms_probe *p, struct ms_layout *L)
{
	int64_t v, off;
	size_t moff;

	if (size_of(p, "SIZE(page)", "page", &L->page_struct_size) ||
	    offset_of(p, "OFFSET(page.flags)", "page", "flags",
		      &L->page_flags_off) ||
	    offset_of(p, "OFFSET(page._refcount)", "page", "_refcount",
		      &L->page_refcount_off))
		return;
	/*
	 * page_type overlays _mapcount (a union in 6.1 and 6.12); prefer the
	 * DWARF name, else VMCOREINFO OFFSET(page._mapcount).
	 */
	if (ms_probe_member(p, "page", "page_type", &moff, NULL) == 0)
		L->page_type_off = moff;
	else if (offset_of(p, "OFFSET(page._mapcount)", "page", "_mapcount",
			   &L->page_type_off))
		return;
	if (L->page_struct_size < 16 || L->page_struct_size > 4096 ||
	    L->page_type_off + 4 > L->page_struct_size ||
	    L->page_refcount_off + 4 > L->page_struct_size) {
		ms_probe_fail(p, "implausible struct page layout (size %zu)",
		     L->page_struct_size);
		return;
	}

	if (ms_probe_enum(p, "PGTY_offline", &v) == 0) {
		L->pgtype = MS_PGTYPE_TOPBYTE;
		L->pgtype_offline = (uint32_t)v & 0xff;
	} else if (ms_probe_enum(p, "PAGE_TYPE_BASE", &v) == 0 &&
		   ms_probe_enum(p, "PG_offline", &off) == 0) {
		L->pgtype = MS_PGTYPE_INVERTED_6_11;
		L->pgtype_base = (uint32_t)v;
		L->pgtype_offline = (uint32_t)off;
	} else {
		L->pgtype = MS_PGTYPE_INVERTED;
		L->pgtype_base = (uint32_t)MS_KD_OLD_PAGE_TYPE_BASE;
		L->pgtype_offline = (uint32_t)MS_KD_OLD_PG_OFFLINE;
	}
	if (ms_vmci_number(p->t, "NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)", &v) == 0) {
		L->offline_from_vmcoreinfo = true;
		if (L->pgtype == MS_PGTYPE_TOPBYTE)
			L->pgtype_offline = ((uint32_t)v >> 24) & 0xff;
		else
			L->pgtype_offline = ~(uint32_t)v & ~L->pgtype_base;
	}

	/*
	 * PG_offline_skippable = PG_owner_2 ("mm/memory_hotplug:
	 * PG_offline_skippable for offlining memory blocks with PageOffline
	 * pages", David Hildenbrand, 2025; mainline release UNVERIFIED).
	 */
	L->pg_offline_skippable = -1;
	if (ms_probe_enum(p, "PG_offline_skippable", &v) == 0 && v >= 0 && v < 64)
		L->pg_offline_skippable = (int)v;
}

/*
 * page_ext_size is a global since 5.4 (mm/page_ext.c); read it from the dump
 * and accept it only when this kernel's clients can add up to it:
 * invoke_need_callbacks() starts from sizeof(struct page_ext) when an
 * enabled client needs the shared flags word (need_shared_flags, added with
 * page_table_check in v5.17; before, the flags word was always there) and
 * adds each enabled client's ops->size.  The 64-bit clients with a size:
 * page_owner, page_table_check (v5.17) and allocation tags (v6.10, union
 * codetag_ref: one pointer).  A kernel with a client memsect does not know
 * would be refused here: the size would not add up.
 */
/*
 * Whether a page_ext client is enabled, from its static key (struct
 * static_key.enabled, an atomic_t at offset 0): page_owner_inited is set
 * when page_owner=on; page_table_check_disabled is cleared when
 * page_table_check=on.  -1: unknown.
 */
static int client_on(struct ms_probe *p, const char *key, bool on_when_set)
{
	uint64_t addr, v;

	if (!key || ms_probe_try_symbol(p, key, &addr) != 0 ||
	    ms_probe_read(p, addr, 4, &v) != 0)
		return -1;
	return (v != 0) == on_when_set;
}

static bool page_ext_size_possible(struct ms_probe *p, uint64_t v)
{
	static const struct {
		const char *ops, *type, *key;
		bool on_when_set, flags;	/* need_shared_flags */
	} clients[] = {
		{ "page_owner_ops", "page_owner", "page_owner_inited", true, true },
		{ "page_table_check_ops", "page_table_check",
		  "page_table_check_disabled", false, false },
		{ "page_alloc_tagging_ops", NULL, NULL, false, false },
	};
	size_t size[3], flags = 8;
	int on[3];
	bool flag[3];
	unsigned n = 0;
	uint64_t addr;

	ms_probe_try_size(p, "page_ext", &flags);
	for (unsigned i = 0; i < 3; i++) {
		if (ms_probe_try_symbol(p, clients[i].ops, &addr) != 0)
			continue;
		size[n] = 8;
		if (clients[i].type &&
		    ms_probe_try_size(p, clients[i].type, &size[n]))
			continue;
		on[n] = client_on(p, clients[i].key, clients[i].on_when_set);
		flag[n++] = clients[i].flags;
	}
	/* every subset that agrees with what the static keys say */
	for (unsigned set = 0; set < 1u << n; set++) {
		uint64_t sum = 0;
		bool agrees = true, need_flags = false;

		for (unsigned i = 0; i < n; i++) {
			bool in = set & (1u << i);

			if (on[i] >= 0 && in != (bool)on[i])
				agrees = false;
			if (in) {
				sum += size[i];
				need_flags |= flag[i];
			}
		}
		if (!agrees)
			continue;
		/* without a client that needs it, another one may (debug_guardpage) */
		if (v == sum + flags || (!need_flags && v == sum))
			return true;
	}
	return false;
}

static void resolve_page_ext(struct ms_probe *p, struct ms_layout *L)
{
	uint64_t addr, v;

	if (!L->has_page_ext)
		return;
	if (ms_probe_symbol(p, "page_ext_size", &addr) != 0 ||
	    ms_probe_read(p, addr, 8, &v) != 0)
		return;
	if (!page_ext_size_possible(p, v)) {
		L->page_ext_size_bad = true;
		L->page_ext_size_addr = addr;
		L->page_ext_size = v;
		return;
	}
	L->page_ext_size_known = true;
	L->page_ext_size = v;
}

/*
 * Memory block states: enum memory_block_state where the debug info has
 * it, else the old #defines (kernel_defines.def).
 */
static void resolve_block_states(struct ms_probe *p, struct ms_layout *L)
{
	static const struct {
		const char *enumerator;
		int64_t old_value;
	} states[MS_MEM_NSTATES] = {
#define MS_BLOCK_STATE(name, enumerator, old_value, sysfs) \
		[MS_MEM_##name] = { enumerator, old_value },
#include "memsect/kernel_defines.def"
	};
	int64_t v;

	L->mb_state_value[MS_MEM_UNKNOWN] = -1;
	if (ms_probe_enum(p, "MEM_ONLINE", &v) == 0) {
		for (int i = 1; i < MS_MEM_NSTATES; i++)
			if (ms_probe_enum(p, states[i].enumerator,
				       &L->mb_state_value[i]) != 0)
				L->mb_state_value[i] = -1;
		return;
	}
	for (int i = 1; i < MS_MEM_NSTATES; i++)
		L->mb_state_value[i] = states[i].old_value;
}

static void resolve_blocks(struct ms_probe *p, struct ms_layout *L)
{
	const struct ms_arch *arch = ms_arch_detect(p->t);
	size_t slots_size, state_size, dummy;
	uint64_t addr, v;

	if (ms_probe_symbol(p, "memory_blocks", &L->memory_blocks_addr) != 0)
		return;	/* no CONFIG_MEMORY_HOTPLUG-era sysfs blocks */
	if (ms_probe_member(p, "xarray", "xa_head", &L->xa_head_off, &dummy) ||
	    ms_probe_member(p, "xa_node", "shift", &L->xa_node_shift_off, &dummy) ||
	    ms_probe_member(p, "xa_node", "slots", &L->xa_node_slots_off, &slots_size) ||
	    ms_probe_member(p, "memory_block", "start_section_nr",
		   &L->mb_start_section_off, &dummy) ||
	    ms_probe_member(p, "memory_block", "state", &L->mb_state_off, &state_size))
		return;
	if (slots_size < 8 || slots_size > 8 * 256 || state_size > 8)
		return;
	L->xa_chunk_size = (unsigned)(slots_size / 8);
	L->mb_state_size = state_size;
	resolve_block_states(p, L);
	L->has_memory_blocks = true;

	/* drivers/base/memory.c: static int sections_per_block (all 5.x/6.x). */
	if (ms_probe_symbol(p, "sections_per_block", &addr) == 0 &&
	    ms_probe_read(p, addr, 4, &v) == 0 && v > 0 && v < (1u << 20)) {
		L->sections_per_block = v;
		return;
	}
	/* The architecture's probed block size in bytes (arch.h). */
	if (arch && arch->block_size_symbol &&
	    ms_probe_symbol(p, arch->block_size_symbol, &addr) == 0 &&
	    ms_probe_read(p, addr, 8, &v) == 0 &&
	    v >> L->section_size_bits > 0)
		L->sections_per_block = v >> L->section_size_bits;
}

int ms_layout_resolve(struct ms_target *t, struct ms_layout *L, char *err,
		      size_t errlen)
{
	struct ms_probe p;

	ms_probe_init(&p, t);
	memset(L, 0, sizeof(*L));
	resolve_identity(&p, L);
	check_symbols(&p);
	if (!p.failed)
		resolve_geometry(&p, L);
	if (!p.failed)
		resolve_section_flags(&p, L);
	if (!p.failed)
		resolve_mem_section(&p, L);
	if (!p.failed)
		resolve_page(&p, L);
	if (!p.failed)
		resolve_page_ext(&p, L);
	if (!p.failed)
		resolve_blocks(&p, L);
	if (errlen)
		snprintf(err, errlen, "%s", p.why);
	return p.failed ? MS_ERROR : 0;
}

const char *ms_section_flag_name(enum ms_section_flag f)
{
	static const char *const names[MS_SECTION_NFLAGS] = {
#define MS_SECTION_FLAG(name, enumerator, old_bit, json, letter) \
		[MS_SECTION_##name] = json,
#include "memsect/kernel_defines.def"
	};

	return f < MS_SECTION_NFLAGS ? names[f] : "?";
}

const char *ms_block_state_name(enum ms_block_state s)
{
	static const char *const names[MS_MEM_NSTATES] = {
		[MS_MEM_UNKNOWN] = "unknown",
#define MS_BLOCK_STATE(name, enumerator, old_value, sysfs) \
		[MS_MEM_##name] = sysfs,
#include "memsect/kernel_defines.def"
	};

	return s < MS_MEM_NSTATES ? names[s] : "unknown";
}

enum ms_block_state ms_block_state_decode(const struct ms_layout *L,
					  uint64_t raw)
{
	for (int i = 1; i < MS_MEM_NSTATES; i++)
		if (L->mb_state_value[i] >= 0 &&
		    (uint64_t)L->mb_state_value[i] == raw)
			return (enum ms_block_state)i;
	return MS_MEM_UNKNOWN;
}
