// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * memsect: memory-map state in Linux kernel crash dumps.
 *   memsect <command> [options] VMCORE [VMLINUX] [PFN...]
 * Without VMLINUX it is found by the dump's build id (--debug-dir DIR,
 * /usr/lib/debug, DEBUGINFOD_URLS), else types come from the dump's BTF and
 * symbols from its kallsyms (as with --no-vmlinux).
 * The commands and their options are the core's table (memsect/command.h).
 * Exit status: 0 clean, 1 findings of warning or worse, 2 usage,
 * 3 unreadable input or unusable debug info, 4 partial results.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "batch.h"
#include "threads.h"
#include "kdump_target.h"
#include "memsect/command.h"

enum { EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE, EXIT_INPUT };

static void usage(FILE *out)
{
	fprintf(out,
		"usage: memsect <command> [--json] [options] VMCORE [VMLINUX] [PFN...]\n"
		"       memsect batch [--jobs N] [--threads N] [--timeout S] [--output FILE.jsonl]\n"
		"                     [--resume] [--commands C,...] [--shard K/N] [--debug-dir DIR]...\n"
		"                     (DUMP... | --from LIST | -)\n"
		"       memsect batch-summary FILE.jsonl\n"
		"       memsect --help | --version\n\n"
		"commands:\n");
	for (const struct ms_command *cmd = ms_commands; cmd->name; cmd++) {
		fprintf(out, "  %-9s %s\n", cmd->name, cmd->help);
		if (cmd->synopsis[0])
			fprintf(out, "  %-9s %s\n", "", cmd->synopsis);
	}
	fprintf(out,
		"\nVMCORE: ELF, kdump-compressed or any other format libkdumpfile reads.\n"
		"VMLINUX: the matching vmlinux with DWARF debug info; when not given, the\n"
		"  one with the dump's build id in each --debug-dir DIR/.build-id, in\n"
		"  /usr/lib/debug (build id, then release paths), /boot, or on the\n"
		"  debuginfod servers of DEBUGINFOD_URLS; else the dump's BTF and kallsyms.\n"
		"--debug-dir DIR: also look in DIR/.build-id/xx/yyyy.debug (repeatable).\n"
		"--no-default-debug-dirs: only --debug-dir and debuginfod, not /usr/lib/debug, /boot.\n"
		"--no-vmlinux: types from the dump's own BTF, symbols from its kallsyms.\n"
		"--threads N: threads that read struct pages (default 1; see README.md).\n"
		"--json: one JSON document, schema \"%s\" (see README.md).\n\n"
		"exit status: 0 clean, 1 findings of warning or worse, 2 usage error,\n"
		"             3 unreadable dump or unusable/mismatched vmlinux,\n"
		"             4 partial results (some reads failed; findings may be missing)\n",
		MS_SCHEMA);
}

