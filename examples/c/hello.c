/* Demo guest: says who it is, then a heartbeat every 2 s, idling in between so its hart sleeps. */
#include "libgoos.h"

int main(void)
{
	uint64_t period = goos_ticks_from_ms(2000);
	uint64_t next = goos_now() + period;

	printf("hello from partition %s: %u vCPU(s), %lu MiB RAM at 0x%lx, timebase %lu Hz\n",
	       goos_partition_name(), goos_vcpus(), (unsigned long)(goos_ram_size() >> 20),
	       (unsigned long)goos_ram_base(), (unsigned long)goos_timebase());
	if (*goos_bootargs())
		printf("bootargs: %s\n", goos_bootargs());
	for (unsigned long beat = 1;; beat++) {
		goos_sleep_until(next);
		/* Absolute deadlines: a late wake-up does not push every later beat back. */
		next += period;
		printf("heartbeat %lu (uptime %lu ms)\n", beat,
		       (unsigned long)(goos_ticks_to_us(goos_now()) / 1000));
	}
}
