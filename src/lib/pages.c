// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Read the struct pages of a run of sections in bulk, a window of 2 MiB of
 * vmemmap (a whole 128 MiB section of 64-byte struct pages) at a time.
 *
 * Each window is planned first.  With the page tables known (pgtable.h) its
 * vmemmap is translated once per page-table leaf and physically contiguous
 * runs become one read each (HVO's 4 KiB PTE aliases simply make shorter
 * runs); unmapped 4 KiB vmemmap pages are marked and their struct pages
 * skipped.  Then the runs are read: by the scan itself, or, with
 * c->threads > 1 and a target that clones, by reader threads a few windows
 * ahead of the scan, each on its own clone of the target (decompressing a
 * kdump file is what bounds a scan).  The scan keeps the order: problems met
 * while planning are held with the window and recorded, with its failed
 * reads, when the scan reaches it, so that results and error list are those
 * of a scan on one thread.  Memory stays bounded: two windows per thread.
 *
 * Without page tables the target translates the window's virtual reads
 * itself, on the scan's thread.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "memsect/pages.h"
#include "pgtable.h"

#define VMEMMAP_GRAIN 4096ULL		/* smallest vmemmap mapping */
#define KV_CHUNK (256ULL << 10)
/*
 * Struct pages held by one window: never a buffer sized by a section size
 * read from the dump (NUMBER(SECTION_SIZE_BITS) of 40 would ask for 16 GiB).
 */
#define WINDOW_BYTES (2ULL << 20)
#define WINDOWS_PER_THREAD 2
#define MAX_THREADS 64

/* One part of a window's plan, in address order. */
struct step {
	uint64_t off, len;	/* in the window */
	uint64_t pa;		/* read: where the run is */
	bool read;		/* false: nothing mapped there */
	size_t held_to;		/* held problems [.., held_to) come before it */
	int status;		/* of the read */
	size_t done;		/* bytes read before a failure */
};

enum window_state { PLANNED, READING, READ };

struct window {
	const struct ms_section *s;
	uint64_t pfn, n;	/* struct pages of pfns [pfn, pfn + n) */
	uint64_t va0, len;	/* their vmemmap */
	unsigned char *buf;
	unsigned char *bad;	/* one byte per VMEMMAP_GRAIN */
	bool virt;		/* no plan: the target translates */
	struct step *steps;
	size_t nsteps, cap;
	struct ms_error_hold held;
	enum window_state state;
};

struct ms_memmap_pass {
	struct ms_ctx *c;
	const struct ms_section *secs;
	size_t nsecs;
	size_t plan_sec;	/* where planning goes on: section, */
	uint64_t plan_done;	/* and struct pages of it planned */
	struct window *ring;
	size_t nring;
	uint64_t head, tail;	/* windows [head, tail) are planned */
	uint64_t next_read;	/* the next window a reader takes */
	unsigned nthreads;
	pthread_t th[MAX_THREADS];
	void *clones[MAX_THREADS];
	pthread_mutex_t lock;
	pthread_cond_t work, done;
	bool stop;
};

static struct window *slot(struct ms_memmap_pass *p, uint64_t k)
{
	return &p->ring[k % p->nring];
}

static int add_step(struct ms_ctx *c, struct window *w, uint64_t off,
		    uint64_t len, uint64_t pa, bool read)
{
	struct step *st;

	if (w->nsteps == w->cap) {
		size_t ncap = w->cap ? w->cap * 2 : 8;
		struct step *nv = realloc(w->steps, ncap * sizeof(*nv));

		if (!nv)
			return MS_ERROR;
		w->steps = nv;
		w->cap = ncap;
	}
	st = &w->steps[w->nsteps++];
	memset(st, 0, sizeof(*st));
	st->off = off;
	st->len = len;
	st->pa = pa;
	st->read = read;
	st->held_to = c->hold->n;
	return 0;
}

/* A leaf's size as the walk gave it, 4 KiB when it makes no sense. */
static uint64_t leaf_bytes(const struct ms_pte *leaf)
{
	if (!leaf->leaf_size || leaf->leaf_size & (leaf->leaf_size - 1))
		return VMEMMAP_GRAIN;
	return leaf->leaf_size;
}

