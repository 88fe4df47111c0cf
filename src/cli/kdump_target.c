// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * struct ms_target on libkdumpfile 0.5.x + libdw.  Only APIs that are the
 * same in 0.5.1 and 0.5.6 are used: kdump_get_attr()/the kdump_get_*_attr
 * inline wrappers, kdump_read(), kdump_bmp_get_bits(), addrxlat_fulladdr_conv().
 * libkdumpfile 0.5.5 changed kdump_get_typed_attr() (a separate type
 * argument) and kdump_attr_ref_get() (the value must be released with
 * kdump_attr_discard()), so neither is called here.
 */
#include <errno.h>
#include <fcntl.h>
#include <libkdumpfile/kdumpfile.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kdump_target.h"

#define START_KERNEL_MAP 0xffffffff80000000ULL	/* x86_64 __START_KERNEL_map */
#define BMP_CHUNK (1u << 16)			/* bits per kdump_bmp_get_bits */
#define KT_CACHE_PAGES 64			/* libkdumpfile's cache, in pages */

/*
 * libkdumpfile does not wait for a cache entry another thread's clone holds:
 * it answers KDUMP_ERR_BUSY at once, and the read may be retried.  Retried
 * with a growing pause, for up to about 10 s in all: a busy cache is never
 * taken for a failed read of the dump.
 */
#define BUSY_RETRIES 2000

static int read_kdump(kdump_ctx_t *k, kdump_addrspace_t as, uint64_t addr,
		      void *buf, size_t len, size_t *done, const char **why)
{
	unsigned busy = 0;
	kdump_status st;

	*done = 0;
	for (;;) {
		size_t n = len - *done;

		st = kdump_read(k, as, addr + *done, (char *)buf + *done, &n);
		*done += n;
		if (st == KDUMP_OK && *done == len)
			return 0;
		if (st != KDUMP_ERR_BUSY || ++busy > BUSY_RETRIES)
			break;
		if (busy < 100) {
			sched_yield();
		} else {
			struct timespec pause = { 0, 5000000 };	/* 5 ms */

			nanosleep(&pause, NULL);
		}
	}
	if (st == KDUMP_ERR_BUSY)
		*why = "libkdumpfile's cache stayed busy";
	return MS_ERROR;
}

/* Physical reads stop where the file was cut (dump_file.h). */
static int read_phys_of(const struct dump_file *file, kdump_ctx_t *k,
			uint64_t addr, void *buf, size_t len, size_t *done,
			const char **why)
{
	size_t ok;

	if (!file->nmissing || !dump_file_missing(file, addr, len, &ok))
		return read_kdump(k, KDUMP_KPHYSADDR, addr, buf, len, done, why);
	*done = 0;
	if (ok && read_kdump(k, KDUMP_KPHYSADDR, addr, buf, ok, done, why))
		return MS_ERROR;
	*why = "past the end of the truncated dump file";
	return MS_ERROR;
}

static int read_phys(struct kdump_target *kt, uint64_t addr, void *buf,
		     size_t len, size_t *done)
{
	return read_phys_of(&kt->file, kt->kdump, addr, buf, len, done,
			    &kt->read_err);
}

/*
 * libkdumpfile reads what lies past the end of a cut file as zeros: virtual
 * reads of such a file are translated page by page so that they stop there.
 */
static int read_virt_cut(struct kdump_target *kt, uint64_t addr, void *buf,
			 size_t len, size_t *done)
{
	*done = 0;
	while (*done < len) {
		addrxlat_fulladdr_t fa = { addr + *done, ADDRXLAT_KVADDR };
		size_t n = 4096 - (fa.addr & 4095), got;

		if (n > len - *done)
			n = len - *done;
		if (!kt->axctx ||
		    addrxlat_fulladdr_conv(&fa, ADDRXLAT_KPHYSADDR, kt->axctx,
					   kt->axsys) != ADDRXLAT_OK)
			return MS_ERROR;
		if (read_phys(kt, fa.addr, (char *)buf + *done, n, &got)) {
			*done += got;
			return MS_ERROR;
		}
		*done += n;
	}
	return 0;
}

