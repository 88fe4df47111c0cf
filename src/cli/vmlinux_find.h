/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Finding a dump's vmlinux when none is given: by the build id VMCOREINFO
 * carries (BUILD-ID, Linux 5.9+) in build-id directories, by the release in
 * the paths distributions install debug kernels at, and from a debuginfod
 * server (elfutils' libdebuginfod, DEBUGINFOD_URLS) into its usual cache.
 * Each candidate is offered to the caller, which opens it and keeps it only
 * if its build id matches the dump.
 */
#ifndef MEMSECT_CLI_VMLINUX_FIND_H
#define MEMSECT_CLI_VMLINUX_FIND_H

#include <stddef.h>

#define VMLINUX_MAX_DEBUG_DIRS 16

struct vmlinux_search {
	const char *debug_dirs[VMLINUX_MAX_DEBUG_DIRS];	/* --debug-dir */
	size_t ndebug_dirs;
	int no_default_dirs;	/* not /usr/lib/debug nor /boot */
};

/*
 * Offer the candidates for @build_id (hex, may be NULL) and @release (may be
 * NULL) to @try in order, until it returns 0.  @source names where a
 * candidate came from: "build-id-dir", "release-path", "debuginfod".
 * Returns 0 when one was taken, -1 when none was; @searched then lists
 * what was looked at ("; "-separated, truncated to @len).
 */
int vmlinux_find(const struct vmlinux_search *s, const char *build_id,
		 const char *release,
		 int (*try)(void *arg, const char *path, const char *source),
		 void *arg, char *searched, size_t len);

#endif
