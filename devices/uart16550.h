/* NS16550A-compatible UART, polled, output only: the hv console. */
#ifndef GOHV_UART16550_H
#define GOHV_UART16550_H

#include <stddef.h>
#include <stdint.h>

struct uart16550 {
	uintptr_t base;
	unsigned shift; /* register stride is 1 << shift bytes */
};

void uart16550_init(struct uart16550 *u, uintptr_t base, unsigned shift);
void uart16550_write(struct uart16550 *u, const char *s, size_t n);

#endif
