/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Output in text and in the versioned JSON schema (README "JSON schema").
 * Shared by the CLI and the crash extension so both print the same.
 */
#ifndef MEMSECT_REPORT_H
#define MEMSECT_REPORT_H

#include <stdio.h>

#include "context.h"
#include "findings.h"

#define MS_SCHEMA "memsect/2"
#define MS_VERSION "0.1.0"

struct ms_command;

struct ms_report_info {
	const struct ms_command *cmd;	/* what to show (set by ms_command_run); NULL: the envelope and findings only */
	const char *dump_path;		/* may be NULL */
	const char *dump_format;	/* may be NULL */
	const char *vmlinux_path;	/* may be NULL */
	/* how it was found: "given", "build-id-dir", "release-path", "debuginfod" */
	const char *vmlinux_source;
	const char *types;		/* where types came from: "dwarf", "btf" */
	const char *symbols;		/* where symbols came from: "elf", "kallsyms" */
};

void ms_report_text(FILE *out, struct ms_ctx *c, const struct ms_report_info *ri,
		    const struct ms_findings *f);
void ms_report_json(FILE *out, struct ms_ctx *c, const struct ms_report_info *ri,
		    const struct ms_findings *f);

#endif
