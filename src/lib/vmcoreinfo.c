// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * VMCOREINFO values.  Formats (kernel/vmcore_info.c, crash_core.c before
 * 6.9): SYMBOL(x)=%lx, SIZE/OFFSET/LENGTH=%lu, NUMBER(x)=%ld (some arch
 * entries print 0x%lx).
 */
#include <errno.h>
#include <stdlib.h>

#include "vmcoreinfo.h"

const char *ms_vmci_str(struct ms_target *t, const char *key)
{
	if (!t->ops->vmcoreinfo)
		return NULL;
	return t->ops->vmcoreinfo(t->priv, key);
}

int ms_vmci_number(struct ms_target *t, const char *key, int64_t *v)
{
	const char *s = ms_vmci_str(t, key);
	char *end;

	if (!s || !*s)
		return MS_ABSENT;
	errno = 0;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		*v = (int64_t)strtoull(s, &end, 16);
	else
		*v = strtoll(s, &end, 10);
	if (errno || (*end && *end != '\n'))
		return MS_ABSENT;
	return 0;
}

int ms_vmci_hex(struct ms_target *t, const char *key, uint64_t *v)
{
	const char *s = ms_vmci_str(t, key);
	char *end;

	if (!s || !*s)
		return MS_ABSENT;
	errno = 0;
	*v = strtoull(s, &end, 16);
	if (errno || (*end && *end != '\n'))
		return MS_ABSENT;
	return 0;
}
