/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vmlinux debug info through elfutils libdw: struct layouts, enumerators
 * (indexed in one pass over the top-level DIEs of every CU), the ELF symbol
 * table, the GNU build id and the linux_banner text.
 */
#ifndef MEMSECT_CLI_VMLINUX_H
#define MEMSECT_CLI_VMLINUX_H

#include <stddef.h>
#include <stdint.h>

#include "strmap.h"

struct vmlinux {
	int fd;
	struct Elf *elf;
	struct Dwarf *dwarf;
	int indexed;
	struct strmap structs;		/* name -> DIE offset */
	struct strmap enumerators;	/* name -> value */
	struct strmap symbols;		/* name -> st_value */
	char build_id[48];		/* hex, "" if none */
	char err[256];
};

/* 0, or -1 with a message in v->err. */
int vmlinux_open(struct vmlinux *v, const char *path);
/*
 * Whether @path is an ELF executable (what a vmlinux is; a dump is an ELF
 * core file or not ELF at all): tells a swapped VMCORE VMLINUX pair apart.
 */
int vmlinux_is_executable(const char *path);
void vmlinux_close(struct vmlinux *v);

/* The target-interface convention: 0, MS_ABSENT or MS_ERROR. */
int vmlinux_member(struct vmlinux *v, const char *type, const char *member,
		   size_t *offset, size_t *size);
int vmlinux_type_size(struct vmlinux *v, const char *type, size_t *size);
int vmlinux_enumerator(struct vmlinux *v, const char *name, int64_t *value);
int vmlinux_symbol(struct vmlinux *v, const char *name, uint64_t *addr);
/* Copy up to len-1 bytes of the NUL-terminated string at link address @addr. */
int vmlinux_read_string(struct vmlinux *v, uint64_t addr, char *buf, size_t len);

#endif
