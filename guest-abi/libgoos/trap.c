/* libgoos: the C half of the trap vector in crt0.S, the guest's own timer, interrupt handlers. */
#include "libgoos.h"

extern void goos_trap_vector(void);

/* Set before interrupts are enabled and only read from the handler. */
static volatile goos_irq_fn timer_fn, soft_fn, ext_fn;

void goos_trap_init(void)
{
	__asm__ volatile("csrw stvec, %0" ::"r"(goos_trap_vector) : "memory");
}

void goos_set_timer_handler(goos_irq_fn fn)
{
	timer_fn = fn;
}

void goos_set_soft_handler(goos_irq_fn fn)
{
	soft_fn = fn;
	__asm__ volatile("csrs sie, %0" ::"r"(GOOS_SIE_SSIE) : "memory");
}

void goos_set_ext_handler(goos_irq_fn fn)
{
	ext_fn = fn;
	if (fn)
		__asm__ volatile("csrs sie, %0" ::"r"(GOOS_SIE_SEIE) : "memory");
	else
		__asm__ volatile("csrc sie, %0" ::"r"(GOOS_SIE_SEIE) : "memory");
}

static void timer_write(uint64_t deadline)
{
	if (goos_has_sstc())
		__asm__ volatile("csrw 0x14d, %0" ::"r"(deadline) : "memory");
	else
		goos_set_timer(deadline);
}

void goos_arm_timer(uint64_t deadline)
{
	timer_write(deadline);
	__asm__ volatile("csrs sie, %0" ::"r"(GOOS_SIE_STIE) : "memory");
}

void goos_disarm_timer(void)
{
	__asm__ volatile("csrc sie, %0" ::"r"(GOOS_SIE_STIE) : "memory");
	timer_write(GOOS_NO_DEADLINE);
}

static unsigned long this_vcpu(void)
{
	unsigned long tp;

	/* crt0 keeps the vCPU id in tp; cheaper and safer in a trap than an ecall. */
	__asm__("mv %0, tp" : "=r"(tp));
	return tp;
}

void goos_trap_handler(unsigned long scause, unsigned long sepc, unsigned long stval)
{
	static volatile int in_fault;

	if (scause & GOOS_SCAUSE_INTR) {
		unsigned long irq = scause & ~GOOS_SCAUSE_INTR;
		goos_irq_fn fn;

		switch (irq) {
		case GOOS_IRQ_TIMER:
			/* Writing the compare value is what clears a Sstc timer interrupt. */
			timer_write(GOOS_NO_DEADLINE);
			if ((fn = timer_fn))
				fn();
			return;
		case GOOS_IRQ_SOFT:
			__asm__ volatile("csrc sip, %0" ::"r"(GOOS_SIE_SSIE) : "memory");
			if ((fn = soft_fn))
				fn();
			return;
		case GOOS_IRQ_EXT:
			/* A level: the handler must quiet its source (take the pending set). */
			if ((fn = ext_fn)) {
				fn();
				return;
			}
			break;
		default:
			break;
		}
		/* Nobody asked for it: mask it, or it would fire again at once forever. */
		if (irq < 64)
			__asm__ volatile("csrc sie, %0" ::"r"(1UL << irq) : "memory");
		printf("libgoos: vcpu %lu: unexpected interrupt %lu, masked\n", this_vcpu(), irq);
		return;
	}
	/* A fault while reporting a fault (a broken stack, say) must not loop. */
	if (!in_fault) {
		in_fault = 1;
		printf("libgoos: vcpu %lu: unexpected exception scause=0x%lx sepc=0x%lx "
		       "stval=0x%lx\n",
		       this_vcpu(), scause, sepc, stval);
	}
	goos_exit(254);
}
