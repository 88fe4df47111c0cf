// SPDX-License-Identifier: GPL-2.0-or-later
/* The SHT_SYMTAB walk (see elf_symbols.h). */
#include <stddef.h>

#include "elf_symbols.h"

int elf_each_symbol(Elf *elf, int (*fn)(void *arg, const GElf_Sym *sym, const char *name),
		    void *arg)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *data;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB || !sh.sh_entsize)
			continue;
		data = elf_getdata(scn, NULL);
		if (!data)
			continue;
		for (size_t i = 0; i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Sym sym;
			const char *name;
			int r;

			if (!gelf_getsym(data, (int)i, &sym))
				break;
			name = sym.st_name ? elf_strptr(elf, sh.sh_link, sym.st_name) : NULL;
			if (!name || !*name)
				continue;
			r = fn(arg, &sym, name);
			if (r)
				return r;
		}
	}
	return 0;
}
