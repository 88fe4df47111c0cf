// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * srccmp VMCORE VMLINUX [PFN...]: the dump's own types and symbols (BTF,
 * kallsyms) against the vmlinux's (DWARF, ELF), for the no-vmlinux tests.
 *
 * 1. Every kallsyms symbol must be an ELF symbol of the vmlinux with the
 *    same name at the same address (KASLR offset from VMCOREINFO applied).
 * 2. Every question memsect asks its target while running every command
 *    (sections, offline, hvo, diagnose, owner allocated and freed, page PFN...)
 *    is answered from both sources and the answers compared: each
 *    (struct, member) offset and size, struct size, enumerator, symbol.
 *
 * Prints one line per source of facts and each difference; exit 0 when all
 * agree, 1 when some differ, 3 when a dump or vmlinux cannot be opened.
 */
#include <gelf.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elf_symbols.h"
#include "kdump_target.h"
#include "memsect/context.h"
#include "memsect/findings.h"
#include "memsect/hvo.h"
#include "memsect/page_info.h"
#include "memsect/page_owner.h"
#include "memsect/report.h"
#include "memsect/sections.h"
#include "strmap.h"

#define START_KERNEL_MAP 0xffffffff80000000ULL
#define MAX_SHOWN 20

struct pair {
	struct kdump_target *dwarf, *btf;
	struct strmap asked;		/* "kind:question" already compared */
	unsigned long n[5], bad[5];	/* per kind below */
};

enum { K_MEMBER, K_SIZE, K_ENUM, K_SYMBOL, K_PS, K_NR };
static const char *const kind_name[K_NR] = {
	"member", "type_size", "enumerator", "symbol", "%pS",
};

static int first_time(struct pair *p, int kind, const char *a, const char *b)
{
	char key[512];
	uint64_t v;

	snprintf(key, sizeof(key), "%d:%s.%s", kind, a, b ? b : "");
	if (!strmap_get(&p->asked, key, &v))
		return 0;
	if (strmap_add(&p->asked, key, 1))
		abort();
	p->n[kind]++;
	return 1;
}

