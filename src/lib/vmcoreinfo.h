/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Typed access to VMCOREINFO values through the target (library-internal). */
#ifndef MEMSECT_LIB_VMCOREINFO_H
#define MEMSECT_LIB_VMCOREINFO_H

#include <stdint.h>

#include "memsect/target.h"

/* 0 and the value, or MS_ABSENT.  Base 10 unless the text starts with 0x. */
int ms_vmci_number(struct ms_target *t, const char *key, int64_t *v);
/* SYMBOL(...) values are hexadecimal without a prefix. */
int ms_vmci_hex(struct ms_target *t, const char *key, uint64_t *v);
const char *ms_vmci_str(struct ms_target *t, const char *key);

#endif
