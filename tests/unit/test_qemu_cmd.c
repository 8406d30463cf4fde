/* The QEMU command line of tools/qemu_cmd.c: what each option adds, what wins over what. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tools/qemu_cmd.h"

#include GOHV_MACHINE_H

/* The machine's own part of every command line, before the size and the image. */
#define HEAD MACHINE_QEMU " -M " MACHINE_TYPE " -global " MACHINE_GLOBAL " -cpu " MACHINE_CPU
#define PIPE " -display none -monitor none -serial stdio -no-reboot"

static char args_path[64];

static void setup(void)
{
	unsetenv("GOHV_QEMU");
	unsetenv("GOHV_OPENSBI");
	strcpy(args_path, "/tmp/gohv-qemu-cmd-XXXXXX");
	int fd = mkstemp(args_path);
	cr_assert_geq(fd, 0);
	close(fd);
}

static void teardown(void)
{
	unlink(args_path);
}

TestSuite(qemu_cmd, .init = setup, .fini = teardown);

static void write_args(const char *text)
{
	FILE *f = fopen(args_path, "w");

	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
}

/* The command line as one string, words joined by single spaces. */
static const char *line_of(const struct qemu_cmd_opts *o)
{
	static char line[2048];
	struct qemu_cmd c;
	char err[256];
	size_t n = 0;

	cr_assert_eq(qemu_cmd_build(o, &c, err, sizeof(err)), 0, "%s", err);
	line[0] = 0;
	for (int i = 0; i < c.argc; i++)
		n += (size_t)snprintf(line + n, sizeof(line) - n, "%s%s", i ? " " : "", c.argv[i]);
	cr_assert_null(c.argv[c.argc]);
	qemu_cmd_free(&c);
	return line;
}

Test(qemu_cmd, defaults_come_from_the_machine)
{
	struct qemu_cmd_opts o = {.kernel = "img"};

	cr_assert_str_eq(line_of(&o),
			 HEAD " -m " MACHINE_MEMORY " -bios " MACHINE_FIRMWARE " -kernel img" PIPE);
}

Test(qemu_cmd, qemu_args_file_fills_what_the_caller_left_open)
{
	struct qemu_cmd_opts o = {.kernel = "img", .qemu_args = args_path};

	write_args("-smp 3 -m 128M\n");
	cr_assert_str_eq(line_of(&o),
			 HEAD " -smp 3 -m 128M -bios " MACHINE_FIRMWARE " -kernel img" PIPE);
	o.smp = "2";
	o.cpu = "rv64,h=true,sstc=false";
	cr_assert_str_eq(line_of(&o), MACHINE_QEMU
			 " -M " MACHINE_TYPE " -global " MACHINE_GLOBAL
			 " -cpu rv64,h=true,sstc=false -smp 2 -m 128M -bios " MACHINE_FIRMWARE
			 " -kernel img" PIPE);
}

Test(qemu_cmd, unknown_words_pass_through_before_the_extra_arguments)
{
	static const char *const extra[] = {"-seed", "1", NULL};
	struct qemu_cmd_opts o = {
	    .kernel = "img", .qemu_args = args_path, .icount = true, .extra = extra};

	write_args("-smp 2 -global x.y=z -m 64M");
	cr_assert_str_eq(line_of(&o), HEAD " -smp 2 -m 64M -bios " MACHINE_FIRMWARE
					   " -kernel img" PIPE " -icount " MACHINE_ICOUNT
					   " -rtc " MACHINE_ICOUNT_RTC " -global x.y=z -seed 1");
}

/* The network rule: QEMU's user network with restrict=on, and a device the hv can pass through. */
Test(qemu_cmd, user_net_adds_a_restricted_user_network_and_its_device)
{
	static const char *const extra[] = {"-seed", "1", NULL};
	struct qemu_cmd_opts o = {.kernel = "img", .user_net = true, .extra = extra};

	cr_assert_str_eq(line_of(&o), HEAD " -m " MACHINE_MEMORY " -bios " MACHINE_FIRMWARE
					   " -kernel img" PIPE " -netdev user,id=net0,restrict=on"
					   " -device " MACHINE_NET_DEVICE ",netdev=net0 -seed 1");
}

/* Forwards (hostfwd/guestfwd) go on the one -netdev, in order; without user_net, nowhere. */
Test(qemu_cmd, net_forwards_are_options_of_the_user_netdev)
{
	static const char *const fw[] = {"hostfwd=tcp:127.0.0.1:8080-:80",
					 "guestfwd=tcp:10.0.2.100:1234-tcp:127.0.0.1:5555", NULL};
	struct qemu_cmd_opts o = {.kernel = "img", .user_net = true, .net_forwards = fw};

	cr_assert_str_eq(line_of(&o), HEAD " -m " MACHINE_MEMORY " -bios " MACHINE_FIRMWARE
					   " -kernel img" PIPE " -netdev user,id=net0,restrict=on,"
					   "hostfwd=tcp:127.0.0.1:8080-:80,"
					   "guestfwd=tcp:10.0.2.100:1234-tcp:127.0.0.1:5555"
					   " -device " MACHINE_NET_DEVICE ",netdev=net0");
	o.user_net = false;
	cr_assert_str_eq(line_of(&o),
			 HEAD " -m " MACHINE_MEMORY " -bios " MACHINE_FIRMWARE " -kernel img" PIPE);
}

Test(qemu_cmd, terminal_has_the_monitor_and_reboots)
{
	struct qemu_cmd_opts o = {.kernel = "img", .smp = "4", .memory = "1G", .terminal = true};

	cr_assert_str_eq(line_of(&o),
			 HEAD " -smp 4 -m 1G -bios " MACHINE_FIRMWARE " -kernel img -nographic");
}

Test(qemu_cmd, environment_overrides_the_machine_and_options_override_both)
{
	struct qemu_cmd_opts o = {.kernel = "img", .memory = "1G"};

	setenv("GOHV_QEMU", "/opt/qemu", 1);
	setenv("GOHV_OPENSBI", "/opt/fw.bin", 1);
	cr_assert_str_eq(line_of(&o),
			 "/opt/qemu -M " MACHINE_TYPE " -global " MACHINE_GLOBAL
			 " -cpu " MACHINE_CPU " -m 1G -bios /opt/fw.bin -kernel img" PIPE);
	o.qemu = "my-qemu";
	o.firmware = "fw";
	cr_assert_str_eq(line_of(&o), "my-qemu -M " MACHINE_TYPE " -global " MACHINE_GLOBAL
				      " -cpu " MACHINE_CPU " -m 1G -bios fw -kernel img" PIPE);
}

Test(qemu_cmd, a_bad_qemu_args_file_is_an_error_naming_it)
{
	struct qemu_cmd_opts o = {.kernel = "img", .qemu_args = args_path};
	struct qemu_cmd c;
	char err[256];

	write_args("-smp 2 -m");
	cr_assert_eq(qemu_cmd_build(&o, &c, err, sizeof(err)), -1);
	cr_assert(strstr(err, args_path) && strstr(err, "without its value"), "%s", err);
	unlink(args_path);
	cr_assert_eq(qemu_cmd_build(&o, &c, err, sizeof(err)), -1);
	cr_assert(strstr(err, args_path) && strstr(err, "No such file"), "%s", err);
}
