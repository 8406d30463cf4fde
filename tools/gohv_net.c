#include "tools/gohv_net.h"

#include GOHV_MACHINE_H

#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int say(const char *arg, const char *why)
{
	fprintf(stderr, "gohv: --publish %s: %s\n", arg, why);
	return -1;
}

/* A port: decimal digits only, 1..65535. -1 if not a number, -2 if out of range. */
static long port_of(const char *s, const char *end)
{
	long v = 0;

	if (s == end || end - s > 5)
		return end - s > 5 ? -2 : -1;
	for (const char *p = s; p < end; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		v = v * 10 + (*p - '0');
	}
	return v >= 1 && v <= 65535 ? v : -2;
}

int net_publish_add(struct net_opts *n, const char *arg)
{
	const char *colon = strchr(arg, ':');
	char why[96];
	long h, g;

	if (colon && strchr(colon + 1, ':'))
		return say(arg, "the host side is always 127.0.0.1; give HOSTPORT:GUESTPORT "
				"(like 8080:8080)");
	if (!colon)
		return say(arg, "not HOSTPORT:GUESTPORT (like 8080:8080)");
	h = port_of(arg, colon);
	g = port_of(colon + 1, colon + 1 + strlen(colon + 1));
	if (h == -1 || g == -1)
		return say(arg, "not HOSTPORT:GUESTPORT (like 8080:8080)");
	if (h == -2 || g == -2)
		return say(arg, "a port is 1 to 65535");
	for (int i = 0; i < n->n; i++)
		if (n->host[i] == h) {
			snprintf(why, sizeof(why), "host port %ld is already published (to %u)", h,
				 n->guest[i]);
			return say(arg, why);
		}
	if (n->n == NET_PUBLISH_MAX) {
		snprintf(why, sizeof(why), "more than %d ports published", NET_PUBLISH_MAX);
		return say(arg, why);
	}
	n->host[n->n] = (uint16_t)h;
	n->guest[n->n++] = (uint16_t)g;
	n->on = true;
	return 0;
}

char **net_forwards(const struct net_opts *n)
{
	char **fwd;

	if (!n->n)
		return NULL;
	fwd = calloc((size_t)n->n + 1, sizeof(*fwd));
	if (!fwd)
		goto oom;
	for (int i = 0; i < n->n; i++) {
		char s[64];

		/* 127.0.0.1 on the host only; the guest side is netd's address (slirp's default
		 * guest, 10.0.2.15, when left empty). */
		snprintf(s, sizeof(s), "hostfwd=tcp:127.0.0.1:%u-:%u", n->host[i], n->guest[i]);
		if (!(fwd[i] = strdup(s)))
			goto oom;
	}
	return fwd;
oom:
	fprintf(stderr, "gohv: out of memory\n");
	exit(125);
}

void net_free_forwards(char **fwd)
{
	for (size_t i = 0; fwd && fwd[i]; i++)
		free(fwd[i]);
	free(fwd);
}

#define TRY(x)                                                                                     \
	do {                                                                                       \
		int e__ = (x);                                                                     \
		if (e__)                                                                           \
			return e__;                                                                \
	} while (0)

int net_board_partition(void *fdt, unsigned first_cpu)
{
	fdt32_t cpus[NETD_VCPUS];

	for (unsigned i = 0; i < NETD_VCPUS; i++)
		cpus[i] = cpu_to_fdt32(first_cpu + i);
	TRY(fdt_begin_node(fdt, NETD_PART));
	TRY(fdt_property(fdt, "cpus", cpus, sizeof(cpus)));
	TRY(fdt_property_u64(fdt, "memory-size", NETD_MEMORY));
	TRY(fdt_property_string(fdt, "image", "gort.elf"));
	TRY(fdt_property_string(fdt, "initrd", NETD_IMAGE));
	/* netd is a service: whatever ends it (a device error, a fault), it comes back and the
	 * program's sockets see their channel reset (docs/netproto.md, Sessions and restarts). */
	TRY(fdt_property_string(fdt, "restart", "always"));
	return fdt_end_node(fdt);
}

int net_board_channel(void *fdt, const char *client)
{
	TRY(fdt_begin_node(fdt, "channels"));
	TRY(fdt_begin_node(fdt, NET_CHANNEL));
	TRY(fdt_property_string(fdt, "driver", client));
	TRY(fdt_property_string(fdt, "device", NETD_PART));
	TRY(fdt_property_u64(fdt, "address", MACHINE_CHAN_AREA_BASE));
	TRY(fdt_property_u64(fdt, "size", NET_CHAN_SIZE));
	TRY(fdt_property_u32(fdt, "queues", 2));
	TRY(fdt_property_u32(fdt, "queue-size", NET_CHAN_QUEUE_SIZE));
	TRY(fdt_end_node(fdt));
	return fdt_end_node(fdt);
}

int net_board_device(void *fdt)
{
	TRY(fdt_begin_node(fdt, "net0"));
	TRY(fdt_property_string(fdt, "compatible", "virtio,mmio"));
	TRY(fdt_property_u32(fdt, "virtio-device-id", 1));
	TRY(fdt_property_string(fdt, "owner", NETD_PART));
	return fdt_end_node(fdt);
}

uint64_t net_board_memory(void)
{
	return NETD_MEMORY + NET_CHAN_SIZE;
}
