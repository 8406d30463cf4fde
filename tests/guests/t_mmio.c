/*
 * Integration test guest: the info page (GOOS_INFO_* in goos.h), read through the hv's emulated
 * MMIO. Every register is checked against what the guest knows otherwise (the device tree, the
 * vCPU id call, bootargs index=N for its place in the board), with loads of every width, then
 * with each load instruction written out in assembly (so the form is known, 32-bit or
 * compressed), with paging on and the code running at another virtual address, and on vCPU 1
 * when there is one. An instruction after each load checks that the hv resumed the guest exactly
 * past it. Then, on its first run only (restart count 0), the access bootargs end=... names:
 * write (sw), csd (c.sd) or misaligned (a 4-byte load at offset 2), which the hv must refuse.
 *
 * Prints: "MMIO base=0x... restarts=N", "MMIO FAIL ..." for each mismatch, "MMIO paged ok",
 * "MMIO vcpu1 ok", "MMIO checks ok" (none failed), then "MMIO <end> at pc 0x..." just before the
 * refused access, and "MMIO survived" if it returned. A later run exits 0 after the checks.
 */
#include "libgoos.h"

static unsigned failures;

static void check(const char *what, uint64_t got, uint64_t want)
{
	if (got != want) {
		printf("MMIO FAIL %s got=0x%lx want=0x%lx\n", what, (unsigned long)got,
		       (unsigned long)want);
		failures++;
	}
}

/* ---------------------------------------------------------------- every width, from C */

static void check_widths(unsigned index)
{
	static const char magic[] = "goosinfo";
	uint64_t base = goos_ram_base();
	char what[32];

	check("magic u64", goos_info_read64(GOOS_INFO_MAGIC), GOOS_INFO_MAGIC_VALUE);
	for (unsigned i = 0; i < 8; i++) {
		snprintf(what, sizeof(what), "magic u8 %u", i);
		check(what, goos_info_read8(GOOS_INFO_MAGIC + i), (uint8_t)magic[i]);
	}
	for (unsigned i = 0; i < 8; i += 2) {
		snprintf(what, sizeof(what), "magic u16 %u", i);
		check(what, goos_info_read16(GOOS_INFO_MAGIC + i),
		      (uint8_t)magic[i] | (uint8_t)magic[i + 1] << 8);
	}
	check("magic u32 0", goos_info_read32(GOOS_INFO_MAGIC), GOOS_INFO_MAGIC_VALUE & 0xffffffff);
	check("magic u32 4", goos_info_read32(GOOS_INFO_MAGIC + 4), GOOS_INFO_MAGIC_VALUE >> 32);
	check("version", goos_info_read32(GOOS_INFO_VERSION), GOOS_INFO_ABI_VERSION);
	check("version u16", goos_info_read16(GOOS_INFO_VERSION), GOOS_INFO_ABI_VERSION);
	check("version u8", goos_info_read8(GOOS_INFO_VERSION), GOOS_INFO_ABI_VERSION);
	check("version u8 3", goos_info_read8(GOOS_INFO_VERSION + 3), 0);
	check("partition", goos_info_read32(GOOS_INFO_PARTITION), index);
	check("version+partition u64", goos_info_read64(GOOS_INFO_VERSION),
	      GOOS_INFO_ABI_VERSION | (uint64_t)index << 32);
	check("vcpus", goos_info_read32(GOOS_INFO_VCPUS), goos_vcpus());
	/* The port may answer these calls on its fast path: it must agree with the core. */
	check("abi version call", (uint64_t)goos_version(), GOOS_ABI_VERSION);
	if (goos_has_sstc()) {
		/* With Sstc the call arms the guest's own stimecmp, the CSR it reads back. */
		uint64_t far = goos_now() + 1000000000UL;
		struct goos_ret r = goos_call(GOOS_FN_SET_TIMER, far, 0, 0, 0);
		uint64_t armed;

		__asm__ volatile("csrr %0, 0x14d" : "=r"(armed));
		check("set timer error", (uint64_t)r.error, GOOS_OK);
		check("set timer value", r.value, 0);
		check("set timer stimecmp", armed, far);
		goos_call(GOOS_FN_SET_TIMER, GOOS_NO_DEADLINE, 0, 0, 0);
		/* SBI's set_timer is the same write (vsbi_time.c), fast or not. */
		r = goos_sbi_call(SBI_EID_TIME, 0, far + 1, 0, 0, 0, 0, 0);
		__asm__ volatile("csrr %0, 0x14d" : "=r"(armed));
		check("sbi set_timer error", (uint64_t)r.error, 0);
		check("sbi set_timer value", r.value, 0);
		check("sbi set_timer stimecmp", armed, far + 1);
		goos_sbi_call(SBI_EID_TIME, 0, GOOS_NO_DEADLINE, 0, 0, 0, 0, 0);
	}
	/* BASE get_spec_version is a constant (vsbi_base.c): 2.0, as the C path's unit test has
	 * it; a function number beside it still reaches C and answers there. */
	struct goos_ret spec = goos_sbi_call(SBI_EID_BASE, 0, 0, 0, 0, 0, 0, 0);
	check("sbi spec version error", (uint64_t)spec.error, 0);
	check("sbi spec version", spec.value, 0x02000000);
	check("sbi impl id", goos_sbi_call(SBI_EID_BASE, 1, 0, 0, 0, 0, 0, 0).value, 0x676f6876);
	check("vcpu id", goos_info_read32(GOOS_INFO_VCPU_ID), (uint64_t)goos_vcpu_id());
	check("vcpu id u16", goos_info_read16(GOOS_INFO_VCPU_ID), (uint64_t)goos_vcpu_id());
	check("ram base", goos_info_read64(GOOS_INFO_RAM_BASE), base);
	check("ram base u32", goos_info_read32(GOOS_INFO_RAM_BASE), base & 0xffffffff);
	check("ram base u32 hi", goos_info_read32(GOOS_INFO_RAM_BASE + 4), base >> 32);
	check("ram base u8 3", goos_info_read8(GOOS_INFO_RAM_BASE + 3), (base >> 24) & 0xff);
	check("ram size", goos_info_read64(GOOS_INFO_RAM_SIZE), goos_ram_size());
	check("ram size u16 2", goos_info_read16(GOOS_INFO_RAM_SIZE + 2),
	      (goos_ram_size() >> 16) & 0xffff);
	check("timebase", goos_info_read64(GOOS_INFO_TIMEBASE), goos_timebase());
	check("timebase u32", goos_info_read32(GOOS_INFO_TIMEBASE), goos_timebase() & 0xffffffff);
	check("reserved 0x1c", goos_info_read32(0x1c), 0);
	check("reserved end", goos_info_read64(GOOS_INFO_END), 0);
	check("reserved last u64", goos_info_read64(GOOS_INFO_SIZE - 8), 0);
	check("reserved last u8", goos_info_read8(GOOS_INFO_SIZE - 1), 0);
}

