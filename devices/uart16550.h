/* NS16550A-compatible UART, polled, output only: the hv console. */
#ifndef GOHV_UART16550_H
#define GOHV_UART16550_H

#include <stdint.h>

#include "console_dev.h"

struct uart16550 {
	uintptr_t base;
	unsigned shift; /* register stride is 1 << shift bytes */
	uint32_t
	    clock_hz; /* input clock, 0 if the tree does not say; the firmware set the divisor */
};

extern const struct console_dev_ops uart16550_ops;

#endif