static int kt_read(void *priv, enum ms_addrspace as, uint64_t addr, void *buf,
		   size_t len, size_t *done)
{
	struct kdump_target *kt = priv;

	kt->read_err = NULL;
	if (as == MS_PADDR)
		return read_phys(kt, addr, buf, len, done);
	if (kt->file.nmissing)
		return read_virt_cut(kt, addr, buf, len, done);
	return read_kdump(kt->kdump, KDUMP_KVADDR, addr, buf, len, done,
			  &kt->read_err);
}

/* A reader thread's handle: a libkdumpfile clone sharing file and cache. */
struct kt_clone {
	const struct dump_file *file;
	kdump_ctx_t *kdump;
	const char *why;
};

static void *kt_clone(void *priv)
{
	struct kdump_target *kt = priv;
	struct kt_clone *kc = malloc(sizeof(*kc));

	if (!kc)
		return NULL;
	kc->file = &kt->file;
	kc->why = NULL;
	kc->kdump = kdump_clone(kt->kdump, 0);
	if (!kc->kdump) {
		free(kc);
		return NULL;
	}
	return kc;
}

static int kt_clone_read(void *clone, uint64_t paddr, void *buf, size_t len,
			 size_t *done)
{
	struct kt_clone *kc = clone;

	return read_phys_of(kc->file, kc->kdump, paddr, buf, len, done,
			    &kc->why);
}

static void kt_clone_free(void *clone)
{
	struct kt_clone *kc = clone;

	kdump_free(kc->kdump);
	free(kc);
}

static int kt_symbol(void *priv, const char *name, uint64_t *addr)
{
	struct kdump_target *kt = priv;
	int r;

	if (kt->from_dump)
		return kallsyms_lookup(&kt->ksyms, name, addr);
	if (!kt->have_vmlinux)
		return MS_ABSENT;
	r = vmlinux_symbol(&kt->vmlinux, name, addr);
	if (r == 0 && *addr >= kt->kimage_base)
		*addr += kt->kaslr_offset;
	return r;
}

static int kt_member(void *priv, const char *type, const char *member,
		     size_t *offset, size_t *size)
{
	struct kdump_target *kt = priv;

	if (kt->from_dump)
		return btf_types_member(&kt->btf, type, member, offset, size);
	if (!kt->have_vmlinux)
		return MS_ABSENT;
	return vmlinux_member(&kt->vmlinux, type, member, offset, size);
}

static int kt_type_size(void *priv, const char *type, size_t *size)
{
	struct kdump_target *kt = priv;

	if (kt->from_dump)
		return btf_types_type_size(&kt->btf, type, size);
	if (!kt->have_vmlinux)
		return MS_ABSENT;
	return vmlinux_type_size(&kt->vmlinux, type, size);
}

static int kt_enumerator(void *priv, const char *name, int64_t *value)
{
	struct kdump_target *kt = priv;

	if (kt->from_dump)
		return btf_types_enumerator(&kt->btf, name, value);
	if (!kt->have_vmlinux)
		return MS_ABSENT;
	return vmlinux_enumerator(&kt->vmlinux, name, value);
}

static const char *kt_vmcoreinfo(void *priv, const char *key)
{
	struct kdump_target *kt = priv;

	for (size_t i = 0; i < kt->nvmci; i++)
		if (!strcmp(kt->vmci[i].key, key))
			return kt->vmci[i].value;
	return NULL;
}

