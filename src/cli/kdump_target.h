/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The CLI's target: dump access and address translation through
 * libkdumpfile/libaddrxlat, types and symbols through vmlinux (libdw), or,
 * without a vmlinux, from the dump itself: its BTF and its kallsyms.
 */
#ifndef MEMSECT_CLI_KDUMP_TARGET_H
#define MEMSECT_CLI_KDUMP_TARGET_H

#include "btf_types.h"
#include "dump_file.h"
#include "kallsyms.h"
#include "memsect/target.h"
#include "symtab.h"
#include "vmlinux.h"
#include "vmlinux_find.h"

struct vmci_entry {
	char *key;
	char *value;
};

struct kdump_target {
	struct _kdump_ctx *kdump;
	int fd;
	struct vmlinux vmlinux;
	int have_vmlinux;
	struct vmci_entry *vmci;
	size_t nvmci;
	uint64_t kaslr_offset;
	uint64_t kimage_base;		/* symbols from here on move by kaslr_offset */
	struct _kdump_bmp *pagemap;	/* file.pagemap, NULL if none */
	struct _addrxlat_ctx *axctx;	/* for page-table walks */
	struct _addrxlat_sys *axsys;
	struct dump_file file;		/* sizes its headers announce */
	const char *read_err;		/* our reason for the last failed read */
	char format[32];
	char err[2048];
	struct ms_target target;
	struct symtab *symtab;		/* loaded by the first addr_symbol call */
	int from_dump;			/* no vmlinux: btf and ksyms below */
	struct btf_types btf;
	struct kallsyms ksyms;
	char vmlinux_path[4096];	/* the vmlinux used, "" if none */
	const char *vmlinux_source;	/* "given", "build-id-dir", ..., NULL */
};

/* Where the vmlinux comes from. */
struct kdump_target_debuginfo {
	const char *vmlinux;		/* given; NULL: search */
	int no_vmlinux;			/* the dump's BTF and kallsyms only */
	struct vmlinux_search search;	/* where to look when none is given */
};

/*
 * Open the dump and its vmlinux, checking that they belong together: the
 * one given, else the first one found by the dump's build id whose build id
 * matches (vmlinux_find.h), else (and with no_vmlinux) types from the
 * dump's BTF and symbols from its kallsyms.  0, or -1 with a one-line
 * message in kt->err.
 */
int kdump_target_open(struct kdump_target *kt, const char *dump,
		      const struct kdump_target_debuginfo *di);
void kdump_target_close(struct kdump_target *kt);

#endif
