// SPDX-License-Identifier: GPL-2.0-or-later
/* vmlinux: DWARF types and enumerators, ELF symbols, build id, strings. */
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "elf_symbols.h"
#include "memsect/target.h"
#include "vmlinux.h"

#define MAX_ANON_DEPTH 8

static int index_enumerators(struct vmlinux *v, Dwarf_Die *e)
{
	Dwarf_Die it;

	if (dwarf_child(e, &it))
		return 0;
	do {
		Dwarf_Attribute a;
		const char *name = dwarf_diename(&it);
		Dwarf_Word u;
		Dwarf_Sword s;
		int64_t val;

		if (dwarf_tag(&it) != DW_TAG_enumerator || !name ||
		    !dwarf_attr(&it, DW_AT_const_value, &a))
			continue;
		if (dwarf_whatform(&a) == DW_FORM_sdata) {
			if (dwarf_formsdata(&a, &s))
				continue;
			val = s;
		} else {
			if (dwarf_formudata(&a, &u))
				continue;
			val = (int64_t)u;
		}
		if (strmap_add(&v->enumerators, name, (uint64_t)val))
			return -1;
	} while (dwarf_siblingof(&it, &it) == 0);
	return 0;
}

/* One pass over the top-level DIEs of every compilation unit. */
static int build_index(struct vmlinux *v)
{
	Dwarf_CU *cu = NULL;
	Dwarf_Die cudie;
	Dwarf_Half version;
	uint8_t unit_type;

	if (v->indexed)
		return v->indexed > 0 ? 0 : MS_ERROR;
	v->indexed = -1;
	while (dwarf_get_units(v->dwarf, cu, &cu, &version, &unit_type, &cudie,
			       NULL) == 0) {
		Dwarf_Die die;

		if (dwarf_child(&cudie, &die))
			continue;
		do {
			int tag = dwarf_tag(&die);
			const char *name;

			if (tag == DW_TAG_enumeration_type) {
				if (index_enumerators(v, &die))
					return MS_ERROR;
				continue;
			}
			if (tag != DW_TAG_structure_type)
				continue;
			name = dwarf_diename(&die);
			if (!name || dwarf_hasattr(&die, DW_AT_declaration))
				continue;
			if (strmap_add(&v->structs, name, dwarf_dieoffset(&die)))
				return MS_ERROR;
		} while (dwarf_siblingof(&die, &die) == 0);
	}
	v->indexed = 1;
	return 0;
}

static int struct_die(struct vmlinux *v, const char *type, Dwarf_Die *die)
{
	uint64_t off;

	if (build_index(v))
		return MS_ERROR;
	if (strmap_get(&v->structs, type, &off))
		return MS_ABSENT;
	if (!dwarf_offdie(v->dwarf, off, die))
		return MS_ERROR;
	return 0;
}

static int find_member(Dwarf_Die *s, const char *name, Dwarf_Word base,
		       size_t *offset, size_t *size, int depth)
{
	Dwarf_Die m;

	if (depth > MAX_ANON_DEPTH || dwarf_child(s, &m))
		return MS_ABSENT;
	do {
		Dwarf_Attribute a;
		Dwarf_Word loc = 0, sz;
		Dwarf_Die type, peeled;
		const char *n;

		if (dwarf_tag(&m) != DW_TAG_member)
			continue;
		if (dwarf_attr(&m, DW_AT_data_member_location, &a) &&
		    dwarf_formudata(&a, &loc))
			continue;
		if (!dwarf_attr(&m, DW_AT_type, &a) ||
		    !dwarf_formref_die(&a, &type))
			continue;
		n = dwarf_diename(&m);
		if (n && !strcmp(n, name)) {
			*offset = base + loc;
			*size = dwarf_aggregate_size(&type, &sz) ? 0 : sz;
			return 0;
		}
		if (!n && dwarf_peel_type(&type, &peeled) == 0 &&
		    (dwarf_tag(&peeled) == DW_TAG_structure_type ||
		     dwarf_tag(&peeled) == DW_TAG_union_type) &&
		    find_member(&peeled, name, base + loc, offset, size,
				depth + 1) == 0)
			return 0;
	} while (dwarf_siblingof(&m, &m) == 0);
	return MS_ABSENT;
}

int vmlinux_member(struct vmlinux *v, const char *type, const char *member,
		   size_t *offset, size_t *size)
{
	Dwarf_Die die;
	int r = struct_die(v, type, &die);

	if (r)
		return r;
	return find_member(&die, member, 0, offset, size, 0);
}

int vmlinux_type_size(struct vmlinux *v, const char *type, size_t *size)
{
	Dwarf_Die die;
	Dwarf_Word sz;
	int r = struct_die(v, type, &die);

	if (r)
		return r;
	if (dwarf_aggregate_size(&die, &sz))
		return MS_ERROR;
	*size = sz;
	return 0;
}

