// SPDX-License-Identifier: GPL-2.0-or-later
/* Sorted vmlinux symbols for %pS-style formatting (see symtab.h). */
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "elf_symbols.h"
#include "memsect/target.h"
#include "symtab.h"

struct sym {
	uint64_t addr;
	const char *name;	/* inside the ELF's mapped string table */
	int weak;
};

struct symtab {
	struct sym *v;
	size_t n;
	size_t cap;		/* symtab_add(): room in v */
	int fd;			/* symtab_open(): owned file, else -1 */
	Elf *own;
	int own_names;		/* symtab_new(): names are copies */
};

static size_t underscores(const char *s)
{
	return strspn(s, "_");
}

/*
 * scripts/kallsyms.c's may_be_linker_script_provide_symbol(): __start_X,
 * __stop_X, __end_X, __X_start, __X_end.
 */
static int linker_provided(const char *s)
{
	size_t len = strlen(s);

	if (len < 8 || s[0] != '_' || s[1] != '_')
		return 0;
	return !strncmp(s + 2, "start_", 6) || !strncmp(s + 2, "stop_", 5) ||
	       !strncmp(s + 2, "end_", 4) || !strcmp(s + len - 6, "_start") ||
	       !strcmp(s + len - 4, "_end");
}

/*
 * By address; aliases in scripts/kallsyms.c's compare_symbols() order
 * (weak last, then linker-provided labels like __sched_text_start, then
 * more leading '_'), then by name.
 */
static int by_addr(const void *a, const void *b)
{
	const struct sym *x = a, *y = b;
	size_t ux = underscores(x->name), uy = underscores(y->name);
	int lx = linker_provided(x->name), ly = linker_provided(y->name);

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	if (x->weak != y->weak)
		return x->weak - y->weak;
	if (lx != ly)
		return lx - ly;
	if (ux != uy)
		return ux < uy ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* Symbols kallsyms keeps: functions, objects and plain labels with a section. */
static int wanted(const GElf_Sym *sym, const char *name)
{
	int type = GELF_ST_TYPE(sym->st_info);

	if (type != STT_FUNC && type != STT_NOTYPE && type != STT_OBJECT)
		return 0;
	if (sym->st_shndx == SHN_UNDEF || sym->st_shndx == SHN_ABS)
		return 0;
	return name[0] != '$' && strncmp(name, ".L", 2);
}

static int push(struct symtab *s, uint64_t addr, const char *name, int weak)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 65536;
		struct sym *nv = realloc(s->v, cap * sizeof(*nv));

		if (!nv)
			return -1;
		s->v = nv;
		s->cap = cap;
	}
	s->v[s->n].addr = addr;
	s->v[s->n].weak = weak;
	s->v[s->n++].name = name;
	return 0;
}

static int add_symbol(void *arg, const GElf_Sym *sym, const char *name)
{
	if (!wanted(sym, name))
		return 0;
	return push(arg, sym->st_value, name,
		    GELF_ST_BIND(sym->st_info) == STB_WEAK);
}

struct symtab *symtab_load(Elf *elf)
{
	struct symtab *s = symtab_new();

	if (!s)
		return NULL;
	if (elf_each_symbol(elf, add_symbol, s) || !s->n) {
		symtab_free(s);
		return NULL;
	}
	symtab_sort(s);
	return s;
}

struct symtab *symtab_new(void)
{
	struct symtab *s = calloc(1, sizeof(*s));

	if (s)
		s->fd = -1;
	return s;
}

int symtab_add(struct symtab *s, uint64_t addr, const char *name, int weak)
{
	char *copy;

	if (name[0] == '$' || !strncmp(name, ".L", 2))
		return 0;
	copy = strdup(name);
	if (!copy || push(s, addr, copy, weak)) {
		free(copy);
		return -1;
	}
	s->own_names = 1;
	return 0;
}

void symtab_sort(struct symtab *s)
{
	qsort(s->v, s->n, sizeof(*s->v), by_addr);
}

void symtab_free(struct symtab *s)
{
	if (!s)
		return;
	for (size_t i = 0; s->own_names && i < s->n; i++)
		free((char *)s->v[i].name);
	free(s->v);
	if (s->own)
		elf_end(s->own);
	if (s->fd >= 0)
		close(s->fd);
	free(s);
}

struct symtab *symtab_open(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct symtab *s;
	Elf *elf;

	if (fd < 0)
		return NULL;
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	s = elf ? symtab_load(elf) : NULL;
	if (!s) {
		if (elf)
			elf_end(elf);
		close(fd);
		return NULL;
	}
	s->fd = fd;
	s->own = elf;
	return s;
}

int symtab_lookup(const struct symtab *s, const char *name, uint64_t *addr)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->v[i].name, name)) {
			*addr = s->v[i].addr;
			return 0;
		}
	return MS_ABSENT;
}

int symtab_format(const struct symtab *s, uint64_t addr, char *buf, size_t len)
{
	size_t lo = 0, hi = s->n, i, next;

	if (!s->n || addr < s->v[0].addr)
		return MS_ABSENT;
	while (hi - lo > 1) {	/* last symbol with address <= addr */
		size_t mid = lo + (hi - lo) / 2;

		if (s->v[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	i = lo;
	while (i > 0 && s->v[i - 1].addr == s->v[lo].addr)
		i--;	/* the first alias, like get_symbol_pos() */
	for (next = lo + 1; next < s->n && s->v[next].addr == s->v[lo].addr; next++)
		;
	if (next == s->n)
		return MS_ABSENT;
	snprintf(buf, len, "%s+0x%" PRIx64 "/0x%" PRIx64, s->v[i].name,
		 addr - s->v[i].addr, s->v[next].addr - s->v[i].addr);
	return 0;
}
