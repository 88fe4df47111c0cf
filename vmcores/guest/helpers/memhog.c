// SPDX-License-Identifier: GPL-2.0
/*
 * memhog: allocate and touch MIB MiB of anonymous memory, print the pfns of
 * NPFN of its pages (spread evenly, from /proc/self/pagemap) as
 * "hold PID PFN" lines, then keep the memory until killed.
 *
 *   memhog MIB NPFN
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	size_t len, pages, npfn, i;
	char *p;
	int fd;

	if (argc < 3) {
		fprintf(stderr, "usage: memhog MIB NPFN\n");
		return 2;
	}
	len = strtoull(argv[1], NULL, 0) << 20;
	npfn = strtoull(argv[2], NULL, 0);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	pages = len / 4096;
	for (i = 0; i < pages; i++)
		p[i * 4096] = (char)i | 1;
	fd = open("/proc/self/pagemap", O_RDONLY);
	if (fd < 0) {
		perror("/proc/self/pagemap");
		return 1;
	}
	for (i = 0; i < npfn && npfn <= pages; i++) {
		uint64_t e, vpn = ((uintptr_t)p >> 12) + i * (pages / npfn);

		if (pread(fd, &e, 8, vpn * 8) != 8)
			return 1;
		if (e & (1ULL << 63))	/* present; bits 0-54 are the pfn */
			printf("hold %d %llu\n", getpid(),
			       (unsigned long long)(e & ((1ULL << 55) - 1)));
	}
	fflush(stdout);
	close(fd);
	for (;;)
		pause();
}
