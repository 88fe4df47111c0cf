// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The crash extension: "extend memsect.so" adds the command
 *   memsect sections|offline|diagnose [--json]
 * with the memsect CLI's sub-commands and output (text, or JSON schema
 * memsect/1) written to crash's fp.  Registered with MINIMAL so that it
 * also runs under "crash --minimal".
 */
#include "defs.h"

#include "memsect/report.h"
#include "owner.h"
#include "run.h"

static void cmd_memsect(void);

static char *help_memsect[] = {
	"memsect",
	"memory-map state: sections, page_ext pointers, PageOffline pages",
	"sections|offline|hvo|diagnose [--json] | owner [--pid N] [--type allocated|freed] [--json] | page [--json] PFN... | --version",
	"  Runs a memsect check on the dump, with the same sub-commands, options",
	"  and output as the memsect command-line tool (README.md, \"memsect\").",
	"  Reads that fail are reported with their address and make the result",
	"  partial; they never end the crash session.  Ctrl-C stops a long scan",
	"  and prints what was found so far.",
	"",
	"    sections  every present memory section: flags, mem_map, page_ext",
	"              pointer state (valid, NULL, invalidated, unreadable)",
	"    offline   PageOffline pfn ranges: memory blocks, sections, refcounts,",
	"              PG_offline_skippable, whether the dump holds their contents",
	"    hvo       hugetlb folios: HPG_vmemmap_optimized, the vmemmap frames",
	"              their struct pages map to (the kernel page tables) and PTE",
	"              writability, frames shared between folios, and how many",
	"              struct pages a naive scan misreads (HVO aliases, fake heads)",
	"    diagnose  run every check and print the findings",
	"    owner     page_owner records as /sys/kernel/debug/page_owner prints",
	"              them (stacks from the stack depot, symbolized by crash),",
	"              --pid N: of one process, --type freed: of freed pages",
	"    page      struct page and page_ext clients (page_owner, page_table_check,",
	"              alloc tag) of each PFN, through the PFN's own section",
	"    --json    one JSON document, schema \"memsect/1\"",
	"    --version print the memsect version and JSON schema",
	"",
	"  The command also runs under \"crash --minimal\", which is how crash 8.0.2",
	"  opens dumps of kernels 6.4 and later (module layout it does not know):",
	"      crash --minimal --kaslr=0x<KERNELOFFSET> vmlinux vmcore",
	"  KERNELOFFSET is in the dump's VMCOREINFO (makedumpfile --dump-dmesg or",
	"  \"readelf -n\" show it); --kaslr is needed whenever it is not 0.",
	"\nEXAMPLE",
	"  Load the extension and list the memory sections of a Debian 6.1 dump:\n",
	"    %s> extend memsect.so",
	"    /usr/lib/crash/extensions/memsect.so: shared object loaded",
	"    %s> memsect sections",
	"    kernel 6.1.0-56-amd64, build id eb4fbcd037e7253717950bf2b93bd5566f47c56f",
	"     SECTION  PFN RANGE                 FLAGS  MEM_MAP            PAGE_EXT           STATE ...",
	"           0  0x0-0x8000                PMOE   0xffb697d280000000 0x0000000000000000 null  ...",
	"           1  0x8000-0x10000            PMOE   0xffb697d280200000 0x0000000000000000 null  ...",
	"    ...",
	"\n  The PageOffline pages of a virtio-mem guest (6.12, crash --minimal):\n",
	"    %s> memsect offline",
	"    kernel 6.12.117-memsect, build id 5855cd390af6115fe8e31152cfc3be1a04ea6f66",
	"    PageOffline encoding: top-byte (VMCOREINFO), no PG_offline_skippable",
	"    PFN RANGE                    PAGES SECTIONS      BLOCKS      REFCOUNT 0/1/2/>=3  ...",
	"    0x112c00-0x118000            21504 34-34         34-34       0/21504/0/0         ...",
	"    summary: 21504 PageOffline pages in 1 ranges; refcount 0: 0, 1: 21504, 2: 0, >=3: 0",
	"    ...",
	"\n  Run every check and save the JSON report:\n",
	"    %s> memsect diagnose --json > /tmp/memsect.json",
	NULL
};

