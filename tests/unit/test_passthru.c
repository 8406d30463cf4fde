/*
 * A passed-through device on the host port (hv/passthru.c, hv/passthru_boot.c): the board of
 * board.h with a fake virtio-mmio register page mapped at the slot's address (the host port's
 * physical addresses are pointers), a fake interrupt controller, and the owner's accesses served
 * through mmio_dispatch as the port would. The "device" is this test: it reads what the hv wrote
 * to its registers and real rings and writes its used ring and interrupt status.
 */
#include <criterion/criterion.h>
#include <string.h>
#include <sys/mman.h>

#include "arch/host/host.h"
#include "board.h"
#include "chan/virtio_mmio.h"
#include "hv/hv.h"

#define SLOT 0x10008000UL
#define IRQ  8
#define RAM  GUEST_RAM_BASE
/* Where the owner keeps queue 0 and a buffer, in its RAM. */
#define DESC  (RAM + 0x10000)
#define AVAIL (RAM + 0x11000)
#define USED  (RAM + 0x12000)
#define BUF   (RAM + 0x20000)

static volatile uint32_t *page; /* the real device's registers */
static struct device_config dcfg = {.name = "rng0", .owner = 0, .virtio_id = VIRTIO_ID_RNG};
static struct passthru devs[1];
static struct {
	unsigned routed, claims, completed;
	unsigned long hwid;
	unsigned pending;
} ic;

static int fake_route(void *dev, unsigned long hwid, unsigned source, bool on)
{
	ic.routed = on ? source : 0;
	ic.hwid = hwid;
	return 0;
}

static unsigned fake_claim(void *dev, unsigned long hwid)
{
	unsigned s = ic.pending;

	ic.claims++;
	ic.pending = 0;
	return s;
}

static void fake_complete(void *dev, unsigned long hwid, unsigned source)
{
	ic.completed = source;
}

static const struct intc_dev_ops fake_intc = {
    .route = fake_route, .claim = fake_claim, .complete = fake_complete};

static uint32_t reg(unsigned off)
{
	return page[off / 4];
}

/* A version 2 entropy device, as QEMU has it (the fake's registers are plain memory, so a
 * selector changes nothing: both feature words read the same). */
static void fake_device(uint32_t id, uint32_t version)
{
	memset((void *)page, 0, 4096);
	page[VIRTIO_MMIO_MAGIC_VALUE / 4] = VIRTIO_MMIO_MAGIC;
	page[VIRTIO_MMIO_VERSION / 4] = version;
	page[VIRTIO_MMIO_DEVICE_ID / 4] = id;
	page[VIRTIO_MMIO_VENDOR_ID / 4] = 0x554d4551;
	/* Bit 0 (the device's), indirect descriptors and event indexes; as the high word, bit 0
	 * is VERSION_1. */
	page[VIRTIO_MMIO_DEVICE_FEATURES / 4] =
	    1u | 1u << VIRTIO_F_INDIRECT_DESC | 1u << VIRTIO_F_EVENT_IDX;
	page[VIRTIO_MMIO_QUEUE_NUM_MAX / 4] = 256;
}

