// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Bulk struct page reading through vtop: one translation per 2 MiB leaf
 * (a whole section), physical reads, and an unmapped 4 KiB vmemmap page
 * inside a split PMD skipped with its address recorded; a section larger
 * than 2 MiB of struct pages read 2 MiB at a time.
 */
#include <string.h>

#include "memsect/offline.h"
#include "memsect/pages.h"
#include "memsect/sections.h"
#include "synth.h"

static int count(struct ms_ctx *c, uint64_t pfn, uint64_t n,
		 const unsigned char *buf, void *arg)
{
	uint64_t *total = arg;

	(void)c;
	(void)pfn;
	(void)buf;
	*total += n;
	return 0;
}

struct sizes {
	uint64_t total, largest;
};

static int measure(struct ms_ctx *c, uint64_t pfn, uint64_t n,
		   const unsigned char *buf, void *arg)
{
	struct sizes *z = arg;

	(void)c;
	(void)pfn;
	(void)buf;
	z->total += n;
	if (n > z->largest)
		z->largest = n;
	return 0;
}

/*
 * NUMBER(SECTION_SIZE_BITS) comes from the dump: the struct pages of a
 * 2^16-page section are handed over at most 2 MiB (32768 pages) at a time,
 * never in one buffer sized by the section.
 */
static void test_window(void)
{
	struct synth *s = synth_new(GEN_6_12, 0);
	unsigned char *lo, *hi;
	struct ms_sections *secs;
	struct sizes z = { 0 };
	struct ms_offline *o;
	struct ms_ctx c;

	synth_set_vmcoreinfo(s, "NUMBER(SECTION_SIZE_BITS)", "28");
	lo = synth_section(s, 0, 7, 0);
	hi = synth_map(s, SYNTH_VMEMMAP + SYNTH_PPS * 64, SYNTH_PPS * 64);
	synth_page(lo, 5, 0, synth_offline_type(GEN_6_12), 1);
	synth_page(hi, 40000 - SYNTH_PPS, 0, synth_offline_type(GEN_6_12), 1);
	synth_ctx(s, &c);
	secs = ms_get_sections(&c);
	CHECK(secs && secs->n == 1);
	if (!secs || secs->n != 1)
		return;
	CHECK_EQ(secs->v[0].end_pfn - secs->v[0].start_pfn, 2 * SYNTH_PPS);
	ms_for_each_page_chunk(&c, &secs->v[0], measure, &z);
	CHECK_EQ(z.total, 2 * SYNTH_PPS);
	CHECK_EQ(z.largest, SYNTH_PPS);
	o = ms_get_offline(&c);
	CHECK(o && o->n == 2 && o->v[0].start_pfn == 5 && o->v[1].start_pfn == 40000);
	CHECK_EQ(c.nerrors, 0);
	ms_ctx_fini(&c);
	synth_free(s);
}

static void test_one_leaf_per_section(void)
{
	struct synth *s = synth_new(GEN_6_12, 0);
	unsigned char *p = synth_section(s, 1, 7, 0);
	struct ms_offline *o;
	struct ms_ctx c;

	synth_use_vtop(s, 0);
	synth_page(p, 5, 0, synth_offline_type(GEN_6_12), 1);
	synth_ctx(s, &c);
	o = ms_get_offline(&c);
	CHECK(o && o->n == 1 && o->v[0].start_pfn == SYNTH_PPS + 5);
	CHECK_EQ(synth_vtop_calls(s), 1);
	CHECK_EQ(c.pages_scanned, SYNTH_PPS);
	CHECK_EQ(c.nerrors, 0);
	ms_ctx_fini(&c);
	synth_free(s);
}

static void test_hole(void)
{
	struct synth *s = synth_new(GEN_6_12, 0);
	uint64_t hole = SYNTH_VMEMMAP + SYNTH_PPS * 64 + 0x3000;
	unsigned char *p = synth_section(s, 1, 7, 0);
	struct ms_sections *secs;
	uint64_t total = 0;
	struct ms_ctx c;

	synth_use_vtop(s, hole);
	/* struct pages 192..255 live in the hole's 4 KiB; 256 does not */
	synth_page(p, 192, 0, synth_offline_type(GEN_6_12), 1);
	synth_page(p, 256, 0, synth_offline_type(GEN_6_12), 1);
	synth_ctx(s, &c);
	secs = ms_get_sections(&c);
	CHECK(secs && secs->n == 1);
	if (!secs || secs->n != 1)
		return;
	ms_for_each_page_chunk(&c, &secs->v[0], count, &total);
	CHECK_EQ(total, SYNTH_PPS - 64);
	CHECK_EQ(c.nerrors, 1);
	CHECK_EQ(c.errors[0].address, hole);
	ms_ctx_fini(&c);

	synth_ctx(s, &c);
	{
		struct ms_offline *o = ms_get_offline(&c);

		CHECK(o && o->n == 1 && o->v[0].start_pfn == SYNTH_PPS + 256);
	}
	ms_ctx_fini(&c);
	synth_free(s);
}

