#define _GNU_SOURCE

#include "tools/hostfwd_backlog.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#define TCP_LISTEN 0x0A /* /proc/net/tcp's st of a listening socket */

/* The inode of qemu's listening socket on 127.0.0.1:port (in its network namespace's table), 0
 * if there is none. */
static unsigned long listener_inode(pid_t qemu, uint16_t port)
{
	static const uint8_t loopback[4] = {127, 0, 0, 1};
	char path[64], line[512], want[32];
	unsigned long inode = 0;
	uint32_t a;

	/* The table prints the address's four bytes as one host-order word. */
	memcpy(&a, loopback, sizeof(a));
	snprintf(want, sizeof(want), "%08X:%04X", a, port);
	snprintf(path, sizeof(path), "/proc/%d/net/tcp", (int)qemu);
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	while (!inode && fgets(line, sizeof(line), f)) {
		char local[32];
		unsigned st;
		unsigned long ino;
		if (sscanf(line, " %*d: %31s %*s %x %*s %*s %*s %*s %*s %lu", local, &st, &ino) ==
			3 &&
		    !strcmp(local, want) && st == TCP_LISTEN)
			inode = ino;
	}
	fclose(f);
	return inode;
}

/* qemu's descriptor for socket inode, -1 if it has none. */
static int descriptor_of(pid_t qemu, unsigned long inode)
{
	char path[64], link[64], want[48];
	int fd = -1;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)qemu);
	snprintf(want, sizeof(want), "socket:[%lu]", inode);
	DIR *d = opendir(path);
	if (!d)
		return -1;
	for (struct dirent *e; fd < 0 && (e = readdir(d));) {
		char at[sizeof(path) + 256];
		snprintf(at, sizeof(at), "%s/%s", path, e->d_name);
		ssize_t n = readlink(at, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = 0;
		if (!strcmp(link, want))
			fd = atoi(e->d_name);
	}
	closedir(d);
	return fd;
}

int hostfwd_widen(pid_t qemu, uint16_t port, char *why, size_t whylen)
{
	unsigned long inode = listener_inode(qemu, port);
	int theirs = inode ? descriptor_of(qemu, inode) : -1;

	if (theirs < 0) {
		snprintf(why, whylen, "QEMU has no listener on 127.0.0.1:%u", port);
		return -1;
	}
	int pidfd = (int)syscall(SYS_pidfd_open, qemu, 0);
	int fd = pidfd < 0 ? -1 : (int)syscall(SYS_pidfd_getfd, pidfd, theirs, 0);
	int r = fd < 0 ? -1 : listen(fd, SOMAXCONN);

	if (r)
		snprintf(why, whylen, "%s: %s",
			 pidfd < 0 ? "pidfd_open"
			 : fd < 0  ? "pidfd_getfd"
				   : "listen",
			 strerror(errno));
	if (fd >= 0)
		close(fd);
	if (pidfd >= 0)
		close(pidfd);
	return r ? -1 : 0;
}
