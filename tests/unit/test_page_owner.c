// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * page_owner records and stack depot handles on the synthetic target, with
 * the values a corrupt dump can hold: an unreadable page_ext table, a
 * page_ext_size no set of clients adds up to, an order above the largest
 * folio, a pool pointer that is not a kernel address, a record whose handle
 * is not the one looked up, a pool index beyond the pools in use, a stack
 * size beyond its entries array, a page_type that overflows as a mapcount.
 * Each must be recorded (partial) and never printed as data.
 *
 * The kernel side is a 6.8+ layout: struct page_owner of 6.12 and
 * page_table_check as page_ext clients, struct
 * stack_record with hash_list, size, handle, count and entries[64], handles
 * pool_index_plus_1:17, offset:10, extra:5.
 */
#include <stdlib.h>
#include <string.h>

#include "memsect/page_info.h"
#include "memsect/page_owner.h"
#include "memsect/report.h"
#include "memsect/sections.h"
#include "synth.h"

/* The report envelope of the synthetic dump. */
static const struct ms_report_info synth_info = { .dump_path = "synth" };

#define P 1	/* SECTION_MARKED_PRESENT */
#define M 2	/* SECTION_HAS_MEM_MAP */
#define O 4	/* SECTION_IS_ONLINE */

#define SYM_VA		0xffffffff83000000ULL	/* the globals below */
#define OPS_VA		(SYM_VA + 0x00)		/* page_owner_ops: .offset at 0 */
#define INITED_VA	(SYM_VA + 0x10)		/* page_owner_inited.key.enabled */
#define EXT_SIZE_VA	(SYM_VA + 0x20)		/* page_ext_size */
#define POOLS_NUM_VA	(SYM_VA + 0x30)		/* pools_num */
#define MAX_POOLS_VA	(SYM_VA + 0x38)		/* stack_max_pools (7.x) */
#define STACK_POOLS_VA	(SYM_VA + 0x40)		/* stack_pools[] (or the 7.x pointer) */
#define POOLS_ARRAY_VA	(SYM_VA + 0x100)	/* 7.x: what stack_pools points at */
#define EXTRA_BITS_VA	(SYM_VA + 0x200)	/* stack_depot_get_extra_bits (text) */
#define PTC_OPS_VA	(SYM_VA + 0x210)	/* page_table_check_ops: .offset at 0 */
#define PTC_OFF_VA	(SYM_VA + 0x220)	/* page_table_check_disabled.key.enabled */
#define POOL_VA		0xffff888030000000ULL	/* one 16 KiB depot pool */
#define TABLE_VA	0xffffc90040000000ULL	/* section 0's page_ext table */
#define HOLE_VA		0xffffc90050000000ULL	/* section 1's: not in the dump */
#define USER_VA		0x10000ULL		/* a low address that reads fine */

#define EXT_SIZE	SYNTH_PAGE_EXT_SIZE	/* flags, struct page_owner, page_table_check */
#define PO_SIZE		72
#define PTC_OFF		80
#define REC_SIZE	544			/* struct stack_record, 6.8+ */

struct po_target {
	struct ms_target t;
	struct ms_target *inner;
	int v7;		/* stack_pools is a pointer (stack_max_pools) */
};

static struct po_target pt;

static int w_read(void *priv, enum ms_addrspace as, uint64_t addr, void *buf,
		  size_t len, size_t *done)
{
	(void)priv;
	return pt.inner->ops->read(pt.inner->priv, as, addr, buf, len, done);
}

static int w_symbol(void *priv, const char *name, uint64_t *addr)
{
	static const struct { const char *name; uint64_t va; } syms[] = {
		{ "page_owner_ops", OPS_VA },
		{ "page_owner_inited", INITED_VA },
		{ "page_ext_size", EXT_SIZE_VA },
		{ "pools_num", POOLS_NUM_VA },
		{ "stack_pools", STACK_POOLS_VA },
		{ "stack_depot_get_extra_bits", EXTRA_BITS_VA },
		{ "page_table_check_ops", PTC_OPS_VA },
		{ "page_table_check_disabled", PTC_OFF_VA },
	};

	(void)priv;
	if (pt.v7 && !strcmp(name, "stack_max_pools")) {
		*addr = MAX_POOLS_VA;
		return 0;
	}
	for (size_t i = 0; i < sizeof(syms) / sizeof(syms[0]); i++)
		if (!strcmp(syms[i].name, name)) {
			*addr = syms[i].va;
			return 0;
		}
	return pt.inner->ops->symbol(pt.inner->priv, name, addr);
}

