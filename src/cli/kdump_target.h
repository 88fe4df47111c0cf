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
	struct _kdump_bmp *pagemap;	/* file.pagemap, NULL if none */
	struct _addrxlat_ctx *axctx;	/* for page-table walks */
	struct _addrxlat_sys *axsys;
	struct dump_file file;		/* sizes its headers announce */
	const char *read_err;		/* our reason for the last failed read */
	char format[32];
	char err[512];
	struct ms_target target;
	struct symtab *symtab;		/* loaded by the first addr_symbol call */
	int from_dump;			/* no vmlinux: btf and ksyms below */
	struct btf_types btf;
	struct kallsyms ksyms;
};

/*
 * Open the dump and the vmlinux, checking that they belong together; with
 * @vmlinux NULL, take types from the dump's BTF and symbols from its
 * kallsyms.  0, or -1 with a one-line message in kt->err.
 */
int kdump_target_open(struct kdump_target *kt, const char *dump,
		      const char *vmlinux);
void kdump_target_close(struct kdump_target *kt);

#endif
