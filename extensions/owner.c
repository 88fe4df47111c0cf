// SPDX-License-Identifier: GPL-2.0-or-later
/* The owner sub-command on crash's target (owner.h). */
#include <string.h>

#include "crash_target.h"
#include "interrupt.h"
#include "memsect/context.h"
#include "memsect/page_info.h"
#include "memsect/page_owner.h"
#include "memsect/sections.h"
#include "owner.h"

/* What one run holds, so that a longjmp out of it can still free it. */
static struct owner_state {
	int active;
	struct crash_target ct;
	struct ms_ctx c;
	int have_ctx;
} st;

void ms_crash_owner_cleanup(void *unused)
{
	(void)unused;
	ms_crash_sigint_end();
	if (!st.active)
		return;
	if (st.have_ctx)
		ms_ctx_fini(&st.c);
	crash_target_close(&st.ct);
	memset(&st, 0, sizeof(st));
}

static int open_ctx(char *err, size_t errlen)
{
	char why[256];

	if (crash_target_open(&st.ct)) {
		snprintf(err, errlen, "%s", st.ct.err);
		return -1;
	}
	if (ms_ctx_init(&st.c, &st.ct.target, why, sizeof(why))) {
		snprintf(err, errlen, "cannot use this dump: %s", why);
		return -1;
	}
	st.have_ctx = 1;
	if (!ms_get_sections(&st.c)) {
		snprintf(err, errlen, "cannot read the mem_section array");
		return -1;
	}
	return 0;
}

enum ms_crash_status ms_crash_page(FILE *out, int json, const uint64_t *pfns,
				   size_t n, char *err, size_t errlen)
{
	enum ms_crash_status r = MS_CRASH_FAILED;

	ms_crash_owner_cleanup(NULL);
	st.active = 1;
	ms_crash_sigint_begin();
	if (open_ctx(err, errlen) == 0) {
		ms_page_report(out, &st.c, pfns, n, json, crash_dump_path());
		fflush(out);
		r = ms_crash_interrupted() ? MS_CRASH_INTERRUPTED :
		    ms_ctx_partial(&st.c) ? MS_CRASH_PARTIAL : MS_CRASH_OK;
	}
	ms_crash_owner_cleanup(NULL);
	return r;
}

static enum ms_crash_status owner(FILE *out, int json, long pid, int freed,
				  char *err, size_t errlen)
{
	char why[256];

	if (crash_target_open(&st.ct)) {
		snprintf(err, errlen, "%s", st.ct.err);
		return MS_CRASH_FAILED;
	}
	if (ms_ctx_init(&st.c, &st.ct.target, why, sizeof(why))) {
		snprintf(err, errlen, "cannot use this dump: %s", why);
		return MS_CRASH_FAILED;
	}
	st.have_ctx = 1;
	if (!ms_get_sections(&st.c)) {
		snprintf(err, errlen, "cannot read the mem_section array");
		return MS_CRASH_FAILED;
	}
	ms_owner_report(out, &st.c, freed ? MS_OWNER_FREED : MS_OWNER_ALLOCATED,
			pid, json, crash_dump_path());
	fflush(out);
	if (ms_crash_interrupted())
		return MS_CRASH_INTERRUPTED;
	return ms_ctx_partial(&st.c) ? MS_CRASH_PARTIAL : MS_CRASH_OK;
}

enum ms_crash_status ms_crash_owner(FILE *out, int json, long pid, int freed,
				    char *err, size_t errlen)
{
	enum ms_crash_status r;

	ms_crash_owner_cleanup(NULL);
	st.active = 1;
	ms_crash_sigint_begin();
	r = owner(out, json, pid, freed, err, errlen);
	ms_crash_owner_cleanup(NULL);
	return r;
}
