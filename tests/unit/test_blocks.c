// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Memory blocks from the memory_blocks xarray (one- and two-level, loop
 * guard), both state encodings (#define MEM_* bits <= 6.1, enum
 * memory_block_state), and the section checks that use them.
 */
#include <string.h>

#include "memsect/blocks.h"
#include "memsect/findings.h"
#include "memsect/sections.h"
#include "synth.h"

static size_t count_code(const struct ms_findings *f, const char *code)
{
	size_t n = 0;

	for (size_t i = 0; i < f->n; i++)
		n += !strcmp(f->v[i].code, code);
	return n;
}

static void put64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static void test_states(enum synth_gen gen)
{
	struct synth *s = synth_new(gen, 0);
	struct ms_findings f = { 0 };
	struct ms_blocks *b;
	struct ms_ctx c;
	uint64_t t = synth_page_ext_table(s, 2);

	synth_section(s, 0, 7, synth_page_ext_table(s, 0));	/* online */
	synth_section(s, 1, 3, 0);	/* offline, block offline: fine */
	synth_section(s, 2, 3, t | 1);	/* going offline, invalidated */
	synth_section(s, 3, 3, 0);	/* NOT online but block online */
	synth_section(s, 4, 7, 0);	/* online without page_ext */
	synth_block(s, 0, synth_state(gen, 0));
	synth_block(s, 1, synth_state(gen, 2));
	synth_block(s, 2, synth_state(gen, 1));
	synth_block(s, 3, synth_state(gen, 0));
	synth_block(s, 4, synth_state(gen, 0));
	synth_ctx(s, &c);
	b = ms_get_blocks(&c);
	CHECK(b && b->available && b->n == 5);
	if (b && b->n == 5) {
		CHECK(b->v[0].state == MS_MEM_ONLINE);
		CHECK(b->v[1].state == MS_MEM_OFFLINE);
		CHECK(b->v[2].state == MS_MEM_GOING_OFFLINE);
		CHECK_EQ(b->block_size, 128ULL << 20);
	}
	ms_checks_sections(&c, &f);
	CHECK_EQ(count_code(&f, "PAGE_EXT_INVALIDATED"), 1);
	CHECK_EQ(count_code(&f, "BLOCK_IN_TRANSITION"), 1);
	CHECK_EQ(count_code(&f, "SECTION_ONLINE_MISMATCH"), 1);
	CHECK_EQ(count_code(&f, "PAGE_EXT_MISSING"), 1);
	for (size_t i = 0; i < f.n; i++) {
		if (!strcmp(f.v[i].code, "SECTION_ONLINE_MISMATCH"))
			CHECK_EQ(f.v[i].a, 3);
		if (!strcmp(f.v[i].code, "PAGE_EXT_MISSING"))
			CHECK_EQ(f.v[i].a, 4);
		if (!strcmp(f.v[i].code, "PAGE_EXT_INVALIDATED"))
			CHECK_EQ(f.v[i].a, 2);
	}
	ms_findings_free(&f);
	ms_ctx_fini(&c);
	synth_free(s);
}

/* Two levels: a root node (shift 6) whose slot 1 holds a leaf node. */
static void test_two_levels(void)
{
	struct synth *s = synth_new(GEN_6_12, 0);
	uint64_t root = 0xffff888030000000ULL, leaf = 0xffff888030001000ULL;
	unsigned char *r = synth_map(s, root, 40 + 512);
	unsigned char *l = synth_map(s, leaf, 40 + 512);
	struct ms_blocks *b;
	struct ms_ctx c;

	r[0] = 6;
	put64(r + 40 + 1 * 8, leaf | 2);
	l[0] = 0;
	synth_block_at(s, 0xffff888030010000ULL, 66, 0);
	put64(l + 40 + 2 * 8, 0xffff888030010000ULL);
	synth_block_at(s, 0xffff888030020000ULL, 127, 2);
	put64(l + 40 + 63 * 8, 0xffff888030020000ULL);
	synth_blocks_head(s, root | 2);
	synth_ctx(s, &c);
	b = ms_get_blocks(&c);
	CHECK(b && b->n == 2 && b->complete);
	if (b && b->n == 2) {
		CHECK_EQ(b->v[0].id, 66);
		CHECK_EQ(b->v[1].id, 127);
		CHECK(b->v[1].state == MS_MEM_OFFLINE);
	}
	ms_ctx_fini(&c);
	synth_free(s);
}

