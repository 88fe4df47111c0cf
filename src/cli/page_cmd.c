// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * memsect page [--json] VMCORE VMLINUX PFN... (or --no-vmlinux VMCORE PFN...):
 * struct page and page_ext clients per pfn.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kdump_target.h"
#include "memsect/context.h"
#include "memsect/page_info.h"
#include "memsect/sections.h"
#include "page_cmd.h"

int page_main(int argc, char **argv)
{
	const char *files[2] = { NULL, NULL };
	struct kdump_target kt;
	uint64_t *pfns = calloc((size_t)argc, sizeof(*pfns));
	size_t npfn = 0;
	struct ms_ctx c;
	char err[256], *end;
	int nfiles = 0, json = 0, ret, no_vmlinux = 0;

	if (!pfns)
		return 3;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			json = 1;
		} else if (!strcmp(argv[i], "--no-vmlinux") && !nfiles) {
			no_vmlinux = 1;
		} else if (nfiles < 2 - no_vmlinux) {
			files[nfiles++] = argv[i];
		} else {
			pfns[npfn++] = strtoull(argv[i], &end, 0);
			if (*end || argv[i][0] == '-') {
				fprintf(stderr, "memsect: bad pfn '%s'\n", argv[i]);
				free(pfns);
				return 2;
			}
		}
	}
	if (!npfn) {
		fprintf(stderr, "usage: memsect page [--json] VMCORE VMLINUX PFN...\n"
			"       memsect page [--json] --no-vmlinux VMCORE PFN...\n");
		free(pfns);
		return 2;
	}
	if (kdump_target_open(&kt, files[0], files[1])) {
		fprintf(stderr, "memsect: %s\n", kt.err);
		kdump_target_close(&kt);
		free(pfns);
		return 3;
	}
	if (ms_ctx_init(&c, &kt.target, err, sizeof(err)) || !ms_get_sections(&c)) {
		fprintf(stderr, "memsect: %s: cannot use this dump: %s\n", files[0], err);
		kdump_target_close(&kt);
		free(pfns);
		return 3;
	}
	ret = ms_page_report(stdout, &c, pfns, npfn, json, files[0]) || ms_ctx_partial(&c) ? 1 : 0;
	ms_ctx_fini(&c);
	kdump_target_close(&kt);
	free(pfns);
	return ret;
}