static void board(uint32_t id, uint32_t version)
{
	void *p = mmap((void *)SLOT, 4096, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

	cr_assert_eq(p, (void *)SLOT, "cannot map the fake device page");
	page = p;
	fake_device(id, version);
	memset(&ic, 0, sizeof(ic));
	tb_setup(2);
	memset(devs, 0, sizeof(devs)); /* as hv_main hands them over */
	hv.plat.slots[0] = (struct platform_slot){SLOT, 0x1000, IRQ};
	hv.plat.nslots = 1;
	hv.plat.intc.ops = &fake_intc;
	hv.config.devices = &dcfg;
	hv.config.ndevices = 1;
	hv.devices = devs;
	hv.ndevices = 1;
	tb_create();
}

static void setup(void)
{
	board(VIRTIO_ID_RNG, 2);
}

static void teardown(void)
{
	munmap((void *)page, 4096);
}

static struct vcpu *v0(void)
{
	return &tb_part(0)->vcpus[0];
}

static uint64_t rd(unsigned off)
{
	struct mmio_access a = {.gpa = SLOT + off, .width = 4};

	cr_assert_eq(mmio_dispatch(v0(), &a), EXIT_RESUME, "read 0x%x refused: %s", off, tb_out);
	return a.value;
}

static void wr(unsigned off, uint32_t v)
{
	struct mmio_access a = {.gpa = SLOT + off, .width = 4, .write = true, .value = v};

	cr_assert_eq(mmio_dispatch(v0(), &a), EXIT_RESUME, "write 0x%x refused: %s", off, tb_out);
}

static void *ram(uint64_t gpa)
{
	return guest_ram_touch(tb_part(0), gpa, 1);
}

/* The owner's driver up to DRIVER_OK with queue 0 of 8 at DESC, AVAIL, USED. */
static void start(void)
{
	wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	wr(VIRTIO_MMIO_DRIVER_FEAT_SEL, 1);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, 1);
	wr(VIRTIO_MMIO_STATUS,
	   VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
	wr(VIRTIO_MMIO_QUEUE_SEL, 0);
	wr(VIRTIO_MMIO_QUEUE_NUM, 8);
	wr(VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)DESC);
	wr(VIRTIO_MMIO_QUEUE_DESC_HIGH, (uint32_t)(DESC >> 32));
	wr(VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uint32_t)AVAIL);
	wr(VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint32_t)USED);
	wr(VIRTIO_MMIO_QUEUE_READY, 1);
	wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
				   VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK);
}

/* The owner makes a one-descriptor chain at index 0 available and notifies. */
static void post(uint64_t addr, uint32_t len)
{
	struct virtq_desc *d = ram(DESC);
	struct virtq_avail *a = ram(AVAIL);

	d[0] = (struct virtq_desc){addr, len, VIRTQ_DESC_F_WRITE, 0};
	a->ring[a->idx % 8] = 0;
	a->idx++;
	page[VIRTIO_MMIO_QUEUE_NOTIFY / 4] = 0xffffffff;
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
}

TestSuite(passthru, .init = setup, .fini = teardown);

Test(passthru, the_device_is_bound_to_its_owner_only)
{
	cr_assert(strstr(tb_out, "gohv: device rng0 (virtio id 4) at 0x10008000 irq 8: partition "
				 "p0's, 3 queue(s)\n"),
		  "%s", tb_out);
	cr_assert_eq(tb_part(0)->state, PART_STOPPED);
	cr_assert_not_null(mmio_find(tb_part(0), SLOT));
	cr_assert_null(mmio_find(tb_part(1), SLOT), "the other partition has no such page");
	cr_assert_eq(tb_part(0)->dev_virqs, VIRQ_BIT(VIRQ_DEVICE0));
	/* Routed on the owner's CPU once it is up, to that CPU only. */
	passthru_cpu_up(&hv.cpus[1]);
	cr_assert_eq(ic.routed, 0);
	passthru_cpu_up(&hv.cpus[0]);
	cr_assert_eq(ic.routed, IRQ);
	cr_assert_eq(ic.hwid, 0);
	cr_assert_eq(hv.cpus[0].dev_irqs, 1);
}

