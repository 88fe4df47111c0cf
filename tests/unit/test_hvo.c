// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * HVO decoding on synthetic vmemmap page tables: both generations (tails
 * aliasing the head frame up to 7.0, a shared per-order tail page from 7.1),
 * hugetlb recognised by PGTY_hugetlb (6.12+) and by compound_dtor (<= 6.5),
 * and the inconsistent states: flag without remap, remap without flag, a
 * writable alias, a head frame shared by two folios.
 */
#include <string.h>

#include "memsect/findings.h"
#include "memsect/hvo.h"
#include "memsect/offline.h"
#include "synth.h"

#define PG_HEAD 16
#define HPG_OPT 4
#define PRIVATE_OFF 40
#define DTOR_OFF 16		/* 6.1 page[1].compound_dtor */
#define ORDER_OFF 17		/* 6.1 page[1].compound_order */
#define HUGETLB_DTOR 2
#define PTE_RW 0x2ULL
#define PTE_RO_ENTRY 0x8000000000000161ULL
#define PTE_RW_ENTRY 0x8000000000000163ULL
#define SEC 1ULL		/* the section the folios live in */
#define MAX_REMAP 64

/* Per 4 KiB vmemmap page overrides of the synthetic linear mapping. */
struct remap {
	uint64_t va, pa, entry;
};

struct hvo_target {
	struct ms_target t;
	struct ms_target *base;
	struct remap r[MAX_REMAP];
	int n;
	int gen61;
	int pud;		/* map the vmemmap with (impossible) 1 GiB leaves */
};

static int h_read(void *p, enum ms_addrspace as, uint64_t a, void *b, size_t l,
		  size_t *d)
{
	struct hvo_target *h = p;

	return h->base->ops->read(h->base->priv, as, a, b, l, d);
}

static int h_symbol(void *p, const char *n, uint64_t *a)
{
	struct hvo_target *h = p;

	return h->base->ops->symbol(h->base->priv, n, a);
}

static int h_member(void *p, const char *type, const char *m, size_t *off,
		    size_t *size)
{
	struct hvo_target *h = p;

	if (!strcmp(type, "page") && !strcmp(m, "private")) {
		*off = PRIVATE_OFF;
		*size = 8;
		return 0;
	}
	if (h->gen61 && !strcmp(type, "page") && !strcmp(m, "compound_dtor")) {
		*off = DTOR_OFF;
		*size = 1;
		return 0;
	}
	if (h->gen61 && !strcmp(type, "page") && !strcmp(m, "compound_order")) {
		*off = ORDER_OFF;
		*size = 1;
		return 0;
	}
	return h->base->ops->member(h->base->priv, type, m, off, size);
}

static int h_type_size(void *p, const char *type, size_t *size)
{
	struct hvo_target *h = p;

	return h->base->ops->type_size(h->base->priv, type, size);
}

static int h_enumerator(void *p, const char *n, int64_t *v)
{
	struct hvo_target *h = p;

	return h->base->ops->enumerator(h->base->priv, n, v);
}

static const char *h_vmcoreinfo(void *p, const char *k)
{
	struct hvo_target *h = p;

	return h->base->ops->vmcoreinfo(h->base->priv, k);
}

/* A 2 MiB vmemmap range with any override is split into 4 KiB PTEs. */
static int h_vtop(void *p, uint64_t va, uint64_t *pa, struct ms_pte *leaf)
{
	struct hvo_target *h = p;
	int split = 0, r;

	if (h->pud) {
		r = h->base->ops->vtop(h->base->priv, va, pa, leaf);
		leaf->entry = (*pa & ~((1ULL << 30) - 1)) | 0xe3;
		leaf->level = 3;
		leaf->leaf_size = 1ULL << 30;
		return r;
	}
	for (int i = 0; i < h->n; i++) {
		if (h->r[i].va == (va & ~4095ULL)) {
			*pa = h->r[i].pa | (va & 4095);
			leaf->entry = h->r[i].entry;
			leaf->level = 1;
			leaf->leaf_size = 4096;
			return 0;
		}
		split |= (h->r[i].va >> 21) == (va >> 21);
	}
	r = h->base->ops->vtop(h->base->priv, va, pa, leaf);
	if (r == 0 && split) {
		leaf->entry = PTE_RW_ENTRY;
		leaf->level = 1;
		leaf->leaf_size = 4096;
	}
	return r;
}

