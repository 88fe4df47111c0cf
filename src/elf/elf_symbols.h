/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One walk over an ELF file's symbol tables, for every front end that reads them. */
#ifndef MEMSECT_ELF_SYMBOLS_H
#define MEMSECT_ELF_SYMBOLS_H

#include <gelf.h>

/*
 * Calls @fn for every symbol of each SHT_SYMTAB section whose name is not
 * empty; stops at, and returns, the first non-zero value @fn returns.
 */
int elf_each_symbol(Elf *elf, int (*fn)(void *arg, const GElf_Sym *sym, const char *name),
		    void *arg);

#endif
