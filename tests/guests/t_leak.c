/*
 * Integration test guest: nothing of another partition's (or an earlier run's) CPU state reaches
 * this one across a context switch. It first checks it starts clean (FP registers, fcsr and
 * sscratch zero), then plants values derived from bootargs seed=S in callee and temporary
 * registers, every FP register, fcsr, the guest CSRs sscratch, sepc, stval and scause, and
 * scounteren (which the H extension does not virtualize) (and marks its own memory), spins for
 * bootargs ms=N (long enough to be switched out several times), and checks each one.
 *
 * It also runs with its own Sv39 translation on: a root table chosen by the seed (so two
 * partitions' satp differ), identity gigapages for its RAM and the info page, and one alias
 * gigapage ALIAS -> its RAM at the same virtual address in every partition, same ASID, through
 * which it reads its marks. A switch that kept another partition's satp, stage-2 table or
 * translations cached for that address would show that partition's marks (or fault). Prints "LEAK
 * clean" or "LEAK dirty <what>", then "LEAK ok rounds=<n>" or "LEAK FAIL <what>".
 */
#include "libgoos.h"

#define GIGA	  (1UL << 30)
#define ALIAS	  (4 * GIGA)
#define PTE_LEAF  0xcfUL /* V R W X A D: no hardware A/D updates needed */
#define SATP_SV39 (8UL << 60)

/* Two roots; the seed picks which one this partition fills and points satp at. */
static uint64_t roots[2][512] __attribute__((aligned(4096)));

static void paging_on(uint64_t seed)
{
	uint64_t *root = roots[(seed >> 20) & 1];
	uintptr_t ram = goos_ram_base() & ~(GIGA - 1), info = goos_info_base() & ~(GIGA - 1);

	root[ram / GIGA] = (ram >> 12) << 10 | PTE_LEAF;
	root[info / GIGA] = (info >> 12) << 10 | PTE_LEAF;
	root[ALIAS / GIGA] = (ram >> 12) << 10 | PTE_LEAF;
	__asm__ volatile("csrw satp, %0\n\tsfence.vma" ::"r"(SATP_SV39 | (uintptr_t)root >> 12)
			 : "memory");
}

#define NX 14 /* s2-s11 and t3-t6 */
#define NF 32

static uint64_t xs[NX], fs[NF], fcsr, csrs[5];
/* Its own memory, behind its own stage-2 table: a switch that left another partition's table in
 * place would show that partition's marks here. */
static volatile uint64_t marks[512];

/* Enables the FPU in the guest's own sstatus (a fresh vCPU has it off). */
static void fpu_on(void)
{
	__asm__ volatile("li t0, 0x6000\n\tcsrs sstatus, t0" ::: "t0");
}

static void read_fp(void)
{
#define RD(n)                                                                                      \
	__asm__ volatile(".option push\n\t.option arch, +d\n\tfmv.x.d %0, f" #n "\n\t.option pop"  \
			 : "=r"(fs[n]))
	RD(0);
	RD(1);
	RD(2);
	RD(3);
	RD(4);
	RD(5);
	RD(6);
	RD(7);
	RD(8);
	RD(9);
	RD(10);
	RD(11);
	RD(12);
	RD(13);
	RD(14);
	RD(15);
	RD(16);
	RD(17);
	RD(18);
	RD(19);
	RD(20);
	RD(21);
	RD(22);
	RD(23);
	RD(24);
	RD(25);
	RD(26);
	RD(27);
	RD(28);
	RD(29);
	RD(30);
	RD(31);
#undef RD
	__asm__ volatile(".option push\n\t.option arch, +d\n\tfrcsr %0\n\t.option pop"
			 : "=r"(fcsr));
}

static void write_fp(uint64_t seed)
{
#define WR(n)                                                                                      \
	__asm__ volatile(".option push\n\t.option arch, +d\n\tfmv.d.x f" #n                        \
			 ", %0\n\t.option pop" ::"r"(seed * 0x9e3779b97f4a7c15UL + n))
	WR(0);
	WR(1);
	WR(2);
	WR(3);
	WR(4);
	WR(5);
	WR(6);
	WR(7);
	WR(8);
	WR(9);
	WR(10);
	WR(11);
	WR(12);
	WR(13);
	WR(14);
	WR(15);
	WR(16);
	WR(17);
	WR(18);
	WR(19);
	WR(20);
	WR(21);
	WR(22);
	WR(23);
	WR(24);
	WR(25);
	WR(26);
	WR(27);
	WR(28);
	WR(29);
	WR(30);
	WR(31);
#undef WR
	__asm__ volatile(
	    ".option push\n\t.option arch, +d\n\tfscsr %0\n\t.option pop" ::"r"(seed & 0x1f));
}

static void write_csrs(uint64_t seed)
{
	__asm__ volatile("csrw sscratch, %0" ::"r"(seed ^ 0x1111));
	__asm__ volatile("csrw sepc, %0" ::"r"((seed ^ 0x2222) & ~3UL));
	__asm__ volatile("csrw stval, %0" ::"r"(seed ^ 0x3333));
	__asm__ volatile("csrw scause, %0" ::"r"((seed ^ 0x4444) & 0xff));
	/* Not virtualized: the guest writes the hart's own, which a switch must carry. */
	__asm__ volatile("csrw scounteren, %0" ::"r"(seed & 7));
}