static int kt_pfns_in_file(void *priv, uint64_t start, uint64_t end,
			   uint64_t *stored)
{
	static const unsigned char tail_mask[8] = {
		0xff, 0x01, 0x03, 0x07, 0x0f, 0x1f, 0x3f, 0x7f
	};
	struct kdump_target *kt = priv;
	unsigned char raw[BMP_CHUNK / 8];

	if (!kt->pagemap)
		return MS_ABSENT;
	*stored = 0;
	for (uint64_t first = start; first < end; first += BMP_CHUNK) {
		uint64_t last = first + BMP_CHUNK < end ? first + BMP_CHUNK : end;
		uint64_t nbits = last - first;
		size_t nbytes = (nbits + 7) / 8;

		memset(raw, 0, sizeof(raw));
		if (kdump_bmp_get_bits(kt->pagemap, first, last - 1, raw) !=
		    KDUMP_OK)
			return MS_ERROR;
		/* Bits are LSB-first within each byte. */
		raw[nbytes - 1] &= tail_mask[nbits % 8];
		for (size_t i = 0; i < nbytes; i++)
			*stored += (uint64_t)__builtin_popcount(raw[i]);
	}
	return 0;
}

static const char *kt_errmsg(void *priv)
{
	struct kdump_target *kt = priv;

	return kt->read_err ? kt->read_err : kdump_get_err(kt->kdump);
}

static int kt_file_size(void *priv, uint64_t *size, uint64_t *expected)
{
	struct kdump_target *kt = priv;

	*size = kt->file.size;
	*expected = kt->file.expected;
	return 0;
}

/* %pS of a relocated text address through kallsyms or the vmlinux symbol table. */
static int kt_addr_symbol(void *priv, uint64_t addr, char *buf, size_t len)
{
	struct kdump_target *kt = priv;

	if (kt->from_dump)
		return kallsyms_format(&kt->ksyms, addr, buf, len);
	if (!kt->have_vmlinux)
		return MS_ABSENT;
	if (!kt->symtab)
		kt->symtab = symtab_load(kt->vmlinux.elf);
	if (!kt->symtab)
		return MS_ABSENT;
	return symtab_format(kt->symtab, addr - kt->kaslr_offset, buf, len);
}

static const struct ms_target_ops kt_ops = {
	.read = kt_read,
	.symbol = kt_symbol,
	.member = kt_member,
	.type_size = kt_type_size,
	.enumerator = kt_enumerator,
	.vmcoreinfo = kt_vmcoreinfo,
	.pfns_in_file = kt_pfns_in_file,
	.file_size = kt_file_size,
	.errmsg = kt_errmsg,
	.addr_symbol = kt_addr_symbol,
	.clone = kt_clone,
	.clone_read = kt_clone_read,
	.clone_free = kt_clone_free,
};

