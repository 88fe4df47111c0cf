// SPDX-License-Identifier: GPL-2.0-or-later
/* struct ms_target on crash's API (crash_target.h). */
#include "defs.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crash_target.h"
#include "dump_file.h"
#include "interrupt.h"

#define CT_PAGE 4096ULL

static struct crash_target *ct_of(void *priv)
{
	return priv;
}

/* Test hook: the first listed address inside [addr, addr + len), if any. */
static int injected_fault(struct crash_target *ct, enum ms_addrspace as,
			  uint64_t addr, size_t len, uint64_t *bad)
{
	int hit = 0;

	if (as != MS_KVADDR)
		return 0;
	for (unsigned i = 0; i < ct->nfail; i++)
		if (ct->fail_at[i] >= addr && ct->fail_at[i] - addr < len &&
		    (!hit || ct->fail_at[i] < *bad)) {
			*bad = ct->fail_at[i];
			hit = 1;
		}
	return hit;
}

static int crash_readmem(enum ms_addrspace as, uint64_t addr, void *buf,
			 size_t len)
{
	return readmem((ulonglong)addr, as == MS_PADDR ? PHYSADDR : KVADDR, buf,
		       (long)len, "memsect", RETURN_ON_ERROR | QUIET) ? 0 : -1;
}

/*
 * Why a read at @addr failed: readmem() with QUIET does not say, so ask
 * the translation and crash's dump reader (pc->readmem) directly.
 */
static const char *failure_reason(enum ms_addrspace as, uint64_t addr)
{
	physaddr_t pa = addr;
	unsigned char byte;

	if (as == MS_KVADDR && !kvtop(NULL, addr, &pa, 0))
		return "crash: no page-table mapping";
	switch (pc->readmem(ACTIVE() ? pc->mfd : pc->dfd, &byte, 1,
			    as == MS_KVADDR ? addr : 0, pa)) {
	case SEEK_ERROR:
		return "crash: not in the dump file";
	case READ_ERROR:
		return "crash: read error in the dump file";
	case PAGE_EXCLUDED:
		return "crash: page excluded from the dump";
	case PAGE_INCOMPLETE:
		return "crash: page incomplete in the dump";
	default:
		return "crash: readmem failed";
	}
}

/*
 * readmem() has no partial reads: after a failure, retry page by page to
 * find the first page that cannot be read (the failing address).
 */
static int ct_read(void *priv, enum ms_addrspace as, uint64_t addr, void *buf,
		   size_t len, size_t *done)
{
	struct crash_target *ct = ct_of(priv);
	uint64_t bad = 0, off = 0;

	*done = 0;
	if (ct->sigint_after && ++ct->reads == ct->sigint_after)
		raise(SIGINT);
	if (ms_crash_interrupted()) {
		snprintf(ct->err, sizeof(ct->err), "interrupted by Ctrl-C");
		return MS_ERROR;
	}
	if (injected_fault(ct, as, addr, len, &bad)) {
		*done = bad - addr;
		snprintf(ct->err, sizeof(ct->err),
			 "injected by MEMSECT_CRASH_FAIL_READ");
		return MS_ERROR;
	}
	if (crash_readmem(as, addr, buf, len) == 0)
		return 0;
	while (off < len) {
		uint64_t n = CT_PAGE - ((addr + off) & (CT_PAGE - 1));

		if (n > len - off)
			n = len - off;
		if (crash_readmem(as, addr + off, (char *)buf + off, n))
			break;
		off += n;
	}
	*done = off;
	snprintf(ct->err, sizeof(ct->err), "%s", failure_reason(as, addr + off));
	return MS_ERROR;
}

static int ct_symbol(void *priv, const char *name, uint64_t *addr)
{
	(void)priv;
	if (!symbol_exists((char *)name))
		return MS_ABSENT;
	*addr = symbol_value((char *)name);
	return 0;
}

/*
 * %pS from the vmlinux's own ELF symbol table, like the CLI (crash's table
 * drops GCC suffixes such as ".isra.0"), relocated by symbol_value(_stext)
 * minus its link-time address.
 */
