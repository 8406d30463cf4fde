/*
 * Integration test guest: drives a passed-through virtio device (docs/passthrough.md) through the
 * hv's shadow queues with libgoos's tiny virtio-mmio version 2 driver: queues of GOOS_VQ_SIZE,
 * the interrupt taken on vCPU 0 and acknowledged with InterruptACK.
 *
 * bootargs: device=<name> (default rng0), mode=:
 *   rng (default): reads=N (3) requests of 64 bytes from an entropy device (id 4): prints
 *     "VIRTIO rng <i> len=<n> <hex>" for each, then "VIRTIO rng ok irqs=<n> restarts=<n>".
 *     fail-once: on the first run, then posts one more and exits 1 (restart on-failure).
 *   rng-vcpu1: the same reads made by vCPU 1 while vCPU 0 takes the interrupts: "VIRTIO rng from
 *     vcpu 1 ok irqs on vcpu 0=<n>".
 *   forge: for each kind of forged chain (kinds below), a fresh device setup, the forgery posted,
 *     and the device status must say NEEDS_RESET with nothing used: "VIRTIO forge <kind>
 *     refused". Then a good request after a reset: "VIRTIO forge done: the device works again".
 *   net: a network device (id 1) on QEMU's user network: sends an ARP request for the gateway
 *     10.0.2.2 and waits for its reply: "VIRTIO net mac <mac>", "VIRTIO net sent arp who-has
 *     10.0.2.2", "VIRTIO net arp reply: 10.0.2.2 is at <mac> (len <n>)", "VIRTIO net ok".
 *   canary: no device; keeps a page of a pattern (at the address the same image has it in a
 *     forging partition) and checks it every 10 ms for ms=N (500): "VIRTIO canary at 0x<gpa>",
 *     then "VIRTIO canary intact", or "VIRTIO canary CHANGED at <i>".
 * Anything unexpected: "VIRTIO FAIL <why>", exit 1.
 */
#include "libgoos.h"

#define QN	GOOS_VQ_SIZE
#define FENCE() __asm__ volatile("fence rw,rw" ::: "memory")

static struct goos_vq vqs[2]; /* entropy: 0; net: 0 receive, 1 transmit */
#define Q0 vqs[0]
static uint8_t buf[2][64] __attribute__((aligned(64)));
static uint64_t canary[512] __attribute__((aligned(4096)));

static struct goos_virtio dev;
static volatile unsigned irqs, isr_seen;
static volatile bool wake_vcpu1; /* rng-vcpu1: the interrupt's handler wakes the reader */

static uint32_t rd(unsigned off)
{
	return goos_virtio_read(&dev, off);
}

static void on_irq(void)
{
	uint32_t s = rd(VIRTIO_MMIO_INTERRUPT_STATUS);

	goos_virtio_write(&dev, VIRTIO_MMIO_INTERRUPT_ACK, s);
	isr_seen |= s;
	irqs++;
	if (wake_vcpu1)
		goos_wake(1);
}

__attribute__((noreturn)) static void fail(const char *why)
{
	printf("VIRTIO FAIL %s (status 0x%x)\n", why,
	       dev.regs ? (unsigned)rd(VIRTIO_MMIO_STATUS) : 0);
	goos_exit(1);
}

static uint64_t gpa(const volatile void *p)
{
	return (uint64_t)(uintptr_t)p;
}

static void start(uint32_t id, uint32_t features, unsigned nq)
{
	isr_seen = 0;
	long e = goos_virtio_start(&dev, id, features, vqs, nq);

	if (e) {
		printf("VIRTIO FAIL the device did not start (error %ld)\n", e);
		goos_exit(1);
	}
	if (rd(VIRTIO_MMIO_DEVICE_FEATURES) & (1u << VIRTIO_F_INDIRECT_DESC))
		fail("indirect descriptors offered");
}

static void post_on(unsigned qi, uint16_t head)
{
	goos_vq_post(&dev, &vqs[qi], qi, head);
}

static void post(uint16_t head)
{
	post_on(0, head);
}