static int w_member(void *priv, const char *type, const char *member,
		    size_t *offset, size_t *size)
{
	static const struct { const char *type, *member; size_t off, size; } rows[] = {
		{ "page_ext_operations", "offset", 0, 8 },
		{ "page_owner", "order", 0, 2 },
		{ "page_owner", "last_migrate_reason", 2, 2 },
		{ "page_owner", "gfp_mask", 4, 4 },
		{ "page_owner", "handle", 8, 4 },
		{ "page_owner", "free_handle", 12, 4 },
		{ "page_owner", "ts_nsec", 16, 8 },
		{ "page_owner", "free_ts_nsec", 24, 8 },
		{ "page_owner", "comm", 32, 16 },
		{ "page_owner", "pid", 48, 4 },
		{ "page_owner", "tgid", 52, 4 },
		{ "page_owner", "free_pid", 56, 4 },
		{ "page_owner", "free_tgid", 60, 4 },
		{ "stack_record", "size", 20, 4 },
		{ "stack_record", "handle", 24, 4 },
		{ "stack_record", "count", 28, 4 },
		{ "stack_record", "entries", 32, 8 * 64 },
	};

	(void)priv;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if (!strcmp(rows[i].type, type) && !strcmp(rows[i].member, member)) {
			*offset = rows[i].off;
			*size = rows[i].size;
			return 0;
		}
	return pt.inner->ops->member(pt.inner->priv, type, member, offset, size);
}

static int w_type_size(void *priv, const char *type, size_t *size)
{
	(void)priv;
	if (!strcmp(type, "page_owner")) {
		*size = PO_SIZE;
		return 0;
	}
	if (!strcmp(type, "page_table_check")) {
		*size = 8;
		return 0;
	}
	return pt.inner->ops->type_size(pt.inner->priv, type, size);
}

static int w_enumerator(void *priv, const char *name, int64_t *value)
{
	(void)priv;
	return pt.inner->ops->enumerator(pt.inner->priv, name, value);
}

static const char *w_vmcoreinfo(void *priv, const char *key)
{
	(void)priv;
	return pt.inner->ops->vmcoreinfo(pt.inner->priv, key);
}

static const struct ms_target_ops w_ops = {
	.read = w_read,
	.symbol = w_symbol,
	.member = w_member,
	.type_size = w_type_size,
	.enumerator = w_enumerator,
	.vmcoreinfo = w_vmcoreinfo,
};