static void read_csrs(void)
{
	__asm__ volatile("csrr %0, sscratch" : "=r"(csrs[0]));
	__asm__ volatile("csrr %0, sepc" : "=r"(csrs[1]));
	__asm__ volatile("csrr %0, stval" : "=r"(csrs[2]));
	__asm__ volatile("csrr %0, scause" : "=r"(csrs[3]));
	__asm__ volatile("csrr %0, scounteren" : "=r"(csrs[4]));
}

/* Plants x registers, spins `loops` times without touching them, stores them back. */
static void spin_with_x(uint64_t seed, unsigned long loops)
{
	__asm__ volatile(
	    "mv s2, %[s]\n\taddi s3, s2, 1\n\taddi s4, s2, 2\n\taddi s5, s2, 3\n\t"
	    "addi s6, s2, 4\n\taddi s7, s2, 5\n\taddi s8, s2, 6\n\taddi s9, s2, 7\n\t"
	    "addi s10, s2, 8\n\taddi s11, s2, 9\n\taddi t3, s2, 10\n\t"
	    "addi t4, s2, 11\n\taddi t5, s2, 12\n\taddi t6, s2, 13\n\t"
	    "mv t0, %[n]\n"
	    "1:\taddi t0, t0, -1\n\tbnez t0, 1b\n\t"
	    "sd s2, 0(%[o])\n\tsd s3, 8(%[o])\n\tsd s4, 16(%[o])\n\tsd s5, 24(%[o])\n\t"
	    "sd s6, 32(%[o])\n\tsd s7, 40(%[o])\n\tsd s8, 48(%[o])\n\tsd s9, 56(%[o])\n\t"
	    "sd s10, 64(%[o])\n\tsd s11, 72(%[o])\n\tsd t3, 80(%[o])\n\t"
	    "sd t4, 88(%[o])\n\tsd t5, 96(%[o])\n\tsd t6, 104(%[o])"
	    :
	    : [s] "r"(seed), [n] "r"(loops), [o] "r"(xs)
	    : "t0", "t3", "t4", "t5", "t6", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10",
	      "s11", "memory");
}

int main(void)
{
	uint64_t seed = goos_bootarg_ulong("seed", 1) << 20;
	uint64_t end = goos_now() + goos_ticks_from_ms(goos_bootarg_ulong("ms", 50));
	unsigned rounds = 0;
	char what[64] = "";

	for (int i = 0; i < 512; i++)
		marks[i] = seed + (uint64_t)i;
	volatile uint64_t *alias =
	    (volatile uint64_t *)((uintptr_t)marks - (goos_ram_base() & ~(GIGA - 1)) + ALIAS);
	paging_on(seed);
	fpu_on();
	read_fp();
	read_csrs();
	for (int i = 0; i < NF && !what[0]; i++)
		if (fs[i])
			snprintf(what, sizeof(what), "f%d=0x%lx", i, (unsigned long)fs[i]);
	if (!what[0] && fcsr)
		snprintf(what, sizeof(what), "fcsr=0x%lx", (unsigned long)fcsr);
	if (!what[0] && csrs[0])
		snprintf(what, sizeof(what), "sscratch=0x%lx", (unsigned long)csrs[0]);
	if (!what[0] && csrs[4])
		snprintf(what, sizeof(what), "scounteren=0x%lx", (unsigned long)csrs[4]);
	if (what[0])
		printf("LEAK dirty %s\n", what);
	else
		printf("LEAK clean\n");

	while (!what[0] && goos_now() < end) {
		uint64_t s = seed + rounds;

		write_fp(s);
		write_csrs(s);
		spin_with_x(s, 200000);
		read_fp();
		read_csrs();
		for (int i = 0; i < NX && !what[0]; i++)
			if (xs[i] != s + (uint64_t)i)
				snprintf(what, sizeof(what), "x reg %d=0x%lx", i,
					 (unsigned long)xs[i]);
		for (int i = 0; i < NF && !what[0]; i++)
			if (fs[i] != s * 0x9e3779b97f4a7c15UL + (uint64_t)i)
				snprintf(what, sizeof(what), "f%d=0x%lx", i, (unsigned long)fs[i]);
		for (int i = 0; i < 512 && !what[0]; i++)
			if (marks[i] != seed + (uint64_t)i)
				snprintf(what, sizeof(what), "memory mark %d=0x%lx", i,
					 (unsigned long)marks[i]);
		for (int i = 0; i < 512 && !what[0]; i++)
			if (alias[i] != seed + (uint64_t)i)
				snprintf(what, sizeof(what), "mark %d through the alias=0x%lx", i,
					 (unsigned long)alias[i]);
		if (!what[0] && fcsr != (s & 0x1f))
			snprintf(what, sizeof(what), "fcsr=0x%lx", (unsigned long)fcsr);
		if (!what[0] && (csrs[0] != (s ^ 0x1111) || csrs[1] != ((s ^ 0x2222) & ~3UL) ||
				 csrs[2] != (s ^ 0x3333) || csrs[3] != ((s ^ 0x4444) & 0xff) ||
				 csrs[4] != (s & 7)))
			snprintf(
			    what, sizeof(what), "csr sscratch=0x%lx sepc=0x%lx scounteren=0x%lx",
			    (unsigned long)csrs[0], (unsigned long)csrs[1], (unsigned long)csrs[4]);
		rounds++;
	}
	if (what[0])
		printf("LEAK FAIL %s\n", what);
	else
		printf("LEAK ok rounds=%u\n", rounds);
	return 0;
}