/* ---------------------------------------------------------------- each instruction form */

/*
 * One load, written out: base in a0 (x10, so the compressed forms can take it), the result in
 * a1, and a2 set to 1 by the instruction right after the load, of the load's length, so a wrong
 * pc advance skips it or runs half an instruction. The sp-based forms borrow sp for the base.
 */
#define LOAD(insn, after, out, ran)                                                                \
	do {                                                                                       \
		register uintptr_t a0 __asm__("a0") = goos_info_base();                            \
		register unsigned long a1 __asm__("a1") = 0x5a5a5a5a5a5a5a5aUL;                    \
		register unsigned long a2 __asm__("a2") = 0;                                       \
		__asm__ volatile(insn "\n\t" after                                                 \
				 : "+r"(a1), "+r"(a2)                                              \
				 : "r"(a0)                                                         \
				 : "t0", "memory");                                                \
		(out) = a1;                                                                        \
		(ran) = a2;                                                                        \
	} while (0)
#define AFTER32	      ".option push\n\t.option norvc\n\taddi a2, zero, 1\n\t.option pop"
#define AFTER16	      "c.li a2, 1"
#define NORVC(insn)   ".option push\n\t.option norvc\n\t" insn "\n\t.option pop"
#define WITH_SP(insn) "mv t0, sp\n\tmv sp, a0\n\t" insn "\n\tmv sp, t0"

#define FORM(name, insn, after, want)                                                              \
	do {                                                                                       \
		unsigned long v, ran;                                                              \
		LOAD(insn, after, v, ran);                                                         \
		check(name, v, want);                                                              \
		check(name " resumed after it", ran, 1);                                           \
	} while (0)

