/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The memsect commands, one table for every front end (the CLI, the crash
 * extension, the drgn binding): name, options, help, run.  A front end
 * opens its target, parses its words with ms_args_parse(), opens a session
 * (context + the section array) and runs the command; what it adds is only
 * how it names the dump and how it maps the result to its own habits
 * (exit status, crash's error()).
 */
#ifndef MEMSECT_COMMAND_H
#define MEMSECT_COMMAND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "context.h"
#include "findings.h"
#include "page_owner.h"
#include "report.h"

/* Options a command takes besides --json (struct ms_command.options). */
#define MS_OPT_OWNER	(1u << 0)	/* --pid N, --type allocated|freed */
#define MS_OPT_PFNS	(1u << 1)	/* PFN... (at least one) */

/* What a check command's report shows (struct ms_command.shows). */
#define MS_SHOW_SECTIONS (1u << 0)	/* every section and memory block */
#define MS_SHOW_OFFLINE	(1u << 1)	/* the PageOffline ranges */
#define MS_SHOW_HVO	(1u << 2)	/* every hugetlb folio (text: a table) */
#define MS_SHOW_SUMMARY	(1u << 3)	/* text: one line per scan, not its table */

/* Most pfns one `page` run takes. */
#define MS_MAX_PFNS 4096

struct ms_args {
	bool json;
	long pid;			/* --pid, -1: every process */
	enum ms_owner_filter filter;	/* --type */
	uint64_t pfns[MS_MAX_PFNS];
	size_t npfn;
};

/* An opened dump: the context with its section array read. */
struct ms_session {
	struct ms_ctx c;
	struct ms_findings f;
	bool have_ctx;
};

/* A command's outcome; its value is the exit status every front end gives. */
enum ms_result {
	MS_RESULT_CLEAN = 0,	/* nothing of warning or worse, complete */
	MS_RESULT_FINDINGS = 1,	/* findings of warning or worse, complete */
	/*
	 * Some reads failed or some values were invalid: what was found is
	 * reported, but a clean result cannot be claimed (findings may be
	 * missing).  Distinct from findings so that scripts tell them apart.
	 */
	MS_RESULT_PARTIAL = 4,
};

struct ms_command {
	const char *name;
	const char *synopsis;	/* the words after the name, "" if none */
	const char *help;	/* one line */
	unsigned options;	/* MS_OPT_* */
	unsigned shows;		/* MS_SHOW_* */
	enum ms_result (*run)(FILE *out, struct ms_session *s,
			      const struct ms_args *a, struct ms_report_info *ri);
};

/* The commands, in the order help lists them; ends with a NULL name. */
extern const struct ms_command ms_commands[];

const struct ms_command *ms_command_find(const char *name);

/*
 * Parse @cmd's options out of @argv[0..@argc) into @a (defaults first).
 * Words that are not options are left in @words (*@nwords of them, at
 * most @maxwords).  0, or -1 with a one-line reason in @err.
 */
int ms_args_parse(const struct ms_command *cmd, int argc, char **argv,
		  struct ms_args *a, const char **words, int maxwords,
		  int *nwords, char *err, size_t errlen);
/*
 * The words that are @cmd's PFN... (none for a command without them).
 * 0, or -1 with a one-line reason in @err.
 */
int ms_args_pfns(const struct ms_command *cmd, struct ms_args *a,
		 const char *const *words, int n, char *err, size_t errlen);
/*
 * @cmd's own help: what it does, then its options (besides --json) one per
 * line, each indented by two spaces.  Every front end's help prints it.
 */
void ms_command_help(FILE *out, const struct ms_command *cmd);

/* Whether @w reads as a number (decimal, 0x hex, 0 octal), as a PFN does. */
bool ms_word_is_number(const char *w);

/*
 * Open @t: the context, then the section array every command starts from.
 * 0, or -1 with a one-line reason in @err (nothing printed); either way
 * ms_session_close() frees what was opened.
 */
int ms_session_open(struct ms_session *s, struct ms_target *t, char *err,
		    size_t errlen);
void ms_session_close(struct ms_session *s);

/* Run @cmd on an open session; @ri->cmd is set to @cmd. */
enum ms_result ms_command_run(const struct ms_command *cmd, FILE *out,
			      struct ms_session *s, const struct ms_args *a,
			      struct ms_report_info *ri);

#endif