static const struct ms_target_ops hvo_ops = {
	.read = h_read,
	.symbol = h_symbol,
	.member = h_member,
	.type_size = h_type_size,
	.enumerator = h_enumerator,
	.vmcoreinfo = h_vmcoreinfo,
	.vtop = h_vtop,
};

static void wrap(struct hvo_target *h, struct synth *s, int gen61)
{
	memset(h, 0, sizeof(*h));
	h->base = synth_target(s);
	h->t.ops = &hvo_ops;
	h->t.priv = h;
	h->gen61 = gen61;
}

static uint64_t vmemmap_va(uint64_t pfn)
{
	return SYNTH_VMEMMAP + pfn * 64;
}

static uint64_t phys_of(uint64_t va)
{
	return va - SYNTH_VMEMMAP + SYNTH_VMEMMAP_PHYS;
}

/* Map vmemmap page @k of the folio at @pfn to @pa with @entry. */
static void remap(struct hvo_target *h, uint64_t pfn, uint64_t k, uint64_t pa,
		  uint64_t entry)
{
	h->r[h->n++] = (struct remap){ vmemmap_va(pfn) + k * 4096, pa, entry };
}

/* An order-9 hugetlb head at section index @idx in @pages. */
static void folio(unsigned char *pages, uint64_t idx, int gen61, int flag)
{
	unsigned char *head = pages + idx * 64, *t1 = head + 64;
	uint64_t private = flag ? 1ULL << HPG_OPT : 0;

	synth_page(pages, idx, 1ULL << PG_HEAD, gen61 ? 0xffffffffu : 0xf4000000u, 1);
	memcpy(head + PRIVATE_OFF, &private, 8);
	if (gen61) {
		t1[DTOR_OFF] = HUGETLB_DTOR;
		t1[ORDER_OFF] = 9;
	} else {
		t1[0] = 9;	/* _flags_1 & 0xff */
	}
}

/*
 * Remap vmemmap pages 1..7 of the folio read-only onto the head frame (HVO
 * up to 7.0); their old frames, now freed, are left zeroed, so the fake
 * heads seen come only through the page tables.
 */
static void head_alias(struct hvo_target *h, uint64_t pfn)
{
	remap(h, pfn, 0, phys_of(vmemmap_va(pfn)), PTE_RW_ENTRY);
	for (int k = 1; k < 8; k++)
		remap(h, pfn, k, phys_of(vmemmap_va(pfn)), PTE_RO_ENTRY);
}

static struct synth *setup(enum synth_gen gen, struct hvo_target *h,
			   unsigned char **pages)
{
	struct synth *s = synth_new(gen, 0);
	int gen61 = gen == GEN_6_1;

	*pages = synth_section(s, SEC, 7, 0);
	synth_use_vtop(s, 0);
	synth_set_enum(s, "PG_head", PG_HEAD);
	synth_set_enum(s, "HPG_vmemmap_optimized", HPG_OPT);
	if (gen61)
		synth_set_vmcoreinfo(s, "NUMBER(HUGETLB_PAGE_DTOR)", "2");
	else
		synth_set_enum(s, "PGTY_hugetlb", 0xf4);
	wrap(h, s, gen61);
	return s;
}

static int codes(struct ms_findings *f, const char *code)
{
	int n = 0;

	for (size_t i = 0; i < f->n; i++)
		n += !strcmp(f->v[i].code, code);
	return n;
}

/* The evidence of @x under @key, or NULL. */
static const struct ms_evidence *evidence(const struct ms_finding *x,
					  enum ms_ev_key key)
{
	for (unsigned i = 0; i < x->nev; i++)
		if (!strcmp(x->ev[i].key, ms_ev_key_name(key)))
			return &x->ev[i];
	return NULL;
}

static void run(struct hvo_target *h, struct ms_ctx *c, struct ms_findings *f)
{
	char err[256];

	memset(f, 0, sizeof(*f));
	if (ms_ctx_init(c, &h->t, err, sizeof(err))) {
		fprintf(stderr, "ctx: %s\n", err);
		synth_failures++;
		return;
	}
	ms_checks_hvo(c, f);
}