static struct command_table_entry command_table[] = {
	{ "memsect", cmd_memsect, help_memsect, MINIMAL },
	{ NULL, NULL, NULL, 0 },
};

static int known_sub_command(const char *name)
{
	for (const struct ms_crash_command *c = ms_crash_commands; c->name; c++)
		if (STREQ(name, c->name))
			return 1;
	return 0;
}

static void cmd_memsect(void)
{
	const char *sub = NULL;
	char err[512], *end;
	int json = 0, freed = 0;
	long pid = -1;
	uint64_t pfns[64];
	size_t npfn = 0;

	for (int i = 1; i < argcnt; i++) {
		if (STREQ(args[i], "--json")) {
			json = 1;
		} else if (STREQ(args[i], "--version")) {
			fprintf(fp, "memsect %s (JSON schema %s)\n", MS_VERSION,
				MS_SCHEMA);
			return;
		} else if (STREQ(args[i], "--help") || STREQ(args[i], "-h")) {
			cmd_usage(pc->curcmd, COMPLETE_HELP);
			return;
		} else if (STREQ(args[i], "--pid") && i + 1 < argcnt) {
			pid = strtol(args[++i], &end, 10);
			if (*end || pid < 0) {
				error(INFO, "bad --pid: %s\n", args[i]);
				return;
			}
		} else if (STREQ(args[i], "--type") && i + 1 < argcnt) {
			i++;
			if (!STREQ(args[i], "allocated") && !STREQ(args[i], "freed")) {
				error(INFO, "bad --type: %s\n", args[i]);
				return;
			}
			freed = STREQ(args[i], "freed");
		} else if (sub && STREQ(sub, "page") && args[i][0] != '-') {
			if (npfn == sizeof(pfns) / sizeof(pfns[0])) {
				error(INFO, "at most %zu pfns\n", npfn);
				return;
			}
			pfns[npfn++] = strtoull(args[i], &end, 0);
			if (*end) {
				error(INFO, "bad pfn: %s\n", args[i]);
				return;
			}
		} else if (args[i][0] == '-' || sub) {
			error(INFO, "unexpected argument: %s\n", args[i]);
			cmd_usage(pc->curcmd, SYNOPSIS);
			return;
		} else {
			sub = args[i];
		}
	}
	if (!sub) {
		cmd_usage(pc->curcmd, SYNOPSIS);
		return;
	}
	if (STREQ(sub, "page")) {
		if (!npfn) {
			cmd_usage(pc->curcmd, SYNOPSIS);
			return;
		}
		pc->cmd_cleanup = ms_crash_owner_cleanup;
		pc->cmd_cleanup_arg = NULL;
		if (ms_crash_page(fp, json, pfns, npfn, err, sizeof(err)) == MS_CRASH_FAILED)
			error(INFO, "%s\n", err);
		pc->cmd_cleanup = NULL;
		return;
	}
	if (STREQ(sub, "owner")) {
		pc->cmd_cleanup = ms_crash_owner_cleanup;
		pc->cmd_cleanup_arg = NULL;
		if (ms_crash_owner(fp, json, pid, freed, err, sizeof(err)) == MS_CRASH_FAILED)
			error(INFO, "%s\n", err);
		pc->cmd_cleanup = NULL;
		return;
	}
	if (!known_sub_command(sub)) {
		error(INFO, "unknown sub-command: %s\n", sub);
		cmd_usage(pc->curcmd, SYNOPSIS);
		return;
	}
	pc->cmd_cleanup = ms_crash_run_cleanup;
	pc->cmd_cleanup_arg = NULL;
	switch (ms_crash_run(fp, sub, json, err, sizeof(err))) {
	case MS_CRASH_FAILED:
		error(INFO, "%s\n", err);
		break;
	case MS_CRASH_INTERRUPTED:
		if (!json)
			error(INFO, "interrupted by Ctrl-C: the results above are partial\n");
		break;
	case MS_CRASH_PARTIAL:
	case MS_CRASH_OK:
		break;
	}
	pc->cmd_cleanup = NULL;
}

void __attribute__((constructor)) memsect_init(void)
{
	register_extension(command_table);
}

void __attribute__((destructor)) memsect_fini(void)
{
	ms_crash_run_cleanup(NULL);
	ms_crash_owner_cleanup(NULL);
}
