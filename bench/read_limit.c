// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * read_limit: how fast this dump's struct pages can be read at all.
 *
 *   read_limit [--pread] VMCORE VMLINUX THREADS
 *
 * Collects the physical runs that hold every present section's struct
 * pages (ms_memmap_runs(): the same bytes memsect's scan reads), then reads
 * them on THREADS threads doing nothing else, each on its own clone of the
 * dump (libkdumpfile), or with plain pread(2) of an ELF dump's PT_LOAD
 * segments (--pread).  Prints one JSON line: bytes, struct pages, runs,
 * seconds.  bench/big_scan.py sets memsect's own scan against it.
 */
#include <fcntl.h>
#include <gelf.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kdump_target.h"
#include "memsect/command.h"
#include "memsect/pages.h"

#define MAX_RUN (2u << 20)

struct run {
	uint64_t pa, len;
};

struct runs {
	struct run *v;
	size_t n, cap;
	uint64_t bytes;
};

struct segment {
	uint64_t pa, len, off;
};

struct job {
	struct runs *r;
	atomic_size_t next;
	const struct ms_target_ops *ops;
	struct segment *seg;	/* --pread */
	size_t nseg;
	int fd;
	atomic_uint failed;
};

static int add_run(uint64_t pa, uint64_t len, void *arg)
{
	struct runs *r = arg;

	if (r->n == r->cap) {
		size_t ncap = r->cap ? r->cap * 2 : 4096;
		struct run *nv = realloc(r->v, ncap * sizeof(*nv));

		if (!nv)
			return -1;
		r->v = nv;
		r->cap = ncap;
	}
	r->v[r->n].pa = pa;
	r->v[r->n++].len = len;
	r->bytes += len;
	return 0;
}

static int pread_phys(struct job *j, uint64_t pa, unsigned char *buf,
		      uint64_t len)
{
	while (len) {
		const struct segment *s = NULL;
		uint64_t n;

		for (size_t i = 0; i < j->nseg; i++)
			if (pa >= j->seg[i].pa && pa - j->seg[i].pa < j->seg[i].len)
				s = &j->seg[i];
		if (!s)
			return -1;
		n = s->pa + s->len - pa < len ? s->pa + s->len - pa : len;
		if (pread(j->fd, buf, n, (off_t)(s->off + pa - s->pa)) != (ssize_t)n)
			return -1;
		pa += n;
		buf += n;
		len -= n;
	}
	return 0;
}

struct worker {
	struct job *j;
	void *clone;
};

static void *reader(void *arg)
{
	struct worker *w = arg;
	struct job *j = w->j;
	unsigned char *buf = malloc(MAX_RUN);
	size_t i;

	if (!buf) {
		j->failed++;
		return NULL;
	}
	while ((i = atomic_fetch_add(&j->next, 1)) < j->r->n) {
		const struct run *r = &j->r->v[i];
		size_t done;
		int bad = r->len > MAX_RUN ? -1 :
			  j->seg ? pread_phys(j, r->pa, buf, r->len) :
			  j->ops->clone_read(w->clone, r->pa, buf, r->len, &done);

		if (bad)
			j->failed++;
	}
	free(buf);
	return NULL;
}

static int load_segments(const char *path, struct job *j)
{
	Elf *e;
	size_t n;

	elf_version(EV_CURRENT);
	j->fd = open(path, O_RDONLY);
	if (j->fd < 0)
		return -1;
	e = elf_begin(j->fd, ELF_C_READ, NULL);
	if (!e || elf_getphdrnum(e, &n))
		return -1;
	j->seg = calloc(n ? n : 1, sizeof(*j->seg));
	for (size_t i = 0; j->seg && i < n; i++) {
		GElf_Phdr ph;

		if (gelf_getphdr(e, (int)i, &ph) && ph.p_type == PT_LOAD &&
		    ph.p_filesz)
			j->seg[j->nseg++] = (struct segment){ ph.p_paddr,
							      ph.p_filesz,
							      ph.p_offset };
	}
	elf_end(e);
	return j->seg && j->nseg ? 0 : -1;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	static struct kdump_target kt;
	static struct kdump_target_debuginfo di;
	struct ms_session sess;
	struct runs runs = { 0 };
	struct job j = { .r = &runs, .fd = -1 };
	struct worker w[64];
	pthread_t th[64];
	int use_pread = argc > 1 && !strcmp(argv[1], "--pread");
	unsigned threads;
	char err[512];
	struct ms_sections *secs;
	double t0, t1;

	argv += use_pread;
	argc -= use_pread;
	if (argc != 4 || atoi(argv[3]) < 1 || atoi(argv[3]) > 64) {
		fprintf(stderr, "usage: read_limit [--pread] VMCORE VMLINUX THREADS(1-64)\n");
		return 2;
	}
	threads = (unsigned)atoi(argv[3]);
	di.vmlinux = argv[2];
	if (kdump_target_open(&kt, argv[1], &di)) {
		fprintf(stderr, "read_limit: %s\n", kt.err);
		return 3;
	}
	if (ms_session_open(&sess, &kt.target, err, sizeof(err))) {
		fprintf(stderr, "read_limit: %s\n", err);
		return 3;
	}
	secs = ms_get_sections(&sess.c);
	for (size_t i = 0; secs && i < secs->n; i++)
		if (ms_memmap_runs(&sess.c, &secs->v[i], add_run, &runs))
			return 3;
	j.ops = kt.target.ops;
	if (use_pread && load_segments(argv[1], &j)) {
		fprintf(stderr, "read_limit: %s: --pread needs an ELF dump\n", argv[1]);
		return 3;
	}
	t0 = now();
	for (unsigned i = 0; i < threads; i++) {
		w[i].j = &j;
		w[i].clone = use_pread ? NULL : j.ops->clone(kt.target.priv);
		if ((!use_pread && !w[i].clone) ||
		    pthread_create(&th[i], NULL, reader, &w[i])) {
			fprintf(stderr, "read_limit: cannot start thread %u\n", i);
			return 3;
		}
	}
	for (unsigned i = 0; i < threads; i++) {
		pthread_join(th[i], NULL);
		if (w[i].clone)
			j.ops->clone_free(w[i].clone);
	}
	t1 = now();
	printf("{\"threads\":%u,\"reader\":\"%s\",\"bytes\":%llu,\"struct_pages\":%llu,"
	       "\"runs\":%zu,\"failed_runs\":%u,\"seconds\":%.3f}\n",
	       threads, use_pread ? "pread" : "libkdumpfile",
	       (unsigned long long)runs.bytes,
	       (unsigned long long)(runs.bytes / sess.c.L.page_struct_size),
	       runs.n, (unsigned)j.failed, t1 - t0);
	free(runs.v);
	free(j.seg);
	if (j.fd >= 0)
		close(j.fd);
	ms_session_close(&sess);
	kdump_target_close(&kt);
	return 0;
}
