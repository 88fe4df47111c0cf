// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * memsect: memory-map state in Linux kernel crash dumps.
 *   memsect <command> [--json] VMCORE VMLINUX
 *   memsect <command> [--json] --no-vmlinux VMCORE (types: BTF, symbols: kallsyms)
 * Exit status: 0 clean, 1 findings of warning or worse, 2 usage,
 * 3 unreadable input or unusable debug info.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kdump_target.h"
#include "memsect/context.h"
#include "memsect/findings.h"
#include "memsect/hvo.h"
#include "memsect/report.h"
#include "memsect/sections.h"
#include "owner_cmd.h"
#include "page_cmd.h"

enum { EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE, EXIT_INPUT };

struct command {
	const char *name;
	const char *help;
	void (*checks)(struct ms_ctx *c, struct ms_findings *f);
};

static const struct command commands[] = {
	{ "sections", "every present memory section: flags, mem_map, page_ext pointer state",
	  ms_checks_sections },
	{ "offline", "PageOffline pfn ranges: blocks, sections, refcounts, skippable, in-dump audit",
	  ms_checks_offline },
	{ "hvo", "hugetlb folios: HVO flag, vmemmap aliases and their PTEs, naive-scan misreads",
	  ms_checks_hvo },
	{ "diagnose", "run every check and print the findings", ms_checks_all },
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: memsect <command> [--json] VMCORE VMLINUX\n"
		"       memsect <command> [--json] --no-vmlinux VMCORE\n"
		"       memsect --help | --version\n\n"
		"commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-9s %s\n", commands[i].name, commands[i].help);
	fprintf(out, "  %-9s %s\n", "owner",
		"page_owner records as /sys/kernel/debug/page_owner prints them\n"
		"            [--pid N] [--type allocated|freed]");
	fprintf(out, "  %-9s %s\n", "page",
		"struct page and page_ext clients of each pfn: memsect page [--json] VMCORE VMLINUX PFN...");
	fprintf(out,
		"\nVMCORE: ELF, kdump-compressed or any other format libkdumpfile reads.\n"
		"VMLINUX: the matching vmlinux with DWARF debug info.\n"
		"--no-vmlinux: types from the dump's own BTF, symbols from its kallsyms.\n"
		"--json: one JSON document, schema \"%s\" (see README.md).\n\n"
		"exit status: 0 clean, 1 findings of warning or worse, 2 usage error,\n"
		"             3 unreadable dump or unusable/mismatched vmlinux\n",
		MS_SCHEMA);
}

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "memsect: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, " (try 'memsect --help')\n");
	return EXIT_USAGE;
}

/* One line on stderr; bytes that came from the dump are made printable. */
static void error_line(const char *fmt, const char *a, const char *b)
{
	char buf[1024];

	snprintf(buf, sizeof(buf), fmt, a, b);
	for (unsigned char *p = (unsigned char *)buf; *p; p++)
		if (*p < 0x20 || *p >= 0x7f)
			*p = '?';
	fprintf(stderr, "memsect: %s\n", buf);
}

/* A progress line on a terminal for long struct page scans. */
static void progress(void *arg, uint64_t done, uint64_t total)
{
	unsigned *last = arg;
	unsigned pct = total ? (unsigned)(done * 100 / total) : 100;

	if (done == total) {
		fputs("\r\033[K", stderr);
		return;
	}
	if (pct == *last)
		return;
	*last = pct;
	fprintf(stderr, "\rmemsect: scanning struct pages: %3u%% (section %llu of %llu)",
		pct, (unsigned long long)done, (unsigned long long)total);
}

static int run(const struct command *cmd, const char *dump, const char *vmlinux,
	       int json)
{
	struct kdump_target kt;
	struct ms_findings f = { 0 };
	struct ms_report_info ri;
	struct ms_ctx c;
	char err[256];
	int any, ret;
	unsigned last_pct = ~0u;

	if (kdump_target_open(&kt, dump, vmlinux)) {
		error_line("%s%s", kt.err, "");
		kdump_target_close(&kt);
		return EXIT_INPUT;
	}
	if (ms_ctx_init(&c, &kt.target, err, sizeof(err))) {
		error_line("%s: cannot use this dump: %s", dump, err);
		kdump_target_close(&kt);
		return EXIT_INPUT;
	}
	if (!ms_get_sections(&c)) {
		const struct ms_read_error *e = ms_ctx_last_error(&c);
		char where[200];

		snprintf(where, sizeof(where), "0x%llx: %s",
			 (unsigned long long)(e ? e->address : c.L.mem_section_roots),
			 e ? e->what : "out of memory");
		error_line("%s: cannot read the mem_section array at %s", dump, where);
		ms_ctx_fini(&c);
		kdump_target_close(&kt);
		return EXIT_INPUT;
	}
	if (isatty(STDERR_FILENO)) {
		c.progress = progress;
		c.progress_arg = &last_pct;
	}
	cmd->checks(&c, &f);
	ri.command = cmd->name;
	ri.dump_path = dump;
	ri.dump_format = kt.format[0] ? kt.format : NULL;
	ri.vmlinux_path = vmlinux;
	ri.types = vmlinux ? "dwarf" : "btf";
	ri.symbols = vmlinux ? "elf" : "kallsyms";
	if (json)
		ms_report_json(stdout, &c, &ri, &f);
	else
		ms_report_text(stdout, &c, &ri, &f);
	ret = ms_findings_worst(&f, &any) >= MS_WARNING ? EXIT_FINDINGS :
							   EXIT_CLEAN;
	ms_findings_free(&f);
	ms_ctx_fini(&c);
	kdump_target_close(&kt);
	if (fflush(stdout)) {
		perror("memsect: writing output");
		return EXIT_INPUT;
	}
	return ret;
}

int main(int argc, char **argv)
{
	const struct command *cmd = NULL;
	const char *files[2] = { NULL, NULL };
	int nfiles = 0, json = 0, no_vmlinux = 0;

	if (argc > 1 && !strcmp(argv[1], "owner"))
		return owner_main(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "page"))
		return page_main(argc - 1, argv + 1);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			return EXIT_CLEAN;
		}
		if (!strcmp(a, "--version")) {
			printf("memsect %s (JSON schema %s)\n", MS_VERSION, MS_SCHEMA);
			return EXIT_CLEAN;
		}
		if (!strcmp(a, "--json")) {
			json = 1;
			continue;
		}
		if (!strcmp(a, "--no-vmlinux")) {
			no_vmlinux = 1;
			continue;
		}
		if (a[0] == '-' && a[1])
			return usage_error("unknown option '%s'", a);
		if (!cmd) {
			for (size_t k = 0; k < sizeof(commands) / sizeof(commands[0]); k++)
				if (!strcmp(a, commands[k].name))
					cmd = &commands[k];
			if (!cmd)
				return usage_error("unknown command '%s'", a);
			continue;
		}
		if (nfiles == 2 - no_vmlinux)
			return usage_error("unexpected argument '%s'", a);
		files[nfiles++] = a;
	}
	if (!cmd)
		return usage_error("%s", "no command given");
	if (nfiles < 1)
		return usage_error("%s", "no VMCORE given");
	if (nfiles < 2 - no_vmlinux)
		return usage_error("%s", "no VMLINUX given: the page_ext offset and the kernel's enums come from its debug info (or, with --no-vmlinux, from the dump's BTF)");
	return run(cmd, files[0], files[1], json);
}