Test(passthru, the_owner_sees_version_2_and_only_the_features_the_shadow_queues_do)
{
	cr_assert_eq(rd(VIRTIO_MMIO_MAGIC_VALUE), VIRTIO_MMIO_MAGIC);
	cr_assert_eq(rd(VIRTIO_MMIO_VERSION), 2);
	cr_assert_eq(rd(VIRTIO_MMIO_DEVICE_ID), VIRTIO_ID_RNG);
	wr(VIRTIO_MMIO_DEVICE_FEAT_SEL, 0);
	cr_assert_eq(rd(VIRTIO_MMIO_DEVICE_FEATURES), 1, "no indirect descriptors, no event idx");
	wr(VIRTIO_MMIO_DEVICE_FEAT_SEL, 1);
	cr_assert_eq(rd(VIRTIO_MMIO_DEVICE_FEATURES), 1, "VERSION_1 only");
	cr_assert_eq(rd(VIRTIO_MMIO_QUEUE_NUM_MAX), VQS_MAX, "the device's 256, capped");
	wr(VIRTIO_MMIO_QUEUE_SEL, PASSTHRU_MAX_QUEUES);
	cr_assert_eq(rd(VIRTIO_MMIO_QUEUE_NUM_MAX), 0);
	/* What the owner asks beyond the offer never reaches the device. */
	wr(VIRTIO_MMIO_DRIVER_FEAT_SEL, 0);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, 1u | 1u << VIRTIO_F_INDIRECT_DESC);
	wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_FEATURES_OK);
	cr_assert_eq(reg(VIRTIO_MMIO_DRIVER_FEATURES), 0, "the high word, written last: none");
	/* A register the page does not have is a fault. */
	struct mmio_access a = {.gpa = SLOT + VIRTIO_MMIO_MAGIC_VALUE, .width = 4, .write = true};
	cr_assert_eq(mmio_dispatch(v0(), &a), EXIT_FAULTED);
	cr_assert(strstr(tb_out, "4-byte store to device refused: no such register or width"), "%s",
		  tb_out);
}

