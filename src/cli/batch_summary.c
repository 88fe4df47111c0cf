// SPDX-License-Identifier: GPL-2.0-or-later
/* The end-of-batch summary (batch_summary.h). */
#include <stdlib.h>
#include <string.h>

#include "batch_summary.h"
#include "memsect/command.h"

#define WORST_SHOWN 20

struct count {
	char name[96];
	unsigned long n, bad;	/* dumps; of them not clean */
};

struct counts {
	struct count *v;
	size_t n;
};

struct worst {
	char path[4096];
	char status[16];
	int rank;
};

struct batch_tally {
	struct counts status, code, release;
	struct worst *worst;
	size_t nworst;
	unsigned long total;
};

static int bump(struct counts *c, const char *name, bool bad)
{
	struct count *nv;

	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->v[i].name, name)) {
			c->v[i].n++;
			c->v[i].bad += bad;
			return 0;
		}
	nv = realloc(c->v, (c->n + 1) * sizeof(*nv));
	if (!nv)
		return -1;
	c->v = nv;
	snprintf(nv[c->n].name, sizeof(nv[c->n].name), "%s", name);
	nv[c->n].n = 1;
	nv[c->n++].bad = bad;
	return 0;
}

struct batch_tally *batch_tally_new(void)
{
	return calloc(1, sizeof(struct batch_tally));
}

int batch_tally_add(struct batch_tally *t, const struct batch_record *r)
{
	int rank = batch_status_rank(r->status);
	bool bad = rank > 0;

	if (bump(&t->status, r->status, bad) ||
	    bump(&t->release, r->release[0] ? r->release : "(unknown)", bad))
		return -1;
	for (unsigned i = 0; i < r->ncodes; i++)
		if (bump(&t->code, r->codes[i], bad))
			return -1;
	t->total++;
	if (bad) {
		struct worst *nv = realloc(t->worst, (t->nworst + 1) * sizeof(*nv));

		if (!nv)
			return -1;
		t->worst = nv;
		snprintf(nv[t->nworst].path, sizeof(nv[t->nworst].path), "%s", r->path);
		snprintf(nv[t->nworst].status, sizeof(nv[t->nworst].status), "%s", r->status);
		nv[t->nworst++].rank = rank;
	}
	return 0;
}

static int by_count(const void *a, const void *b)
{
	const struct count *x = a, *y = b;

	if (x->n != y->n)
		return x->n < y->n ? 1 : -1;
	return strcmp(x->name, y->name);
}

static int by_rank(const void *a, const void *b)
{
	const struct worst *x = a, *y = b;

	if (x->rank != y->rank)
		return y->rank - x->rank;
	return strcmp(x->path, y->path);
}

static void print_counts(FILE *out, const char *title, struct counts *c, bool bad)
{
	if (c->n)
		qsort(c->v, c->n, sizeof(*c->v), by_count);
	fprintf(out, "%s:", title);
	for (size_t i = 0; i < c->n; i++) {
		fprintf(out, "%s %s %lu", i ? "," : "", c->v[i].name, c->v[i].n);
		if (bad && c->v[i].bad)
			fprintf(out, " (%lu not clean)", c->v[i].bad);
	}
	fprintf(out, "%s\n", c->n ? "" : " none");
}

void batch_tally_print(FILE *out, const struct batch_tally *tc)
{
	struct batch_tally *t = (struct batch_tally *)tc;	/* sorted in place */

	fprintf(out, "memsect batch: %lu dumps\n", t->total);
	print_counts(out, "by status", &t->status, false);
	print_counts(out, "by finding (dumps)", &t->code, false);
	print_counts(out, "by kernel release", &t->release, true);
	if (!t->nworst)
		return;
	qsort(t->worst, t->nworst, sizeof(*t->worst), by_rank);
	fprintf(out, "worst first:\n");
	for (size_t i = 0; i < t->nworst && i < WORST_SHOWN; i++)
		fprintf(out, "  %-9s %s\n", t->worst[i].status, t->worst[i].path);
	if (t->nworst > WORST_SHOWN)
		fprintf(out, "  ... and %zu more\n", t->nworst - WORST_SHOWN);
}

int batch_tally_exit(const struct batch_tally *t)
{
	int worst = 0;

	for (size_t i = 0; i < t->nworst; i++)
		if (t->worst[i].rank > worst)
			worst = t->worst[i].rank;
	if (worst >= batch_status_rank("error"))
		return 3;
	if (worst >= batch_status_rank("partial"))
		return MS_RESULT_PARTIAL;
	return worst ? MS_RESULT_FINDINGS : MS_RESULT_CLEAN;
}

void batch_tally_free(struct batch_tally *t)
{
	if (!t)
		return;
	free(t->status.v);
	free(t->code.v);
	free(t->release.v);
	free(t->worst);
	free(t);
}
