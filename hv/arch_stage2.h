/* The arch contract, stage-2 translation: one table per partition, built by the core with these
 * (RISC-V Sv39x4/Sv48x4 today; arm64 VTTBR stage-2 and x86 EPT tables later). */
#ifndef GOHV_ARCH_STAGE2_H
#define GOHV_ARCH_STAGE2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cpu;

#define S2_READ	 1u
#define S2_WRITE 2u
#define S2_EXEC	 4u
#define S2_RWX	 (S2_READ | S2_WRITE | S2_EXEC)

/* Returns zeroed, aligned memory for a table, or NULL. The hv reaches tables by physical address
 * (it runs untranslated); host tests by pointer. */
typedef void *(*stage2_alloc_fn)(void *ctx, size_t size, size_t align);

struct stage2 {
	uint64_t *root;
	unsigned vmid;
	stage2_alloc_fn alloc;
	void *ctx;
	size_t tables; /* table pages in use, root included */
};

int stage2_init(struct stage2 *s2, unsigned vmid, stage2_alloc_fn alloc, void *ctx);
/* Maps [gpa, gpa+size) to [hpa, ...) with perm; 4 KiB granular, megapages where aligned. Refuses
 * (-1) misaligned or out-of-range addresses and overlapping an existing mapping. */
int stage2_map(struct stage2 *s2, uint64_t gpa, uint64_t hpa, uint64_t size, unsigned perm);
/* Removes every mapping in [gpa, gpa+size) (page aligned); pages not mapped are skipped. Refuses
 * (-1, changing nothing) a larger page that lies only partly inside. Tables stay; the caller
 * flushes the guest's TLB if it may have used the mappings. */
int stage2_unmap(struct stage2 *s2, uint64_t gpa, uint64_t size);
/* Walks the table as the hardware would: 0 with the address and permissions when mapped. */
int stage2_translate(const struct stage2 *s2, uint64_t gpa, uint64_t *hpa, unsigned *perm);
/* Makes mappings just added to s2 in [gpa, gpa+size) visible to this CPU's walks: a CPU may
 * have kept the miss it saw there before (RISC-V without Svvptc). */
void arch_stage2_fence(const struct stage2 *s2, uint64_t gpa, uint64_t size);
/* Ends cpu's use of what s2 mapped in [gpa, gpa+size) before a change or a removal (not only an
 * addition): on return cpu, whatever it runs, translates there only as s2 says now. cpu may be
 * another CPU (RISC-V: the firmware's remote HFENCE.GVMA; arm64: a broadcast TLBI IPAS2E1IS;
 * x86: INVEPT there, by IPI). */
void arch_stage2_fence_cpu(const struct stage2 *s2, uint64_t gpa, uint64_t size,
			   const struct cpu *cpu);
/* Largest guest-physical address + 1 the table format reaches. */
uint64_t stage2_limit(void);

#endif
