/* Devices passed through to a partition (docs/passthrough.md), end to end with QEMU's virtio
 * devices: the owner drives one through the shadow queues (tests/guests/t_virtio.c), a partition
 * that does not own it faults on its page, forged chains are refused without the device touching
 * them, and a device the machine lacks (or has in the legacy version) refuses its owner. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"

static const char *const rng_device[] = {"-device", "virtio-rng-device", NULL};

Test(passthru, the_owner_reads_entropy_from_the_device_and_a_non_owner_faults, .timeout = 120)
{
	struct boot_opts o = {.qemu_extra = rng_device};
	char line[512];
	struct run r;

	boot_board("it-virtio-rng", &o, &r);
	cr_assert(r.exited, "both partitions end and the hv powers off");
	assert_lacks(&r, "VIRTIO FAIL");
	assert_has(&r, "gohv: device rng0 (virtio id 4) at 0x10008000 irq 8: partition virt's, "
		       "1 queue(s)\n");
	/* Each read came back from the device through the used ring, with fresh bytes. */
	for (int run = 0; run < 2; run++) {
		for (int i = 0; i < 4; i++) {
			char needle[32];

			snprintf(needle, sizeof(needle), "[virt] VIRTIO rng %d len=64 ", i);
			cr_assert_eq(run_count(&r, needle), 2, "read %d in both runs", i);
		}
	}
	cr_assert(run_line(&r, "[virt] VIRTIO rng 0 len=64 ", line, sizeof(line)));
	cr_assert_null(strstr(line, "00000000000000000000000000000000"), "%s", line);
	/* One interrupt per request: claimed by the hv, raised in vCPU 0, acknowledged by it. */
	assert_has(&r, "[virt] VIRTIO rng ok irqs=4 restarts=0\n");
	/* A restart finds the device reset, though the first run left a request on it. */
	assert_has(&r, "[virt] VIRTIO exits with a request posted\n");
	assert_has(&r, "gohv: partition virt restarting (policy on-failure, restart 1)");
	assert_has(&r, "[virt] VIRTIO rng ok irqs=4 restarts=1\n");
	assert_has(&r, "gohv: partition virt exited with code 0\n");
	/* Mapped in nobody's stage-2: the page is the owner's emulated one only. */
	assert_has(&r, "gohv: fault: partition peek vcpu 0: load outside partition memory at pc ");
	assert_has(&r, " addr 0x10008000\n");
	assert_lacks(&r, "ATTACKER READ SUCCEEDED");
	run_free(&r);
}

Test(passthru, vcpu_0_takes_the_interrupt_on_a_shared_cpu_while_vcpu_1_drives_the_queue,
     .timeout = 150)
{
	/* The spinner's 100 ms are 10^8 counted instructions: slow on a loaded host. */
	static const char *const until[] = {"gohv: partition virt exited with code 0\n",
					    "gohv: partition spin exited with code 0\n", NULL};
	struct boot_opts o = {.qemu_extra = rng_device, .timeout_s = 120, .until = until};
	struct run r;

	boot_board("it-virtio-smp", &o, &r);
	assert_lacks(&r, "VIRTIO FAIL");
	/* Notifies from CPU 2, interrupts on CPU 1, which a spinner shares with vCPU 0. */
	for (int i = 0; i < 6; i++) {
		char needle[32];

		snprintf(needle, sizeof(needle), "[virt] VIRTIO rng %d len=64 ", i);
		assert_has(&r, needle);
	}
	assert_has(&r, "[virt] VIRTIO rng from vcpu 1 ok irqs on vcpu 0=6\n");
	assert_has(&r, "gohv: partition virt exited with code 0\n");
	assert_has(&r, "gohv: partition spin exited with code 0\n");
	run_free(&r);
}

Test(passthru, the_owner_sends_a_frame_and_receives_the_reply_through_a_network_device,
     .timeout = 120)
{
	/* QEMU's user network, which only the test's QEMU sees: restrict=on keeps every frame
	 * inside. */
	struct boot_opts o = {.user_net = true};
	struct run r;

	boot_board("it-virtio-net", &o, &r);
	cr_assert(r.exited);
	assert_lacks(&r, "VIRTIO FAIL");
	assert_has(&r, "gohv: device net0 (virtio id 1) at 0x10008000 irq 8: partition netd's");
	/* The configuration space (the MAC) is the device's own, read through the page. */
	assert_has(&r, "[netd] VIRTIO net mac 52:54:00:12:34:56\n");
	/* Transmit: the device read the frame from the owner's RAM; receive: it wrote the reply
	 * there, as the user network's gateway answers. */
	assert_has(&r, "[netd] VIRTIO net sent arp who-has 10.0.2.2\n");
	assert_has(&r, "[netd] VIRTIO net arp reply: 10.0.2.2 is at 52:55:0a:00:02:02 (len 76)\n");
	assert_has(&r, "gohv: partition netd exited with code 0\n");
	run_free(&r);
}

