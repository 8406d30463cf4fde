/* Demo guest: a Sstc timer interrupt every 500 ms; prints each tick and how late it came. */
#include "libgoos.h"

static volatile uint64_t fired_at;
static volatile unsigned long ticks;

static void on_timer(void)
{
	fired_at = goos_now();
	ticks++;
}

int main(void)
{
	uint64_t period = goos_ticks_from_ms(500);
	uint64_t deadline = goos_now() + period;

	printf("ticker on %s: Sstc %s, timebase %lu Hz, period %lu ticks\n", goos_partition_name(),
	       goos_has_sstc() ? "yes" : "no (GOOS_FN_SET_TIMER)", (unsigned long)goos_timebase(),
	       (unsigned long)period);
	goos_set_timer_handler(on_timer);
	for (;;) {
		unsigned long seen = ticks;

		goos_arm_timer(deadline);
		/* Interrupts stay off outside goos_wait_irq's window, so the tick cannot slip in
		 * between the check and the wait. Idle lets the hart sleep until the deadline. */
		while (ticks == seen) {
			goos_idle(deadline);
			goos_wait_irq();
		}
		printf("tick %lu late=%ld ticks\n", ticks, (long)(fired_at - deadline));
		deadline += period;
	}
}
