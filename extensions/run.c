// SPDX-License-Identifier: GPL-2.0-or-later
/* A memsect sub-command on crash's target (run.h). */
#include <string.h>

#include "crash_target.h"
#include "interrupt.h"
#include "memsect/context.h"
#include "memsect/findings.h"
#include "memsect/hvo.h"
#include "memsect/report.h"
#include "memsect/sections.h"
#include "run.h"

struct check {
	const char *name;
	void (*checks)(struct ms_ctx *c, struct ms_findings *f);
};

/* Same words and help as the CLI (src/cli/main.c). */
const struct ms_crash_command ms_crash_commands[] = {
	{ "sections", "every present memory section: flags, mem_map, page_ext pointer state" },
	{ "offline", "PageOffline pfn ranges: blocks, sections, refcounts, skippable, in-dump audit" },
	{ "hvo", "hugetlb folios: HVO flag, vmemmap aliases and their PTEs, naive-scan misreads" },
	{ "diagnose", "run every check and print the findings" },
	{ NULL, NULL },
};

static const struct check checks[] = {
	{ "sections", ms_checks_sections },
	{ "offline", ms_checks_offline },
	{ "hvo", ms_checks_hvo },
	{ "diagnose", ms_checks_all },
};

/* What one run holds, so that a longjmp out of it can still free it. */
static struct run_state {
	int active;
	struct crash_target ct;
	struct ms_ctx c;
	int have_ctx;
	struct ms_findings f;
} run;

void ms_crash_run_cleanup(void *unused)
{
	(void)unused;
	ms_crash_sigint_end();
	if (!run.active)
		return;
	ms_findings_free(&run.f);
	if (run.have_ctx)
		ms_ctx_fini(&run.c);
	crash_target_close(&run.ct);
	memset(&run, 0, sizeof(run));
}

static enum ms_crash_status analyse(FILE *out, const struct check *chk,
				    int json, char *err, size_t errlen)
{
	struct ms_report_info ri;
	char why[256];

	if (crash_target_open(&run.ct)) {
		snprintf(err, errlen, "%s", run.ct.err);
		return MS_CRASH_FAILED;
	}
	if (ms_ctx_init(&run.c, &run.ct.target, why, sizeof(why))) {
		snprintf(err, errlen, "cannot use this dump: %s", why);
		return MS_CRASH_FAILED;
	}
	run.have_ctx = 1;
	if (!ms_get_sections(&run.c)) {
		const struct ms_read_error *e = ms_ctx_last_error(&run.c);

		snprintf(err, errlen, "cannot read the mem_section array at 0x%llx: %s",
			 (unsigned long long)(e ? e->address : run.c.L.mem_section_roots),
			 e ? e->what : "out of memory");
		return MS_CRASH_FAILED;
	}
	chk->checks(&run.c, &run.f);
	ri.command = chk->name;
	ri.dump_path = crash_dump_path();
	ri.dump_format = crash_dump_format();
	ri.vmlinux_path = crash_vmlinux_path();
	ri.types = "dwarf";	/* crash reads the vmlinux's DWARF through gdb */
	ri.symbols = "elf";
	if (json)
		ms_report_json(out, &run.c, &ri, &run.f);
	else
		ms_report_text(out, &run.c, &ri, &run.f);
	fflush(out);
	if (ms_crash_interrupted())
		return MS_CRASH_INTERRUPTED;
	return ms_ctx_partial(&run.c) ? MS_CRASH_PARTIAL : MS_CRASH_OK;
}

enum ms_crash_status ms_crash_run(FILE *out, const char *name, int json,
				  char *err, size_t errlen)
{
	const struct check *chk = NULL;
	enum ms_crash_status st;

	for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]); i++)
		if (!strcmp(name, checks[i].name))
			chk = &checks[i];
	if (!chk) {
		snprintf(err, errlen, "unknown sub-command '%s'", name);
		return MS_CRASH_FAILED;
	}
	ms_crash_run_cleanup(NULL);
	run.active = 1;
	ms_crash_sigint_begin();
	st = analyse(out, chk, json, err, errlen);
	ms_crash_run_cleanup(NULL);
	return st;
}
