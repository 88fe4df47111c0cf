// SPDX-License-Identifier: GPL-2.0
/*
 * kpfscan: one pass over /proc/kpageflags, printing what the running kernel
 * says about every pfn in a compact form for the ground-truth manifest:
 *
 *   offline START END   merged [START, END) ranges with KPF_OFFLINE (bit 23)
 *   owner2 START END    ranges with KPF_OFFLINE and KPF_OWNER_2 (bit 34)
 *   huge PFN ORDER      hugetlb folios: KPF_HUGE + KPF_COMPOUND_HEAD, order
 *                       from the count of following KPF_COMPOUND_TAIL pfns
 *   maxpfn N            number of entries in the file
 *
 * A busybox loop over the same file costs ~45 s per million pfns under TCG.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#define KPF_COMPOUND_HEAD	15
#define KPF_COMPOUND_TAIL	16
#define KPF_HUGE		17
#define KPF_OFFLINE		23
#define KPF_OWNER_2		34
#define BIT(n)			(1ULL << (n))
#define CHUNK			8192

struct range { uint64_t start; int open; const char *name; };

static void range_step(struct range *r, uint64_t pfn, int set)
{
	if (set && !r->open) {
		r->start = pfn;
		r->open = 1;
	} else if (!set && r->open) {
		printf("%s %llu %llu\n", r->name, (unsigned long long)r->start,
		       (unsigned long long)pfn);
		r->open = 0;
	}
}

int main(void)
{
	static uint64_t buf[CHUNK];
	struct range off = { .name = "offline" }, own = { .name = "owner2" };
	uint64_t pfn = 0, head = 0, tails = 0;
	int in_huge = 0;
	ssize_t n;
	int fd = open("/proc/kpageflags", O_RDONLY);

	if (fd < 0) {
		perror("/proc/kpageflags");
		return 1;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (ssize_t i = 0; i < n / 8; i++, pfn++) {
			uint64_t f = buf[i];

			range_step(&off, pfn, !!(f & BIT(KPF_OFFLINE)));
			range_step(&own, pfn, (f & BIT(KPF_OFFLINE)) && (f & BIT(KPF_OWNER_2)));
			if (in_huge && (f & BIT(KPF_COMPOUND_TAIL)) && (f & BIT(KPF_HUGE))) {
				tails++;
				continue;
			}
			if (in_huge) {
				int order = 0;

				while ((1ULL << order) < tails + 1)
					order++;
				printf("huge %llu %d\n", (unsigned long long)head, order);
				in_huge = 0;
			}
			if ((f & BIT(KPF_HUGE)) && (f & BIT(KPF_COMPOUND_HEAD))) {
				head = pfn;
				tails = 0;
				in_huge = 1;
			}
		}
	}
	if (n < 0) {
		perror("read /proc/kpageflags");
		return 1;
	}
	range_step(&off, pfn, 0);
	range_step(&own, pfn, 0);
	if (in_huge) {
		int order = 0;

		while ((1ULL << order) < tails + 1)
			order++;
		printf("huge %llu %d\n", (unsigned long long)head, order);
	}
	printf("maxpfn %llu\n", (unsigned long long)pfn);
	return 0;
}
