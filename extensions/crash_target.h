/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * struct ms_target on crash's defs.h API: readmem(RETURN_ON_ERROR|QUIET),
 * symbol_value(), datatype_info() (MEMBER_OFFSET/MEMBER_SIZE/STRUCT_SIZE),
 * enumerator_value() and pc->read_vmcoreinfo(); the core walks the kernel
 * page tables itself over physical readmem() (no vtop).  All of these also
 * work under crash --minimal (crash 8.0.2 still loads the vmlinux's types
 * into gdb in minimal mode).
 *
 * This header does not include defs.h, so that files using the memsect
 * core headers need not see crash's macros.
 */
#ifndef MEMSECT_CRASH_TARGET_H
#define MEMSECT_CRASH_TARGET_H

#include <stddef.h>
#include <stdint.h>

#include "symtab.h"
#include "memsect/target.h"

#define CT_MAX_FAIL 8

struct ct_vmci {
	char *key;
	char *value;	/* NULL: key absent (cached too) */
};

struct crash_target {
	struct ms_target target;
	struct ct_vmci *vmci;
	size_t nvmci;
	/* Test hook MEMSECT_CRASH_FAIL_READ: reads covering these fail. */
	uint64_t fail_at[CT_MAX_FAIL];
	unsigned nfail;
	/* Test hook MEMSECT_CRASH_SIGINT_AFTER: raise SIGINT after N reads. */
	uint64_t sigint_after;
	uint64_t reads;
	char err[160];
	/* ct_addr_symbol(): the vmlinux's ELF symbols, loaded on first use */
	struct symtab *symtab;
	uint64_t sym_offset;	/* KASLR: runtime - link-time address */
	int symtab_failed;
};

/* 0, or -1 with a message in ct->err (a malformed test-hook variable). */
int crash_target_open(struct crash_target *ct);
void crash_target_close(struct crash_target *ct);
/*
 * After a failure to open the dump's sections: when crash's symbols are not
 * where the dump's VMCOREINFO says the kernel put them (a KASLR dump opened
 * without --kaslr, as --minimal needs), write the --kaslr to restart crash
 * with into @buf and return 1; else 0.
 */
int crash_target_kaslr_hint(struct crash_target *ct, char *buf, size_t len);

/* The dump's format as libkdumpfile names it ("elf", "diskdump"), or NULL. */
const char *crash_dump_format(void);
const char *crash_dump_path(void);
const char *crash_vmlinux_path(void);
int crash_minimal_mode(void);

#endif