Test(passthru, forged_chains_are_refused_and_the_device_never_touches_them, .timeout = 120)
{
	static const char *const kinds[][2] = {
	    {"other", "buffer outside the partition's RAM (index 0, 0x81"},
	    {"below", "buffer outside the partition's RAM (index 0, 0x7ffff800+0x1000)"},
	    {"end", "buffer outside the partition's RAM (index 0, 0x80fff800+0x1000)"},
	    {"wrap", "buffer outside the partition's RAM (index 0, 0xfffffffffffff000+0x2000)"},
	    {"huge", "buffer outside the partition's RAM (index 0, 0x80"},
	    {"loop", "chain loops (index 0"},
	    {"index", "descriptor index past the queue size (index 11"},
	    {"next", "descriptor index past the queue size (index 13"},
	    {"indirect", "indirect descriptor (not offered)"},
	    {"ahead", "available index runs more than the queue size ahead (index 9"},
	    {"ring", "used ring outside the partition's RAM"},
	};
	struct boot_opts o = {.qemu_extra = rng_device};
	char needle[160];
	struct run r;

	boot_board("it-virtio-forge", &o, &r);
	cr_assert(r.exited);
	assert_lacks(&r, "VIRTIO FAIL");
	/* The canary the first forgery aims at is one RAM past the forger's: the victim's. */
	assert_has(&r, "partition forger: 1 vcpu(s) on cpu 1, 16 MiB at 0x80400000");
	assert_has(&r, "partition victim: 1 vcpu(s) on cpu 2, 16 MiB at 0x81400000");
	for (unsigned k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		snprintf(needle, sizeof(needle),
			 "gohv: device rng0 of partition forger: queue 0: %s", kinds[k][1]);
		assert_has(&r, needle);
		/* The owner saw NEEDS_RESET and a configuration interrupt, the device used nothing
		 * and wrote nothing in its RAM (t_virtio checks each). */
		snprintf(needle, sizeof(needle), "[forger] VIRTIO forge %s refused\n", kinds[k][0]);
		assert_has(&r, needle);
	}
	cr_assert_eq(run_count(&r, "refused, the device needs a reset\n"), 11,
		     "one line per forgery, none for the notify of a broken device");
	assert_has(&r, "[forger] VIRTIO forge done: the device works again\n");
	assert_has(&r, "[victim] VIRTIO canary intact\n");
	assert_has(&r, "gohv: partition forger exited with code 0\n");
	assert_has(&r, "gohv: partition victim exited with code 0\n");
	run_free(&r);
}

/* The rule (boards/README.md): the owner is refused, with one line, and the rest run. */
static void refused(const char *const *extra, bool user_net, const char *why)
{
	struct boot_opts o = {.qemu_extra = extra, .user_net = user_net};
	char needle[200];
	struct run r;

	boot_board("it-virtio-rng", &o, &r);
	cr_assert(r.exited);
	snprintf(needle, sizeof(needle), "gohv: partition virt refused: device rng0: %s\n", why);
	assert_has(&r, needle);
	cr_assert_eq(run_count(&r, "refused"), 1);
	assert_lacks(&r, "[virt]");
	assert_has(&r, "gohv: partition peek exited with code 255 (fault)\n");
	run_free(&r);
}

Test(passthru, a_missing_device_refuses_its_owner, .timeout = 120)
{
	refused(NULL, false, "no free virtio-mmio device with id 4 (the machine has: none)");
}

Test(passthru, another_device_in_its_place_refuses_its_owner, .timeout = 120)
{
	refused(NULL, true, "no free virtio-mmio device with id 4 (the machine has: 1)");
}

Test(passthru, a_legacy_device_refuses_its_owner, .timeout = 120)
{
	static const char *const legacy[] = {"-device", "virtio-rng-device", "-global",
					     "virtio-mmio.force-legacy=true", NULL};

	refused(legacy, false,
		"the one at 0x10008000 is virtio-mmio version 1 (the hv drives version 2 "
		"only)");
}