/* Translate the window into runs to read; problems go to w->held. */
static int plan_vtop(struct ms_ctx *c, struct window *w)
{
	uint64_t off = 0;

	while (off < w->len) {
		uint64_t va = w->va0 + off, pa, run, next_pa;
		struct ms_pte leaf;
		int ret = ms_vtop(c, va, &pa, &leaf);

		if (ret) {
			uint64_t end = (va & ~(VMEMMAP_GRAIN - 1)) + VMEMMAP_GRAIN;

			/* Bad tables (MS_ERROR) are recorded by the walk. */
			if (ret == MS_ABSENT)
				ms_ctx_error(c, MS_KVADDR, va,
					     "vmemmap not mapped (struct pages)");
			if (add_step(c, w, off, end - va, 0, false))
				return MS_ERROR;
			off = end - w->va0;
			continue;
		}
		run = ((va & ~(leaf_bytes(&leaf) - 1)) + leaf_bytes(&leaf)) - va;
		if (run > w->len - off)
			run = w->len - off;
		/* Extend over following leaves that continue physically. */
		while (off + run < w->len) {
			uint64_t nva = va + run, more;

			if (ms_vtop(c, nva, &next_pa, &leaf) ||
			    next_pa != pa + run)
				break;
			more = ((nva & ~(leaf_bytes(&leaf) - 1)) +
				leaf_bytes(&leaf)) - nva;
			if (more > w->len - off - run)
				more = w->len - off - run;
			run += more;
		}
		if (add_step(c, w, off, run, pa, true))
			return MS_ERROR;
		off += run;
	}
	return 0;
}

/* Plan the next window of the pass into its ring slot: 0, 1 at the end. */
static int plan_next(struct ms_memmap_pass *p)
{
	struct ms_ctx *c = p->c;
	size_t psz = c->L.page_struct_size;
	uint64_t win = WINDOW_BYTES / psz, n;
	const struct ms_section *s;
	struct window *w;
	int ret = 0;

	while (p->plan_sec < p->nsecs &&
	       (!p->secs[p->plan_sec].mem_map ||
		p->plan_done >= p->secs[p->plan_sec].end_pfn -
				p->secs[p->plan_sec].start_pfn)) {
		p->plan_sec++;
		p->plan_done = 0;
	}
	if (p->plan_sec == p->nsecs)
		return 1;
	s = &p->secs[p->plan_sec];
	n = s->end_pfn - s->start_pfn - p->plan_done;
	w = slot(p, p->tail);
	w->s = s;
	w->pfn = s->start_pfn + p->plan_done;
	w->n = n < win ? n : win;
	w->va0 = s->mem_map + p->plan_done * psz;
	w->len = w->n * psz;
	w->nsteps = 0;
	w->held.n = 0;
	w->held.nomem = false;
	w->virt = !ms_vtop_available(c);
	if (!w->virt) {
		c->hold = &w->held;
		ret = plan_vtop(c, w);
		c->hold = NULL;
		if (ret || w->held.nomem)
			return MS_ERROR;
	}
	p->plan_done += w->n;
	pthread_mutex_lock(&p->lock);
	w->state = PLANNED;
	p->tail++;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->lock);
	return 0;
}

typedef int (*read_fn)(void *h, uint64_t pa, void *buf, size_t len,
		       size_t *done);

static void read_runs(struct window *w, read_fn rd, void *h)
{
	for (size_t i = 0; i < w->nsteps; i++) {
		struct step *st = &w->steps[i];

		if (st->read)
			st->status = rd(h, st->pa, w->buf + st->off, st->len,
					&st->done);
	}
}

static int read_own(void *h, uint64_t pa, void *buf, size_t len, size_t *done)
{
	struct ms_target *t = h;

	return t->ops->read(t->priv, MS_PADDR, pa, buf, len, done);
}

struct reader {
	struct ms_memmap_pass *p;
	void *clone;
	read_fn rd;
};

static int read_clone(void *h, uint64_t pa, void *buf, size_t len,
		      size_t *done)
{
	struct reader *r = h;

	return r->p->c->t->ops->clone_read(r->clone, pa, buf, len, done);
}