int vmlinux_enumerator(struct vmlinux *v, const char *name, int64_t *value)
{
	uint64_t u;

	if (build_index(v))
		return MS_ERROR;
	if (strmap_get(&v->enumerators, name, &u))
		return MS_ABSENT;
	*value = (int64_t)u;
	return 0;
}

int vmlinux_symbol(struct vmlinux *v, const char *name, uint64_t *addr)
{
	return strmap_get(&v->symbols, name, addr) ? MS_ABSENT : 0;
}

static int add_symbol(void *arg, const GElf_Sym *sym, const char *name)
{
	int type = GELF_ST_TYPE(sym->st_info);

	if (type == STT_SECTION || type == STT_FILE)
		return 0;
	return strmap_add(arg, name, sym->st_value) ? -1 : 0;
}

static int load_symbols(struct vmlinux *v)
{
	return elf_each_symbol(v->elf, add_symbol, &v->symbols);
}

static void load_build_id(struct vmlinux *v)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(v->elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *data;
		GElf_Nhdr nh;
		size_t off = 0, name_off, desc_off;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_NOTE)
			continue;
		data = elf_getdata(scn, NULL);
		if (!data)
			continue;
		while ((off = gelf_getnote(data, off, &nh, &name_off,
					   &desc_off)) > 0) {
			const unsigned char *d =
				(const unsigned char *)data->d_buf + desc_off;

			if (nh.n_type != NT_GNU_BUILD_ID || nh.n_namesz != 4 ||
			    memcmp((const char *)data->d_buf + name_off, "GNU", 4))
				continue;
			for (size_t i = 0; i < nh.n_descsz &&
			     2 * i + 2 < sizeof(v->build_id); i++)
				sprintf(v->build_id + 2 * i, "%02x", d[i]);
			return;
		}
	}
}

int vmlinux_read_string(struct vmlinux *v, uint64_t addr, char *buf, size_t len)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(v->elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *data;
		size_t i, off;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_PROGBITS ||
		    !(sh.sh_flags & SHF_ALLOC) || addr < sh.sh_addr ||
		    addr >= sh.sh_addr + sh.sh_size)
			continue;
		data = elf_getdata(scn, NULL);
		if (!data || !data->d_buf)
			return MS_ERROR;
		off = addr - sh.sh_addr;
		for (i = 0; i + 1 < len && off + i < data->d_size &&
		     ((const char *)data->d_buf)[off + i]; i++)
			buf[i] = ((const char *)data->d_buf)[off + i];
		buf[i] = 0;
		return 0;
	}
	return MS_ABSENT;
}

int vmlinux_is_executable(const char *path)
{
	unsigned char h[EI_NIDENT + 2];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return 0;
	n = pread(fd, h, sizeof(h), 0);
	close(fd);
	/* e_type follows e_ident in both classes; ET_EXEC in either byte order */
	return n == (ssize_t)sizeof(h) && !memcmp(h, ELFMAG, SELFMAG) &&
	       ((h[EI_DATA] == ELFDATA2LSB && h[EI_NIDENT] == ET_EXEC && !h[EI_NIDENT + 1]) ||
		(h[EI_DATA] == ELFDATA2MSB && h[EI_NIDENT + 1] == ET_EXEC && !h[EI_NIDENT]));
}

int vmlinux_open(struct vmlinux *v, const char *path)
{
	memset(v, 0, sizeof(*v));
	v->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (v->fd < 0) {
		snprintf(v->err, sizeof(v->err), "%s: %s", path, strerror(errno));
		return -1;
	}
	elf_version(EV_CURRENT);
	v->elf = elf_begin(v->fd, ELF_C_READ_MMAP, NULL);
	if (!v->elf || elf_kind(v->elf) != ELF_K_ELF) {
		snprintf(v->err, sizeof(v->err), "%s: not an ELF file", path);
		return -1;
	}
	v->dwarf = dwarf_begin_elf(v->elf, DWARF_C_READ, NULL);
	if (!v->dwarf) {
		snprintf(v->err, sizeof(v->err),
			 "%s: no DWARF debug info (%s)", path, dwarf_errmsg(-1));
		return -1;
	}
	if (load_symbols(v)) {
		snprintf(v->err, sizeof(v->err), "%s: cannot read the symbol table",
			 path);
		return -1;
	}
	load_build_id(v);
	return 0;
}

void vmlinux_close(struct vmlinux *v)
{
	if (v->dwarf)
		dwarf_end(v->dwarf);
	if (v->elf)
		elf_end(v->elf);
	if (v->fd > 0)
		close(v->fd);
	strmap_free(&v->structs);
	strmap_free(&v->enumerators);
	strmap_free(&v->symbols);
	memset(v, 0, sizeof(*v));
	v->fd = -1;
}
