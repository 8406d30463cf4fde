/* A console driver: the UART the hv prints its own lines and every partition's on, polled. */
#ifndef GOHV_CONSOLE_DEV_H
#define GOHV_CONSOLE_DEV_H

#include <stddef.h>

#include "dt.h"

struct console_dev_ops {
	const char *const *compatible; /* NULL-terminated */
	/* Reads the node's settings into dev, touching no hardware (the unit tests run it):
	 * 0, or -1 if the node cannot be driven. */
	int (*probe)(void *dev, const struct dt_node *n);
	/* Readies the device for output, keeping what the firmware set (baud rate). */
	void (*init)(void *dev);
	/* Writes n bytes, '\n' as "\r\n"; returns when the device has taken them. */
	void (*write)(void *dev, const char *s, size_t n);
};

#endif
