/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One analysis of one dump: the target, its resolved layout, the read
 * errors met so far (which make results partial) and cached scans.
 */
#ifndef MEMSECT_CONTEXT_H
#define MEMSECT_CONTEXT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "layout.h"
#include "target.h"

#define MS_MAX_ERRORS 64	/* kept verbatim; the rest are only counted */
#define MS_PGT_BAD_SLOTS 8	/* bad page-table entries recorded lately */

/*
 * Why a result is partial: a read that failed, or a value read from the
 * dump that failed a sanity check (an order above the architecture's
 * maximum, a table address outside the kernel's half, a size that no set of
 * clients adds up to, ...).  Both are kept in one list, in the order met.
 */
enum ms_error_kind {
	MS_ERR_READ,
	MS_ERR_INVALID,
};

struct ms_read_error {
	uint64_t address;
	enum ms_addrspace as;
	enum ms_error_kind kind;
	char what[160];
};

/*
 * Problems met while the struct page read-ahead plans a window ahead of the
 * scan (pages.c): held back and recorded when the scan reaches the window,
 * so that the list reads as if each window had been planned in its turn.
 * @once: recorded once per @key (ms_ctx_invalid_once()).
 */
struct ms_held_error {
	struct ms_read_error e;
	bool once;
	uint64_t key;
};

struct ms_error_hold {
	struct ms_held_error *v;
	size_t n, cap;
	bool nomem;		/* one could not be held: the plan failed */
};

struct ms_sections;
struct ms_blocks;
struct ms_offline;
struct ms_hvo;
struct ms_arch;
struct ms_hvo_layout;
struct ms_po_layout;
struct ms_depot;
struct ms_page_clients;

struct ms_ctx {
	struct ms_target *t;
	struct ms_layout L;
	/*
	 * The dump's architecture (src/lib/arch.h), NULL when unknown, and
	 * its kernel page tables for the core's walk (pgt_levels 0: none).
	 */
	const struct ms_arch *arch;
	uint64_t pgt_root;
	int pgt_levels;
	uint64_t once[MS_PGT_BAD_SLOTS];	/* ms_ctx_invalid_once() keys */
	unsigned nonce;
	struct ms_error_hold *hold;	/* non-NULL: problems are held there */
	struct ms_read_error errors[MS_MAX_ERRORS];
	unsigned nerrors;		/* total, may exceed MS_MAX_ERRORS */
	unsigned ninvalid;		/* of which MS_ERR_INVALID */
	struct ms_sections *sections;	/* cached by ms_get_sections() */
	struct ms_blocks *blocks;	/* cached by ms_get_blocks() */
	struct ms_offline *offline;	/* cached by ms_get_offline() */
	struct ms_hvo *hvo;		/* cached by ms_get_hvo() */
	unsigned scans_tried;		/* struct page scans run (page_scan.h) */
	/* Sub-layouts, resolved once on first use (src/lib/probe.h). */
	struct ms_hvo_layout *hvo_layout;	/* NULL: unusable */
	bool hvo_layout_tried;
	struct ms_po_layout *po_layout;	/* ms_get_po_layout() */
	struct ms_depot *depot;		/* ms_get_depot() */
	struct ms_page_clients *page_clients;	/* page_info.c */
	uint64_t pages_scanned;		/* struct pages decoded */
	/* The dump file is shorter than its headers announce (target file_size). */
	bool truncated;
	uint64_t file_size, file_expected;
	/*
	 * Threads that read struct pages (pages.c; 0 or 1: the scan reads
	 * them itself).  Used only with a target that has clone().
	 */
	unsigned threads;
	/* Optional: called after each section of a struct page scan. */
	void (*progress)(void *arg, uint64_t done, uint64_t total);
	void *progress_arg;
};

/* Returns 0 or MS_ERROR with the reason in err. */
int ms_ctx_init(struct ms_ctx *c, struct ms_target *t, char *err, size_t errlen);
void ms_ctx_fini(struct ms_ctx *c);

/* Record a failed read (partial result). */
void ms_ctx_error(struct ms_ctx *c, enum ms_addrspace as, uint64_t address,
		  const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/*
 * Record a value read from the dump at @address that failed a sanity check
 * (partial result): the caller does not use it.  Never silently skip a bad
 * value; call this and go on with what is still sound.
 */
void ms_ctx_invalid(struct ms_ctx *c, enum ms_addrspace as, uint64_t address,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/*
 * Record an invalid value once per @key (the address of a bad page-table
 * entry, which a scan passes many times); the last MS_PGT_BAD_SLOTS keys
 * are remembered.
 */
void ms_ctx_invalid_once(struct ms_ctx *c, uint64_t key, enum ms_addrspace as,
			 uint64_t address, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* Record the held problems [@from, @to) of @h now, in their order. */
void ms_ctx_release(struct ms_ctx *c, const struct ms_error_hold *h,
		    size_t from, size_t to);

/*
 * The last error recorded (what made the step that just failed fail), or
 * NULL when none is recorded (none happened, or the list is full).
 */
const struct ms_read_error *ms_ctx_last_error(const struct ms_ctx *c);
/* Whether the results are partial: a failed read, an invalid value, a cut file. */
bool ms_ctx_partial(const struct ms_ctx *c);
/* Failed reads only (nerrors - ninvalid). */
unsigned ms_ctx_read_errors(const struct ms_ctx *c);
/* The first recorded problem of @kind, or NULL. */
const struct ms_read_error *ms_ctx_first(const struct ms_ctx *c,
					 enum ms_error_kind kind);

/*
 * Checked read: 0 on success; on failure records the failing address with
 * @what and returns MS_ERROR.  @fail (may be NULL) receives the address.
 */
int ms_read(struct ms_ctx *c, enum ms_addrspace as, uint64_t addr, void *buf,
	    size_t len, const char *what, uint64_t *fail);
/* Same, without recording an error (for probes whose failure is a result). */
int ms_read_quiet(struct ms_ctx *c, enum ms_addrspace as, uint64_t addr,
		  void *buf, size_t len, uint64_t *fail);

/*
 * Whether @va can be a kernel virtual address of a table or object the
 * kernel allocated (direct map, vmalloc, vmemmap, kernel image): the top
 * byte is all ones on every supported architecture (x86_64 4- and 5-level
 * paging, arm64 with 48 or 52 VA bits, no pointer tags).  A pointer read
 * from the dump that fails this is invalid, not "valid but unreadable".
 */
bool ms_kaddr_plausible(uint64_t va);

uint64_t ms_get_u64(const void *buf, size_t off);
uint32_t ms_get_u32(const void *buf, size_t off);
uint64_t ms_get_uint(const void *buf, size_t off, size_t size);

#endif
