/*
 * Integration test guest: the standard SBI extensions the hv serves. Prints "SBI spec 0x<v>",
 * "SBI probe <name> <value>" for each extension, "SBI dbcn works" (written through DBCN),
 * "SBI timer ok", "SBI OK", then shuts down through SRST, which must end the partition with
 * exit code 0. Any failure prints "SBI FAIL <why>" and exits 1 through goos_exit instead.
 */
#include "libgoos.h"

static int failures;
static volatile bool fired;

static struct goos_ret sbi(unsigned long eid, unsigned long fid, unsigned long a0, unsigned long a1,
			   unsigned long a2)
{
	return goos_sbi_call(eid, fid, a0, a1, a2, 0, 0, 0);
}

static void fail(const char *what, struct goos_ret r)
{
	printf("SBI FAIL %s: error=%ld value=0x%lx\n", what, r.error, r.value);
	failures++;
}

static void on_timer(void)
{
	/* An SBI timer interrupt is cleared by setting the next one, whatever the hv does inside.
	 */
	sbi(SBI_EID_TIME, 0, GOOS_NO_DEADLINE, 0, 0);
	fired = true;
}

int main(void)
{
	static const struct {
		const char *name;
		unsigned long eid;
	} exts[] = {
	    {"TIME", SBI_EID_TIME}, {"IPI", SBI_EID_IPI},   {"RFENCE", SBI_EID_RFENCE},
	    {"HSM", SBI_EID_HSM},   {"SRST", SBI_EID_SRST}, {"DBCN", SBI_EID_DBCN},
	    {"GOOS", GOOS_EID},
	};
	static const char msg[] = "SBI dbcn works\n";
	struct goos_ret r;

	r = sbi(SBI_EID_BASE, 0, 0, 0, 0);
	if (r.error)
		fail("get_spec_version", r);
	printf("SBI spec 0x%lx\n", r.value);

	for (unsigned i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
		r = sbi(SBI_EID_BASE, 3, exts[i].eid, 0, 0);
		printf("SBI probe %s %lu\n", exts[i].name, r.value);
		if (r.error || !r.value)
			fail(exts[i].name, r);
	}

	r = sbi(SBI_EID_DBCN, 0, sizeof(msg) - 1, (unsigned long)msg, 0);
	if (r.error || r.value != sizeof(msg) - 1)
		fail("dbcn console_write", r);

	r = sbi(SBI_EID_HSM, 2, 0, 0, 0);
	if (r.error || r.value != 0)
		fail("hsm hart_get_status(0)", r);

	goos_set_timer_handler(on_timer);
	__asm__ volatile("csrs sie, %0" ::"r"(GOOS_SIE_STIE) : "memory");
	uint64_t deadline = goos_now() + goos_ticks_from_ms(10);
	uint64_t limit = deadline + goos_ticks_from_ms(1000);
	r = sbi(SBI_EID_TIME, 0, deadline, 0, 0);
	if (r.error)
		fail("set_timer", r);
	/* Idle rather than wfi: if the interrupt never comes, the limit still ends the wait. */
	while (!fired && goos_now() < limit) {
		goos_idle(limit);
		goos_irq_enable();
		goos_irq_disable();
	}
	__asm__ volatile("csrc sie, %0" ::"r"(GOOS_SIE_STIE) : "memory");
	if (fired)
		printf("SBI timer ok\n");
	else
		fail("timer interrupt never came", r);

	if (failures)
		goos_exit(1);
	printf("SBI OK\n");
	r = sbi(SBI_EID_SRST, 0, 0, 0, 0);
	printf("SBI FAIL system_reset returned: error=%ld\n", r.error);
	return 2;
}
