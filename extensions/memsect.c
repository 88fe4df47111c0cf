// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The crash extension: "extend memsect.so" adds the command
 *   memsect <command> [--json] [options] [PFN...]
 * with the core's commands and options (memsect/command.h), the CLI's
 * output (text, or JSON schema memsect/2) written to crash's fp.
 * Registered with MINIMAL so that it also runs under "crash --minimal".
 */
#include "defs.h"

#include "memsect/report.h"
#include "run.h"

static void cmd_memsect(void);

/*
 * crash's help page: the lines before and after the sub-command list are
 * fixed; the list is the core's command table (memsect_init()).
 */
static const char *help_head[] = {
	"memsect",
	"memory-map state: sections, page_ext pointers, PageOffline pages",
	"<command> [--json] [--pid N] [--type allocated|freed] [PFN...] | --version",
	"  Runs a memsect command on the dump, with the same commands, options",
	"  and output as the memsect command-line tool (README.md, \"memsect\").",
	"  Reads that fail are reported with their address and make the result",
	"  partial; they never end the crash session.  Ctrl-C stops a long scan",
	"  and prints what was found so far.",
	"",
};

static const char *help_tail[] = {
	"    --json    one JSON document, schema \"memsect/2\"",
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
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_COMMANDS 16

/* help_head, two lines per command, help_tail, NULL */
static char *help_memsect[NELEM(help_head) + 2 * MAX_COMMANDS + NELEM(help_tail) + 1];
static char help_lines[2 * MAX_COMMANDS][160];

static struct command_table_entry command_table[] = {
	{ "memsect", cmd_memsect, help_memsect, MINIMAL },
	{ NULL, NULL, NULL, 0 },
};

/* The command word: the first that is neither an option nor its value. */
static int command_word(void)
{
	for (int i = 1; i < argcnt; i++) {
		if (args[i][0] != '-')
			return i;
		if (STREQ(args[i], "--pid") || STREQ(args[i], "--type"))
			i++;
	}
	return 0;
}

static void cmd_memsect(void)
{
	static struct ms_args a;
	const struct ms_command *cmd;
	char *rest[MAXARGS], err[512];
	const char *words[MAXARGS];
	int nrest = 0, nwords, at;

	for (int i = 1; i < argcnt; i++) {
		if (STREQ(args[i], "--version")) {
			fprintf(fp, "memsect %s (JSON schema %s)\n", MS_VERSION,
				MS_SCHEMA);
			return;
		}
		if (STREQ(args[i], "--help") || STREQ(args[i], "-h")) {
			cmd_usage(pc->curcmd, COMPLETE_HELP);
			return;
		}
	}
	at = command_word();
	if (!at) {
		cmd_usage(pc->curcmd, SYNOPSIS);
		return;
	}
	cmd = ms_command_find(args[at]);
	if (!cmd) {
		error(INFO, "unknown sub-command: %s\n", args[at]);
		cmd_usage(pc->curcmd, SYNOPSIS);
		return;
	}
	for (int i = 1; i < argcnt; i++)
		if (i != at)
			rest[nrest++] = args[i];
	if (ms_args_parse(cmd, nrest, rest, &a, words, MAXARGS, &nwords, err,
			  sizeof(err)) ||
	    ms_args_pfns(cmd, &a, words, nwords, err, sizeof(err))) {
		error(INFO, "%s\n", err);
		cmd_usage(pc->curcmd, SYNOPSIS);
		return;
	}
	pc->cmd_cleanup = ms_crash_run_cleanup;
	pc->cmd_cleanup_arg = NULL;
	switch (ms_crash_run(fp, cmd, &a, err, sizeof(err))) {
	case MS_CRASH_FAILED:
		error(INFO, "%s\n", err);
		break;
	case MS_CRASH_INTERRUPTED:
		if (!a.json)
			error(INFO, "interrupted by Ctrl-C: the results above are partial\n");
		break;
	case MS_CRASH_PARTIAL:
	case MS_CRASH_OK:
		break;
	}
	pc->cmd_cleanup = NULL;
}

static void build_help(void)
{
	size_t n = 0, k = 0;

	for (size_t i = 0; i < NELEM(help_head); i++)
		help_memsect[n++] = (char *)help_head[i];
	for (const struct ms_command *cmd = ms_commands; cmd->name && k < NELEM(help_lines);
	     cmd++) {
		snprintf(help_lines[k], sizeof(help_lines[k]), "    %-9s %s",
			 cmd->name, cmd->help);
		help_memsect[n++] = help_lines[k++];
		if (!cmd->synopsis[0])
			continue;
		snprintf(help_lines[k], sizeof(help_lines[k]), "    %-9s %s", "",
			 cmd->synopsis);
		help_memsect[n++] = help_lines[k++];
	}
	for (size_t i = 0; i < NELEM(help_tail); i++)
		help_memsect[n++] = (char *)help_tail[i];
	help_memsect[n] = NULL;
}

void __attribute__((constructor)) memsect_init(void)
{
	build_help();
	register_extension(command_table);
}

void __attribute__((destructor)) memsect_fini(void)
{
	ms_crash_run_cleanup(NULL);
}
