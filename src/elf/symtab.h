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
/*
 * A table filled from another symbol source (drgn's): symtab_add() copies
 * the name and skips what kallsyms drops ($x mapping symbols, .L labels);
 * the caller adds only functions, objects and plain labels with a section.
 * symtab_sort() before the first symtab_format().  symtab_add() returns -1
 * when memory ran out.
 */
struct symtab *symtab_new(void);
int symtab_add(struct symtab *s, uint64_t addr, const char *name, int weak);
void symtab_sort(struct symtab *s);
/* Link-time address of a symbol (for the KASLR offset), MS_ABSENT if none. */
int symtab_lookup(const struct symtab *s, const char *name, uint64_t *addr);
void symtab_free(struct symtab *s);
/*
 * "name+0xoff/0xsize" for a link-time address; MS_ABSENT if none covers
 * it (outside [first symbol, _end)).
 */
int symtab_format(const struct symtab *s, uint64_t addr, char *buf, size_t len);

#endif
