/* The device tree each partition boots with, written by the hv with libfdt. */
#ifndef GOHV_GUEST_FDT_H
#define GOHV_GUEST_FDT_H

#include <stddef.h>
#include <stdint.h>

struct partition;

/* Writes p's device tree into buf (which the guest sees at gpa). Returns 0 or a libfdt error. */
int guest_fdt_build(struct partition *p, void *buf, size_t size, uint64_t gpa);

#endif
