/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A synthetic target for the unit tests: sparse kernel-virtual memory,
 * optional page-table leaves for the vmemmap, and the tables (members,
 * enumerators, symbols, VMCOREINFO) of one kernel layout generation.
 */
#ifndef MEMSECT_TEST_SYNTH_H
#define MEMSECT_TEST_SYNTH_H

#include <stdint.h>
#include <stdio.h>

#include "memsect/context.h"
#include "memsect/target.h"

enum synth_gen {
	GEN_6_1,	/* inverted page_type, MEM_* #defines, 8-byte block state */
	GEN_6_11,	/* enum pagetype with PAGE_TYPE_BASE */
	GEN_6_12,	/* PGTY_* top byte, enum memory_block_state */
	GEN_7_3_SKIPPABLE,	/* 6.12 layout plus PG_offline_skippable */
};

#define SYNTH_ROOTS_VA	0xffff888000100000ULL
#define SYNTH_ROOTPG_VA	0xffff888010000000ULL	/* + root * 4096 */
#define SYNTH_VMEMMAP	0xffffea0000000000ULL
#define SYNTH_PAGE_EXT	0xffffc90000000000ULL	/* page_ext tables */
#define SYNTH_VMEMMAP_END (SYNTH_VMEMMAP + (1ULL << 40))
#define SYNTH_VMEMMAP_PHYS 0x40000000ULL	/* physical backing of the vmemmap */
#define SYNTH_PAGE_EXT_SIZE_VA 0xffffffff82000000ULL	/* &page_ext_size */
#define SYNTH_BLOCKS_VA	0xffff888020000000ULL
#define SYNTH_PAGE_EXT_SIZE 88
#define SYNTH_PPS	32768ULL		/* pages per section */

struct synth;

/*
 * An x86_64 dump's VMCOREINFO (NUMBER(pgtable_l5_enabled), no page-table
 * root); @five_level: 5-level paging, MAX_PHYSMEM_BITS 52 instead of 46.
 */
struct synth *synth_new(enum synth_gen gen, int five_level);
void synth_free(struct synth *s);
struct ms_target *synth_target(struct synth *s);

/* Map zeroed memory at a kernel virtual address; returns its bytes. */
unsigned char *synth_map(struct synth *s, uint64_t va, size_t size);
/* Overwrite @size (<= 8) bytes of mapped memory at @va, little-endian. */
void synth_poke(struct synth *s, uint64_t va, uint64_t value, size_t size);
/* Remove a symbol/enumerator/VMCOREINFO key (to test fallbacks). */
void synth_drop(struct synth *s, const char *name);
void synth_set_vmcoreinfo(struct synth *s, const char *key, const char *value);
void synth_set_enum(struct synth *s, const char *name, int64_t value);
void synth_set_symbol(struct synth *s, const char *name, uint64_t addr);

/* Present section @nr with flags bits; returns the struct pages (or NULL
 * without HAS_MEM_MAP).  @page_ext_raw is stored as is. */
unsigned char *synth_section(struct synth *s, uint64_t nr, uint64_t flag_bits,
			     uint64_t page_ext_raw);
/* Point root @root at @va (for unreadable roots). */
/*
 * Page tables in the synthetic physical memory (backed at vmemmap
 * SYNTH_VMEMMAP + pa - SYNTH_VMEMMAP_PHYS): a new zeroed 4 KiB table at
 * *@next, which moves on; the slot of @va in table @tbl at @level (4 KiB
 * pages, 9 index bits per level: x86_64 and arm64 alike); an entry there.
 */
uint64_t synth_pgt_table(struct synth *s, uint64_t *next);
uint64_t synth_pgt_slot(uint64_t tbl, uint64_t va, int level);
void synth_pgt_set(struct synth *s, uint64_t slot, uint64_t entry);

/* The mapping that holds @va goes (its reads fail). */
void synth_unmap(struct synth *s, uint64_t va);
void synth_set_root(struct synth *s, uint64_t root, uint64_t va);
/* A page_ext table for section @nr; returns the biased pointer to store. */
uint64_t synth_page_ext_table(struct synth *s, uint64_t nr);
/* struct page fields. */
void synth_page(unsigned char *pages, uint64_t idx, uint64_t flags,
		uint32_t page_type, int32_t refcount);
/* Memory blocks (one section per block): id -> state value. */
void synth_block(struct synth *s, uint64_t id, int64_t state);
/* Replace memory_blocks.xa_head (to build deeper xarrays by hand). */
void synth_blocks_head(struct synth *s, uint64_t head);
/* A memory_block for section @id at @va, state @state; returns nothing. */
void synth_block_at(struct synth *s, uint64_t va, uint64_t id, int64_t state);
/*
 * Translate the vmemmap through synthetic page tables: 2 MiB leaves mapped
 * linearly to physical memory, except 4 KiB @hole (0: none) which is not
 * mapped.  Counts vtop calls.
 */
void synth_use_vtop(struct synth *s, uint64_t hole);
unsigned long synth_vtop_calls(struct synth *s);
/* PFNs reported as stored in the dump file: [start, end). */
void synth_file_range(struct synth *s, uint64_t start, uint64_t end);

/* The PageOffline page_type value of the generation. */
uint32_t synth_offline_type(enum synth_gen gen);
/* A buddy page's page_type in the generation. */
uint32_t synth_buddy_type(enum synth_gen gen);
/* The generation's memory block state value for "online"/"offline"/... */
int64_t synth_state(enum synth_gen gen, int which);	/* 0 online, 1 going-offline, 2 offline */

/* Tiny test harness. */
extern int synth_failures;
#define CHECK(cond) do { if (!(cond)) { synth_failures++; \
	fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); } } while (0)
#define CHECK_EQ(a, b) do { unsigned long long _a = (a), _b = (b); if (_a != _b) { synth_failures++; \
	fprintf(stderr, "%s:%d: CHECK_EQ failed: %s = %llu (0x%llx), expected %s = %llu (0x%llx)\n", \
		__FILE__, __LINE__, #a, _a, _a, #b, _b, _b); } } while (0)
int synth_done(const char *name);

/* Init a context on the synthetic target; aborts the test on failure. */
void synth_ctx(struct synth *s, struct ms_ctx *c);

/* The memory_blocks xarray's one node (shift 0, 40 + 512 bytes). */
unsigned char *synth_blocks_node(struct synth *s);

#endif