static int ct_addr_symbol(void *priv, uint64_t addr, char *buf, size_t len)
{
	struct crash_target *ct = ct_of(priv);
	uint64_t link;

	if (!ct->symtab && !ct->symtab_failed) {
		ct->symtab = symtab_open(crash_vmlinux_path());
		if (ct->symtab && symtab_lookup(ct->symtab, "_stext", &link) == 0 &&
		    symbol_exists("_stext")) {
			ct->sym_offset = symbol_value("_stext") - link;
		} else {
			symtab_free(ct->symtab);
			ct->symtab = NULL;
			ct->symtab_failed = 1;
		}
	}
	if (!ct->symtab)
		return MS_ABSENT;
	return symtab_format(ct->symtab, addr - ct->sym_offset, buf, len);
}

/* datatype_info() answers -1 for "no such type or member". */
static int ct_member(void *priv, const char *type, const char *member,
		     size_t *offset, size_t *size)
{
	long off, sz;

	(void)priv;
	off = MEMBER_OFFSET((char *)type, (char *)member);
	if (off >= 0) {
		sz = MEMBER_SIZE((char *)type, (char *)member);
	} else {
		/* Members of anonymous structs/unions. */
		off = ANON_MEMBER_OFFSET((char *)type, (char *)member);
		if (off < 0)
			return MS_ABSENT;
		sz = ANON_MEMBER_SIZE((char *)type, (char *)member);
	}
	*offset = (size_t)off;
	*size = sz > 0 ? (size_t)sz : 0;
	return 0;
}

static int ct_type_size(void *priv, const char *type, size_t *size)
{
	long sz;

	(void)priv;
	sz = STRUCT_SIZE((char *)type);
	if (sz < 0)
		return MS_ABSENT;
	*size = (size_t)sz;
	return 0;
}

static int ct_enumerator(void *priv, const char *name, int64_t *value)
{
	long v;

	(void)priv;
	if (!enumerator_value((char *)name, &v))
		return MS_ABSENT;
	*value = v;
	return 0;
}

/* pc->read_vmcoreinfo() returns a malloc'd copy (re-read from the file for
 * kdump-compressed dumps): answers, absent keys included, are cached. */
static const char *ct_vmcoreinfo(void *priv, const char *key)
{
	struct crash_target *ct = ct_of(priv);
	struct ct_vmci *nv;
	char *value;

	for (size_t i = 0; i < ct->nvmci; i++)
		if (!strcmp(ct->vmci[i].key, key))
			return ct->vmci[i].value;
	value = pc->read_vmcoreinfo ? pc->read_vmcoreinfo(key) : NULL;
	nv = realloc(ct->vmci, (ct->nvmci + 1) * sizeof(*nv));
	if (!nv) {
		free(value);
		return NULL;
	}
	ct->vmci = nv;
	nv[ct->nvmci].key = strdup(key);
	if (!nv[ct->nvmci].key) {
		free(value);
		return NULL;
	}
	nv[ct->nvmci].value = value;
	ct->nvmci++;
	return value;
}

/*
 * A pfn is in the dump when its first byte can be read: crash fails
 * physical reads of pages an ELF dump has no PT_LOAD contents for and of
 * pages makedumpfile excluded (unless crash runs with --zero_excluded).
 */
static int ct_pfns_in_file(void *priv, uint64_t start, uint64_t end,
			   uint64_t *stored)
{
	unsigned char byte;

	(void)priv;
	*stored = 0;
	for (uint64_t pfn = start; pfn < end; pfn++) {
		if (ms_crash_interrupted())
			return MS_ERROR;
		*stored += crash_readmem(MS_PADDR, pfn * CT_PAGE, &byte, 1) == 0;
	}
	return 0;
}

static const char *ct_errmsg(void *priv)
{
	struct crash_target *ct = ct_of(priv);

	return ct->err[0] ? ct->err : NULL;
}

/*
 * The file crash has open, checked against its own headers as the CLI checks
 * it (dump_file.h): crash warns about a cut ELF file and goes on, so the
 * analysis must know which results rest on missing data.  The check reads
 * every kdump page descriptor, so it runs once per session, again only if
 * the file changed.
 */
static struct {
	int done, ret;
	struct stat st;
	uint64_t size, expected;
	char err[160];
} file_check;