static void put(unsigned char *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

struct world {
	struct synth *s;
	unsigned char *syms, *pool, *table, *pages, *low;
};

/* 6.8+ handle: pool_index_plus_1:17, offset:10 (16-byte units), extra:5 */
static uint32_t handle_of(unsigned pool, unsigned off16)
{
	return (pool + 1) | (off16 << 17);
}

/* A stack record of @n frames at 16-byte unit @off16 of the pool. */
static void stack_record(unsigned char *pool, unsigned off16, uint32_t handle,
			 uint32_t n)
{
	unsigned char *r = pool + off16 * 16;

	put(r + 20, n, 4);
	put(r + 24, handle, 4);
	put(r + 28, 1, 4);	/* refcount */
	for (uint32_t i = 0; i < n && i < 64; i++)
		put(r + 32 + 8 * i, 0xffffffff81000000ULL + 0x10 * i, 8);
}

/* The page_owner record of entry @k of section 0. */
static void record(struct world *w, uint64_t k, unsigned order, uint32_t handle)
{
	unsigned char *e = w->table + EXT_SIZE * k;

	put(e, 3, 8);		/* PAGE_EXT_OWNER | PAGE_EXT_OWNER_ALLOCATED */
	put(e + 8 + 0, order, 2);
	put(e + 8 + 2, (uint64_t)-1, 2);	/* never migrated */
	put(e + 8 + 4, 0xcc0, 4);
	put(e + 8 + 8, handle, 4);
	memcpy(e + 8 + 32, "synth", 5);
	put(e + 8 + 48, 42, 4);
	put(e + PTC_OFF, 1, 4);	/* anon_map_count */
}

/*
 * Section 0 with a readable table (pfn 0: an order-0 record with a 3-frame
 * stack), section 1 whose table is not in the dump, both online.
 */
static void world_new(struct world *w, struct ms_ctx *c, int v7, uint64_t ext_size)
{
	memset(w, 0, sizeof(*w));
	w->s = synth_new(GEN_6_12, 0);
	synth_set_enum(w->s, "PAGE_EXT_OWNER", 0);
	synth_set_enum(w->s, "PAGE_EXT_OWNER_ALLOCATED", 1);
	w->syms = synth_map(w->s, SYM_VA, 0x300);
	put(w->syms + (OPS_VA - SYM_VA), 8, 8);
	put(w->syms + (INITED_VA - SYM_VA), 1, 4);
	put(w->syms + (EXT_SIZE_VA - SYM_VA), ext_size, 8);
	put(w->syms + (POOLS_NUM_VA - SYM_VA), 1, 4);
	put(w->syms + (MAX_POOLS_VA - SYM_VA), 8192, 4);
	put(w->syms + (PTC_OPS_VA - SYM_VA), PTC_OFF, 8);
	if (v7) {
		put(w->syms + (STACK_POOLS_VA - SYM_VA), POOLS_ARRAY_VA, 8);
		put(w->syms + (POOLS_ARRAY_VA - SYM_VA), POOL_VA, 8);
	} else {
		put(w->syms + (STACK_POOLS_VA - SYM_VA), POOL_VA, 8);
	}
	w->pool = synth_map(w->s, POOL_VA, 16384);
	stack_record(w->pool, 0, handle_of(0, 0), 3);
	w->table = synth_map(w->s, TABLE_VA, EXT_SIZE * SYNTH_PPS);
	record(w, 0, 0, handle_of(0, 0));
	w->pages = synth_section(w->s, 0, P | M | O, TABLE_VA);
	synth_section(w->s, 1, P | M | O, HOLE_VA - EXT_SIZE * SYNTH_PPS);
	w->low = synth_map(w->s, USER_VA, 16384);
	pt.inner = synth_target(w->s);
	pt.t.ops = &w_ops;
	pt.t.priv = &pt;
	pt.v7 = v7;
	if (c) {
		char err[256];

		if (ms_ctx_init(c, &pt.t, err, sizeof(err))) {
			fprintf(stderr, "ms_ctx_init: %s\n", err);
			exit(1);
		}
	}
}

static void world_free(struct world *w, struct ms_ctx *c)
{
	if (c)
		ms_ctx_fini(c);
	synth_free(w->s);
}

struct seen {
	unsigned n;
	struct ms_page_owner po[8];
};

static int collect(void *arg, const struct ms_page_owner *po)
{
	struct seen *s = arg;

	if (s->n < 8)
		s->po[s->n] = *po;
	s->n++;
	return 0;
}

/* Whether a recorded problem of @kind mentions @text. */
static int has_error(const struct ms_ctx *c, enum ms_error_kind kind, const char *text)
{
	for (unsigned i = 0; i < c->nerrors && i < MS_MAX_ERRORS; i++)
		if (c->errors[i].kind == kind && strstr(c->errors[i].what, text))
			return 1;
	return 0;
}

/* The sound world: one record, its stack, nothing recorded. */
static void test_sound(int v7)
{
	const struct ms_po_layout *pl;
	struct world w;
	struct ms_ctx c;
	struct ms_stack st;
	struct seen seen = { 0 };

	world_new(&w, &c, v7, EXT_SIZE);
	synth_section(w.s, 1, P | M | O, 0);	/* no unreadable section here */
	ms_ctx_fini(&c);
	ms_ctx_init(&c, &pt.t, (char[256]){ 0 }, 256);
	pl = ms_get_po_layout(&c);
	CHECK(pl->ok);
	CHECK_EQ(ms_for_each_page_owner(&c, pl, MS_OWNER_ALLOCATED, -1, collect, &seen), 1);
	CHECK_EQ(seen.po[0].pfn, 0);
	CHECK(!seen.po[0].order_invalid);
	CHECK_EQ(ms_stack_fetch(&c, &pl->depot, handle_of(0, 0), &st), 0);
	CHECK_EQ(st.n, 3);
	CHECK_EQ(st.ip[2], 0xffffffff81000020ULL);
	/* the caller's extra bits (stack_depot_set_extra_bits) are not the record's */
	CHECK_EQ(ms_stack_fetch(&c, &pl->depot, handle_of(0, 0) | 3u << 27, &st), 0);
	CHECK_EQ(c.nerrors, 0);
	{
		uint64_t pfn = 0;
		char *buf = NULL;
		size_t len = 0;
		FILE *out = open_memstream(&buf, &len);

		ms_page_report(out, &c, &pfn, 1, 1, &synth_info);
		fclose(out);
		CHECK(buf && strstr(buf, "\"page_table_check\":{\"anon_map_count\":1"));
		CHECK(buf && !strstr(buf, "page_ext_error"));
		CHECK(buf && strstr(buf, "\"partial\":false"));
		free(buf);
	}
	CHECK_EQ(c.nerrors, 0);
	world_free(&w, &c);
}

/* A section whose table is unreadable is a read error naming it, not a silent skip. */
static void test_unreadable_section(void)
{
	const struct ms_po_layout *pl;
	struct world w;
	struct ms_ctx c;
	struct seen seen = { 0 };
	const struct ms_section *s1;
	char why[160];

	world_new(&w, &c, 0, EXT_SIZE);
	pl = ms_get_po_layout(&c);
	CHECK(pl->ok);
	s1 = ms_find_section(ms_get_sections(&c), 1);
	CHECK(s1 && s1->pe_state == MS_PE_UNREADABLE);
	CHECK_EQ(ms_for_each_page_owner(&c, pl, MS_OWNER_ALLOCATED, -1, collect, &seen), 1);
	CHECK(ms_ctx_read_errors(&c) > 0);
	CHECK(has_error(&c, MS_ERR_READ, "section 1 page_ext table unreadable"));
	/* any other state (an implausible pointer) is not walked and not silent */
	if (s1) {
		struct ms_section odd = *s1;
		unsigned before = c.nerrors;

		odd.pe_state = MS_PE_NSTATES;
		CHECK_EQ((unsigned)ms_page_ext_section(&c, &odd, why, sizeof(why)),
			 (unsigned)MS_ERROR);
		CHECK(strstr(why, "section 1") != NULL);
		CHECK_EQ(c.nerrors, before + 1);
	}
	world_free(&w, &c);
}

/*
 * page_ext_size values no set of clients adds up to: the layout refuses
 * them with the reason and the result is partial; the page command reads
 * no entry through them (0, 8 and 16 overran a heap buffer).
 */
static void test_bad_ext_size(void)
{
	static const uint64_t sizes[] = { 0, 8, 16, 76, 84, ~0ULL, 1ULL << 47 };

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		const struct ms_po_layout *pl;
		struct world w;
		struct ms_ctx c;
		char *buf = NULL;
		size_t len = 0;
		FILE *out;
		uint64_t pfn = 0;

		world_new(&w, &c, 0, sizes[i]);
		pl = ms_get_po_layout(&c);
		CHECK(!pl->ok);
		CHECK(strstr(pl->why, "page_ext_size") != NULL);
		CHECK(strstr(pl->why, "no page_ext in this kernel") == NULL);
		CHECK(has_error(&c, MS_ERR_INVALID, "page_ext_size"));
		CHECK_EQ(ms_for_each_page_owner(&c, pl, MS_OWNER_ALLOCATED, -1, collect,
						&(struct seen){ 0 }), 0);
		out = open_memstream(&buf, &len);
		ms_page_report(out, &c, &pfn, 1, 1, &synth_info);
		fclose(out);
		CHECK(buf && strstr(buf, "\"page_ext\":null") && strstr(buf, "page_ext_size"));
		CHECK(buf && strstr(buf, "\"partial\":true"));
		free(buf);
		world_free(&w, &c);
	}
}

