// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Sections and page_ext pointer states on synthetic mem_section arrays:
 * NULL roots, flag decoding from the SECTION_*_BIT enum and the <=5.x
 * defines, mem_map decoding, page_ext valid/NULL/invalidated (bit 0)/
 * unreadable, 4- and 5-level MAX_PHYSMEM_BITS.
 */
#include <string.h>

#include "memsect/sections.h"
#include "synth.h"

#define P 1	/* SECTION_MARKED_PRESENT */
#define M 2	/* SECTION_HAS_MEM_MAP */
#define O 4	/* SECTION_IS_ONLINE */
#define E 8	/* SECTION_IS_EARLY */

static void test_states(void)
{
	struct synth *s = synth_new(GEN_6_1, 0);
	struct ms_sections *secs;
	const struct ms_section *x;
	struct ms_ctx c;
	uint64_t t0 = synth_page_ext_table(s, 0);
	uint64_t t2 = synth_page_ext_table(s, 2);

	synth_section(s, 0, P | M | O | E, t0);
	synth_section(s, 1, P | M | O, 0);
	synth_section(s, 2, P | M, t2 | 1);		/* offline in progress */
	synth_section(s, 3, P | M | O, 0xffffc9ff00000000ULL);	/* unmapped */
	synth_section(s, 4, 0, 0);			/* not present */
	synth_ctx(s, &c);
	secs = ms_get_sections(&c);
	CHECK(secs != NULL);
	if (!secs)
		return;
	CHECK_EQ(secs->n, 4);
	CHECK_EQ(secs->roots_present, 1);
	CHECK(ms_find_section(secs, 4) == NULL);

	x = ms_find_section(secs, 0);
	CHECK(x && x->pe_state == MS_PE_VALID);
	/* the un-biased table start: ms->page_ext + page_ext_size * start_pfn */
	CHECK(x && x->page_ext_table == SYNTH_PAGE_EXT);
	CHECK(x && x->flags == (1u << MS_SECTION_MARKED_PRESENT |
				1u << MS_SECTION_HAS_MEM_MAP |
				1u << MS_SECTION_IS_ONLINE |
				1u << MS_SECTION_IS_EARLY));
	CHECK(x && x->mem_map == SYNTH_VMEMMAP);

	x = ms_find_section(secs, 1);
	CHECK(x && x->pe_state == MS_PE_NULL);
	CHECK(x && x->mem_map == SYNTH_VMEMMAP + SYNTH_PPS * 64);

	x = ms_find_section(secs, 2);
	CHECK(x && x->pe_state == MS_PE_INVALIDATED);
	/* bit 0 stripped before un-biasing */
	CHECK(x && x->page_ext_table == SYNTH_PAGE_EXT + 2 * 0x1000000ULL);
	CHECK(x && x->page_ext_raw == (t2 | 1));
	CHECK(x && !ms_section_has(x, MS_SECTION_IS_ONLINE));

	x = ms_find_section(secs, 3);
	CHECK(x && x->pe_state == MS_PE_UNREADABLE);
	CHECK(x && x->pe_fail_addr == 0xffffc9ff00000000ULL +
		  SYNTH_PAGE_EXT_SIZE * 3 * SYNTH_PPS);

	CHECK_EQ(secs->pe_count[MS_PE_VALID], 1);
	CHECK_EQ(secs->pe_count[MS_PE_NULL], 1);
	CHECK_EQ(secs->pe_count[MS_PE_INVALIDATED], 1);
	CHECK_EQ(secs->pe_count[MS_PE_UNREADABLE], 1);
	CHECK_EQ(secs->online, 3);
	ms_ctx_fini(&c);
	synth_free(s);
}

/* A section beyond 2^46 bytes exists only with 5-level paging's 52 bits. */
static void test_five_level(void)
{
	uint64_t high = (1ULL << (47 - 27)) + 5;	/* physical 128 TiB + ... */
	struct synth *s = synth_new(GEN_6_12, 1);
	struct ms_sections *secs;
	struct ms_ctx c;

	synth_section(s, 0, P | M | O, 0);
	synth_section(s, high, P | M | O, 0);
	synth_ctx(s, &c);
	CHECK_EQ(c.L.nr_section_roots, 262144);
	CHECK_EQ(c.L.nr_mem_sections, 1ULL << 25);
	secs = ms_get_sections(&c);
	CHECK(secs && secs->n == 2);
	CHECK(secs && ms_find_section(secs, high) != NULL);
	CHECK(secs && ms_find_section(secs, high)->start_pfn == high * SYNTH_PPS);
	ms_ctx_fini(&c);
	synth_free(s);

	s = synth_new(GEN_6_12, 0);
	synth_section(s, 0, P | M | O, 0);
	synth_ctx(s, &c);
	CHECK_EQ(c.L.nr_section_roots, 4096);
	CHECK_EQ(c.L.max_physmem_bits, 46);
	ms_ctx_fini(&c);
	synth_free(s);
}