static void *reader_thread(void *arg)
{
	struct reader r = *(struct reader *)arg;
	struct ms_memmap_pass *p = r.p;

	free(arg);
	pthread_mutex_lock(&p->lock);
	for (;;) {
		struct window *w;

		while (!p->stop && p->next_read == p->tail)
			pthread_cond_wait(&p->work, &p->lock);
		if (p->stop)
			break;
		w = slot(p, p->next_read++);
		w->state = READING;
		pthread_mutex_unlock(&p->lock);
		read_runs(w, read_clone, &r);
		pthread_mutex_lock(&p->lock);
		w->state = READ;
		pthread_cond_broadcast(&p->done);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

static void mark_bad(struct window *w, uint64_t from, uint64_t to)
{
	for (uint64_t g = from / VMEMMAP_GRAIN;
	     g < (to + VMEMMAP_GRAIN - 1) / VMEMMAP_GRAIN; g++)
		w->bad[g] = 1;
}

/* Record the window's problems and failed reads, in address order. */
static void apply_plan(struct ms_ctx *c, struct window *w)
{
	size_t held = 0;

	for (size_t i = 0; i < w->nsteps; i++) {
		const struct step *st = &w->steps[i];
		uint64_t done = st->done <= st->len ? st->done : 0;

		ms_ctx_release(c, &w->held, held, st->held_to);
		held = st->held_to;
		if (!st->read) {
			mark_bad(w, st->off, st->off + st->len);
		} else if (st->status) {
			ms_ctx_error(c, MS_PADDR, st->pa + done,
				     "struct pages at vmemmap 0x%llx",
				     (unsigned long long)(w->va0 + st->off + done));
			mark_bad(w, st->off + done, st->off + st->len);
		}
	}
	ms_ctx_release(c, &w->held, held, w->held.n);
}

/* No page tables: the target translates, read on the scan's thread. */
static void read_virt(struct ms_ctx *c, struct window *w)
{
	uint64_t off = 0;

	while (off < w->len) {
		uint64_t n = w->len - off < KV_CHUNK ? w->len - off : KV_CHUNK;
		uint64_t bad, end;

		if (ms_read_quiet(c, MS_KVADDR, w->va0 + off, w->buf + off,
				  n, &bad) == 0) {
			off += n;
			continue;
		}
		end = (bad & ~(VMEMMAP_GRAIN - 1)) + VMEMMAP_GRAIN;
		ms_ctx_error(c, MS_KVADDR, bad, "struct pages");
		mark_bad(w, bad - w->va0, end - w->va0);
		off = end - w->va0;
	}
}

static bool page_bad(const struct window *w, uint64_t i, size_t psz)
{
	uint64_t a = i * psz, b = a + psz - 1;

	return w->bad[a / VMEMMAP_GRAIN] || w->bad[b / VMEMMAP_GRAIN];
}

/* Hand the window's readable struct pages to @fn, in runs. */
static int visit(struct ms_ctx *c, struct window *w, ms_pages_fn fn, void *arg)
{
	size_t psz = c->L.page_struct_size;
	uint64_t i = 0;
	int ret = 0;

	while (i < w->n && ret == 0) {
		uint64_t j;

		if (page_bad(w, i, psz)) {
			i++;
			continue;
		}
		for (j = i; j < w->n && !page_bad(w, j, psz); j++)
			;
		c->pages_scanned += j - i;
		ret = fn(c, w->pfn + i, j - i, w->buf + i * psz, arg);
		i = j;
	}
	return ret;
}

static void start_readers(struct ms_memmap_pass *p)
{
	struct ms_ctx *c = p->c;
	const struct ms_target_ops *ops = c->t->ops;
	unsigned want = c->threads < MAX_THREADS ? c->threads : MAX_THREADS;

	if (want < 2 || !ops->clone || !ops->clone_read || !ops->clone_free ||
	    !ms_vtop_available(c))
		return;
	while (p->nthreads < want) {
		struct reader *r = malloc(sizeof(*r));
		void *clone = r ? ops->clone(c->t->priv) : NULL;

		if (!clone) {
			free(r);
			break;
		}
		r->p = p;
		r->clone = clone;
		if (pthread_create(&p->th[p->nthreads], NULL, reader_thread, r)) {
			ops->clone_free(clone);
			free(r);
			break;
		}
		p->clones[p->nthreads++] = clone;
	}
}

struct ms_memmap_pass *ms_memmap_pass_new(struct ms_ctx *c,
					  const struct ms_section *secs,
					  size_t n)
{
	struct ms_memmap_pass *p = calloc(1, sizeof(*p));
	size_t bytes = WINDOW_BYTES;

	if (!p)
		return NULL;
	p->c = c;
	p->secs = secs;
	p->nsecs = n;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->work, NULL);
	pthread_cond_init(&p->done, NULL);
	start_readers(p);
	p->nring = p->nthreads ? p->nthreads * WINDOWS_PER_THREAD : 1;
	p->ring = calloc(p->nring, sizeof(*p->ring));
	if (!p->ring) {
		ms_memmap_pass_free(p);
		return NULL;
	}
	for (size_t i = 0; i < p->nring; i++) {
		p->ring[i].buf = malloc(bytes);
		p->ring[i].bad = malloc(bytes / VMEMMAP_GRAIN + 2);
		if (!p->ring[i].buf || !p->ring[i].bad) {
			ms_memmap_pass_free(p);
			return NULL;
		}
	}
	return p;
}

void ms_memmap_pass_free(struct ms_memmap_pass *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->stop = true;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->lock);
	for (unsigned i = 0; i < p->nthreads; i++) {
		pthread_join(p->th[i], NULL);
		p->c->t->ops->clone_free(p->clones[i]);
	}
	for (size_t i = 0; p->ring && i < p->nring; i++) {
		free(p->ring[i].buf);
		free(p->ring[i].bad);
		free(p->ring[i].steps);
		free(p->ring[i].held.v);
	}
	free(p->ring);
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->work);
	pthread_cond_destroy(&p->done);
	free(p);
}