/* Orders above the largest folio: recorded, marked, no undefined shift. */
static void test_bad_order(void)
{
	static const unsigned orders[] = { 19, 40, 63, 64, 255, 65535 };

	for (size_t i = 0; i < sizeof(orders) / sizeof(orders[0]); i++) {
		const struct ms_po_layout *pl;
		struct world w;
		struct ms_ctx c;
		struct seen seen = { 0 };

		world_new(&w, &c, 0, EXT_SIZE);
		synth_section(w.s, 1, P | M | O, 0);
		ms_ctx_fini(&c);
		ms_ctx_init(&c, &pt.t, (char[256]){ 0 }, 256);
		record(&w, 5, orders[i], handle_of(0, 0));
		pl = ms_get_po_layout(&c);
		ms_for_each_page_owner(&c, pl, MS_OWNER_ALLOCATED, -1, collect, &seen);
		CHECK_EQ(seen.n, 2);
		CHECK(seen.n == 2 && seen.po[1].pfn == 5 && seen.po[1].order_invalid);
		CHECK(has_error(&c, MS_ERR_INVALID, "order"));
		world_free(&w, &c);
	}
}

static int fetch_fails(int v7, void (*mutate)(struct world *w), const char *why)
{
	const struct ms_po_layout *pl;
	struct world w;
	struct ms_ctx c;
	struct ms_stack st;
	char *buf = NULL;
	size_t len = 0;
	FILE *out;
	struct ms_page_owner po;
	int ok = 1;

	world_new(&w, &c, v7, EXT_SIZE);
	mutate(&w);
	pl = ms_get_po_layout(&c);
	if (ms_stack_fetch(&c, &pl->depot, handle_of(0, 0), &st) != MS_ERROR ||
	    !strstr(st.why, why) || !has_error(&c, MS_ERR_INVALID, why) || st.n) {
		fprintf(stderr, "stack fetch: expected \"%s\", got n %u why \"%s\"\n", why,
			st.n, st.why);
		ok = 0;
	}
	/* the record is printed with a note, never with frames */
	CHECK_EQ(ms_page_owner_read(&c, pl, 0, &po), 0);
	out = open_memstream(&buf, &len);
	ms_page_owner_text(out, &c, pl, &po);
	fclose(out);
	if (!buf || !strstr(buf, "memsect: stack unavailable: ") ||
	    strstr(buf, "0xffffffff81000000")) {
		fprintf(stderr, "text record: %s\n", buf ? buf : "(none)");
		ok = 0;
	}
	free(buf);
	world_free(&w, &c);
	return ok;
}

