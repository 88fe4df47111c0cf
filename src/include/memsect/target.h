/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The target interface: the only way libmemsect reaches a dump.
 *
 * Each front end (the memsect CLI on libkdumpfile + libdw, the crash
 * extension on crash's defs.h API, the unit tests' synthetic memory) fills
 * one struct ms_target_ops.  Every callback gets the front end's opaque
 * pointer back.  Return convention for look-ups: 0 found, MS_ABSENT when the
 * dump/debug info does not have it (a normal answer that drives feature
 * probing), MS_ERROR (negative) for a real failure.
 */
#ifndef MEMSECT_TARGET_H
#define MEMSECT_TARGET_H

#include <stddef.h>
#include <stdint.h>

#define MS_ABSENT 1
#define MS_ERROR (-1)

enum ms_addrspace {
	MS_KVADDR,	/* kernel virtual address */
	MS_PADDR,	/* physical address */
};

/* The page-table entry that mapped a virtual address. */
struct ms_pte {
	uint64_t entry;		/* raw leaf entry */
	int level;		/* 1 = PTE (4 KiB), 2 = PMD (2 MiB), 3 = PUD (1 GiB) */
	uint64_t leaf_size;	/* bytes mapped by the leaf */
};

struct ms_target_ops {
	/*
	 * Read @len bytes at @addr.  Returns 0 when all bytes were read;
	 * otherwise MS_ERROR with *@done set to the number of bytes read
	 * before the first failing byte (the failing address is addr + *done).
	 * A front end without partial reads (crash's readmem()) may retry page
	 * by page to find *@done, or report 0.
	 */
	int (*read)(void *priv, enum ms_addrspace as, uint64_t addr,
		    void *buf, size_t len, size_t *done);
	/* Address of a kernel symbol (already relocated for KASLR). */
	int (*symbol)(void *priv, const char *name, uint64_t *addr);
	/* Offset and size of @member in struct @type (anonymous members included). */
	int (*member)(void *priv, const char *type, const char *member,
		      size_t *offset, size_t *size);
	/* sizeof(struct @type). */
	int (*type_size)(void *priv, const char *type, size_t *size);
	/* Value of an enumerator of any enum type, by name. */
	int (*enumerator)(void *priv, const char *name, int64_t *value);
	/* Value of a VMCOREINFO key ("SYMBOL(mem_section)", "OSRELEASE"), or NULL. */
	const char *(*vmcoreinfo)(void *priv, const char *key);
	/*
	 * Optional: translate a kernel virtual address through the kernel page
	 * tables; fills the physical address and the leaf that mapped it.
	 */
	int (*vtop)(void *priv, uint64_t vaddr, uint64_t *paddr,
		    struct ms_pte *leaf);
	/*
	 * Optional: how many pfns of [start, end) have their contents in the
	 * dump file (libkdumpfile's file.pagemap).  MS_ABSENT when unknown.
	 */
	int (*pfns_in_file)(void *priv, uint64_t start, uint64_t end,
			    uint64_t *stored);
	/*
	 * Optional: the dump file's size and the size its headers announce
	 * (0 when unknown); size < expected means the file was cut short.
	 */
	int (*file_size)(void *priv, uint64_t *size, uint64_t *expected);
	/* Optional: a detail message for the last failure, or NULL. */
	const char *(*errmsg)(void *priv);
	/*
	 * Optional: a (relocated) kernel text address as the kernel's %pS
	 * prints it, "name+0xoff/0xsize" (the size is the distance to the
	 * next symbol, like kallsyms).  MS_ABSENT when no symbol covers it.
	 */
	int (*addr_symbol)(void *priv, uint64_t addr, char *buf, size_t len);
	/*
	 * Optional: another handle on the same dump for a reader thread (the
	 * struct page read-ahead, pages.c), or NULL when none can be had.
	 * clone_read() reads physical memory as read(MS_PADDR, ...) does; it
	 * may run at the same time as this target's calls and other clones'
	 * reads, never two calls on one clone at once.  clone_free() frees it.
	 */
	void *(*clone)(void *priv);
	int (*clone_read)(void *clone, uint64_t paddr, void *buf, size_t len,
			  size_t *done);
	void (*clone_free)(void *clone);
};

struct ms_target {
	const struct ms_target_ops *ops;
	void *priv;
};

#endif
