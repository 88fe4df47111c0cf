/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one way the core asks its target about the kernel's layout
 * (library-internal): members, type sizes, enumerators and symbols of the
 * debug info (VMCOREINFO values are vmcoreinfo.h).  A probe keeps the first
 * reason a look-up failed: the one-line error of the layout, or the "why"
 * of a sub-layout (HVO, page_owner, the stack depot) that cannot be used.
 *
 * Layouts are resolved once per dump and held in struct ms_ctx: the main
 * one by ms_ctx_init() (layout.c), the others on first use
 * (ms_get_hvo_layout(), ms_get_po_layout()); nothing else probes.
 */
#ifndef MEMSECT_LIB_PROBE_H
#define MEMSECT_LIB_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "memsect/target.h"

struct ms_probe {
	struct ms_target *t;
	bool failed;
	char why[200];		/* the first failure, "" while none */
};

void ms_probe_init(struct ms_probe *p, struct ms_target *t);
/* Record @fmt as the reason unless one is recorded already; MS_ERROR. */
int ms_probe_fail(struct ms_probe *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Look-ups: 0 found; MS_ABSENT when this kernel lacks it (a branch to try);
 * MS_ERROR when the target failed.  Each comes twice:
 *  - ms_probe_*(): what the layout cannot do without being sound, where a
 *    target failure is recorded as the probe's failure (absence is the
 *    caller's to judge);
 *  - ms_probe_try_*(): optional facts and branches, where a target failure
 *    only means "not this branch" and nothing is recorded.
 * @size may be NULL.
 */
int ms_probe_member(struct ms_probe *p, const char *type, const char *member,
		    size_t *off, size_t *size);
int ms_probe_enum(struct ms_probe *p, const char *name, int64_t *v);
int ms_probe_symbol(struct ms_probe *p, const char *name, uint64_t *addr);
int ms_probe_try_member(struct ms_probe *p, const char *type,
			const char *member, size_t *off, size_t *size);
int ms_probe_try_size(struct ms_probe *p, const char *type, size_t *size);
int ms_probe_try_enum(struct ms_probe *p, const char *name, int64_t *v);
int ms_probe_try_symbol(struct ms_probe *p, const char *name, uint64_t *addr);

/* An enumerator in [0, @limit): 0, else non-zero (nothing recorded). */
int ms_probe_bit(struct ms_probe *p, const char *name, int64_t limit, int *bit);

/*
 * Read @size (at most 8) bytes at kernel address @addr as a little-endian
 * number: 0, or MS_ERROR (nothing recorded: a probe's read that fails is
 * a branch, or the caller's to report).
 */
int ms_probe_read(struct ms_probe *p, uint64_t addr, size_t size,
		  uint64_t *v);

#endif
