#include "uart16550.h"

#define REG_THR	 0
#define REG_IER	 1
#define REG_FCR	 2
#define REG_LCR	 3
#define REG_LSR	 5
#define LSR_THRE 0x20

static void wr(struct uart16550 *u, unsigned reg, uint8_t v)
{
	*(volatile uint8_t *)(u->base + (reg << u->shift)) = v;
}

static uint8_t rd(struct uart16550 *u, unsigned reg)
{
	return *(volatile uint8_t *)(u->base + (reg << u->shift));
}

void uart16550_init(struct uart16550 *u, uintptr_t base, unsigned shift)
{
	u->base = base;
	u->shift = shift;
	/* The firmware already set the baud rate; keep it, but no interrupts and FIFOs on. */
	wr(u, REG_IER, 0);
	wr(u, REG_FCR, 0x07);
	wr(u, REG_LCR, 0x03);
}

void uart16550_write(struct uart16550 *u, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n') {
			while (!(rd(u, REG_LSR) & LSR_THRE))
				;
			wr(u, REG_THR, '\r');
		}
		while (!(rd(u, REG_LSR) & LSR_THRE))
			;
		wr(u, REG_THR, (uint8_t)s[i]);
	}
}
