// SPDX-License-Identifier: GPL-2.0-or-later
/* Candidates for a dump's vmlinux (vmlinux_find.h). */
#include <elfutils/debuginfod.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vmlinux_find.h"

/* Seconds libdebuginfod may wait without progress, unless the user says. */
#define DEBUGINFOD_DEFAULT_TIMEOUT "30"

/* A GNU build id is 2..64 bytes; the dump's copy is untrusted. */
static bool plausible_build_id(const char *b)
{
	size_t n = b ? strlen(b) : 0;

	if (n < 4 || n > 128 || n % 2)
		return false;
	return strspn(b, "0123456789abcdef") == n;
}

/* A release becomes part of a path: no separators, nothing hidden. */
static bool plausible_release(const char *r)
{
	size_t n = r ? strlen(r) : 0;

	if (!n || n > 64 || r[0] == '.')
		return false;
	for (size_t i = 0; i < n; i++)
		if (r[i] == '/' || r[i] < 0x21 || r[i] > 0x7e)
			return false;
	return true;
}

struct search {
	int (*try)(void *arg, const char *path, const char *source);
	void *arg;
	char *searched;
	size_t len, used;
};

static void note(struct search *s, const char *what)
{
	int n;

	if (s->used >= s->len)
		return;
	n = snprintf(s->searched + s->used, s->len - s->used, "%s%s",
		     s->used ? "; " : "", what);
	if (n > 0)
		s->used += (size_t)n;
}

static int offer(struct search *s, const char *path, const char *source)
{
	note(s, path);
	if (access(path, R_OK))
		return -1;
	return s->try(s->arg, path, source);
}

static int offer_build_id_dir(struct search *s, const char *dir,
			      const char *bid)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/.build-id/%.2s/%s.debug", dir, bid, bid + 2);
	return offer(s, path, "build-id-dir");
}

static int offer_debuginfod(struct search *s, const char *bid)
{
	const char *urls = getenv(DEBUGINFOD_URLS_ENV_VAR);
	debuginfod_client *client;
	char *path = NULL, what[160];
	int fd, ret = -1;

	if (!urls || !*urls) {
		note(s, "debuginfod (DEBUGINFOD_URLS not set)");
		return -1;
	}
	setenv(DEBUGINFOD_TIMEOUT_ENV_VAR, DEBUGINFOD_DEFAULT_TIMEOUT, 0);
	client = debuginfod_begin();
	if (!client) {
		note(s, "debuginfod (no client)");
		return -1;
	}
	/* a length of 0: the build id is given as a hex string */
	fd = debuginfod_find_debuginfo(client, (const unsigned char *)bid, 0, &path);
	if (fd >= 0) {
		close(fd);
		snprintf(what, sizeof(what), "debuginfod %s", urls);
		note(s, what);
		ret = s->try(s->arg, path, "debuginfod");
	} else {
		snprintf(what, sizeof(what), "debuginfod %s (%s)", urls, strerror(-fd));
		note(s, what);
	}
	free(path);
	debuginfod_end(client);
	return ret;
}

int vmlinux_find(const struct vmlinux_search *vs, const char *build_id,
		 const char *release,
		 int (*try)(void *arg, const char *path, const char *source),
		 void *arg, char *searched, size_t len)
{
	struct search s = { try, arg, searched, len, 0 };
	char path[4096];
	bool bid = plausible_build_id(build_id), rel = plausible_release(release);

	if (len)
		searched[0] = '\0';
	if (bid) {
		for (size_t i = 0; i < vs->ndebug_dirs; i++)
			if (!offer_build_id_dir(&s, vs->debug_dirs[i], build_id))
				return 0;
		if (!vs->no_default_dirs &&
		    !offer_build_id_dir(&s, "/usr/lib/debug", build_id))
			return 0;
	} else {
		note(&s, "no build id in VMCOREINFO");
	}
	if (rel && !vs->no_default_dirs) {
		/* Debian's linux-image-*-dbg, Fedora/RHEL's kernel-debuginfo, /boot */
		static const char *const fmt[] = {
			"/usr/lib/debug/boot/vmlinux-%s",
			"/usr/lib/debug/lib/modules/%s/vmlinux",
			"/boot/vmlinux-%s",
		};

		for (size_t i = 0; i < sizeof(fmt) / sizeof(fmt[0]); i++) {
			snprintf(path, sizeof(path), fmt[i], release);
			if (!offer(&s, path, "release-path"))
				return 0;
		}
	}
	if (bid && !offer_debuginfod(&s, build_id))
		return 0;
	return -1;
}
