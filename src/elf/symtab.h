/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Address -> symbol for stack entries, for the front ends that have the
 * vmlinux file (the CLI, the crash extension; needs libelf): the ELF symbol
 * table sorted by address, each symbol's size being the distance to the next
 * address (what kallsyms_lookup_size_offset() reports, hence what %pS prints).
 */
#ifndef MEMSECT_SYMTAB_H
#define MEMSECT_SYMTAB_H

#include <stddef.h>
#include <stdint.h>

struct Elf;
struct symtab;

/* NULL on failure (no symbol table or out of memory); @elf must outlive it. */
struct symtab *symtab_load(struct Elf *elf);
/* Same, opening the file itself. */
struct symtab *symtab_open(const char *path);
/* Link-time address of a symbol (for the KASLR offset), MS_ABSENT if none. */
int symtab_lookup(const struct symtab *s, const char *name, uint64_t *addr);
void symtab_free(struct symtab *s);
/*
 * "name+0xoff/0xsize" for a link-time address; MS_ABSENT if none covers
 * it (outside [first symbol, _end)).
 */
int symtab_format(const struct symtab *s, uint64_t addr, char *buf, size_t len);

#endif