/* Up to 7.0 on both hugetlb encodings: fake heads counted, never folios. */
static void test_head_alias(enum synth_gen gen)
{
	struct hvo_target h;
	unsigned char *p;
	struct synth *s = setup(gen, &h, &p);
	uint64_t pfn = SEC * SYNTH_PPS + 512;
	struct ms_findings f;
	struct ms_hvo *hv;
	struct ms_ctx c;

	folio(p, 512, gen == GEN_6_1, 1);
	head_alias(&h, pfn);
	run(&h, &c, &f);
	hv = ms_get_hvo(&c);
	CHECK(hv && hv->n == 1);
	if (hv && hv->n == 1) {
		struct ms_hvo_folio *v = &hv->v[0];

		CHECK_EQ(v->pfn, pfn);
		CHECK_EQ(v->order, 9);
		CHECK(v->flag);
		CHECK_EQ(v->scheme, MS_HVO_HEAD_ALIAS);
		CHECK_EQ(v->vmemmap_pages, 8);
		CHECK_EQ(v->pte_mapped, 8);
		CHECK_EQ(v->distinct_frames, 1);
		CHECK_EQ(v->aliased_pages, 7);
		CHECK_EQ(v->aliased_writable, 0);
		CHECK_EQ(v->fake_heads, 7);
		CHECK_EQ(v->alias_frame, v->head_frame);
		CHECK_EQ(hv->aliased_struct_pages, 7 * 64);
	}
	CHECK_EQ(f.n, 0);
	ms_findings_free(&f);
	ms_ctx_fini(&c);
	synth_free(s);
}

/* 7.1+: each folio keeps its head page; all tails share one RO frame. */
static void test_shared_tail(void)
{
	struct hvo_target h;
	unsigned char *p;
	struct synth *s = setup(GEN_6_12, &h, &p);
	uint64_t pfn[2] = { SEC * SYNTH_PPS + 512, SEC * SYNTH_PPS + 1024 };
	/* the shared tail page: a vmemmap page no present section uses */
	uint64_t tail_va = vmemmap_va(40 * SYNTH_PPS);
	unsigned char *tail = synth_map(s, tail_va, 4096);
	struct ms_findings f;
	struct ms_hvo *hv;
	struct ms_ctx c;

	(void)tail;	/* tails without PG_head: no fake heads */
	for (int i = 0; i < 2; i++) {
		folio(p, pfn[i] - SEC * SYNTH_PPS, 0, 1);
		remap(&h, pfn[i], 0, phys_of(vmemmap_va(pfn[i])), PTE_RW_ENTRY);
		for (int k = 1; k < 8; k++)
			remap(&h, pfn[i], k, phys_of(tail_va), PTE_RO_ENTRY);
	}
	run(&h, &c, &f);
	hv = ms_get_hvo(&c);
	CHECK(hv && hv->n == 2 && hv->nshares == 1);
	if (hv && hv->n == 2 && hv->nshares == 1) {
		CHECK_EQ(hv->v[0].scheme, MS_HVO_SHARED_TAIL);
		CHECK_EQ(hv->v[1].distinct_frames, 2);
		CHECK_EQ(hv->v[0].fake_heads, 0);
		CHECK_EQ(hv->shares[0].frame, phys_of(tail_va));
		CHECK(hv->shares[0].expected);
	}
	CHECK_EQ(f.n, 0);
	ms_findings_free(&f);
	ms_ctx_fini(&c);
	synth_free(s);
}

static void test_flag_without_remap(void)
{
	struct hvo_target h;
	unsigned char *p;
	struct synth *s = setup(GEN_6_12, &h, &p);
	struct ms_findings f;
	struct ms_ctx c;

	folio(p, 512, 0, 1);	/* linear 2 MiB mapping: nothing aliased */
	run(&h, &c, &f);
	CHECK_EQ(codes(&f, "HVO_FLAG_WITHOUT_REMAP"), 1);
	CHECK_EQ(f.n, 1);
	CHECK(ms_get_hvo(&c) && ms_get_hvo(&c)->v[0].scheme == MS_HVO_NONE);
	ms_findings_free(&f);
	ms_ctx_fini(&c);
	synth_free(s);
}

static void test_remap_without_flag(void)
{
	struct hvo_target h;
	unsigned char *p;
	struct synth *s = setup(GEN_6_12, &h, &p);
	uint64_t pfn = SEC * SYNTH_PPS + 512;
	struct ms_findings f;
	struct ms_ctx c;

	folio(p, 512, 0, 0);
	head_alias(&h, pfn);
	run(&h, &c, &f);
	CHECK_EQ(codes(&f, "HVO_REMAP_WITHOUT_FLAG"), 1);
	CHECK_EQ(f.n, 1);
	ms_findings_free(&f);
	ms_ctx_fini(&c);
	synth_free(s);
}

