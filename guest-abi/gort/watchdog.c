/*
 * /dev/watchdog: the partition's watchdog (the board's watchdog-ms, GOOS_FN_WATCHDOG_PET) as
 * Linux's watchdog device (linux/watchdog.h), there only when the partition has one.
 *
 *  - A write of at least one byte pets it (its bytes are read, not interpreted), as does the ioctl
 *    WDIOC_KEEPALIVE. WDIOC_GETTIMEOUT gives the period in whole seconds, rounded down, so a
 *    program that pets within it is in time; under a second it fails with EOPNOTSUPP, as Linux
 *    does for a timeout it cannot state. WDIOC_GETSUPPORT: options WDIOF_KEEPALIVEPING, identity
 *    "gohv watchdog". Any other request: ENOTTY.
 *  - It is running before the program starts (the hv arms it at the partition's first
 *    instruction) and nothing stops it: closing the file, the magic close byte 'V', a second
 *    open change nothing (Linux's "nowayout").
 *  - gort never pets it on the program's behalf, not from its idle loop either: the idle loop runs
 *    while the program is hung (a goroutine spinning, or every goroutine waiting for something
 *    that never comes, while the Go runtime's sysmon idles on), so a pet there would keep a hung
 *    program alive. Only the program can say it still does its work.
 */
#include <string.h>

#include "goos_call.h"
#include "gort.h"
#include "linux.h"

#define WATCHDOG_MAJOR 10 /* Linux's misc device */
#define WATCHDOG_MINOR 130

static unsigned period_ms;

static long pet(void)
{
	return goos(GOOS_FN_WATCHDOG_PET, 0, 0, 0, 0).error ? -EIO : 0;
}

static long wd_write(const struct gort_dev *d, struct thread *t, uintptr_t uva, size_t n)
{
	uint8_t c;

	if (n == 0)
		return 0;
	/* As Linux, every byte must be readable: one read per page checks each page once. */
	for (uintptr_t p = uva; p - uva < n; p = (p | (PAGE_SIZE - 1)) + 1)
		if (copy_from_user(&c, p, 1) != 0)
			return -EFAULT;
	long r = pet();
	return r < 0 ? r : (long)n;
}

static long wd_ioctl(const struct gort_dev *d, struct thread *t, unsigned cmd, uintptr_t arg)
{
	static const struct linux_watchdog_info info = {.options = WDIOF_KEEPALIVEPING,
							.identity = "gohv watchdog"};
	int secs = (int)(period_ms / 1000);

	switch (cmd) {
	case WDIOC_KEEPALIVE:
		return pet();
	case WDIOC_GETTIMEOUT:
		if (secs == 0)
			return -ENOTSUP;
		return copy_to_user(arg, &secs, sizeof(secs)) ? -EFAULT : 0;
	case WDIOC_GETSUPPORT:
		return copy_to_user(arg, &info, sizeof(info)) ? -EFAULT : 0;
	default:
		return -ENOTTY;
	}
}

static const struct gort_dev watchdog_dev = {
    .name = "watchdog",
    .major = WATCHDOG_MAJOR,
    .minor = WATCHDOG_MINOR,
    .write = wd_write,
    .ioctl = wd_ioctl,
};

void watchdog_init(unsigned ms)
{
	period_ms = ms;
	if (ms)
		fs_add_device(&watchdog_dev);
}