static void pool_not_kernel(struct world *w)
{
	/* stack_pools[0] = ~0 */
	put(w->syms + (STACK_POOLS_VA - SYM_VA), ~0ULL, 8);
}

static void pool_user(struct world *w)
{
	/* a low address that reads: a garbage record with a plausible size */
	put(w->syms + (STACK_POOLS_VA - SYM_VA), USER_VA, 8);
	stack_record(w->low, 0, handle_of(0, 0), 64);
}

static void handle_mismatch(struct world *w)
{
	put(w->pool + 24, handle_of(0, 7), 4);
}

static void beyond_pools_num(struct world *w)
{
	put(w->syms + (POOLS_NUM_VA - SYM_VA), 0, 4);
}

static void size_too_big(struct world *w)
{
	put(w->pool + 20, 65, 4);
}

static void size_huge(struct world *w)
{
	put(w->pool + 20, ~0U, 4);
}

static void v7_pointer_bad(struct world *w)
{
	put(w->syms + (STACK_POOLS_VA - SYM_VA), 0x1000, 8);
}

static void v7_pool_bad(struct world *w)
{
	put(w->syms + (POOLS_ARRAY_VA - SYM_VA), ~0ULL, 8);
}

static void v7_beyond_max(struct world *w)
{
	put(w->syms + (MAX_POOLS_VA - SYM_VA), 0, 4);
}

