/*
 * The network a `gohv run` gives its Go program (--publish, --net; docs/netproto.md): a second
 * partition running netd owns the virtio-net device on QEMU's user network (restrict=on), the
 * program's partition reaches it over one channel, and each --publish is a QEMU hostfwd from
 * 127.0.0.1 on the host to the guest's port. Without either option the board has no network and
 * the program keeps gort's partition-local loopback.
 */
#ifndef GOHV_TOOLS_GOHV_NET_H
#define GOHV_TOOLS_GOHV_NET_H

#include <stdbool.h>
#include <stdint.h>

#define NET_PUBLISH_MAX 16
#define NETD_PART	"netd"
#define NETD_IMAGE	"netd.cpio"
/* The channel netd serves the program on, as gort finds it (/dev/chan/NAME). */
#define NET_CHANNEL "net"
#define NETD_VCPUS  2 /* one may block reading the device while the other serves */
#define NETD_MEMORY (128UL << 20)
/* The channel window: 2 queues of 128 messages of 4 KiB, so up to 128 messages in flight each
 * way (two sockets' full windows), the header and control pages, one page per queue. */
#define NET_CHAN_QUEUE_SIZE 128
#define NET_CHAN_SIZE	    ((4UL + 2 * NET_CHAN_QUEUE_SIZE) << 12)

struct net_opts {
	bool on; /* --net or any --publish: netd and its device are on the board */
	int n;
	uint16_t host[NET_PUBLISH_MAX], guest[NET_PUBLISH_MAX];
};

/* One --publish value, HOSTPORT:GUESTPORT. 0, or -1 with one line said. */
int net_publish_add(struct net_opts *n, const char *arg);
/* QEMU's hostfwd strings for qemu_cmd_opts.net_forwards: NULL-terminated, malloc'd (free with
 * net_free_forwards); NULL when there are none. */
char **net_forwards(const struct net_opts *n);
void net_free_forwards(char **fwd);
/* The board's parts, with libfdt's sequential writer: netd's partition node (inside
 * /partitions) on CPUs first_cpu.., the channel to client's partition (a whole /channels
 * node), and the device (a child of /devices). 0 or a libfdt error. */
int net_board_partition(void *fdt, unsigned first_cpu);
int net_board_channel(void *fdt, const char *client);
int net_board_device(void *fdt);
/* The board memory netd and its channel take beyond the program's partition. */
uint64_t net_board_memory(void);

#endif
