// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Values read from the dump that no kernel can hold are never used and never
 * skipped silently: page_ext_size that the kernel's page_ext clients cannot
 * add up to, page_ext tables, mem_maps and mem_section roots outside the
 * kernel's half of the address space, VMCOREINFO that disagrees with the
 * debug info (a vmlinux of another build).
 */
#include <string.h>

#include "memsect/findings.h"
#include "memsect/sections.h"
#include "synth.h"

#define P 1	/* SECTION_MARKED_PRESENT */
#define M 2	/* SECTION_HAS_MEM_MAP */
#define O 4	/* SECTION_IS_ONLINE */

static int has_finding(const struct ms_findings *f, const char *code)
{
	for (size_t i = 0; i < f->n; i++)
		if (!strcmp(f->v[i].code, code))
			return 1;
	return 0;
}

/*
 * The synthetic kernel has one sized client, page_owner (80 bytes), which
 * needs the shared flags word (8); its static key is not in the dump, so it
 * may be on or off: 0, 8 (another client's flags) and 88 are the sizes it
 * can have.
 */
static void test_page_ext_size(void)
{
	static const uint64_t bad[] = { 16, 80, 96, ~0ULL, 1ULL << 47, 89 };
	static const uint64_t good[] = { 0, 8, 88 };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct synth *s = synth_new(GEN_6_12, 0);
		struct ms_findings f = { 0 };
		struct ms_sections *secs;
		struct ms_ctx c;

		synth_section(s, 0, P | M | O, synth_page_ext_table(s, 0));
		synth_poke(s, SYNTH_PAGE_EXT_SIZE_VA, bad[i], 8);
		synth_ctx(s, &c);
		CHECK(!c.L.page_ext_size_known);
		CHECK_EQ(c.ninvalid, 1);
		CHECK_EQ(c.errors[0].address, SYNTH_PAGE_EXT_SIZE_VA);
		secs = ms_get_sections(&c);
		CHECK(secs && secs->n == 1 && secs->v[0].page_ext_table == 0);
		ms_checks_all(&c, &f);
		CHECK(has_finding(&f, "INVALID_VALUES"));
		ms_findings_free(&f);
		ms_ctx_fini(&c);
		synth_free(s);
	}
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct synth *s = synth_new(GEN_6_12, 0);
		struct ms_ctx c;

		synth_poke(s, SYNTH_PAGE_EXT_SIZE_VA, good[i], 8);
		synth_ctx(s, &c);
		CHECK(c.L.page_ext_size_known);
		CHECK_EQ(c.L.page_ext_size, good[i]);
		CHECK_EQ(c.nerrors, 0);
		ms_ctx_fini(&c);
		synth_free(s);
	}
}

/* A page_ext pointer in user space (0x1000 reads fine in real dumps). */
static void test_page_ext_implausible(void)
{
	struct synth *s = synth_new(GEN_6_12, 0);
	struct ms_findings f = { 0 };
	struct ms_sections *secs;
	struct ms_ctx c;

	synth_section(s, 0, P | M | O, synth_page_ext_table(s, 0));
	synth_section(s, 1, P | M | O, 0x1000 - SYNTH_PAGE_EXT_SIZE * SYNTH_PPS);
	synth_map(s, 0x1000, 4096);
	synth_ctx(s, &c);
	secs = ms_get_sections(&c);
	CHECK(secs && secs->n == 2);
	if (!secs)
		return;
	CHECK_EQ(secs->v[0].pe_state, MS_PE_VALID);
	CHECK_EQ(secs->v[1].pe_state, MS_PE_IMPLAUSIBLE);
	CHECK_EQ(secs->v[1].page_ext_table, 0x1000);
	CHECK_EQ(secs->pe_count[MS_PE_IMPLAUSIBLE], 1);
	CHECK_EQ(c.ninvalid, 1);
	ms_checks_all(&c, &f);
	CHECK(has_finding(&f, "PAGE_EXT_IMPLAUSIBLE"));
	CHECK(has_finding(&f, "INVALID_VALUES"));
	ms_findings_free(&f);
	ms_ctx_fini(&c);
	synth_free(s);
}

/* A root pointer and a mem_map outside the kernel's half are not followed. */
static void test_root_and_mem_map(void)
{
	struct synth *s = synth_new(GEN_6_12, 0);
	struct ms_sections *secs;
	struct ms_ctx c;

	synth_section(s, 0, P | M | O, 0);
	synth_section(s, 1, P | M | O, 0);
	synth_set_root(s, 2, 0x0000000012340000ULL);
	synth_ctx(s, &c);
	secs = ms_get_sections(&c);
	CHECK(secs && secs->n == 2 && secs->roots_present == 1);
	CHECK_EQ(c.ninvalid, 1);
	ms_ctx_fini(&c);
	synth_free(s);

	/* section_mem_map = ~0: every flag set, the coded map wraps */
	s = synth_new(GEN_6_12, 0);
	synth_section(s, 0, P | M | O, 0);
	synth_section(s, 5, ~0ULL, 0);
	synth_ctx(s, &c);
	secs = ms_get_sections(&c);
	CHECK(secs && secs->n == 2);
	if (secs) {
		CHECK_EQ(secs->v[1].mem_map, 0);
		CHECK_EQ(c.ninvalid, 1);
	}
	ms_ctx_fini(&c);
	synth_free(s);
}

/* VMCOREINFO and the debug info describe different kernels: refused. */
static void test_other_build(void)
{
	static const char *const keys[][2] = {
		{ "SIZE(page)", "72" },
		{ "OFFSET(page.flags)", "8" },
		{ "SYMBOL(init_uts_ns)", "ffffffff82a1b2c0" },
	};

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		struct synth *s = synth_new(GEN_6_12, 0);
		struct ms_ctx c;
		char err[256];

		synth_section(s, 0, P | M | O, 0);
		if (i == 2) {
			/* agreeing first, then the debug info's is elsewhere */
			synth_set_symbol(s, "init_uts_ns", 0xffffffff82a00000ULL);
			synth_set_vmcoreinfo(s, keys[i][0], "ffffffff82a00000");
			CHECK_EQ(ms_ctx_init(&c, synth_target(s), err, sizeof(err)), 0);
			ms_ctx_fini(&c);
		}
		synth_set_vmcoreinfo(s, keys[i][0], keys[i][1]);
		CHECK_EQ(ms_ctx_init(&c, synth_target(s), err, sizeof(err)),
			 (unsigned long long)MS_ERROR);
		CHECK(strstr(err, "not this dump's kernel") != NULL);
		CHECK(strstr(err, keys[i][0]) != NULL);
		synth_free(s);
	}
}

int main(void)
{
	test_page_ext_size();
	test_page_ext_implausible();
	test_root_and_mem_map();
	test_other_build();
	return synth_done("bad_values");
}
