/*
 * The backlog of QEMU's hostfwd listeners. QEMU 7.2's user network (libslirp 4.7) listens on
 * each forwarded host port with a backlog of 1. Linux answers a burst of connects to such a
 * listener with SYN cookies and drops the last ACK of each handshake that finds the queue full:
 * the client believes it is connected, and the connection never reaches the guest (50 connects
 * at once: a few never answered, with no frame of theirs on the guest's network). The socket
 * is QEMU's; listening again on a copy of its descriptor gives it a real backlog, for QEMU too.
 */
#ifndef GOHV_TOOLS_HOSTFWD_BACKLOG_H
#define GOHV_TOOLS_HOSTFWD_BACKLOG_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Gives process qemu's TCP listener on 127.0.0.1:port the system's backlog (SOMAXCONN). 0, or -1
 * with why it could not (the listener not found, or the kernel refused the copy). */
int hostfwd_widen(pid_t qemu, uint16_t port, char *why, size_t whylen);

#endif