static void check_forms(void)
{
	uint64_t base = goos_ram_base(), size = goos_ram_size(), tb = goos_timebase();
	uint64_t id = (uint64_t)goos_vcpu_id();
	/* RAM base 0x80000000: bit 31 set, so a 32-bit load of it sign-extends, and so do 16- and
	 * 8-bit loads of its top bytes. */
	uint64_t w = base & 0xffffffff;

	FORM("ld", NORVC("ld a1, 0x0(a0)"), AFTER32, GOOS_INFO_MAGIC_VALUE);
	FORM("lw", NORVC("lw a1, 0x20(a0)"), AFTER32, (uint64_t)(int64_t)(int32_t)w);
	FORM("lwu", NORVC("lwu a1, 0x20(a0)"), AFTER32, w);
	FORM("lh", NORVC("lh a1, 0x22(a0)"), AFTER32, (uint64_t)(int64_t)(int16_t)(w >> 16));
	FORM("lhu", NORVC("lhu a1, 0x22(a0)"), AFTER32, w >> 16);
	FORM("lb", NORVC("lb a1, 0x23(a0)"), AFTER32, (uint64_t)(int64_t)(int8_t)(w >> 24));
	FORM("lbu", NORVC("lbu a1, 0x23(a0)"), AFTER32, w >> 24);
	FORM("c.lw", "c.lw a1, 0x20(a0)", AFTER16, (uint64_t)(int64_t)(int32_t)w);
	FORM("c.ld", "c.ld a1, 0x28(a0)", AFTER16, size);
	FORM("c.lwsp", WITH_SP("c.lwsp a1, 0x14(sp)"), AFTER16, id);
	FORM("c.ldsp", WITH_SP("c.ldsp a1, 0x30(sp)"), AFTER16, tb);
	/* rd = x0: the value goes nowhere, the guest still resumes after it. */
	FORM("lw x0", NORVC("lw zero, 0x8(a0)"), AFTER32, 0x5a5a5a5a5a5a5a5aUL);
	/* rd = x31, the top of the register field. */
	{
		register uintptr_t a0 __asm__("a0") = goos_info_base();
		unsigned long v;

		__asm__ volatile(NORVC("lwu t6, 0x10(a0)") "\n\tmv %0, t6"
				 : "=r"(v)
				 : "r"(a0)
				 : "t6", "memory");
		check("lwu t6", v, goos_vcpus());
	}
}

/* ---------------------------------------------------------------- with paging on */

/* Sv39: RAM mapped twice (at itself and at ALIAS), the info page's gigabyte at INFO_VA. */
#define GIGA	  (1UL << 30)
#define ALIAS	  0xc0000000UL
#define INFO_VA	  0x40000000UL
#define PTE_LEAF  0xcfUL /* V R W X A D: no hardware A/D updates needed */
#define SATP_SV39 (8UL << 60)

static uint64_t root[512] __attribute__((aligned(4096)));

/* Runs at ALIAS: the hv must fetch the trapping instruction through the guest's translation. */
__attribute__((noinline)) static void paged_loads(uintptr_t info, uint64_t *out)
{
	register uintptr_t a0 __asm__("a0") = info;
	register unsigned long a1 __asm__("a1"), a2 __asm__("a2");

	__asm__ volatile(NORVC("ld a1, 0x28(a0)") "\n\tc.lw a2, 0x10(a0)"
			 : "=r"(a1), "=r"(a2)
			 : "r"(a0)
			 : "memory");
	out[0] = a1;
	out[1] = a2;
}

static void check_paged(void)
{
	uint64_t got[2] = {0, 0};
	uintptr_t info = goos_info_base(), ram = goos_ram_base() & ~(GIGA - 1);
	void (*alias)(uintptr_t, uint64_t *) =
	    (void (*)(uintptr_t, uint64_t *))((uintptr_t)paged_loads - ram + ALIAS);

	root[ram / GIGA] = (ram >> 12) << 10 | PTE_LEAF;
	root[ALIAS / GIGA] = (ram >> 12) << 10 | PTE_LEAF;
	root[INFO_VA / GIGA] = ((info & ~(GIGA - 1)) >> 12) << 10 | PTE_LEAF;
	__asm__ volatile("csrw satp, %0\n\tsfence.vma" ::"r"(SATP_SV39 | (uintptr_t)root >> 12)
			 : "memory");
	alias(INFO_VA + (info & (GIGA - 1)), got);
	__asm__ volatile("csrw satp, zero\n\tsfence.vma" ::: "memory");
	check("paged ld", got[0], goos_ram_size());
	check("paged c.lw", got[1], goos_vcpus());
	if (got[0] == goos_ram_size() && got[1] == goos_vcpus())
		printf("MMIO paged ok\n");
}