/*
 * Reader threads (pages.c) change nothing but speed: on eight sections,
 * with an unmapped 4 KiB vmemmap page in one (a problem held by the plan)
 * and one whose struct pages are not in memory (a failed read), the ranges,
 * the pages seen and the error list, in order, are those of the scan on
 * one thread.
 */
static void scan_with(unsigned threads, struct ms_ctx *c, struct synth **out)
{
	struct synth *s = synth_new(GEN_6_12, 0);

	for (uint64_t nr = 0; nr < 8; nr++) {
		unsigned char *p = synth_section(s, nr, 7, 0);

		synth_page(p, 7 + nr, 0, synth_offline_type(GEN_6_12), 1);
		synth_page(p, SYNTH_PPS - 1, 0, synth_offline_type(GEN_6_12), 1);
	}
	synth_unmap(s, SYNTH_VMEMMAP + 3 * SYNTH_PPS * 64);
	synth_use_vtop(s, SYNTH_VMEMMAP + 5 * SYNTH_PPS * 64 + 0x5000);
	synth_ctx(s, c);
	c->threads = threads;
	*out = s;
}

static void test_threads_same(void)
{
	struct ms_ctx one, many;
	struct synth *s1, *s2;
	struct ms_offline *a, *b;

	scan_with(1, &one, &s1);
	scan_with(3, &many, &s2);
	a = ms_get_offline(&one);
	b = ms_get_offline(&many);
	CHECK(a && b);
	if (a && b) {
		CHECK_EQ(a->n, b->n);
		CHECK(a->n >= 10);
		for (size_t i = 0; i < a->n && i < b->n; i++)
			CHECK(a->v[i].start_pfn == b->v[i].start_pfn &&
			      a->v[i].end_pfn == b->v[i].end_pfn);
	}
	CHECK_EQ(one.pages_scanned, many.pages_scanned);
	CHECK_EQ(one.nerrors, many.nerrors);
	CHECK(one.nerrors >= 2);
	for (unsigned i = 0; i < one.nerrors && i < MS_MAX_ERRORS; i++)
		CHECK(one.errors[i].address == many.errors[i].address &&
		      !strcmp(one.errors[i].what, many.errors[i].what));
	ms_ctx_fini(&one);
	ms_ctx_fini(&many);
	synth_free(s1);
	synth_free(s2);
}

/* A chunk callback that stops a section leaves the next one whole. */
static int stop_at_once(struct ms_ctx *c, uint64_t pfn, uint64_t n,
			const unsigned char *buf, void *arg)
{
	(void)c;
	(void)pfn;
	(void)buf;
	*(uint64_t *)arg += n;
	return 1;
}

static void test_stop_in_section(void)
{
	struct ms_ctx c;
	struct synth *s;
	struct ms_sections *secs;
	struct ms_memmap_pass *p;
	uint64_t first = 0, second = 0;

	scan_with(2, &c, &s);
	secs = ms_get_sections(&c);
	CHECK(secs && secs->n == 8);
	if (!secs || secs->n != 8)
		return;
	p = ms_memmap_pass_new(&c, secs->v, secs->n);
	CHECK(p != NULL);
	if (!p)
		return;
	CHECK_EQ(ms_memmap_pass_section(p, &secs->v[0], stop_at_once, &first), 1);
	CHECK_EQ(first, SYNTH_PPS);
	CHECK_EQ(ms_memmap_pass_section(p, &secs->v[1], count, &second), 0);
	CHECK_EQ(second, SYNTH_PPS);
	ms_memmap_pass_free(p);
	ms_ctx_fini(&c);
	synth_free(s);
}

int main(void)
{
	test_one_leaf_per_section();
	test_hole();
	test_window();
	test_threads_same();
	test_stop_in_section();
	return synth_done("test_pages");
}
