// SPDX-License-Identifier: GPL-2.0-or-later
/* The architectures the core knows (arch.h): one row per src/lib/arch file. */
#include <stddef.h>

#include "arch.h"

extern const struct ms_arch ms_arch_x86_64;
extern const struct ms_arch ms_arch_arm64;

static const struct ms_arch *const arches[] = {
	&ms_arch_x86_64,
	&ms_arch_arm64,
};

const struct ms_arch *ms_arch_detect(struct ms_target *t)
{
	for (size_t i = 0; i < sizeof(arches) / sizeof(arches[0]); i++)
		if (arches[i]->detect(t))
			return arches[i];
	return NULL;
}
