/*
 * The QEMU command line for booting a packed gohv image, built from the port's machine
 * description (arch/$(ARCH)/machine.h). Every host tool that starts a QEMU (`make run` through
 * `gohv qemu`, `gohv run`, the integration-test harness, the bench) gets its command line here,
 * so the binary, machine, cpu model, firmware and icount flags are written down once.
 */
#ifndef GOHV_TOOLS_QEMU_CMD_H
#define GOHV_TOOLS_QEMU_CMD_H

#include <stdbool.h>
#include <stddef.h>

struct qemu_cmd_opts {
	const char *kernel;    /* the packed image (-kernel); required */
	const char *qemu;      /* NULL: $GOHV_QEMU, else the machine's */
	const char *firmware;  /* NULL: $GOHV_OPENSBI, else the machine's */
	const char *machine;   /* NULL: the machine's type (MACHINE_TYPE) */
	const char *cpu;       /* NULL: the machine's model */
	const char *smp;       /* NULL: the qemu-args file's, else QEMU's default */
	const char *memory;    /* NULL: the qemu-args file's, else the machine's default */
	const char *qemu_args; /* NULL, or the packer's --qemu-args file: "-smp N -m SIZE" */
	bool icount;	       /* virtual time counted in instructions: repeatable timings */
	bool terminal;	       /* interactive: UART and monitor on the terminal (Ctrl-A X quits),
				  and a guest reset reboots; else the UART alone on stdio, for a
				  program to read, and a reset ends QEMU */
	/* A network device (MACHINE_NET_DEVICE) on QEMU's user network with restrict=on: the
	 * guest reaches QEMU's own slirp (10.0.2.2, 10.0.2.3) and nothing beyond it. The only
	 * place gohv's QEMU network options are written (qemu_cmd_user_net). */
	bool user_net;
	/* With user_net: more options of that -netdev (NULL-terminated), each appended after a
	 * comma as it is, e.g. "hostfwd=tcp:127.0.0.1:8080-:8080" or
	 * "guestfwd=tcp:10.0.2.100:80-tcp:127.0.0.1:8081"; callers bind them to 127.0.0.1. */
	const char *const *net_forwards;
	const char *const *extra; /* more QEMU arguments (NULL-terminated), last */
};

struct qemu_cmd {
	char **argv; /* NULL-terminated: for qemu_run() or execvp() */
	int argc;
	char *args_text; /* the qemu-args file's text, which some of argv points into */
	char *netdev;	 /* the -netdev value when it has net_forwards */
};

/* Fills c from o. Returns 0, or -1 with a one-line reason in err (a missing or malformed
 * qemu-args file); c then needs no qemu_cmd_free. */
int qemu_cmd_build(const struct qemu_cmd_opts *o, struct qemu_cmd *c, char *err, size_t errlen);
void qemu_cmd_free(struct qemu_cmd *c);

/* The icount flags as the command line has them, for reports that say how they were measured. */
extern const char qemu_cmd_icount[];
/* What user_net adds: -netdev's and -device's values. */
extern const char qemu_cmd_user_netdev[], qemu_cmd_net_device[];

#endif
