/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The finding model shared by every front end.  Codes, severities, places
 * and evidence keys come from the finding table, findings.def.
 */
#ifndef MEMSECT_FINDINGS_H
#define MEMSECT_FINDINGS_H

#include <stddef.h>
#include <stdint.h>

#include "context.h"

enum ms_severity { MS_INFO, MS_WARNING, MS_ERROR_SEV };

enum ms_place_kind { MS_PLACE_DUMP, MS_PLACE_SECTION, MS_PLACE_BLOCK,
		     MS_PLACE_PFN_RANGE, MS_PLACE_ADDRESS };

enum ms_finding_code {
#define MS_FINDING(code, severity, place, when) MS_F_##code,
#include "findings.def"
	MS_F_NCODES
};

enum ms_ev_key {
#define MS_KEY(key, type) MS_K_##key,
#include "findings.def"
	MS_K_NKEYS
};

enum ms_ev_type { MS_EV_UINT, MS_EV_INT, MS_EV_ADDR, MS_EV_STR };

/* One row of the finding table. */
struct ms_finding_def {
	const char *code;
	enum ms_severity severity;
	enum ms_place_kind place;
	const char *when;
};

#define MS_MAX_EVIDENCE 8

struct ms_evidence {
	const char *key;
	enum ms_ev_type type;
	uint64_t u;
	int64_t i;
	char s[64];
};

struct ms_finding {
	enum ms_finding_code id;
	const char *code;		/* the table's name of @id */
	enum ms_severity severity;
	enum ms_place_kind place;
	uint64_t a, b;			/* section nr / block id / [a,b) pfns / address */
	char message[160];
	struct ms_evidence ev[MS_MAX_EVIDENCE];
	unsigned nev;
};

struct ms_findings {
	struct ms_finding *v;
	size_t n, cap;
};

const struct ms_finding_def *ms_finding_def(enum ms_finding_code code);
const char *ms_ev_key_name(enum ms_ev_key key);

/* A finding of @code with the table's severity and place kind. */
struct ms_finding *ms_finding_add(struct ms_findings *f,
				  enum ms_finding_code code,
				  uint64_t a, uint64_t b, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/*
 * Evidence: @key must be one of the table's keys for the finding's code,
 * of the table's type for @key (a check that breaks this is a bug: abort).
 */
void ms_ev_uint(struct ms_finding *x, enum ms_ev_key key, uint64_t v);
void ms_ev_int(struct ms_finding *x, enum ms_ev_key key, int64_t v);
void ms_ev_addr(struct ms_finding *x, enum ms_ev_key key, uint64_t v);
void ms_ev_str(struct ms_finding *x, enum ms_ev_key key, const char *v);
void ms_findings_free(struct ms_findings *f);
enum ms_severity ms_findings_worst(const struct ms_findings *f, int *any);
const char *ms_severity_name(enum ms_severity s);
const char *ms_place_name(enum ms_place_kind k);

/* Every check: one file each under src/lib/checks/. */
void ms_check_dump_truncated(struct ms_ctx *c, struct ms_findings *f);
void ms_check_page_ext_invalidated(struct ms_ctx *c, struct ms_findings *f);
void ms_check_page_ext_unreadable(struct ms_ctx *c, struct ms_findings *f);
void ms_check_page_ext_implausible(struct ms_ctx *c, struct ms_findings *f);
void ms_check_page_ext_missing(struct ms_ctx *c, struct ms_findings *f);
void ms_check_section_online(struct ms_ctx *c, struct ms_findings *f);
void ms_check_block_transition(struct ms_ctx *c, struct ms_findings *f);
void ms_check_offline_present(struct ms_ctx *c, struct ms_findings *f);
void ms_check_offline_in_file(struct ms_ctx *c, struct ms_findings *f);
void ms_check_offline_refcount(struct ms_ctx *c, struct ms_findings *f);
void ms_check_page_ext_gigantic_overrun(struct ms_ctx *c, struct ms_findings *f);
void ms_check_read_errors(struct ms_ctx *c, struct ms_findings *f);

/* Groups run by the commands. */
void ms_checks_sections(struct ms_ctx *c, struct ms_findings *f);
void ms_checks_offline(struct ms_ctx *c, struct ms_findings *f);
void ms_checks_all(struct ms_ctx *c, struct ms_findings *f);

#endif
