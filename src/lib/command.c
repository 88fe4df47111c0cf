// SPDX-License-Identifier: GPL-2.0-or-later
/* The command table, its option parser and the session opener (command.h). */
#include <stdlib.h>
#include <string.h>

#include "memsect/command.h"
#include "memsect/hvo.h"
#include "memsect/page_info.h"
#include "memsect/sections.h"

static enum ms_result report(FILE *out, struct ms_session *s, bool json,
			     const struct ms_report_info *ri)
{
	int any;

	if (json)
		ms_report_json(out, &s->c, ri, &s->f);
	else
		ms_report_text(out, &s->c, ri, &s->f);
	if (ms_ctx_partial(&s->c))
		return MS_RESULT_PARTIAL;
	return ms_findings_worst(&s->f, &any) >= MS_WARNING ?
		MS_RESULT_FINDINGS : MS_RESULT_CLEAN;
}

#define CHECK_COMMAND(fn, checks)					\
static enum ms_result fn(FILE *out, struct ms_session *s,		\
			 const struct ms_args *a, struct ms_report_info *ri) \
{									\
	checks(&s->c, &s->f);						\
	return report(out, s, a->json, ri);				\
}

CHECK_COMMAND(run_sections, ms_checks_sections)
CHECK_COMMAND(run_offline, ms_checks_offline)
CHECK_COMMAND(run_hvo, ms_checks_hvo)
CHECK_COMMAND(run_diagnose, ms_checks_all)

static enum ms_result run_owner(FILE *out, struct ms_session *s,
				const struct ms_args *a, struct ms_report_info *ri)
{
	ms_owner_report(out, &s->c, a->filter, a->pid, a->json, ri);
	return ms_ctx_partial(&s->c) ? MS_RESULT_PARTIAL : MS_RESULT_CLEAN;
}

static enum ms_result run_page(FILE *out, struct ms_session *s,
			       const struct ms_args *a, struct ms_report_info *ri)
{
	int missing = ms_page_report(out, &s->c, a->pfns, a->npfn, a->json, ri);

	if (ms_ctx_partial(&s->c))
		return MS_RESULT_PARTIAL;
	return missing ? MS_RESULT_FINDINGS : MS_RESULT_CLEAN;
}

const struct ms_command ms_commands[] = {
	{ "sections", "", "every present memory section: flags, mem_map, page_ext pointer state",
	  0, MS_SHOW_SECTIONS, run_sections },
	{ "offline", "", "PageOffline pfn ranges: blocks, sections, refcounts, skippable, in-dump audit",
	  0, MS_SHOW_OFFLINE, run_offline },
	{ "hvo", "", "hugetlb folios: HVO flag, vmemmap aliases and their PTEs, naive-scan misreads",
	  0, MS_SHOW_HVO, run_hvo },
	{ "diagnose", "", "run every check (one pass over the struct pages) and print the findings",
	  0, MS_SHOW_SECTIONS | MS_SHOW_OFFLINE | MS_SHOW_HVO | MS_SHOW_SUMMARY,
	  run_diagnose },
	{ "owner", "[--pid N] [--type allocated|freed]",
	  "page_owner records as /sys/kernel/debug/page_owner prints them",
	  MS_OPT_OWNER, 0, run_owner },
	{ "page", "PFN...", "struct page and page_ext clients of each pfn, through its own section",
	  MS_OPT_PFNS, 0, run_page },
	{ NULL, NULL, NULL, 0, 0, NULL },
};

/* The options of MS_OPT_* flags, for ms_command_help(). */
static const struct {
	unsigned flag;
	const char *usage, *what;
} options[] = {
	{ MS_OPT_OWNER, "--pid N", "only the records of process N (its tgid)" },
	{ MS_OPT_OWNER, "--type allocated|freed",
	  "allocated pages (default), or freed pages with their free stack" },
	{ MS_OPT_PFNS, "PFN...",
	  "page frame numbers (decimal, 0x hex or 0 octal), at most 4096" },
};

void ms_command_help(FILE *out, const struct ms_command *cmd)
{
	fprintf(out, "%s: %s\n", cmd->name, cmd->help);
	fprintf(out, "  %-24s %s\n", "--json",
		"one JSON document (schema " MS_SCHEMA ") instead of text");
	for (size_t i = 0; i < sizeof(options) / sizeof(options[0]); i++)
		if (cmd->options & options[i].flag)
			fprintf(out, "  %-24s %s\n", options[i].usage,
				options[i].what);
}