static void test_alias_writable(void)
{
	struct hvo_target h;
	unsigned char *p;
	struct synth *s = setup(GEN_6_12, &h, &p);
	uint64_t pfn = SEC * SYNTH_PPS + 512;
	struct ms_findings f;
	struct ms_ctx c;

	folio(p, 512, 0, 1);
	head_alias(&h, pfn);
	h.r[3].entry |= PTE_RW;		/* vmemmap page 3 */
	run(&h, &c, &f);
	CHECK_EQ(codes(&f, "HVO_ALIAS_WRITABLE"), 1);
	CHECK_EQ(f.n, 1);
	if (f.n == 1) {
		const struct ms_evidence *e = evidence(&f.v[0],
						       MS_K_aliased_writable);

		CHECK(e && e->u == 1);
	}
	if (ms_get_hvo(&c) && ms_get_hvo(&c)->n == 1) {
		const struct ms_hvo_folio *v = &ms_get_hvo(&c)->v[0];

		/* one aliased frame: pages 0..7, page 0 and page 3 writable */
		CHECK_EQ(v->nframes, 1);
		CHECK_EQ(v->frames[0].pages, 8);
		CHECK_EQ(v->frames[0].writable, 2);
		CHECK_EQ(v->frames_more, 0);
	}
	ms_findings_free(&f);
	ms_ctx_fini(&c);
	synth_free(s);
}

/* Two folios whose aliases both point at the first one's head frame. */
static void test_head_frame_shared(void)
{
	struct hvo_target h;
	unsigned char *p;
	struct synth *s = setup(GEN_6_12, &h, &p);
	uint64_t a = SEC * SYNTH_PPS + 512, b = SEC * SYNTH_PPS + 1024;
	struct ms_findings f;
	struct ms_ctx c;

	folio(p, 512, 0, 1);
	folio(p, 1024, 0, 1);
	head_alias(&h, a);
	remap(&h, b, 0, phys_of(vmemmap_va(b)), PTE_RW_ENTRY);
	for (int k = 1; k < 8; k++)
		remap(&h, b, k, phys_of(vmemmap_va(a)), PTE_RO_ENTRY);
	run(&h, &c, &f);
	CHECK_EQ(codes(&f, "HVO_SHARED_FRAME"), 1);
	CHECK_EQ(f.n, 1);
	if (f.n == 1) {
		const struct ms_evidence *e = evidence(&f.v[0], MS_K_role);

		CHECK_EQ(f.v[0].a, phys_of(vmemmap_va(a)));
		CHECK(e && !strcmp(e->s, "head"));
	}
	ms_findings_free(&f);
	ms_ctx_fini(&c);
	synth_free(s);
}

/*
 * The PageOffline scan skips a hugetlb folio's tails: here the frame its
 * aliases map holds PageOffline-typed struct pages (a reused frame).  A
 * scan that decodes the aliases (the same dump without PG_head in the
 * debug info, so hugetlb cannot be recognised) counts 7 * 64 offline
 * pages; memsect counts only the real one after the folio.
 */
static void test_offline_skips_aliases(void)
{
	struct hvo_target h;
	unsigned char *p;
	struct synth *s = setup(GEN_6_12, &h, &p);
	uint64_t pfn = SEC * SYNTH_PPS + 512;
	uint64_t tail_va = vmemmap_va(40 * SYNTH_PPS);
	unsigned char *tail = synth_map(s, tail_va, 4096);
	struct ms_offline *o;
	struct ms_ctx c;
	char err[256];

	for (int i = 0; i < 64; i++)
		synth_page(tail, (uint64_t)i, 0, synth_offline_type(GEN_6_12), 1);
	folio(p, 512, 0, 1);
	synth_page(p, 1024, 0, synth_offline_type(GEN_6_12), 1);
	remap(&h, pfn, 0, phys_of(vmemmap_va(pfn)), PTE_RW_ENTRY);
	for (int k = 1; k < 8; k++)
		remap(&h, pfn, k, phys_of(tail_va), PTE_RO_ENTRY);

	CHECK(ms_ctx_init(&c, &h.t, err, sizeof(err)) == 0);
	o = ms_get_offline(&c);
	CHECK(o && o->pages == 1 && o->n == 1);
	if (o && o->n == 1)
		CHECK_EQ(o->v[0].start_pfn, pfn + 512);
	ms_ctx_fini(&c);

	synth_drop(s, "PG_head");
	CHECK(ms_ctx_init(&c, &h.t, err, sizeof(err)) == 0);
	o = ms_get_offline(&c);
	CHECK(o && o->pages == 7 * 64 + 1);
	ms_ctx_fini(&c);
	synth_free(s);
}

