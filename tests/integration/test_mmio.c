/* Emulated MMIO end to end: the info page read by tests/guests/t_mmio.c on tests/boards/it-mmio,
 * every form of load served and resumed past, and each refused access reported at its pc. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"

/* The pc the guest printed in "[part] MMIO <end> at pc 0x..." just before its refused access. */
static unsigned long end_pc(const struct run *r, const char *part, const char *end)
{
	char needle[64], line[256];
	unsigned long pc = 0;

	snprintf(needle, sizeof(needle), "[%s] MMIO %s at pc 0x", part, end);
	if (!run_line(r, needle, line, sizeof(line)))
		run_dump(r, needle);
	cr_assert(run_line(r, needle, line, sizeof(line)), "no \"%s\"", needle);
	cr_assert_eq(sscanf(strstr(line, "pc 0x"), "pc 0x%lx", &pc), 1, "%s", line);
	return pc;
}

/* The hv's fault line for a refused access: exactly at the pc the guest said, at this address. */
static void fault_at(const struct run *r, const char *part, const char *end, const char *what,
		     unsigned long addr)
{
	char line[256];

	snprintf(line, sizeof(line),
		 "gohv: fault: partition %s vcpu 0: %s at pc 0x%lx addr 0x%lx\n", part, what,
		 end_pc(r, part, end), addr);
	assert_has(r, line);
}

Test(mmio, the_info_page_reads_right_in_every_form_and_refuses_the_rest, .timeout = 120)
{
	static const char *const parts[] = {"mmio", "smp", "csd"};
	char marker[96];
	struct run r;

	boot_board("it-mmio", NULL, &r);
	cr_assert(r.exited, "every partition ends and the hv powers off");
	assert_lacks(&r, "MMIO FAIL");
	assert_lacks(&r, "MMIO survived");
	assert_lacks(&r, "libgoos:");
	for (unsigned i = 0; i < 3; i++) {
		snprintf(marker, sizeof(marker), "[%s] MMIO base=0x200000 restarts=0\n", parts[i]);
		assert_has(&r, marker);
		snprintf(marker, sizeof(marker), "[%s] MMIO paged ok\n", parts[i]);
		assert_has(&r, marker);
		snprintf(marker, sizeof(marker), "[%s] MMIO checks ok\n", parts[i]);
		assert_has(&r, marker);
	}
	assert_has(&r, "[smp] MMIO vcpu1 ok\n");

	fault_at(&r, "mmio", "write", "4-byte store to info page refused: read-only", 0x200008);
	fault_at(&r, "csd", "csd", "8-byte store to info page refused: read-only", 0x200028);
	fault_at(&r, "smp", "misaligned", "4-byte load from info page refused: misaligned",
		 0x200002);
	cr_assert_eq(run_count(&r, "gohv: fault:"), 3, "one line per refused access");
	assert_has(&r, "gohv: partition csd exited with code 255 (fault)\n");
	assert_has(&r, "gohv: partition smp exited with code 255 (fault)\n");

	/* The restarted run reads the new restart count, passes again and exits cleanly. */
	assert_has(&r, "gohv: partition mmio exited with code 255 (fault)\n");
	long restart = run_pos(&r, "partition mmio restarting (policy on-failure, restart 1)");
	long again = run_pos(&r, "[mmio] MMIO base=0x200000 restarts=1\n");
	cr_assert(restart >= 0 && again > restart, "mmio restarts once and sees it");
	cr_assert_eq(run_count(&r, "[mmio] MMIO checks ok\n"), 2);
	assert_has(&r, "gohv: partition mmio exited with code 0\n");
	run_free(&r);
}
