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

static int uart_probe(void *dev, const struct dt_node *n)
{
	struct uart16550 *u = dev;
	uint64_t base, size;

	if (dt_reg(n, 0, &base, &size))
		return -1;
	u->base = base;
	u->shift = dt_u32(n, "reg-shift", 0);
	u->clock_hz = dt_u32(n, "clock-frequency", 0);
	/* Registers are at most 8 bytes apart on any real part; a wild shift would aim the hv's
	 * writes anywhere. */
	return u->shift <= 3 ? 0 : -1;
}

static void uart_init(void *dev)
{
	struct uart16550 *u = dev;

	/* The firmware already set the baud rate; keep it, but no interrupts and FIFOs on. */
	wr(u, REG_IER, 0);
	wr(u, REG_FCR, 0x07);
	wr(u, REG_LCR, 0x03);
}

static void uart_write(void *dev, const char *s, size_t n)
{
	struct uart16550 *u = dev;

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

static const char *const compatible[] = {"ns16550a", NULL};

const struct console_dev_ops uart16550_ops = {
    .compatible = compatible,
    .probe = uart_probe,
    .init = uart_init,
    .write = uart_write,
};
