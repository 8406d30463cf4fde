/*
 * Integration test guest: a periodic task on a (possibly shared) CPU. Every bootargs period=P ms
 * it waits for its next beat, alternately with a goos idle call and with its own timer interrupt
 * and WFI (which a shared CPU traps), and measures how late it woke. After beats=N it prints
 * "BEAT n=<N> max_late=<ticks> max_late_idle=<ticks> max_late_irq=<ticks>" and exits 0.
 */
#include "libgoos.h"

static volatile bool fired;

static void on_timer(void)
{
	fired = true;
}

int main(void)
{
	unsigned long period = goos_ticks_from_ms(goos_bootarg_ulong("period", 20));
	unsigned long beats = goos_bootarg_ulong("beats", 10);
	long max_idle = 0, max_irq = 0;
	uint64_t next = goos_now();

	goos_set_timer_handler(on_timer);
	for (unsigned long i = 0; i < beats; i++) {
		next += period;
		if (i & 1) {
			fired = false;
			goos_arm_timer(next);
			while (!fired)
				goos_wait_irq();
			goos_disarm_timer();
		} else {
			goos_idle(next);
		}
		long late = (long)(goos_now() - next);
		long *max = (i & 1) ? &max_irq : &max_idle;
		if (late > *max)
			*max = late;
	}
	printf("BEAT n=%lu max_late=%ld max_late_idle=%ld max_late_irq=%ld\n", beats,
	       max_idle > max_irq ? max_idle : max_irq, max_idle, max_irq);
	return 0;
}