/* Without VMCOREINFO MAX_PHYSMEM_BITS: pgtable_l5_enabled decides 52/46. */
static void test_l5_fallback(void)
{
	struct synth *s = synth_new(GEN_6_1, 1);
	struct ms_ctx c;

	synth_drop(s, "NUMBER(MAX_PHYSMEM_BITS)");
	synth_ctx(s, &c);
	CHECK_EQ(c.L.max_physmem_bits, 52);
	ms_ctx_fini(&c);
	synth_free(s);
}

/* <= 5.19 kernels have no SECTION_*_BIT enum: bits 0-3, mask 6 bits. */
static void test_flag_defines(void)
{
	struct synth *s = synth_new(GEN_6_1, 0);
	struct ms_sections *secs;
	struct ms_ctx c;

	synth_drop(s, "SECTION_MAP_LAST_BIT");
	synth_section(s, 7, P | M | O | 0x10, 0);	/* bit 4: TAINT_ZONE_DEVICE on 5.12+ */
	synth_ctx(s, &c);
	CHECK(!c.L.section_flags_from_enum);
	secs = ms_get_sections(&c);
	CHECK(secs && secs->n == 1);
	CHECK(secs && secs->v[0].coded_mem_map == SYNTH_VMEMMAP);
	CHECK(secs && secs->v[0].mem_map == SYNTH_VMEMMAP + 7 * SYNTH_PPS * 64);
	ms_ctx_fini(&c);
	synth_free(s);

	/* with the enum, bit 4 is TAINT_ZONE_DEVICE and the mask is 5 bits */
	s = synth_new(GEN_6_1, 0);
	synth_section(s, 7, P | M | 0x10, 0);
	synth_ctx(s, &c);
	secs = ms_get_sections(&c);
	CHECK(secs && ms_section_has(&secs->v[0], MS_SECTION_TAINT_ZONE_DEVICE));
	CHECK_EQ(c.L.section_map_mask, ~0x1fULL);
	ms_ctx_fini(&c);
	synth_free(s);
}

/*
 * All-NULL roots: no sections, no reads of root pages; an empty array is not
 * a running kernel's, so it is recorded as an invalid value.
 */
static void test_null_roots(void)
{
	struct synth *s = synth_new(GEN_6_12, 1);
	struct ms_sections *secs;
	struct ms_ctx c;

	synth_ctx(s, &c);
	secs = ms_get_sections(&c);
	CHECK(secs && secs->n == 0 && secs->roots_present == 0);
	CHECK_EQ(c.nerrors, 1);
	CHECK_EQ(c.ninvalid, 1);
	ms_ctx_fini(&c);
	synth_free(s);
}

/* An unreadable root page is recorded with its address; the rest is scanned. */
static void test_unreadable_root(void)
{
	struct synth *s = synth_new(GEN_6_12, 0);
	struct ms_sections *secs;
	struct ms_ctx c;

	synth_section(s, 0, P | M | O, 0);
	synth_set_root(s, 3, 0xffff8880dead0000ULL);
	synth_section(s, 4 * 128, P | M | O, 0);
	synth_ctx(s, &c);
	secs = ms_get_sections(&c);
	CHECK(secs && secs->n == 2 && secs->roots_present == 3);
	CHECK_EQ(c.nerrors, 1);
	CHECK_EQ(c.errors[0].address, 0xffff8880dead0000ULL);
	ms_ctx_fini(&c);
	synth_free(s);
}

/* Implausible VMCOREINFO geometry is refused with a reason, not scanned. */
static void test_bad_geometry(void)
{
	static const char *const cases[][2] = {
		{ "NUMBER(SECTION_SIZE_BITS)", "100" },
		{ "NUMBER(MAX_PHYSMEM_BITS)", "64" },
		{ "PAGESIZE", "3" },
		{ "SIZE(mem_section)", "8192" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct synth *s = synth_new(GEN_6_12, 0);
		struct ms_ctx c;
		char err[256];

		synth_set_vmcoreinfo(s, cases[i][0], cases[i][1]);
		if (!strcmp(cases[i][0], "NUMBER(MAX_PHYSMEM_BITS)"))
			synth_set_vmcoreinfo(s, "LENGTH(mem_section)", "999999999");
		CHECK(ms_ctx_init(&c, synth_target(s), err, sizeof(err)) != 0);
		CHECK(err[0] != 0);
		ms_ctx_fini(&c);
		synth_free(s);
	}
}

int main(void)
{
	test_bad_geometry();
	test_states();
	test_five_level();
	test_l5_fallback();
	test_flag_defines();
	test_null_roots();
	test_unreadable_root();
	return synth_done("test_sections");
}
