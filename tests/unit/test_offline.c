// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * PageOffline decoding in each page_type generation (<=6.10 inverted bits,
 * 6.11, 6.12+ top byte), range merging across sections, refcount bins,
 * PG_offline_skippable, the refcount rule for offlining and the in-file
 * audit.
 */
#include <string.h>

#include "memsect/blocks.h"
#include "memsect/findings.h"
#include "memsect/offline.h"
#include "memsect/pagetype.h"
#include "synth.h"

#define PMO 7	/* PRESENT | HAS_MEM_MAP | ONLINE */

static const char *gen_name(enum synth_gen g)
{
	static const char *const n[] = { "6.1", "6.11", "6.12", "7.3-skippable" };

	return n[g];
}

/*
 * In every generation: offline pages are found, buddy pages are not.  The
 * 6.12 buddy value 0xf0000000 passes the <=6.10 test, and 0xf1000000 (6.12
 * offline) fails the 6.11 test, so a wrong scheme fails this test.
 */
static void test_generation(enum synth_gen gen)
{
	struct synth *s = synth_new(gen, 1);
	unsigned char *p0 = synth_section(s, 0, PMO, 0);
	unsigned char *p1 = synth_section(s, 1, PMO, 0);
	struct ms_offline *o;
	struct ms_ctx c;

	fprintf(stderr, "  generation %s\n", gen_name(gen));
	/* every page starts without a type (_mapcount -1) */
	for (uint64_t i = 0; i < SYNTH_PPS; i++) {
		synth_page(p0, i, 0, 0xffffffffu, 1);
		synth_page(p1, i, 0, 0xffffffffu, 1);
	}
	/* range A: last 16 pages of section 0 + first 16 of section 1 (merged) */
	for (uint64_t i = SYNTH_PPS - 16; i < SYNTH_PPS; i++)
		synth_page(p0, i, 0, synth_offline_type(gen), 0);
	for (uint64_t i = 0; i < 16; i++)
		synth_page(p1, i, 0, synth_offline_type(gen), i < 4 ? 2 : 1);
	/* buddy pages next to it: not offline */
	for (uint64_t i = 16; i < 32; i++)
		synth_page(p1, i, 0, synth_buddy_type(gen), 0);
	/* range B: 6.12+ owners may use the low 24 bits */
	for (uint64_t i = 100; i < 110; i++)
		synth_page(p1, i, gen == GEN_7_3_SKIPPABLE ? 1ULL << 11 : 0,
			   synth_offline_type(gen) |
			   (gen >= GEN_6_12 ? 0x1234 : 0), 1);
	synth_ctx(s, &c);
	o = ms_get_offline(&c);
	CHECK(o != NULL);
	if (!o)
		return;
	CHECK_EQ(o->n, 2);
	CHECK_EQ(o->pages, 32 + 10);
	if (o->n == 2) {
		CHECK_EQ(o->v[0].start_pfn, SYNTH_PPS - 16);
		CHECK_EQ(o->v[0].end_pfn, SYNTH_PPS + 16);
		CHECK_EQ(o->v[0].first_section, 0);
		CHECK_EQ(o->v[0].last_section, 1);
		/* block ids from sections_per_block (1), with no struct memory_block */
		CHECK_EQ(o->v[0].first_block, 0);
		CHECK_EQ(o->v[0].last_block, 1);
		CHECK_EQ(o->v[0].refcount[0], 16);
		CHECK_EQ(o->v[0].refcount[1], 12);
		CHECK_EQ(o->v[0].refcount[2], 4);
		CHECK_EQ(o->v[1].start_pfn, SYNTH_PPS + 100);
		CHECK_EQ(o->v[1].end_pfn, SYNTH_PPS + 110);
		if (gen == GEN_7_3_SKIPPABLE) {
			CHECK_EQ(o->v[1].skippable, 10);
			CHECK_EQ(o->v[0].skippable, 0);
		} else {
			CHECK(o->v[1].skippable == -1);
		}
	}
	CHECK_EQ(o->pages_scanned, 2 * SYNTH_PPS);
	ms_ctx_fini(&c);
	synth_free(s);
}

/* VMCOREINFO PAGE_OFFLINE_MAPCOUNT_VALUE wins over the built-in value. */
static void test_vmcoreinfo_preferred(void)
{
	struct synth *s = synth_new(GEN_6_1, 0);
	struct ms_ctx c;

	synth_set_vmcoreinfo(s, "NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)", "-513");
	synth_ctx(s, &c);
	CHECK(c.L.offline_from_vmcoreinfo);
	CHECK(ms_page_type_is_offline(&c.L, 0xfffffdffu));
	CHECK(!ms_page_type_is_offline(&c.L, 0xfffffeffu));
	ms_ctx_fini(&c);
	synth_free(s);

	/* without it: the <=6.10 defines (PG_offline 0x100) */
	s = synth_new(GEN_6_1, 0);
	synth_drop(s, "NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)");
	synth_ctx(s, &c);
	CHECK(!c.L.offline_from_vmcoreinfo);
	CHECK(ms_page_type_is_offline(&c.L, 0xfffffeffu));
	CHECK(!ms_page_type_is_offline(&c.L, 0xffffffffu));
	ms_ctx_fini(&c);
	synth_free(s);
}