static void test_depot(void)
{
	CHECK(fetch_fails(0, pool_not_kernel, "is not a page-aligned kernel address"));
	CHECK(fetch_fails(0, pool_user, "is not a page-aligned kernel address"));
	CHECK(fetch_fails(0, handle_mismatch, "has handle"));
	CHECK(fetch_fails(0, beyond_pools_num, "beyond the 0 pools in use"));
	CHECK(fetch_fails(0, size_too_big, "exceeds its 64 entries"));
	CHECK(fetch_fails(0, size_huge, "exceeds"));
	CHECK(fetch_fails(1, pool_not_kernel, "stack_pools 0xffffffffffffffff is not an aligned kernel address"));
	CHECK(fetch_fails(1, v7_pointer_bad, "stack_pools 0x1000 is not an aligned kernel address"));
	CHECK(fetch_fails(1, v7_pool_bad, "pool 0 at 0xffffffffffffffff is not a page-aligned kernel address"));
	CHECK(fetch_fails(1, v7_beyond_max, "beyond stack_max_pools"));
}

/* JSON: stack null with its reason, order_valid false, partial true. */
static void test_json_notes(void)
{
	struct world w;
	struct ms_ctx c;
	char *buf = NULL;
	size_t len = 0;
	FILE *out;

	world_new(&w, &c, 0, EXT_SIZE);
	pool_not_kernel(&w);
	record(&w, 0, 40, handle_of(0, 0));
	out = open_memstream(&buf, &len);
	ms_owner_report(out, &c, MS_OWNER_ALLOCATED, -1, 1, &synth_info);
	fclose(out);
	CHECK(buf && strstr(buf, "\"order_valid\":false"));
	CHECK(buf && strstr(buf, "\"stack\":null,\"stack_error\":\"handle 0x1: pool 0 at 0xffffffffffffffff is not a page-aligned kernel address\""));
	CHECK(buf && strstr(buf, "\"partial\":true"));
	CHECK(buf && strstr(buf, "\"kind\":\"invalid\""));
	CHECK(buf && strstr(buf, "section 1 page_ext table unreadable"));
	free(buf);
	world_free(&w, &c);
}

/* page_type 0x7fffffff: the mapcount (_mapcount + 1) does not overflow. */
static void test_mapcount(void)
{
	struct world w;
	struct ms_ctx c;
	char *buf = NULL;
	size_t len = 0;
	FILE *out;
	uint64_t pfn = 3;

	world_new(&w, &c, 0, EXT_SIZE);
	synth_page(w.pages, 3, 0, 0x7fffffffu, 1);
	out = open_memstream(&buf, &len);
	ms_page_report(out, &c, &pfn, 1, 1, &synth_info);
	fclose(out);
	CHECK(buf && strstr(buf, "\"mapcount\":2147483648"));
	free(buf);
	world_free(&w, &c);
}

/* The page command says why a page_ext entry is missing. */
static void test_page_unreadable(void)
{
	struct world w;
	struct ms_ctx c;
	char *buf = NULL;
	size_t len = 0;
	FILE *out;
	uint64_t pfn = SYNTH_PPS + 1;

	world_new(&w, &c, 0, EXT_SIZE);
	out = open_memstream(&buf, &len);
	ms_page_report(out, &c, &pfn, 1, 0, &synth_info);
	fclose(out);
	CHECK(buf && strstr(buf, "page_ext: unavailable: section 1 page_ext table unreadable"));
	CHECK(has_error(&c, MS_ERR_READ, "section 1"));
	free(buf);
	world_free(&w, &c);
}

int main(void)
{
	test_sound(0);
	test_sound(1);
	test_unreadable_section();
	test_bad_ext_size();
	test_bad_order();
	test_depot();
	test_json_notes();
	test_mapcount();
	test_page_unreadable();
	return synth_done("test_page_owner");
}
