/*
 * Integration test guest: how precisely the hv ends an idle at its deadline, and delivers a Sstc
 * timer interrupt. Prints "TIMER idle <ms>ms late=<ticks>" and "TIMER irq <ms>ms late=<ticks>" for
 * each deadline, then "TIMER OK" or "TIMER FAIL <why>"; exits 0 either way.
 */
#include "libgoos.h"

#define SLACK_MS 2

static volatile uint64_t fired_at;
static volatile bool fired;
static char why[96];

static void on_timer(void)
{
	fired_at = goos_now();
	fired = true;
}

static void judge(const char *what, unsigned ms, long late)
{
	printf("TIMER %s %ums late=%ld\n", what, ms, late);
	if (why[0])
		return;
	if (late < 0)
		snprintf(why, sizeof(why), "%s %ums woke %ld ticks early", what, ms, -late);
	else if ((uint64_t)late > goos_ticks_from_ms(SLACK_MS))
		snprintf(why, sizeof(why), "%s %ums woke %ld ticks late", what, ms, late);
}

int main(void)
{
	static const unsigned ms_list[] = {1, 5, 10, 50, 100};

	printf("TIMER timebase %lu sstc=%d\n", (unsigned long)goos_timebase(), goos_has_sstc());
	goos_set_timer_handler(on_timer);
	for (unsigned i = 0; i < sizeof(ms_list) / sizeof(ms_list[0]); i++) {
		unsigned ms = ms_list[i];
		uint64_t deadline = goos_now() + goos_ticks_from_ms(ms);

		/* One idle call, not a loop: returning before the deadline is what is tested. */
		goos_idle(deadline);
		judge("idle", ms, (long)(goos_now() - deadline));

		fired = false;
		deadline = goos_now() + goos_ticks_from_ms(ms);
		goos_arm_timer(deadline);
		while (!fired)
			goos_wait_irq();
		goos_disarm_timer();
		judge("irq", ms, (long)(fired_at - deadline));
	}
	if (why[0])
		printf("TIMER FAIL %s\n", why);
	else
		printf("TIMER OK\n");
	return 0;
}