static size_t count_code(const struct ms_findings *f, const char *code)
{
	size_t n = 0;

	for (size_t i = 0; i < f->n; i++)
		n += !strcmp(f->v[i].code, code);
	return n;
}

/*
 * Before PG_offline_skippable: pages in a MEM_GOING_OFFLINE block must have
 * refcount 0.  With it: skippable pages must have refcount 1.
 */
static void test_refcount_rule(enum synth_gen gen)
{
	struct synth *s = synth_new(gen, 0);
	unsigned char *p0 = synth_section(s, 0, 3, 0);	/* going offline: !ONLINE */
	struct ms_findings f = { 0 };
	struct ms_offline *o;
	struct ms_ctx c;
	uint64_t skip = gen == GEN_7_3_SKIPPABLE ? 1ULL << 11 : 0;

	for (uint64_t i = 0; i < SYNTH_PPS; i++)
		synth_page(p0, i, 0, 0xffffffffu, 1);
	for (uint64_t i = 0; i < 8; i++)
		synth_page(p0, i, skip, synth_offline_type(gen), 0);
	for (uint64_t i = 8; i < 10; i++)
		synth_page(p0, i, skip, synth_offline_type(gen), 1);
	synth_block(s, 0, synth_state(gen, 1));
	synth_ctx(s, &c);
	o = ms_get_offline(&c);
	CHECK(o && o->n == 1);
	if (o && o->n == 1) {
		CHECK_EQ(o->v[0].in_going_offline, 10);
		/* 6.12: refcount 1 pages break BUG_ON(page_count); skippable: refcount 0 does */
		CHECK_EQ(o->v[0].refcount_unexpected,
			 gen == GEN_7_3_SKIPPABLE ? 8 : 2);
		CHECK_EQ(o->v[0].first_block, 0);
		/* skippable: the flag; before it: refcount 0 while going offline */
		CHECK_EQ(o->v[0].offlinable, gen == GEN_7_3_SKIPPABLE ? 10 : 8);
	}
	ms_check_offline_refcount(&c, &f);
	CHECK_EQ(count_code(&f, "PAGEOFFLINE_REFCOUNT"), 1);
	ms_findings_free(&f);
	ms_ctx_fini(&c);
	synth_free(s);
}

/* The in-file audit counts stored pfns per range and reports them. */
static void test_in_file(void)
{
	struct synth *s = synth_new(GEN_6_12, 0);
	unsigned char *p0 = synth_section(s, 0, PMO, 0);
	struct ms_findings f = { 0 };
	struct ms_offline *o;
	struct ms_ctx c;

	for (uint64_t i = 0; i < SYNTH_PPS; i++)
		synth_page(p0, i, 0, 0xffffffffu, 1);
	for (uint64_t i = 1000; i < 1100; i++)
		synth_page(p0, i, 0, synth_offline_type(GEN_6_12), 1);
	for (uint64_t i = 2000; i < 2010; i++)
		synth_page(p0, i, 0, synth_offline_type(GEN_6_12), 1);
	synth_file_range(s, 0, 1050);		/* 50 of range 1 stored */
	synth_file_range(s, 1200, SYNTH_PPS / 2); /* all of range 2 */
	synth_ctx(s, &c);
	o = ms_get_offline(&c);
	CHECK(o && o->n == 2);
	if (o && o->n == 2) {
		CHECK_EQ(o->v[0].in_file, 50);
		CHECK_EQ(o->v[1].in_file, 10);
		CHECK_EQ(o->in_file, 60);
	}
	ms_check_offline_in_file(&c, &f);
	CHECK_EQ(count_code(&f, "PAGEOFFLINE_IN_DUMP"), 2);
	ms_check_offline_present(&c, &f);
	CHECK_EQ(count_code(&f, "PAGEOFFLINE_PRESENT"), 1);
	ms_findings_free(&f);
	ms_ctx_fini(&c);
	synth_free(s);
}

int main(void)
{
	test_generation(GEN_6_1);
	test_generation(GEN_6_11);
	test_generation(GEN_6_12);
	test_generation(GEN_7_3_SKIPPABLE);
	test_vmcoreinfo_preferred();
	test_refcount_rule(GEN_6_12);
	test_refcount_rule(GEN_7_3_SKIPPABLE);
	test_in_file();
	return synth_done("test_offline");
}