static bool wait_used_on(unsigned qi, uint64_t ms)
{
	return goos_vq_wait(&vqs[qi], ms);
}

static bool wait_used(uint64_t ms)
{
	return wait_used_on(0, ms);
}

static void rng_reads(long n)
{
	start(VIRTIO_ID_RNG, 0, 1);
	for (long i = 0; i < n; i++) {
		unsigned b = (unsigned)i & 1;
		char hex[2 * sizeof(buf[0]) + 1];

		memset(buf[b], 0, sizeof(buf[b]));
		Q0.desc[b] =
		    (struct virtq_desc){gpa(buf[b]), sizeof(buf[b]), VIRTQ_DESC_F_WRITE, 0};
		post((uint16_t)b);
		if (!wait_used(1000))
			fail("no used entry within 1 s");
		FENCE();
		struct virtq_used_elem e = Q0.used.ring[Q0.used_seen++ % QN];
		if (e.id != b || e.len == 0 || e.len > sizeof(buf[b]))
			fail("bad used entry");
		goos_hex(hex, buf[b], e.len);
		printf("VIRTIO rng %ld len=%u %s\n", i, (unsigned)e.len, hex);
		if (i && !memcmp(buf[0], buf[1], sizeof(buf[0])))
			fail("two reads gave the same bytes");
	}
}

/* ---------------------------------------------------------------- forgeries */

static const char *const kinds[] = {"other", "below", "end",	  "wrap",  "huge", "loop",
				    "index", "next",  "indirect", "ahead", "ring"};
#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))
#define TAIL   0x800 /* bytes of own RAM at its end a straddling buffer covers */

