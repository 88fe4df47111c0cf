// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * memsect owner [--json] [--pid N] [--type allocated|freed] VMCORE VMLINUX
 *               (or --no-vmlinux VMCORE)
 * page_owner records in the kernel's /sys/kernel/debug/page_owner format.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kdump_target.h"
#include "memsect/context.h"
#include "memsect/page_owner.h"
#include "memsect/sections.h"
#include "owner_cmd.h"

static int usage(const char *why, const char *arg)
{
	fprintf(stderr, "memsect: %s%s%s\n"
		"usage: memsect owner [--json] [--pid N] [--type allocated|freed] VMCORE VMLINUX\n"
		"       memsect owner [--json] [--pid N] [--type allocated|freed] --no-vmlinux VMCORE\n",
		why, arg ? " " : "", arg ? arg : "");
	return 2;
}

int owner_main(int argc, char **argv)
{
	enum ms_owner_filter filter = MS_OWNER_ALLOCATED;
	const char *files[2] = { NULL, NULL };
	struct kdump_target kt;
	struct ms_ctx c;
	char err[256], *end;
	long pid = -1;
	int nfiles = 0, json = 0, ret = 0, no_vmlinux = 0;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--json")) {
			json = 1;
		} else if (!strcmp(a, "--no-vmlinux")) {
			no_vmlinux = 1;
		} else if (!strcmp(a, "--pid") && i + 1 < argc) {
			pid = strtol(argv[++i], &end, 10);
			if (*end || pid < 0)
				return usage("bad --pid", argv[i]);
		} else if (!strcmp(a, "--type") && i + 1 < argc) {
			a = argv[++i];
			if (!strcmp(a, "allocated"))
				filter = MS_OWNER_ALLOCATED;
			else if (!strcmp(a, "freed"))
				filter = MS_OWNER_FREED;
			else
				return usage("bad --type", a);
		} else if (a[0] == '-' && a[1]) {
			return usage("unknown option", a);
		} else if (nfiles < 2 - no_vmlinux) {
			files[nfiles++] = a;
		} else {
			return usage("unexpected argument", a);
		}
	}
	if (nfiles < 2 - no_vmlinux)
		return usage(no_vmlinux ? "owner needs VMCORE" : "owner needs VMCORE and VMLINUX",
			     NULL);
	if (kdump_target_open(&kt, files[0], files[1])) {
		fprintf(stderr, "memsect: %s\n", kt.err);
		kdump_target_close(&kt);
		return 3;
	}
	if (ms_ctx_init(&c, &kt.target, err, sizeof(err)) || !ms_get_sections(&c)) {
		fprintf(stderr, "memsect: %s: cannot use this dump: %s\n", files[0], err);
		kdump_target_close(&kt);
		return 3;
	}
	ms_owner_report(stdout, &c, filter, pid, json, files[0]);
	if (ms_ctx_partial(&c))
		ret = 1;
	ms_ctx_fini(&c);
	kdump_target_close(&kt);
	if (fflush(stdout)) {
		perror("memsect: writing output");
		return 3;
	}
	return ret;
}