/* A node that points back at itself must not loop. */
static void test_loop_guard(void)
{
	struct synth *s = synth_new(GEN_6_12, 0);
	uint64_t root = 0xffff888030000000ULL;
	unsigned char *r = synth_map(s, root, 40 + 512);
	struct ms_blocks *b;
	struct ms_ctx c;

	r[0] = 6;
	put64(r + 40, root | 2);
	synth_blocks_head(s, root | 2);
	synth_ctx(s, &c);
	b = ms_get_blocks(&c);
	CHECK(b && b->n == 0);
	CHECK(b && !b->complete);
	CHECK(c.nerrors >= 1);
	ms_ctx_fini(&c);
	synth_free(s);
}

/*
 * The memory_blocks node (shift 0) with slot 0 pointing back at the node
 * itself: block 0 is lost, so the walk must say it is incomplete.
 */
static void test_self_slot_leaf(void)
{
	struct synth *s = synth_new(GEN_6_12, 0);
	unsigned char *node;
	struct ms_blocks *b;
	struct ms_ctx c;

	for (uint64_t id = 0; id < 4; id++)
		synth_block(s, id, synth_state(GEN_6_12, 0));
	node = synth_map(s, 0xffff888030000000ULL, 40 + 512);
	memcpy(node, synth_blocks_node(s), 40 + 512);
	put64(node + 40, 0xffff888030000000ULL | 2);
	synth_blocks_head(s, 0xffff888030000000ULL | 2);
	synth_ctx(s, &c);
	b = ms_get_blocks(&c);
	CHECK(b && b->available && b->n == 3);
	CHECK(b && !b->complete);
	CHECK_EQ(c.ninvalid, 1);
	if (c.nerrors)
		CHECK_EQ(c.errors[0].address, 0xffff888030000000ULL + 40);
	ms_ctx_fini(&c);
	synth_free(s);
}

/*
 * Inconsistent trees: a leaf node reached from two slots, a child whose
 * shift is not its parent's minus 6, an entry (not a node) in a shift-6
 * node, a slot that cannot be a struct memory_block pointer.  Each is one
 * invalid record; what is sound is still read, each block once.
 */
static void test_inconsistent_trees(void)
{
	for (int k = 0; k < 4; k++) {
		struct synth *s = synth_new(GEN_6_12, 0);
		uint64_t root = 0xffff888030000000ULL, leaf = 0xffff888030001000ULL;
		unsigned char *r = synth_map(s, root, 40 + 512);
		unsigned char *l = synth_map(s, leaf, 40 + 512);
		struct ms_blocks *b;
		struct ms_ctx c;
		size_t want = 2;

		r[0] = 6;
		put64(r + 40 + 1 * 8, leaf | 2);
		synth_block_at(s, 0xffff888030010000ULL, 66, 0);
		put64(l + 40 + 2 * 8, 0xffff888030010000ULL);
		synth_block_at(s, 0xffff888030020000ULL, 127, 2);
		put64(l + 40 + 63 * 8, 0xffff888030020000ULL);
		switch (k) {
		case 0:		/* the same leaf under slot 3 too */
			put64(r + 40 + 3 * 8, leaf | 2);
			break;
		case 1:		/* root shift 12 over a shift-0 child */
			r[0] = 12;
			want = 0;
			break;
		case 2:		/* a pointer in a shift-6 slot: multi-index */
			put64(r + 40 + 5 * 8, 0xffff888030020000ULL);
			break;
		case 3:		/* a user-space address in a leaf slot */
			put64(l + 40 + 4 * 8, 0x1000);
			break;
		}
		synth_blocks_head(s, root | 2);
		synth_ctx(s, &c);
		b = ms_get_blocks(&c);
		CHECK(b && b->available && !b->complete);
		CHECK_EQ(b ? b->n : 99, want);
		CHECK_EQ(c.ninvalid, 1);
		ms_ctx_fini(&c);
		synth_free(s);
	}
}

int main(void)
{
	test_states(GEN_6_1);
	test_states(GEN_6_12);
	test_two_levels();
	test_loop_guard();
	test_self_slot_leaf();
	test_inconsistent_trees();
	return synth_done("test_blocks");
}