/* ---------------------------------------------------------------- vCPU 1 */

static volatile uint64_t vcpu1_id = ~0UL, vcpu1_call = ~0UL;
static volatile int vcpu1_done;

static void on_vcpu1(unsigned vcpu, void *arg)
{
	vcpu1_id = goos_info_read32(GOOS_INFO_VCPU_ID);
	vcpu1_call = (uint64_t)goos_vcpu_id();
	__atomic_store_n(&vcpu1_done, 1, __ATOMIC_SEQ_CST);
	goos_wake(0);
}

static void check_vcpu1(void)
{
	if (goos_vcpus() < 2)
		return;
	if (goos_vcpu_start(1, on_vcpu1, NULL, NULL) < 0) {
		printf("MMIO FAIL cannot start vcpu 1\n");
		failures++;
		return;
	}
	while (!__atomic_load_n(&vcpu1_done, __ATOMIC_SEQ_CST))
		goos_idle(GOOS_NO_DEADLINE);
	check("vcpu1 id", vcpu1_id, 1);
	check("vcpu1 call", vcpu1_call, 1);
	if (vcpu1_id == 1 && vcpu1_call == 1)
		printf("MMIO vcpu1 ok\n");
}

/* ---------------------------------------------------------------- the refused access */

/* Each is a function of its own with a global label on the access, so its pc is known. */
__asm__(".pushsection .text.t_mmio_end, \"ax\"\n"
	".globl mmio_store_w\n"
	"mmio_store_w:\n"
	".option push\n.option norvc\n"
	".globl mmio_store_w_insn\n"
	"mmio_store_w_insn: sw a1, 0(a0)\n"
	".option pop\n"
	"ret\n"
	".globl mmio_store_csd\n"
	"mmio_store_csd:\n"
	".globl mmio_store_csd_insn\n"
	"mmio_store_csd_insn: c.sd a1, 0(a0)\n"
	"ret\n"
	".globl mmio_load_w\n"
	"mmio_load_w:\n"
	".globl mmio_load_w_insn\n"
	"mmio_load_w_insn: c.lw a0, 0(a0)\n"
	"ret\n"
	".popsection");
void mmio_store_w(uintptr_t addr, unsigned long value);
void mmio_store_csd(uintptr_t addr, unsigned long value);
unsigned long mmio_load_w(uintptr_t addr);
extern char mmio_store_w_insn[], mmio_store_csd_insn[], mmio_load_w_insn[];

static void refused(const char *end)
{
	uintptr_t info = goos_info_base();

	if (!strcmp(end, "write")) {
		printf("MMIO write at pc 0x%lx\n", (unsigned long)mmio_store_w_insn);
		mmio_store_w(info + GOOS_INFO_VERSION, 2);
	} else if (!strcmp(end, "csd")) {
		printf("MMIO csd at pc 0x%lx\n", (unsigned long)mmio_store_csd_insn);
		mmio_store_csd(info + GOOS_INFO_RAM_SIZE, 1);
	} else if (!strcmp(end, "misaligned")) {
		printf("MMIO misaligned at pc 0x%lx\n", (unsigned long)mmio_load_w_insn);
		(void)mmio_load_w(info + 2);
	} else {
		printf("MMIO FAIL unknown end %s\n", end);
		goos_exit(2);
	}
	printf("MMIO survived\n");
	goos_exit(1);
}

int main(void)
{
	char end[16];
	unsigned restarts = goos_info_read32(GOOS_INFO_RESTARTS);

	printf("MMIO base=0x%lx restarts=%u\n", (unsigned long)goos_info_base(), restarts);
	check_widths((unsigned)goos_bootarg_long("index", -1));
	check_forms();
	check_paged();
	check_vcpu1();
	if (failures)
		return 1;
	printf("MMIO checks ok\n");
	if (restarts == 0 && goos_bootarg_copy("end", end, sizeof(end)) > 0)
		refused(end);
	return 0;
}