/* Wait for the reads of the window at the head. */
static void wait_read(struct ms_memmap_pass *p, struct window *w)
{
	pthread_mutex_lock(&p->lock);
	while (w->state != READ)
		pthread_cond_wait(&p->done, &p->lock);
	pthread_mutex_unlock(&p->lock);
}

static void consumed(struct ms_memmap_pass *p)
{
	pthread_mutex_lock(&p->lock);
	p->head++;
	pthread_mutex_unlock(&p->lock);
}

/* @fn stopped in section @s: drop what is planned of it, plan no more. */
static void drop_rest(struct ms_memmap_pass *p, const struct ms_section *s)
{
	while (p->head < p->tail && slot(p, p->head)->s == s) {
		if (p->nthreads)
			wait_read(p, slot(p, p->head));
		consumed(p);
	}
	if (p->plan_sec < p->nsecs && &p->secs[p->plan_sec] == s)
		p->plan_done = s->end_pfn - s->start_pfn;
}

int ms_memmap_pass_section(struct ms_memmap_pass *p, const struct ms_section *s,
			   ms_pages_fn fn, void *arg)
{
	struct ms_ctx *c = p->c;
	int ret = 0;

	if (!s->mem_map)
		return 0;
	while (ret == 0) {
		struct window *w;
		int more = 0;

		while (more == 0 && p->tail - p->head < p->nring)
			more = plan_next(p);
		if (more < 0)
			return MS_ERROR;
		if (p->head == p->tail || slot(p, p->head)->s != s)
			return 0;	/* this section is done */
		w = slot(p, p->head);
		memset(w->bad, 0, w->len / VMEMMAP_GRAIN + 2);
		if (w->virt) {
			read_virt(c, w);
		} else {
			if (p->nthreads)
				wait_read(p, w);
			else
				read_runs(w, read_own, c->t);
			apply_plan(c, w);
		}
		ret = visit(c, w, fn, arg);
		consumed(p);
	}
	if (ret)
		drop_rest(p, s);
	return ret;
}

int ms_memmap_runs(struct ms_ctx *c, const struct ms_section *s,
		   int (*run)(uint64_t pa, uint64_t len, void *arg), void *arg)
{
	size_t psz = c->L.page_struct_size;
	uint64_t n = s->end_pfn - s->start_pfn, win = WINDOW_BYTES / psz;
	struct window w = { .s = s };
	struct ms_error_hold held = { 0 };
	int ret = 0;

	if (!s->mem_map || !ms_vtop_available(c))
		return 0;
	for (uint64_t done = 0; done < n && ret == 0; done += win) {
		w.n = n - done < win ? n - done : win;
		w.va0 = s->mem_map + done * psz;
		w.len = w.n * psz;
		w.nsteps = 0;
		c->hold = &held;
		ret = plan_vtop(c, &w);
		c->hold = NULL;
		for (size_t i = 0; i < w.nsteps && ret == 0; i++)
			if (w.steps[i].read)
				ret = run(w.steps[i].pa, w.steps[i].len, arg);
	}
	free(w.steps);
	free(held.v);
	return ret;
}

int ms_for_each_page_chunk(struct ms_ctx *c, const struct ms_section *s,
			   ms_pages_fn fn, void *arg)
{
	struct ms_memmap_pass *p = ms_memmap_pass_new(c, s, 1);
	int ret;

	if (!p)
		return MS_ERROR;
	ret = ms_memmap_pass_section(p, s, fn, arg);
	ms_memmap_pass_free(p);
	return ret;
}