const struct ms_command *ms_command_find(const char *name)
{
	for (const struct ms_command *cmd = ms_commands; cmd->name; cmd++)
		if (!strcmp(cmd->name, name))
			return cmd;
	return NULL;
}

int ms_args_pfns(const struct ms_command *cmd, struct ms_args *a,
		 const char *const *words, int n, char *err, size_t errlen)
{
	char *end;

	if (!(cmd->options & MS_OPT_PFNS)) {
		if (n)
			snprintf(err, errlen, "unexpected argument '%s'", words[0]);
		return n ? -1 : 0;
	}
	if (!n) {
		snprintf(err, errlen, "%s needs at least one PFN", cmd->name);
		return -1;
	}
	if (n > MS_MAX_PFNS) {
		snprintf(err, errlen, "at most %d pfns", MS_MAX_PFNS);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		a->pfns[i] = strtoull(words[i], &end, 0);
		if (!*words[i] || *end || words[i][0] == '-') {
			snprintf(err, errlen, "bad pfn '%s'", words[i]);
			return -1;
		}
	}
	a->npfn = (size_t)n;
	return 0;
}

bool ms_word_is_number(const char *w)
{
	char *end;

	if (!*w || w[0] == '-')
		return false;
	strtoull(w, &end, 0);
	return !*end;
}

int ms_args_parse(const struct ms_command *cmd, int argc, char **argv,
		  struct ms_args *a, const char **words, int maxwords,
		  int *nwords, char *err, size_t errlen)
{
	char *end;

	memset(a, 0, sizeof(*a));
	a->pid = -1;
	a->filter = MS_OWNER_ALLOCATED;
	*nwords = 0;
	for (int i = 0; i < argc; i++) {
		const char *w = argv[i];
		bool has_value = i + 1 < argc;

		if (!strcmp(w, "--json")) {
			a->json = true;
		} else if ((cmd->options & MS_OPT_OWNER) && !strcmp(w, "--pid") &&
			   has_value) {
			w = argv[++i];
			a->pid = strtol(w, &end, 10);
			if (!*w || *end || a->pid < 0) {
				snprintf(err, errlen, "bad --pid '%s'", w);
				return -1;
			}
		} else if ((cmd->options & MS_OPT_OWNER) && !strcmp(w, "--type") &&
			   has_value) {
			w = argv[++i];
			if (!strcmp(w, "allocated")) {
				a->filter = MS_OWNER_ALLOCATED;
			} else if (!strcmp(w, "freed")) {
				a->filter = MS_OWNER_FREED;
			} else {
				snprintf(err, errlen, "bad --type '%s' (allocated or freed)", w);
				return -1;
			}
		} else if (w[0] == '-' && w[1]) {
			snprintf(err, errlen, "unknown option '%s' of %s", w, cmd->name);
			return -1;
		} else if (*nwords < maxwords) {
			words[(*nwords)++] = w;
		} else {
			snprintf(err, errlen, "too many arguments ('%s')", w);
			return -1;
		}
	}
	return 0;
}

int ms_session_open(struct ms_session *s, struct ms_target *t, char *err,
		    size_t errlen)
{
	const struct ms_read_error *e;
	char why[256];

	memset(s, 0, sizeof(*s));
	if (ms_ctx_init(&s->c, t, why, sizeof(why))) {
		snprintf(err, errlen, "cannot use this dump: %s", why);
		return -1;
	}
	s->have_ctx = true;
	if (ms_get_sections(&s->c))
		return 0;
	e = ms_ctx_last_error(&s->c);
	snprintf(err, errlen, "cannot read the mem_section array at 0x%llx: %s",
		 (unsigned long long)(e ? e->address : s->c.L.mem_section_roots),
		 e ? e->what : "out of memory");
	return -1;
}

void ms_session_close(struct ms_session *s)
{
	ms_findings_free(&s->f);
	if (s->have_ctx)
		ms_ctx_fini(&s->c);
	memset(s, 0, sizeof(*s));
}

enum ms_result ms_command_run(const struct ms_command *cmd, FILE *out,
			      struct ms_session *s, const struct ms_args *a,
			      struct ms_report_info *ri)
{
	ri->cmd = cmd;
	return cmd->run(out, s, a, ri);
}