Test(passthru, a_notify_posts_the_chain_translated_into_the_hvs_ring)
{
	struct passthru *d = &hv.devices[0];
	struct vqs_real *real = d->q[0].real;

	start();
	/* The device was given the hv's rings, not the owner's. */
	cr_assert_eq(reg(VIRTIO_MMIO_QUEUE_READY), 1);
	cr_assert_eq(reg(VIRTIO_MMIO_QUEUE_NUM), 8);
	cr_assert_eq(reg(VIRTIO_MMIO_QUEUE_DESC_LOW), (uint32_t)d->ring_pa[0]);
	cr_assert_eq(reg(VIRTIO_MMIO_QUEUE_DEVICE_LOW), (uint32_t)(d->ring_pa[0] + VQS_REAL_USED));
	cr_assert_eq(rd(VIRTIO_MMIO_QUEUE_READY), 1);
	post(BUF, 64);
	cr_assert_eq(reg(VIRTIO_MMIO_QUEUE_NOTIFY), 0, "the device was notified");
	cr_assert_eq(real->avail_idx, 1);
	cr_assert_eq(real->desc[0].addr, arch_va_to_pa(ram(BUF)), "host-physical");
	cr_assert_eq(real->desc[0].len, 64);

	/* The device uses it and interrupts: the hv copies the entry back and raises vCPU 0's
	 * virtual interrupt; the owner's acknowledge withdraws it. */
	real->used_ring[0] = (struct virtq_used_elem){0, 64};
	real->used_idx = 1;
	page[VIRTIO_MMIO_INTERRUPT_STATUS / 4] = VIRTIO_INT_USED;
	ic.pending = IRQ;
	hv_device_irq(&hv.cpus[0]);
	cr_assert_eq(ic.completed, IRQ);
	cr_assert_eq(reg(VIRTIO_MMIO_INTERRUPT_ACK), VIRTIO_INT_USED, "the real one acknowledged");
	struct virtq_used *u = ram(USED);
	cr_assert_eq(u->idx, 1);
	cr_assert_eq(u->ring[0].id, 0);
	cr_assert_eq(u->ring[0].len, 64);
	cr_assert_eq(rd(VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_INT_USED);
	cr_assert(v0()->virq & VIRQ_BIT(VIRQ_DEVICE0));
	wr(VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_INT_USED);
	cr_assert_eq(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	cr_assert_eq(v0()->virq & VIRQ_BIT(VIRQ_DEVICE0), 0, "withdrawn");
	cr_assert(v0()->virq_drop & VIRQ_BIT(VIRQ_DEVICE0));
}

Test(passthru, a_forged_chain_is_refused_and_the_device_needs_a_reset)
{
	struct vqs_real *real = hv.devices[0].q[0].real;

	start();
	post(RAM + TB_RAM, 64); /* one RAM further: the next partition's, once translated */
	cr_assert(strstr(tb_out, "gohv: device rng0 of partition p0: queue 0: buffer outside the "
				 "partition's RAM (index 0, 0x80200000+0x40): refused, the device "
				 "needs a reset\n"),
		  "%s", tb_out);
	cr_assert_eq(reg(VIRTIO_MMIO_QUEUE_NOTIFY), 0xffffffff, "the device was not notified");
	cr_assert_eq(real->avail_idx, 0);
	cr_assert(rd(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET);
	cr_assert_eq(rd(VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_INT_CONFIG);
	cr_assert(v0()->virq & VIRQ_BIT(VIRQ_DEVICE0));
	/* Until a reset, nothing more is posted, however good. */
	post(BUF, 64);
	cr_assert_eq(reg(VIRTIO_MMIO_QUEUE_NOTIFY), 0xffffffff);
	cr_assert_eq(real->avail_idx, 0);
	/* The reset reaches the device and clears the owner's view. */
	page[VIRTIO_MMIO_STATUS / 4] = 0xf;
	wr(VIRTIO_MMIO_STATUS, 0);
	cr_assert_eq(reg(VIRTIO_MMIO_STATUS), 0);
	cr_assert_eq(rd(VIRTIO_MMIO_STATUS), 0);
	cr_assert_eq(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	cr_assert_eq(rd(VIRTIO_MMIO_QUEUE_READY), 0);
	/* A queue whose rings are not in its RAM is refused when made ready. */
	wr(VIRTIO_MMIO_QUEUE_SEL, 0);
	wr(VIRTIO_MMIO_QUEUE_NUM, 8);
	wr(VIRTIO_MMIO_QUEUE_DESC_LOW, 0x1000);
	page[VIRTIO_MMIO_QUEUE_READY / 4] = 0;
	wr(VIRTIO_MMIO_QUEUE_READY, 1);
	cr_assert_eq(reg(VIRTIO_MMIO_QUEUE_READY), 0, "never given to the device");
	cr_assert(strstr(tb_out, "descriptor table outside the partition's RAM"), "%s", tb_out);
}

Test(passthru, the_owners_stop_resets_the_device)
{
	start();
	post(BUF, 64);
	page[VIRTIO_MMIO_STATUS / 4] = 0xf;
	passthru_stopped(tb_part(0));
	cr_assert_eq(reg(VIRTIO_MMIO_STATUS), 0);
	cr_assert_eq(rd(VIRTIO_MMIO_QUEUE_READY), 0);
}

Test(passthru, a_missing_or_legacy_device_refuses_its_owner)
{
	teardown(); /* the suite's board, with the right device */
	board(VIRTIO_ID_NET, 2);
	cr_assert_eq(tb_part(0)->state, PART_REFUSED);
	cr_assert(strstr(tb_out, "gohv: partition p0 refused: device rng0: no free virtio-mmio "
				 "device with id 4 (the machine has: 1)\n"),
		  "%s", tb_out);
	cr_assert_eq(tb_part(1)->state, PART_STOPPED, "the other one is created");
	teardown();
	board(VIRTIO_ID_RNG, 1);
	cr_assert(strstr(tb_out, "gohv: partition p0 refused: device rng0: the one at 0x10008000 "
				 "is virtio-mmio version 1 (the hv drives version 2 only)\n"),
		  "%s", tb_out);
}