static int command_help(const struct ms_command *cmd)
{
	printf("usage: memsect %s [--json] [--threads N] [--debug-dir DIR]... [--no-default-debug-dirs]\n"
	       "       %*s %sVMCORE [VMLINUX]%s%s\n"
	       "       memsect %s [--json] [--threads N] --no-vmlinux VMCORE%s%s\n\n",
	       cmd->name, (int)strlen(cmd->name) + 7, "",
	       cmd->options & MS_OPT_OWNER ? "[--pid N] [--type allocated|freed] " : "",
	       cmd->options & MS_OPT_PFNS ? " " : "", cmd->options & MS_OPT_PFNS ? "PFN..." : "",
	       cmd->name, cmd->options & MS_OPT_PFNS ? " " : "",
	       cmd->options & MS_OPT_PFNS ? "PFN..." : "");
	ms_command_help(stdout, cmd);
	printf("  %-24s %s\n"
	       "  %-24s %s\n\n"
	       "VMCORE and VMLINUX may come in either order.  Exit status: 0 clean,\n"
	       "1 findings of warning or worse, 2 usage error, 3 unreadable dump or\n"
	       "unusable vmlinux, 4 partial results.  More: memsect --help.\n",
	       "--threads N", "threads that read struct pages (default 1)",
	       "--debug-dir DIR ...", "where to find the vmlinux (memsect --help)");
	return EXIT_CLEAN;
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
	char buf[2048];

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

static int run(const struct ms_command *cmd, const struct ms_args *a,
	       const char *dump, const struct kdump_target_debuginfo *di,
	       unsigned threads)
{
	static struct kdump_target kt;
	struct ms_session sess;
	struct ms_report_info ri;
	char err[512];
	unsigned last_pct = ~0u;
	enum ms_result res;

	if (kdump_target_open(&kt, dump, di)) {
		error_line("%s%s", kt.err, "");
		kdump_target_close(&kt);
		return EXIT_INPUT;
	}
	if (ms_session_open(&sess, &kt.target, err, sizeof(err))) {
		error_line("%s: %s", dump, err);
		ms_session_close(&sess);
		kdump_target_close(&kt);
		return EXIT_INPUT;
	}
	sess.c.threads = threads;
	if (isatty(STDERR_FILENO)) {
		sess.c.progress = progress;
		sess.c.progress_arg = &last_pct;
	}
	ri.dump_path = dump;
	ri.dump_format = kt.format[0] ? kt.format : NULL;
	ri.vmlinux_path = kt.have_vmlinux ? kt.vmlinux_path : NULL;
	ri.vmlinux_source = kt.vmlinux_source;
	ri.types = kt.have_vmlinux ? "dwarf" : "btf";
	ri.symbols = kt.have_vmlinux ? "elf" : "kallsyms";
	res = ms_command_run(cmd, stdout, &sess, a, &ri);
	ms_session_close(&sess);
	kdump_target_close(&kt);
	if (fflush(stdout)) {
		perror("memsect: writing output");
		return EXIT_INPUT;
	}
	return (int)res;
}

int main(int argc, char **argv)
{
	static struct ms_args a;
	static struct kdump_target_debuginfo di;
	const struct ms_command *cmd = NULL;
	/* static: the process's lifetime, not a leak when main returns */
	static const char **words;
	static char **rest;
	char err[256];
	int nrest = 0, nwords = 0, first_pfn = 1;
	unsigned threads = CLI_DEFAULT_THREADS;

	words = calloc((size_t)argc + 1, sizeof(*words));
	rest = calloc((size_t)argc + 1, sizeof(*rest));
	if (!words || !rest) {
		perror("memsect");
		return EXIT_INPUT;
	}
	/* `memsect COMMAND --help`, wherever --help stands */
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			for (int k = 1; k < argc; k++)
				if (ms_command_find(argv[k]))
					return command_help(ms_command_find(argv[k]));
			break;
		}
	/* not analyses of one dump: the CLI's own commands over many */
	if (argc > 1 && !strcmp(argv[1], "batch"))
		return batch_main(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "batch-summary"))
		return batch_summary_main(argc - 1, argv + 1);
	for (int i = 1; i < argc; i++) {
		const char *w = argv[i];

		if (!strcmp(w, "--help") || !strcmp(w, "-h")) {
			usage(stdout);
			return EXIT_CLEAN;
		}
		if (!strcmp(w, "--version")) {
			printf("memsect %s (JSON schema %s)\n", MS_VERSION, MS_SCHEMA);
			return EXIT_CLEAN;
		}
		if (!strcmp(w, "--no-vmlinux")) {
			di.no_vmlinux = 1;
		} else if (!strcmp(w, "--debug-dir")) {
			if (i + 1 == argc)
				return usage_error("%s", "--debug-dir needs a directory");
			if (di.search.ndebug_dirs == VMLINUX_MAX_DEBUG_DIRS)
				return usage_error("at most %s --debug-dir", "16");
			di.search.debug_dirs[di.search.ndebug_dirs++] = argv[++i];
		} else if (!strcmp(w, "--no-default-debug-dirs")) {
			di.search.no_default_dirs = 1;
		} else if (!strcmp(w, "--threads")) {
			if (i + 1 == argc || cli_parse_threads(argv[i + 1], &threads))
				return usage_error("--threads: expected 1 to %s",
						   "64");
			i++;
		} else if (!cmd && w[0] != '-') {
			cmd = ms_command_find(w);
			if (!cmd)
				return usage_error("unknown command '%s'", w);
		} else {
			rest[nrest++] = argv[i];
		}
	}
	if (!cmd)
		return usage_error("%s", "no command given");
	if (ms_args_parse(cmd, nrest, rest, &a, words, argc, &nwords, err, sizeof(err)))
		return usage_error("%s", err);
	if (nwords < 1)
		return usage_error("%s", "no VMCORE given");
	/* VMCORE [VMLINUX] [PFN...]: a number after VMCORE is a PFN */
	if (nwords > 1 && !di.no_vmlinux &&
	    !((cmd->options & MS_OPT_PFNS) && ms_word_is_number(words[1]))) {
		di.vmlinux = words[1];
		first_pfn = 2;
	}
	if (ms_args_pfns(cmd, &a, words + first_pfn, nwords - first_pfn, err, sizeof(err)))
		return usage_error("%s", err);
	/* Either order, as crash takes them: the vmlinux is the executable. */
	if (vmlinux_is_executable(words[0])) {
		if (!di.vmlinux || vmlinux_is_executable(di.vmlinux)) {
			fprintf(stderr, "memsect: %s is a kernel executable (a vmlinux), not a dump; give the dump (VMCORE) too\n",
				words[0]);
			return EXIT_INPUT;
		}
		di.vmlinux = words[0];
		words[0] = words[1];
	}
	return run(cmd, &a, words[0], &di, threads);
}
