// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A program of someone else's, built against an installed memsect with
 * `pkg-config --cflags --libs memsect` (test_install_lib.py): the public
 * headers alone, the library by its soname.  Its target knows nothing, so
 * opening a context fails with the core's reason.
 */
#include <memsect/command.h>
#include <memsect/context.h>
#include <stdio.h>

static int nothing(void *priv, const char *name, uint64_t *addr)
{
	(void)priv;
	(void)name;
	(void)addr;
	return MS_ABSENT;
}

static const char *no_vmcoreinfo(void *priv, const char *key)
{
	(void)priv;
	(void)key;
	return NULL;
}

int main(void)
{
	static const struct ms_target_ops ops = {
		.symbol = nothing,
		.vmcoreinfo = no_vmcoreinfo,
	};
	struct ms_target t = { .ops = &ops };
	struct ms_ctx c;
	char err[256];

	ms_command_help(stdout, ms_command_find("diagnose"));
	if (ms_ctx_init(&c, &t, err, sizeof(err)) == 0) {
		ms_ctx_fini(&c);
		return 1;
	}
	printf("ms_ctx_init: %s\n", err);
	return 0;
}
