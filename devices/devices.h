/*
 * The drivers the hv has for its own devices, one table per class, chosen by a node's compatible
 * property. The core keeps what it found as a driver (its ops) and the driver's state, and never
 * names a device: a new machine needs a driver here, not a change to the core.
 */
#ifndef GOHV_DEVICES_H
#define GOHV_DEVICES_H

#include "console_dev.h"
#include "goldfish_rtc.h"
#include "intc_dev.h"
#include "plic.h"
#include "rtc_dev.h"
#include "uart16550.h"

/* Room for the state of whichever driver is chosen. */
union dev_state {
	struct uart16550 uart16550;
	struct plic plic;
	struct goldfish_rtc goldfish_rtc;
};

/* A device found in the machine's device tree: ops is NULL if there was none. */
struct console_dev {
	const struct console_dev_ops *ops;
	union dev_state state;
};

struct intc_dev {
	const struct intc_dev_ops *ops;
	union dev_state state;
};

struct rtc_dev {
	const struct rtc_dev_ops *ops;
	union dev_state state;
};

/* The driver of that class for a node whose compatible property is compat (len bytes, a string
 * list), or NULL. */
const struct console_dev_ops *console_dev_match(const char *compat, int len);
const struct intc_dev_ops *intc_dev_match(const char *compat, int len);
const struct rtc_dev_ops *rtc_dev_match(const char *compat, int len);
/* A node the hv can pass through to a partition (a virtio-mmio slot): no driver of the hv's own,
 * the core's passthrough (hv/passthru.h) drives it on the owner's behalf. */
bool devices_passthru_match(const char *compat, int len);

#endif
