/*
 * Integration test guest: reads where it must not and the hv must stop it.
 *
 * Default: reads just past the end of its own RAM (or at bootargs addr=0x...). Prints
 * "ATTACKER start", "ATTACKER reading 0x<addr>", and only if the read returns,
 * "ATTACKER READ SUCCEEDED value=0x<value>" (then exits 0).
 *
 * bootargs matrix: one probe per run, restart on-failure carrying it to the next. RAM is scrubbed
 * at every restart, so the probe is picked by the restart count of the info page. Each target is
 * read once directly (the guest-physical address) and once through the guest's own Sv39 tables
 * (a virtual address mapped to it). Prints "PROBE <i> <how> 0x<gpa>" before the read and, only if
 * it returns, "LEAK <i> 0x<gpa> value=0x<v>" (exit 1, so the matrix goes on); after the last,
 * "MATRIX done probes=<n>" and exit 0. control=1 adds a probe of its own RAM first, which must
 * LEAK: it shows the test sees a probe that succeeds. window=0x<gpa> window-size=0x<bytes> adds
 * the first and the last page of a channel window of two other partitions.
 */
#include "libgoos.h"

/* Host-physical places on QEMU virt that no partition is given, probed as guest-physical
 * addresses: the machine's devices, the firmware's and the hv's image (the machine's RAM at
 * 0x80000000, the hv at 0x80200000) and, in 16 MiB steps, the rest of the machine's RAM where the
 * package, the hv's tables and the other partitions live. */
static const uint64_t devices[] = {
    0x00100000, /* test/power device */
    0x00101000, /* RTC */
    0x02000000, /* CLINT */
    0x0c000000, /* PLIC */
    0x10000000, /* UART */
    0x10001000, /* virtio-mmio, first slot */
    0x10008000, /* virtio-mmio, last slot */
};
#define MACHINE_RAM 0x80000000UL
#define RAM_STEP    0x1000000UL
#define MAX_TARGETS 64
#define PROBE_VA    0xc0000000UL /* root entry 3 of the stage-1 table */
#define PTE_V	    1UL
#define PTE_RWXAD   (0xeUL | 0xc0UL)
#define SATP_SV39   (8UL << 60)

static uint64_t pt_root[512] __attribute__((aligned(4096)));
static uint64_t pt_mid[512] __attribute__((aligned(4096)));
static uint64_t pt_leaf[512] __attribute__((aligned(4096)));

static unsigned targets(uint64_t *t, bool control)
{
	uint64_t base = goos_ram_base(), end = base + goos_ram_size();
	uint64_t machine_end = MACHINE_RAM + goos_bootarg_ulong("machine-ram", 0x10000000);
	unsigned n = 0;

	if (control)
		t[n++] = base + 0x100000;
	for (unsigned i = 0; i < sizeof(devices) / sizeof(devices[0]); i++)
		t[n++] = devices[i];
	uint64_t window = goos_bootarg_ulong("window", 0);
	if (window) {
		t[n++] = window; /* the header page */
		t[n++] = window + goos_bootarg_ulong("window-size", 0x1000) - 0x1000;
	}
	for (uint64_t a = MACHINE_RAM; a < machine_end && n < MAX_TARGETS; a += RAM_STEP) {
		if (a == MACHINE_RAM)
			a = 0x80200000UL; /* below it, the firmware: this guest's own RAM here */
		if (a >= base && a < end)
			continue;
		t[n++] = a;
	}
	return n;
}

/* Identity for code, data and the info page (two 1 GiB leaves), and one 4 KiB page at PROBE_VA
 * mapped to gpa: the guest's own tables name the target; stage 2 must still refuse it. */
static volatile uint64_t *map_probe(uint64_t gpa)
{
	pt_root[0] = (0UL >> 12) << 10 | PTE_RWXAD | PTE_V;
	pt_root[2] = (MACHINE_RAM >> 12) << 10 | PTE_RWXAD | PTE_V;
	pt_root[3] = ((uint64_t)pt_mid >> 12) << 10 | PTE_V;
	pt_mid[0] = ((uint64_t)pt_leaf >> 12) << 10 | PTE_V;
	pt_leaf[0] = (gpa >> 12) << 10 | PTE_RWXAD | PTE_V;
	__asm__ volatile("sfence.vma" ::: "memory");
	__asm__ volatile("csrw satp, %0" ::"r"(SATP_SV39 | (uint64_t)pt_root >> 12) : "memory");
	__asm__ volatile("sfence.vma" ::: "memory");
	return (volatile uint64_t *)(PROBE_VA + (gpa & 0xfff));
}

static int matrix(void)
{
	uint64_t t[MAX_TARGETS];
	unsigned n = targets(t, goos_bootarg_long("control", 0));
	unsigned probe = goos_info_read32(GOOS_INFO_RESTARTS);

	if (probe >= 2 * n) {
		printf("MATRIX done probes=%u\n", 2 * n);
		return 0;
	}
	uint64_t gpa = t[probe / 2];
	bool s1 = probe & 1;
	volatile uint64_t *p = s1 ? map_probe(gpa) : (volatile uint64_t *)gpa;

	printf("PROBE %u %s 0x%lx\n", probe, s1 ? "stage1" : "direct", (unsigned long)gpa);
	uint64_t v = *p;
	printf("LEAK %u 0x%lx value=0x%lx\n", probe, (unsigned long)gpa, (unsigned long)v);
	return 1;
}

int main(void)
{
	if (goos_bootarg("matrix"))
		return matrix();
	printf("ATTACKER start\n");
	uint64_t addr = goos_bootarg_ulong("addr", goos_ram_base() + goos_ram_size());

	printf("ATTACKER reading 0x%lx\n", (unsigned long)addr);
	uint64_t value = *(volatile uint64_t *)addr;
	printf("ATTACKER READ SUCCEEDED value=0x%lx\n", (unsigned long)value);
	return 0;
}
