/*
 * Linux's memory devices (drivers/char/mem.c, random.c), which programs open by name:
 *
 *   /dev/null     reads give end of file; writes take every byte without reading it.
 *   /dev/zero     reads fill with zeros; writes as /dev/null.
 *   /dev/full     reads as /dev/zero; writes fail with ENOSPC.
 *   /dev/random,  reads give the hv's entropy (GOOS_FN_ENTROPY, as getrandom does), at most
 *   /dev/urandom  1 MiB a call; writes are checked readable and dropped (gort keeps no pool of
 *                 its own to mix them into; Linux mixes them in without crediting them).
 *
 * All are mode 0666 with Linux's numbers (1:3, 1:5, 1:7, 1:8, 1:9), and as on Linux lseek on them
 * gives 0 and pread reads as read does. Differences from Linux: epoll_ctl gives EPERM on
 * /dev/random too (Linux has it always ready; Go then reads it without the poller, which never
 * blocks either), and a read is not cut short by a signal (none of them ever waits).
 */
#include <string.h>

#include "gort.h"
#include "linux.h"

#define MEM_MAJOR 1

/* Zeros to user memory in page-sized pieces; a fault ends the read as Linux's read_zero does. */
static long zero_read(const struct gort_dev *d, struct thread *t, uintptr_t uva, size_t n)
{
	static const uint8_t zeros[PAGE_SIZE];
	size_t done = 0;

	while (done < n) {
		size_t k = n - done < sizeof(zeros) ? n - done : sizeof(zeros);
		if (copy_to_user(uva + done, zeros, k) != 0)
			return done ? (long)done : -EFAULT;
		done += k;
	}
	return (long)done;
}

static long null_read(const struct gort_dev *d, struct thread *t, uintptr_t uva, size_t n)
{
	return 0;
}

static long null_write(const struct gort_dev *d, struct thread *t, uintptr_t uva, size_t n)
{
	return (long)n;
}

static long full_write(const struct gort_dev *d, struct thread *t, uintptr_t uva, size_t n)
{
	return -ENOSPC;
}

static long random_read(const struct gort_dev *d, struct thread *t, uintptr_t uva, size_t n)
{
	return gort_entropy_to_user(uva, n);
}

static long random_write(const struct gort_dev *d, struct thread *t, uintptr_t uva, size_t n)
{
	uint8_t c;

	/* One byte per page shows whether every page is readable. */
	for (uintptr_t p = uva; p - uva < n; p = (p | (PAGE_SIZE - 1)) + 1)
		if (copy_from_user(&c, p, 1) != 0)
			return -EFAULT;
	return (long)n;
}

#define MEM_DEV(nm, mi, rd, wr)                                                                    \
	{                                                                                          \
		.name = nm, .major = MEM_MAJOR, .minor = mi, .perm = 0666, .read = rd,             \
		.write = wr, .seek_zero = true                                                     \
	}

static const struct gort_dev mem_devs[] = {
    MEM_DEV("null", 3, null_read, null_write),
    MEM_DEV("zero", 5, zero_read, null_write),
    MEM_DEV("full", 7, zero_read, full_write),
    MEM_DEV("random", 8, random_read, random_write),
    MEM_DEV("urandom", 9, random_read, random_write),
};

void devices_init(void)
{
	for (size_t i = 0; i < sizeof(mem_devs) / sizeof(mem_devs[0]); i++)
		fs_add_device(&mem_devs[i]);
}