static void put_u64(unsigned char *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

/*
 * An order byte no folio can have (above max_folio_order, or 0): the folio
 * is kept, marked invalid, never walked or shifted by; its fake heads (the
 * same bytes through the aliased vmemmap) are counted, not taken for more
 * folios; the folio after it is still found.
 */
static void test_bad_order(enum synth_gen gen, unsigned char order)
{
	struct hvo_target h;
	unsigned char *p;
	struct synth *s = setup(gen, &h, &p);
	uint64_t pfn = SEC * SYNTH_PPS + 512;
	struct ms_findings f;
	struct ms_hvo *hv;
	struct ms_ctx c;

	folio(p, 512, gen == GEN_6_1, 1);
	folio(p, 1024, gen == GEN_6_1, 0);
	p[513 * 64 + (gen == GEN_6_1 ? ORDER_OFF : 0)] = order;
	head_alias(&h, pfn);
	run(&h, &c, &f);
	hv = ms_get_hvo(&c);
	CHECK(hv && hv->n == 2);
	if (hv && hv->n == 2) {
		CHECK_EQ(hv->v[0].pfn, pfn);
		CHECK(hv->v[0].order_invalid);
		CHECK(strstr(hv->v[0].problem, "order") != NULL);
		CHECK_EQ(hv->v[0].scheme, MS_HVO_UNKNOWN);
		CHECK_EQ(hv->v[0].vmemmap_pages, 0);
		CHECK_EQ(hv->v[0].fake_heads, 7);
		CHECK_EQ(hv->v[1].pfn, pfn + 512);
		CHECK_EQ(hv->v[1].order, 9);
	}
	CHECK_EQ(c.ninvalid, 1);
	if (c.nerrors)
		CHECK_EQ(c.errors[0].address, vmemmap_va(pfn + 1));
	CHECK_EQ(codes(&f, "HVO_FLAG_WITHOUT_REMAP") + codes(&f, "HVO_REMAP_WITHOUT_FLAG"), 0);
	ms_findings_free(&f);
	ms_ctx_fini(&c);
	synth_free(s);
}

/*
 * The PTE of the folio's head vmemmap page maps its own page table: the
 * scan does not take the table for struct pages, the folio is found
 * through its fake heads and kept, and the walk names the bad leaf.
 */
static void test_pte_own_table(void)
{
	struct hvo_target h;
	unsigned char *p;
	struct synth *s = setup(GEN_6_12, &h, &p);
	uint64_t pfn = SEC * SYNTH_PPS + 512;
	uint64_t table_va = vmemmap_va(40 * SYNTH_PPS);
	unsigned char *table = synth_map(s, table_va, 4096);
	uint64_t entry = phys_of(table_va) | 0x163;
	struct ms_findings f;
	struct ms_hvo *hv;
	struct ms_ctx c;

	folio(p, 512, 0, 1);
	head_alias(&h, pfn);
	h.r[0].pa = phys_of(table_va);
	h.r[0].entry = entry;
	put_u64(table + ((vmemmap_va(pfn) >> 12) & 511) * 8, entry);
	run(&h, &c, &f);
	hv = ms_get_hvo(&c);
	CHECK(hv && hv->n == 1);
	if (hv && hv->n == 1) {
		CHECK_EQ(hv->v[0].pfn, pfn);
		CHECK_EQ(hv->v[0].order, 9);
		CHECK(hv->v[0].problem[0]);
		CHECK_EQ(hv->v[0].bad_leaves, 1);
		CHECK_EQ(hv->v[0].scheme, MS_HVO_UNKNOWN);
		CHECK_EQ(hv->v[0].fake_heads, 7);
	}
	CHECK(c.ninvalid >= 2);
	CHECK_EQ(codes(&f, "HVO_REMAP_WITHOUT_FLAG") + codes(&f, "HVO_FLAG_WITHOUT_REMAP"), 0);
	ms_findings_free(&f);
	ms_ctx_fini(&c);
	synth_free(s);
}

/* A 1 GiB leaf over the vmemmap: recorded, its struct pages not used. */
static void test_pud_leaf(void)
{
	struct hvo_target h;
	unsigned char *p;
	struct synth *s = setup(GEN_6_12, &h, &p);
	struct ms_findings f;
	struct ms_hvo *hv;
	struct ms_ctx c;

	folio(p, 512, 0, 0);
	h.pud = 1;
	run(&h, &c, &f);
	hv = ms_get_hvo(&c);
	CHECK(hv && hv->n == 0);
	CHECK_EQ(c.ninvalid, 1);
	if (c.nerrors)
		CHECK(strstr(c.errors[0].what, "level") != NULL);
	ms_findings_free(&f);
	ms_ctx_fini(&c);
	synth_free(s);
}

/*
 * The pgdat spans name each folio's node; a folio outside every span, or a
 * pgdat whose node_id no node can have, is recorded, not left "unknown".
 */
static void test_node_spans(void)
{
	for (int k = 0; k < 3; k++) {
		struct hvo_target h;
		unsigned char *p;
		struct synth *s = setup(GEN_6_12, &h, &p);
		uint64_t pgdat = 0xffffffff83000000ULL;
		unsigned char *pg = synth_map(s, pgdat, 64);
		struct ms_findings f;
		struct ms_hvo *hv;
		struct ms_ctx c;

		synth_set_vmcoreinfo(s, "SYMBOL(contig_page_data)", "ffffffff83000000");
		synth_set_vmcoreinfo(s, "OFFSET(pglist_data.node_start_pfn)", "0");
		synth_set_vmcoreinfo(s, "OFFSET(pglist_data.node_spanned_pages)", "8");
		synth_set_vmcoreinfo(s, "OFFSET(pglist_data.node_id)", "16");
		put_u64(pg + 8, k == 1 ? SYNTH_PPS : 2 * SYNTH_PPS);
		pg[16] = k == 2 ? 7 : 0;
		folio(p, 512, 0, 0);
		run(&h, &c, &f);
		hv = ms_get_hvo(&c);
		CHECK(hv && hv->n == 1);
		if (hv && hv->n == 1)
			CHECK_EQ(hv->v[0].node, k ? -1 : 0);
		CHECK_EQ(c.ninvalid, k ? 1 : 0);
		ms_findings_free(&f);
		ms_ctx_fini(&c);
		synth_free(s);
	}
}

/*
 * A hugetlb head misaligned for its order whose aligned start lies inside
 * the folio before it cannot be a fake head of a lost folio: recorded, not
 * taken for a folio.
 */
static void test_stray_misaligned_head(void)
{
	struct hvo_target h;
	unsigned char *p;
	struct synth *s = setup(GEN_6_12, &h, &p);
	struct ms_findings f;
	struct ms_hvo *hv;
	struct ms_ctx c;

	folio(p, 512, 0, 0);
	folio(p, 1088, 0, 0);
	p[1089 * 64] = 11;	/* would start at pfn 0 of the section */
	run(&h, &c, &f);
	hv = ms_get_hvo(&c);
	CHECK(hv && hv->n == 1);
	CHECK_EQ(c.ninvalid, 1);
	if (c.nerrors)
		CHECK_EQ(c.errors[0].address, vmemmap_va(SEC * SYNTH_PPS + 1088));
	ms_findings_free(&f);
	ms_ctx_fini(&c);
	synth_free(s);
}

int main(void)
{
	test_head_alias(GEN_6_12);
	test_head_alias(GEN_6_1);
	test_shared_tail();
	test_flag_without_remap();
	test_remap_without_flag();
	test_alias_writable();
	test_head_frame_shared();
	test_offline_skips_aliases();
	test_bad_order(GEN_6_12, 40);
	test_bad_order(GEN_6_12, 63);
	test_bad_order(GEN_6_12, 255);
	test_bad_order(GEN_6_1, 255);
	test_bad_order(GEN_6_12, 0);
	test_pte_own_table();
	test_pud_leaf();
	test_node_spans();
	test_stray_misaligned_head();
	return synth_done("hvo");
}
