// SPDX-License-Identifier: GPL-2.0
/*
 * ownersample: page_owner records as the running kernel prints them.
 *
 *   ownersample MAXPFN COUNT [PFN...]
 *
 * /sys/kernel/debug/page_owner takes the file offset as a pfn: read()
 * returns the record of the first allocated, order-aligned pfn at or after
 * the offset (mm/page_owner.c:read_page_owner), one record per read.  The
 * tool seeks to COUNT pfns spread evenly below MAXPFN and to each PFN given,
 * and prints every record verbatim, each followed by a line "@end".
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static char buf[65536];

static void sample(int fd, unsigned long long pfn)
{
	ssize_t n;

	/* offset 0 means "from min_low_pfn", so ask for pfn 1 instead */
	if (lseek(fd, pfn ? pfn : 1, SEEK_SET) < 0) {
		perror("lseek page_owner");
		return;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return;
	buf[n] = 0;
	fputs(buf, stdout);
	puts("@end");
}

int main(int argc, char **argv)
{
	unsigned long long maxpfn, count, i;
	int fd;

	if (argc < 3) {
		fprintf(stderr, "usage: ownersample MAXPFN COUNT [PFN...]\n");
		return 2;
	}
	maxpfn = strtoull(argv[1], NULL, 0);
	count = strtoull(argv[2], NULL, 0);
	fd = open("/sys/kernel/debug/page_owner", O_RDONLY);
	if (fd < 0) {
		perror("/sys/kernel/debug/page_owner");
		return 1;
	}
	for (i = 3; i < (unsigned long long)argc; i++)
		sample(fd, strtoull(argv[i], NULL, 0));
	for (i = 0; i < count; i++)
		sample(fd, maxpfn / count * i);
	return 0;
}