static int ct_file_size(void *priv, uint64_t *size, uint64_t *expected)
{
	struct crash_target *ct = ct_of(priv);
	struct dump_file df;
	struct stat st;
	int fd;

	if (!DUMPFILE() || !pc->dumpfile)
		return MS_ABSENT;
	fd = open(pc->dumpfile, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st)) {
		snprintf(ct->err, sizeof(ct->err), "%s: %s", pc->dumpfile,
			 strerror(errno));
		if (fd >= 0)
			close(fd);
		return MS_ERROR;
	}
	if (!file_check.done || st.st_dev != file_check.st.st_dev ||
	    st.st_ino != file_check.st.st_ino || st.st_size != file_check.st.st_size ||
	    st.st_mtime != file_check.st.st_mtime) {
		file_check.ret = dump_file_check(fd, pc->dumpfile, &df, file_check.err,
						 sizeof(file_check.err));
		file_check.size = df.size;
		file_check.expected = df.expected;
		file_check.st = st;
		file_check.done = 1;
		dump_file_free(&df);
	}
	close(fd);
	*size = file_check.size;
	*expected = file_check.expected;
	if (!file_check.ret)
		return 0;
	snprintf(ct->err, sizeof(ct->err), "%s", file_check.err);
	return MS_ERROR;
}

int crash_target_kaslr_hint(struct crash_target *ct, char *buf, size_t len)
{
	/* init_uts_ns: a kernel image symbol every VMCOREINFO names */
	const char *said = ct_vmcoreinfo(ct, "SYMBOL(init_uts_ns)");
	const char *offset = ct_vmcoreinfo(ct, "KERNELOFFSET");
	uint64_t crash_says;

	if (!said || !offset || ct_symbol(ct, "init_uts_ns", &crash_says) ||
	    strtoull(said, NULL, 16) == crash_says)
		return 0;
	snprintf(buf, len,
		 "crash's symbols are not where this kernel was put (init_uts_ns: crash says 0x%llx, VMCOREINFO 0x%s): restart crash with --kaslr=0x%s",
		 (unsigned long long)crash_says, said, offset);
	return 1;
}

static const struct ms_target_ops ct_ops = {
	.read = ct_read,
	.symbol = ct_symbol,
	.member = ct_member,
	.type_size = ct_type_size,
	.enumerator = ct_enumerator,
	.vmcoreinfo = ct_vmcoreinfo,
	.pfns_in_file = ct_pfns_in_file,
	.file_size = ct_file_size,
	.errmsg = ct_errmsg,
	.addr_symbol = ct_addr_symbol,
};

/* MEMSECT_CRASH_FAIL_READ=0xADDR[,0xADDR...] (kernel virtual addresses). */
static int parse_fail_list(struct crash_target *ct, const char *s)
{
	while (*s) {
		char *end;
		unsigned long long v = strtoull(s, &end, 16);

		if (end == s || (*end && *end != ',') || ct->nfail == CT_MAX_FAIL) {
			snprintf(ct->err, sizeof(ct->err),
				 "MEMSECT_CRASH_FAIL_READ: expected up to %d hex addresses separated by commas",
				 CT_MAX_FAIL);
			return -1;
		}
		ct->fail_at[ct->nfail++] = v;
		s = *end ? end + 1 : end;
	}
	return 0;
}

int crash_target_open(struct crash_target *ct)
{
	const char *s;

	memset(ct, 0, sizeof(*ct));
	ct->target.ops = &ct_ops;
	ct->target.priv = ct;
	s = getenv("MEMSECT_CRASH_FAIL_READ");
	if (s && parse_fail_list(ct, s))
		return -1;
	s = getenv("MEMSECT_CRASH_SIGINT_AFTER");
	if (s)
		ct->sigint_after = strtoull(s, NULL, 10);
	return 0;
}

void crash_target_close(struct crash_target *ct)
{
	for (size_t i = 0; i < ct->nvmci; i++) {
		free(ct->vmci[i].key);
		free(ct->vmci[i].value);
	}
	free(ct->vmci);
	symtab_free(ct->symtab);
	memset(ct, 0, sizeof(*ct));
}

const char *crash_dump_format(void)
{
	if (DISKDUMP_DUMPFILE())
		return "diskdump";
	if (KDUMP_DUMPFILE() || NETDUMP_DUMPFILE())
		return "elf";
	return NULL;
}

const char *crash_dump_path(void)
{
	return pc->dumpfile;
}

const char *crash_vmlinux_path(void)
{
	return pc->namelist;
}

int crash_minimal_mode(void)
{
	return (pc->flags & MINIMAL_MODE) != 0;
}
