/*
 * A partition built by hand for the tests of what guests call (the goos ABI, the SBI served to
 * guests): 1 MiB of malloc'd "guest RAM" at GUEST_RAM_BASE (present on first touch, guest_ram.h),
 * vCPU 0 running and current on hv.cpus[0], the console captured in gp_out. Nothing may end it: a
 * partition's teardown and restart need a package.
 */
#ifndef GOHV_TEST_GUEST_PART_H
#define GOHV_TEST_GUEST_PART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hv/hv.h"

#define GP_RAM_SIZE (1UL << 20)
#define GP_RAM_END  (GUEST_RAM_BASE + GP_RAM_SIZE)

/* Everything the partition's console printed. */
struct gp_console {
	char text[16384];
	size_t len;
	int calls;
};

extern struct gp_console gp_out;
extern struct partition gp_part;

/* Builds the partition afresh (a suite's .init); returns its vCPU 0. */
struct vcpu *gp_setup(void);
/* A suite's .fini. */
void gp_teardown(void);
/* A second vCPU on hv.cpus[1] (a hart running the hv), not started. */
struct vcpu *gp_add_vcpu(void);
/* Where guest-physical address gpa is in the test's memory, RAM from there to its end made
 * present as the guest's own accesses would. */
uint8_t *gp_ram(uint64_t gpa);
/* While set, the partition's stage-2 gets no more tables (the hv is out of memory). */
extern bool gp_tables_exhausted;

#endif