/* VMCOREINFO is KEY=VALUE lines; libkdumpfile gives it as a string or blob. */
static int parse_vmcoreinfo(struct kdump_target *kt, const char *text, size_t len)
{
	const char *p = text, *end = text + len;

	while (p < end && *p) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *line_end = nl ? nl : end;
		const char *eq = memchr(p, '=', (size_t)(line_end - p));

		if (eq) {
			struct vmci_entry *nv = realloc(kt->vmci,
				(kt->nvmci + 1) * sizeof(*nv));

			if (!nv)
				return -1;
			kt->vmci = nv;
			nv[kt->nvmci].key = strndup(p, (size_t)(eq - p));
			nv[kt->nvmci].value = strndup(eq + 1,
						      (size_t)(line_end - eq - 1));
			if (!nv[kt->nvmci].key || !nv[kt->nvmci].value)
				return -1;
			kt->nvmci++;
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	return 0;
}

static int load_vmcoreinfo(struct kdump_target *kt)
{
	kdump_attr_t attr;
	int ret = -1;

	if (kdump_get_attr(kt->kdump, "linux.vmcoreinfo.raw", &attr) != KDUMP_OK)
		return -1;
	if (attr.type == KDUMP_STRING && attr.val.string) {
		ret = parse_vmcoreinfo(kt, attr.val.string,
				       strlen(attr.val.string));
	} else if (attr.type == KDUMP_BLOB && attr.val.blob) {
		void *data = kdump_blob_pin(attr.val.blob);

		ret = parse_vmcoreinfo(kt, data, kdump_blob_size(attr.val.blob));
		kdump_blob_unpin(attr.val.blob);
	}
	return ret == 0 && kt->nvmci ? 0 : -1;
}

static void load_pagemap(struct kdump_target *kt)
{
	kdump_attr_t attr;

	if (kdump_get_attr(kt->kdump, KDUMP_ATTR_FILE_PAGEMAP, &attr) ==
	    KDUMP_OK && attr.type == KDUMP_BITMAP && attr.val.bitmap) {
		kt->pagemap = attr.val.bitmap;
		kdump_bmp_incref(kt->pagemap);
	}
}

/*
 * A vmlinux belongs to the dump when its GNU build id equals VMCOREINFO's
 * BUILD-ID; without BUILD-ID, when its linux_banner equals the banner in
 * the dump's memory.
 */
static int check_vmlinux(struct kdump_target *kt, const char *path)
{
	const char *bid = kt_vmcoreinfo(kt, "BUILD-ID");
	char file_banner[256], mem_banner[256];
	uint64_t addr;
	size_t done;

	if (bid && *bid && kt->vmlinux.build_id[0]) {
		if (!strcmp(bid, kt->vmlinux.build_id))
			return 0;
		snprintf(kt->err, sizeof(kt->err),
			 "%s does not match the dump: build id %s, the dump's VMCOREINFO says %s",
			 path, kt->vmlinux.build_id, bid);
		return -1;
	}
	if (vmlinux_symbol(&kt->vmlinux, "linux_banner", &addr) ||
	    vmlinux_read_string(&kt->vmlinux, addr, file_banner,
				sizeof(file_banner))) {
		snprintf(kt->err, sizeof(kt->err),
			 "%s: cannot check it against the dump (no build id, no linux_banner)",
			 path);
		return -1;
	}
	memset(mem_banner, 0, sizeof(mem_banner));
	if (kt_read(kt, MS_KVADDR, addr + kt->kaslr_offset, mem_banner,
		    strlen(file_banner), &done) ||
	    strcmp(file_banner, mem_banner)) {
		snprintf(kt->err, sizeof(kt->err),
			 "%s does not match the dump: its linux_banner differs from the one in the dump's memory",
			 path);
		return -1;
	}
	return 0;
}

/*
 * No vmlinux: symbols from the dump's kallsyms, then the BTF between the
 * __start_BTF and __stop_BTF symbols (kallsyms has them with
 * CONFIG_KALLSYMS_ALL).
 */
static int open_from_dump(struct kdump_target *kt, const char *dump)
{
	static const char need[] = "; memsect needs the dump's vmlinux for it";
	uint64_t start, stop;
	int r;

	kt->from_dump = 1;
	r = kallsyms_load(&kt->ksyms, &kt->target);
	if (r) {
		snprintf(kt->err, sizeof(kt->err), "%s: no symbols in the dump: %s%s",
			 dump, kt->ksyms.err, need);
		return -1;
	}
	if (kallsyms_lookup(&kt->ksyms, "__start_BTF", &start) ||
	    kallsyms_lookup(&kt->ksyms, "__stop_BTF", &stop)) {
		snprintf(kt->err, sizeof(kt->err),
			 "%s: no BTF in the dump: kallsyms has no __start_BTF/__stop_BTF (a kernel without CONFIG_DEBUG_INFO_BTF or CONFIG_KALLSYMS_ALL)%s",
			 dump, need);
		return -1;
	}
	if (btf_types_load(&kt->btf, &kt->target, start, stop)) {
		snprintf(kt->err, sizeof(kt->err), "%s: no usable BTF in the dump: %s%s",
			 dump, kt->btf.err, need);
		return -1;
	}
	return 0;
}

/* vmlinux_find()'s candidate: kept when it opens and matches the dump. */
static int try_vmlinux(void *arg, const char *path, const char *source)
{
	struct kdump_target *kt = arg;

	if (vmlinux_open(&kt->vmlinux, path) || check_vmlinux(kt, path)) {
		vmlinux_close(&kt->vmlinux);
		return -1;
	}
	kt->have_vmlinux = 1;
	kt->vmlinux_source = source;
	snprintf(kt->vmlinux_path, sizeof(kt->vmlinux_path), "%s", path);
	return 0;
}

/*
 * No vmlinux given: one found by build id, else the dump's own BTF and
 * kallsyms; when neither, one line naming the build id and every place
 * searched.
 */
static int find_vmlinux(struct kdump_target *kt, const char *dump,
			const struct vmlinux_search *vs)
{
	const char *bid = kt_vmcoreinfo(kt, "BUILD-ID");
	char searched[1024], why[sizeof(kt->err)];

	if (!vmlinux_find(vs, bid, kt_vmcoreinfo(kt, "OSRELEASE"), try_vmlinux, kt,
			  searched, sizeof(searched)))
		return 0;
	if (!open_from_dump(kt, dump))
		return 0;
	memcpy(why, kt->err, sizeof(why));
	if (snprintf(kt->err, sizeof(kt->err),
		     "%s: no vmlinux for build id %s (searched: %s), and %s; give VMLINUX, --debug-dir DIR or DEBUGINFOD_URLS",
		     dump, bid && *bid ? bid : "(none)", searched, why) >= (int)sizeof(kt->err))
		memcpy(kt->err + sizeof(kt->err) - 4, "...", 4);
	return -1;
}

int kdump_target_open(struct kdump_target *kt, const char *dump,
		      const struct kdump_target_debuginfo *di)
{
	const char *vmlinux = di->vmlinux;

	const char *s;

	memset(kt, 0, sizeof(*kt));
	kt->fd = -1;
	kt->target.ops = &kt_ops;
	kt->target.priv = kt;
	kt->fd = open(dump, O_RDONLY | O_CLOEXEC);
	if (kt->fd < 0) {
		snprintf(kt->err, sizeof(kt->err), "%s: %s", dump, strerror(errno));
		return -1;
	}
	if (dump_file_check(kt->fd, dump, &kt->file, kt->err, sizeof(kt->err)))
		return -1;
	kt->kdump = kdump_new();
	if (!kt->kdump) {
		snprintf(kt->err, sizeof(kt->err), "out of memory");
		return -1;
	}
	/*
	 * mmap(2) turns a read past the end of a cut file into SIGBUS: read(2)
	 * for compressed dumps (whose page data is decompressed anyway) and
	 * for cut ELF files and flattened ones; mmap stays for whole ELF files (the
 * fast path).
	 */
	if ((kt->file.diskdump || kt->file.flattened ||
	     kt->file.size < kt->file.expected) &&
	    kdump_set_number_attr(kt->kdump, KDUMP_ATTR_FILE_MMAP_POLICY,
				  KDUMP_MMAP_NEVER) != KDUMP_OK) {
		snprintf(kt->err, sizeof(kt->err),
			 "%s: cannot make libkdumpfile read instead of mmap (%s)",
			 dump, kdump_get_err(kt->kdump));
		return -1;
	}
	if (kdump_open_fd(kt->kdump, kt->fd) != KDUMP_OK) {
		snprintf(kt->err, sizeof(kt->err),
			 "%s: not a readable dump file (libkdumpfile: %s)%s", dump,
			 kdump_get_err(kt->kdump), kt->file.flattened ?
			 "; it is in makedumpfile's flattened format: convert it with makedumpfile -R" :
			 "");
		return -1;
	}
	/*
	 * libkdumpfile 0.5.1 detects x86_64 5-level paging only once the OS
	 * type is set: without it even physical reads fail ("Cannot determine
	 * 5-level paging").
	 */
	if (kdump_set_string_attr(kt->kdump, KDUMP_ATTR_OSTYPE, "linux") != KDUMP_OK) {
		snprintf(kt->err, sizeof(kt->err),
			 "%s: cannot set up Linux address translation (libkdumpfile: %s)",
			 dump, kdump_get_err(kt->kdump));
		return -1;
	}
	/*
	 * libkdumpfile 0.5.1 looks a page up by walking its whole cache under
	 * one lock (cache_get_entry_noref()): with the default 1024 entries that
	 * walk, not decompression, bounds a scan.  64 entries read a 64 GiB
	 * kdump's struct pages in 1.3 s instead of 2.2 s (bench/README.md);
	 * memsect reads each struct page once, so a large cache buys nothing.
	 */
	if (kdump_set_number_attr(kt->kdump, "cache.size", KT_CACHE_PAGES) != KDUMP_OK) {
		snprintf(kt->err, sizeof(kt->err), "%s: cannot size libkdumpfile's cache (%s)",
			 dump, kdump_get_err(kt->kdump));
		return -1;
	}
	if (kdump_get_string_attr(kt->kdump, KDUMP_ATTR_FILE_FORMAT, &s) == KDUMP_OK)
		snprintf(kt->format, sizeof(kt->format), "%s", s);
	if (load_vmcoreinfo(kt)) {
		snprintf(kt->err, sizeof(kt->err), "%s: the dump has no VMCOREINFO",
			 dump);
		return -1;
	}
	s = kt_vmcoreinfo(kt, "KERNELOFFSET");
	if (s)
		kt->kaslr_offset = strtoull(s, NULL, 16);
	/*
	 * The kernel image's link-time base: x86_64 __START_KERNEL_map; arm64
	 * KIMAGE_VADDR, which is MODULES_END (arch/arm64/include/asm/memory.h),
	 * exported as NUMBER(MODULES_END) with NUMBER(kimage_voffset) by
	 * arch/arm64/kernel/crash_core.c.  arm64's per-cpu variables lie in
	 * the image too, so they move with it.
	 */
	kt->kimage_base = START_KERNEL_MAP;
	if (kt_vmcoreinfo(kt, "NUMBER(kimage_voffset)") &&
	    (s = kt_vmcoreinfo(kt, "NUMBER(MODULES_END)")))
		kt->kimage_base = strtoull(s, NULL, 0);
	load_pagemap(kt);
	if (kdump_get_addrxlat(kt->kdump, &kt->axctx, &kt->axsys) != KDUMP_OK) {
		kt->axctx = NULL;
		kt->axsys = NULL;
	}
	if (di->no_vmlinux)
		return open_from_dump(kt, dump);
	if (!vmlinux)
		return find_vmlinux(kt, dump, &di->search);
	if (vmlinux_open(&kt->vmlinux, vmlinux)) {
		snprintf(kt->err, sizeof(kt->err), "%s", kt->vmlinux.err);
		vmlinux_close(&kt->vmlinux);
		return -1;
	}
	kt->have_vmlinux = 1;
	kt->vmlinux_source = "given";
	snprintf(kt->vmlinux_path, sizeof(kt->vmlinux_path), "%s", vmlinux);
	return check_vmlinux(kt, vmlinux);
}

void kdump_target_close(struct kdump_target *kt)
{
	if (kt->pagemap)
		kdump_bmp_decref(kt->pagemap);
	if (kt->axctx)
		addrxlat_ctx_decref(kt->axctx);
	if (kt->axsys)
		addrxlat_sys_decref(kt->axsys);
	if (kt->kdump)
		kdump_free(kt->kdump);
	if (kt->fd >= 0)
		close(kt->fd);
	symtab_free(kt->symtab);
	dump_file_free(&kt->file);
	if (kt->have_vmlinux)
		vmlinux_close(&kt->vmlinux);
	kallsyms_free(&kt->ksyms);
	btf_types_free(&kt->btf);
	for (size_t i = 0; i < kt->nvmci; i++) {
		free(kt->vmci[i].key);
		free(kt->vmci[i].value);
	}
	free(kt->vmci);
	memset(kt, 0, sizeof(*kt));
	kt->fd = -1;
}