static void differs(struct pair *p, int kind, const char *fmt, ...)
{
	va_list ap;

	if (p->bad[kind]++ >= MAX_SHOWN)
		return;
	printf("DIFF %s: ", kind_name[kind]);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static const struct ms_target_ops *ops(struct kdump_target *kt)
{
	return kt->target.ops;
}

static int c_read(void *priv, enum ms_addrspace as, uint64_t addr, void *buf,
		  size_t len, size_t *done)
{
	struct pair *p = priv;

	return ops(p->btf)->read(p->btf, as, addr, buf, len, done);
}

static int c_symbol(void *priv, const char *name, uint64_t *addr)
{
	struct pair *p = priv;
	uint64_t d = 0;
	int rb = ops(p->btf)->symbol(p->btf, name, addr);
	int rd = ops(p->dwarf)->symbol(p->dwarf, name, &d);

	if (first_time(p, K_SYMBOL, name, NULL) && (rb != rd || (!rb && *addr != d)))
		differs(p, K_SYMBOL, "%s: kallsyms %d 0x%" PRIx64 ", elf %d 0x%" PRIx64,
			name, rb, rb ? 0 : *addr, rd, rd ? 0 : d);
	return rb;
}

static int c_member(void *priv, const char *type, const char *member,
		    size_t *offset, size_t *size)
{
	struct pair *p = priv;
	size_t doff = 0, dsz = 0;
	int rb = ops(p->btf)->member(p->btf, type, member, offset, size);
	int rd = ops(p->dwarf)->member(p->dwarf, type, member, &doff, &dsz);

	if (first_time(p, K_MEMBER, type, member) &&
	    (rb != rd || (!rb && (*offset != doff || *size != dsz))))
		differs(p, K_MEMBER, "%s.%s: btf %d %zu/%zu, dwarf %d %zu/%zu", type,
			member, rb, rb ? 0 : *offset, rb ? 0 : *size, rd, doff, dsz);
	return rb;
}

static int c_type_size(void *priv, const char *type, size_t *size)
{
	struct pair *p = priv;
	size_t d = 0;
	int rb = ops(p->btf)->type_size(p->btf, type, size);
	int rd = ops(p->dwarf)->type_size(p->dwarf, type, &d);

	if (first_time(p, K_SIZE, type, NULL) && (rb != rd || (!rb && *size != d)))
		differs(p, K_SIZE, "%s: btf %d %zu, dwarf %d %zu", type, rb,
			rb ? 0 : *size, rd, d);
	return rb;
}

static int c_enumerator(void *priv, const char *name, int64_t *value)
{
	struct pair *p = priv;
	int64_t d = 0;
	int rb = ops(p->btf)->enumerator(p->btf, name, value);
	int rd = ops(p->dwarf)->enumerator(p->dwarf, name, &d);

	if (first_time(p, K_ENUM, name, NULL) && (rb != rd || (!rb && *value != d)))
		differs(p, K_ENUM, "%s: btf %d %" PRId64 ", dwarf %d %" PRId64, name, rb,
			rb ? 0 : *value, rd, d);
	return rb;
}

static const char *c_vmcoreinfo(void *priv, const char *key)
{
	struct pair *p = priv;

	return ops(p->btf)->vmcoreinfo(p->btf, key);
}

static int c_pfns_in_file(void *priv, uint64_t start, uint64_t end, uint64_t *stored)
{
	struct pair *p = priv;

	return ops(p->btf)->pfns_in_file(p->btf, start, end, stored);
}

static int c_file_size(void *priv, uint64_t *size, uint64_t *expected)
{
	struct pair *p = priv;

	return ops(p->btf)->file_size(p->btf, size, expected);
}

static const char *c_errmsg(void *priv)
{
	struct pair *p = priv;

	return ops(p->btf)->errmsg(p->btf);
}

static int c_addr_symbol(void *priv, uint64_t addr, char *buf, size_t len)
{
	struct pair *p = priv;
	char d[256] = "";
	int rb = ops(p->btf)->addr_symbol(p->btf, addr, buf, len);
	int rd = ops(p->dwarf)->addr_symbol(p->dwarf, addr, d, sizeof(d));
	char key[32];

	snprintf(key, sizeof(key), "0x%" PRIx64, addr);
	if (first_time(p, K_PS, key, NULL) && (rb != rd || (!rb && strcmp(buf, d))))
		differs(p, K_PS, "0x%" PRIx64 ": kallsyms %d %s, elf %d %s", addr,
			rb, rb ? "" : buf, rd, d);
	return rb;
}

static const struct ms_target_ops cmp_ops = {
	.read = c_read,
	.symbol = c_symbol,
	.member = c_member,
	.type_size = c_type_size,
	.enumerator = c_enumerator,
	.vmcoreinfo = c_vmcoreinfo,
	.pfns_in_file = c_pfns_in_file,
	.file_size = c_file_size,
	.errmsg = c_errmsg,
	.addr_symbol = c_addr_symbol,
};

struct elf_pairs {
	struct strmap m;	/* "name@address" of every ELF symbol */
};

static int add_elf(void *arg, const GElf_Sym *sym, const char *name)
{
	struct elf_pairs *e = arg;
	char key[600];

	snprintf(key, sizeof(key), "%s@%" PRIx64, name, (uint64_t)sym->st_value);
	return strmap_add(&e->m, key, 1) ? -1 : 0;
}

/* Every kallsyms symbol is an ELF symbol: same name, same (relocated) address. */
static unsigned long compare_kallsyms(struct kdump_target *dw, struct kdump_target *bt)
{
	const struct kallsyms *k = &bt->ksyms;
	struct elf_pairs e = { 0 };
	unsigned long bad = 0;

	if (elf_each_symbol(dw->vmlinux.elf, add_elf, &e))
		abort();
	for (size_t i = 0; i < k->n; i++) {
		uint64_t a = k->addr[i], v;
		const char *name = k->names + k->name_off[i];
		char key[600];

		if (a >= START_KERNEL_MAP)
			a -= dw->kaslr_offset;
		snprintf(key, sizeof(key), "%s@%" PRIx64, name, a);
		if (!strmap_get(&e.m, key, &v))
			continue;
		if (bad++ < MAX_SHOWN)
			printf("DIFF kallsyms: %c %s at 0x%" PRIx64
			       " (link address 0x%" PRIx64 ") is no ELF symbol\n",
			       k->types[i], name, k->addr[i], a);
	}
	printf("kallsyms: %zu symbols (%s), %lu not in the ELF symbol table, KASLR offset 0x%" PRIx64 "\n",
	       k->n, k->encoding, bad, dw->kaslr_offset);
	strmap_free(&e.m);
	return bad;
}

int main(int argc, char **argv)
{
	static struct kdump_target dw, bt;
	struct pair p = { .dwarf = &dw, .btf = &bt };
	struct ms_target t = { .ops = &cmp_ops, .priv = &p };
	void (*const checks[])(struct ms_ctx *, struct ms_findings *) = {
		ms_checks_sections, ms_checks_offline, ms_checks_hvo, ms_checks_all,
	};
	uint64_t *pfns = calloc((size_t)argc, sizeof(*pfns));
	unsigned long bad;
	size_t npfn = 0;
	FILE *null = fopen("/dev/null", "w");
	struct ms_report_info ri = { 0 };

	if (argc < 3 || !pfns || !null) {
		fprintf(stderr, "usage: srccmp VMCORE VMLINUX [PFN...]\n");
		return 2;
	}
	for (int i = 3; i < argc; i++)
		pfns[npfn++] = strtoull(argv[i], NULL, 0);
	struct kdump_target_debuginfo given = { .vmlinux = argv[2] };
	struct kdump_target_debuginfo from_dump = { .no_vmlinux = 1 };

	if (kdump_target_open(&dw, argv[1], &given) ||
	    kdump_target_open(&bt, argv[1], &from_dump)) {
		fprintf(stderr, "srccmp: %s%s\n", dw.err, bt.err);
		return 3;
	}
	bad = compare_kallsyms(&dw, &bt);
	/* One context per command, as the CLI runs them. */
	ri.dump_path = argv[1];
	for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]) + 3; i++) {
		struct ms_findings f = { 0 };
		struct ms_ctx c;
		char err[256];

		if (ms_ctx_init(&c, &t, err, sizeof(err)) || !ms_get_sections(&c)) {
			fprintf(stderr, "srccmp: %s\n", err);
			return 3;
		}
		if (i < sizeof(checks) / sizeof(checks[0]))
			checks[i](&c, &f);
		else if (i == sizeof(checks) / sizeof(checks[0]))
			ms_owner_report(null, &c, MS_OWNER_ALLOCATED, -1, true, &ri);
		else if (i == sizeof(checks) / sizeof(checks[0]) + 1)
			ms_owner_report(null, &c, MS_OWNER_FREED, -1, true, &ri);
		else if (npfn)
			ms_page_report(null, &c, pfns, npfn, true, &ri);
		ms_findings_free(&f);
		ms_ctx_fini(&c);
	}
	for (int k = 0; k < K_NR; k++) {
		printf("%s: %lu asked, %lu differ\n", kind_name[k], p.n[k], p.bad[k]);
		bad += p.bad[k];
	}
	strmap_free(&p.asked);
	kdump_target_close(&dw);
	kdump_target_close(&bt);
	fclose(null);
	free(pfns);
	return bad ? 1 : 0;
}