static void forge(unsigned k)
{
	uint64_t base = goos_ram_base(), size = goos_ram_size();
	volatile uint8_t *tail = (volatile uint8_t *)(uintptr_t)(base + size - TAIL);
	const char *kind = kinds[k];
	bool ring = !strcmp(kind, "ring");

	start(VIRTIO_ID_RNG, 0, ring ? 0 : 1);
	/* A used ring just past the end of RAM: refused when the queue is made ready. */
	if (ring && goos_vq_setup(&dev, &Q0, 0, base + size - 4) != GOOS_ERR_DENIED)
		fail("a used ring outside RAM was accepted");
	memset(buf, 0, sizeof(buf));
	for (unsigned i = 0; i < TAIL; i++)
		tail[i] = 0xa5;
	struct virtq_desc good = {gpa(buf[0]), sizeof(buf[0]), VIRTQ_DESC_F_WRITE, 0};
	uint16_t head = 0;

	Q0.desc[0] = good;
	if (!strcmp(kind, "other")) /* where the next partition's canary is, one RAM further */
		Q0.desc[0].addr = gpa(canary) + size, Q0.desc[0].len = sizeof(canary);
	else if (!strcmp(kind, "below"))
		Q0.desc[0].addr = base - TAIL, Q0.desc[0].len = 2 * TAIL;
	else if (!strcmp(kind, "end"))
		Q0.desc[0].addr = base + size - TAIL, Q0.desc[0].len = 2 * TAIL;
	else if (!strcmp(kind, "wrap"))
		Q0.desc[0].addr = ~0UL - 0xfff, Q0.desc[0].len = 0x2000;
	else if (!strcmp(kind, "huge"))
		Q0.desc[0].addr = gpa(buf[0]), Q0.desc[0].len = 0xffffffffu;
	else if (!strcmp(kind, "loop")) {
		Q0.desc[0].flags |= VIRTQ_DESC_F_NEXT, Q0.desc[0].next = 1;
		Q0.desc[1] =
		    (struct virtq_desc){gpa(buf[1]), 64, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 0};
	} else if (!strcmp(kind, "index"))
		head = QN + 3;
	else if (!strcmp(kind, "next"))
		Q0.desc[0].flags |= VIRTQ_DESC_F_NEXT, Q0.desc[0].next = QN + 5;
	else if (!strcmp(kind, "indirect"))
		Q0.desc[0].flags = VIRTQ_DESC_F_INDIRECT, Q0.desc[0].len = 16;
	if (!strcmp(kind, "ahead")) {
		Q0.avail.idx = QN; /* plus post's one: more chains than the queue holds */
		post(0);
	} else if (!ring) {
		post(head);
	}
	if (!(rd(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET))
		fail("no NEEDS_RESET after a forgery");
	/* Time for the device to act, had it been given anything. */
	goos_sleep_ms(20);
	if (*(volatile uint16_t *)&Q0.used.idx != 0)
		fail("the device used a forged chain");
	if (!(isr_seen & VIRTIO_INT_CONFIG))
		fail("no configuration interrupt for the error");
	for (unsigned i = 0; i < sizeof(buf); i++)
		if (((volatile uint8_t *)buf)[i])
			fail("the device wrote into a buffer of a refused chain");
	for (unsigned i = 0; i < TAIL; i++)
		if (tail[i] != 0xa5)
			fail("the device wrote into the end of RAM");
	/* A notify of a broken device posts nothing either. */
	Q0.desc[0] = good;
	post(0);
	goos_sleep_ms(5);
	if (*(volatile uint16_t *)&Q0.used.idx != 0)
		fail("a device that needs a reset took a chain");
	printf("VIRTIO forge %s refused\n", kind);
}

/* ---------------------------------------------------------------- network */

#define VIRTIO_NET_F_MAC 5
#define NET_HDR		 12 /* struct virtio_net_hdr with num_buffers: version 1 always has it */
#define FRAME_MAX	 1514
#define ARP_LEN		 60 /* an ARP request padded to the shortest Ethernet frame */

static uint8_t rxbuf[2][NET_HDR + FRAME_MAX];
static uint8_t txbuf[NET_HDR + ARP_LEN];
static const uint8_t my_ip[4] = {10, 0, 2, 15}, gw_ip[4] = {10, 0, 2, 2};

/* Asks the user-mode network's gateway for its MAC: a frame out, its reply in. */
static void net_arp(void)
{
	uint8_t mac[6], *f = txbuf + NET_HDR;

	start(VIRTIO_ID_NET, 1u << VIRTIO_NET_F_MAC, 2);
	for (unsigned i = 0; i < 6; i++)
		mac[i] = dev.regs[VIRTIO_MMIO_CONFIG + i];
	printf("VIRTIO net mac %02x:%02x:%02x:%02x:%02x:%02x\n", mac[0], mac[1], mac[2], mac[3],
	       mac[4], mac[5]);
	for (uint16_t b = 0; b < 2; b++) {
		vqs[0].desc[b] =
		    (struct virtq_desc){gpa(rxbuf[b]), sizeof(rxbuf[b]), VIRTQ_DESC_F_WRITE, 0};
		post_on(0, b);
	}
	memset(txbuf, 0, sizeof(txbuf));
	memset(f, 0xff, 6);
	memcpy(f + 6, mac, 6);
	static const uint8_t arp[] = {0x08, 0x06, 0, 1, 0x08, 0, 6, 4, 0, 1};
	memcpy(f + 12, arp, sizeof(arp));
	memcpy(f + 22, mac, 6);
	memcpy(f + 28, my_ip, 4);
	memcpy(f + 38, gw_ip, 4);
	vqs[1].desc[0] = (struct virtq_desc){gpa(txbuf), sizeof(txbuf), 0, 0};
	post_on(1, 0);
	if (!wait_used_on(1, 1000))
		fail("the frame was not sent within 1 s");
	vqs[1].used_seen++;
	printf("VIRTIO net sent arp who-has 10.0.2.2\n");
	for (int n = 0; n < 8; n++) {
		if (!wait_used_on(0, 2000))
			fail("no frame received within 2 s");
		FENCE();
		struct virtq_used_elem e = vqs[0].used.ring[vqs[0].used_seen++ % QN];
		const uint8_t *r = rxbuf[e.id & 1];

		if (e.id > 1 || e.len < NET_HDR + 42 || e.len > sizeof(rxbuf[0]))
			fail("bad used entry");
		r += NET_HDR;
		if (r[12] == 0x08 && r[13] == 0x06 && r[21] == 2 && !memcmp(r + 28, gw_ip, 4) &&
		    !memcmp(r + 32, mac, 6)) {
			printf("VIRTIO net arp reply: 10.0.2.2 is at "
			       "%02x:%02x:%02x:%02x:%02x:%02x (len %u)\n",
			       r[22], r[23], r[24], r[25], r[26], r[27], (unsigned)e.len);
			return;
		}
		post_on(0, (uint16_t)e.id); /* not it: the buffer goes back */
	}
	fail("no ARP reply among 8 frames");
}

static volatile bool vcpu1_done;

static void vcpu1_reads(unsigned vcpu, void *arg)
{
	rng_reads(goos_bootarg_long("reads", 3));
	vcpu1_done = true;
	goos_wake(0);
}

static void canary_watch(long ms)
{
	for (unsigned i = 0; i < 512; i++)
		canary[i] = 0xca11ab1e00000000UL | i;
	printf("VIRTIO canary at 0x%lx\n", (unsigned long)gpa(canary));
	for (long t = 0; t <= ms; t += 10) {
		goos_sleep_ms(10);
		for (unsigned i = 0; i < 512; i++)
			if (((volatile uint64_t *)canary)[i] != (0xca11ab1e00000000UL | i)) {
				printf("VIRTIO canary CHANGED at %u\n", i);
				goos_exit(1);
			}
	}
	printf("VIRTIO canary intact\n");
}

int main(void)
{
	char name[16], mode[16] = "rng";

	if (goos_bootarg_copy("mode", mode, sizeof(mode)) < 0)
		strcpy(mode, "rng");
	if (!strcmp(mode, "canary")) {
		canary_watch(goos_bootarg_long("ms", 500));
		return 0;
	}
	if (goos_bootarg_copy("device", name, sizeof(name)) < 0)
		strcpy(name, "rng0");
	if (goos_virtio_find(name, &dev) != GOOS_OK)
		fail("no such device in the device tree");
	printf("VIRTIO %s at 0x%lx\n", name, (unsigned long)gpa(dev.regs));
	goos_set_ext_handler(on_irq);
	goos_irq_enable();
	if (!strcmp(mode, "rng")) {
		rng_reads(goos_bootarg_long("reads", 3));
		printf("VIRTIO rng ok irqs=%u restarts=%u\n", irqs,
		       goos_info_read32(GOOS_INFO_RESTARTS));
		if (goos_bootarg("fail-once") && !goos_info_read32(GOOS_INFO_RESTARTS)) {
			/* The restart must find the device reset, whatever it still held. */
			Q0.desc[0] = (struct virtq_desc){gpa(buf[0]), 64, VIRTQ_DESC_F_WRITE, 0};
			post(0);
			printf("VIRTIO exits with a request posted\n");
			return 1;
		}
	} else if (!strcmp(mode, "rng-vcpu1")) {
		/* vCPU 1 drives the queue; vCPU 0, which the device's interrupt reaches, only takes
		 * it. */
		wake_vcpu1 = true;
		long r = goos_vcpu_start(1, vcpu1_reads, NULL, NULL);

		if (r)
			fail("vCPU 1 did not start");
		/* Interrupts on: an idle that ends for the device's interrupt takes it at once. */
		while (!vcpu1_done)
			goos_idle(GOOS_NO_DEADLINE);
		printf("VIRTIO rng from vcpu 1 ok irqs on vcpu 0=%u\n", irqs);
	} else if (!strcmp(mode, "net")) {
		net_arp();
		printf("VIRTIO net ok irqs=%u\n", irqs);
	} else if (!strcmp(mode, "forge")) {
		for (unsigned k = 0; k < NKINDS; k++)
			forge(k);
		rng_reads(1);
		printf("VIRTIO forge done: the device works again\n");
	} else {
		fail("unknown mode");
	}
	return 0;
}
