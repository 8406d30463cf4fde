/*
 * Integration test guest: channels as the hv gives them (the window, the header, the doorbells),
 * one role per partition chosen by bootargs "mode=...". Every line starts "CHAN <mode> "; a check
 * that fails prints "CHAN FAIL <mode>: <what>" and exits 1. Waits are goos idles with no deadline:
 * an end the hv forgets to ring hangs, and the test's timeout catches it.
 *
 *   left   driver of "link": checks the header, is refused a foreign id, sends a word and waits
 *          for right's reply, sends a second word while right is busy (right's interrupt), then
 *          stores into the header page (the hv must stop it).
 *   right  device of "link" (and of "side"): replies, takes the second word in its interrupt
 *          handler while it spins, waits until left is down, is refused a notify, exits 0.
 *   thief  driver of "side": reads its own header, does not find "link", then loads from link's
 *          window (chan=0x...), which the hv must stop.
 *   steady driver of "link" beside flaky: leaves a word in the pool, rings flaky once it is up,
 *          then prints every state and generation of the device end it is rung for, rings
 *          flaky's second run, ends once flaky is down for good.
 *   flaky  device of "link": its first run waits for steady's ring and ends with exit 1
 *          (restart on-failure); its second checks its generation and steady's word, waits for
 *          a ring and exits 0.
 *   alone  its channel "gone" was refused: no node, its id refused.
 *   ping / pong  driver / device of "pair", beside the isolation matrix: a word there and back
 *          every 50 ms (rounds=N, then exit 0), checking nothing else changed it.
 */
#include "libgoos.h"

static const char *mode = "?";

#define FAIL(...)                                                                                  \
	do {                                                                                       \
		printf("CHAN FAIL %s: ", mode);                                                    \
		printf(__VA_ARGS__);                                                               \
		printf("\n");                                                                      \
		goos_exit(1);                                                                      \
	} while (0)

static struct goos_chan find(const char *name, bool driver)
{
	struct goos_chan c;
	long r = goos_chan_find(name, &c);

	if (r)
		FAIL("no channel %s (%ld)", name, r);
	if (c.driver != driver)
		FAIL("%s: role %s", name, c.driver ? "driver" : "device");
	if (goos_chan_read64(&c, GOOS_CHAN_H_MAGIC) != GOOS_CHAN_MAGIC ||
	    goos_chan_read32(&c, GOOS_CHAN_H_VERSION) != GOOS_CHAN_VERSION ||
	    goos_chan_read32(&c, GOOS_CHAN_H_ID) != c.id ||
	    goos_chan_read64(&c, GOOS_CHAN_H_SIZE) != c.size ||
	    strcmp((const char *)c.base + GOOS_CHAN_H_NAME, name))
		FAIL("%s: header does not match the device tree", name);
	return c;
}

static volatile uint64_t *pool(const struct goos_chan *c, unsigned word)
{
	uint64_t off = goos_chan_read64(c, GOOS_CHAN_H_POOL);

	if (off >= c->size || goos_chan_read64(c, GOOS_CHAN_H_POOL_SIZE) != c->size - off)
		FAIL("pool at 0x%lx", (unsigned long)off);
	return (volatile uint64_t *)(c->base + off) + word;
}

static uint32_t peer_state(const struct goos_chan *c)
{
	return goos_chan_read32(c, c->driver ? GOOS_CHAN_H_DEVICE_STATE : GOOS_CHAN_H_DRIVER_STATE);
}

static uint32_t peer_gen(const struct goos_chan *c)
{
	return goos_chan_read32(c, c->driver ? GOOS_CHAN_H_DEVICE_GEN : GOOS_CHAN_H_DRIVER_GEN);
}

/* Rings accumulated by the idles below (and by an interrupt handler). */
static volatile uint64_t rung;

static void take(void)
{
	uint64_t set;

	if (goos_chan_pending(&set))
		FAIL("pending refused");
	rung |= set;
}

/* Idles until cond holds (looked at before each idle: rings collapse, so one ring may stand for
 * several changes), or with no cond until channel c rings. */
static void wait_for(const struct goos_chan *c, bool (*cond)(const struct goos_chan *))
{
	for (;;) {
		bool r = rung & (1UL << c->id);

		rung &= ~(1UL << c->id);
		if (cond ? cond(c) : r)
			return;
		long ev = goos_idle(GOOS_NO_DEADLINE);
		if (ev < 0)
			FAIL("idle %ld", ev);
		if (ev & GOOS_EV_VIRTQ)
			take();
	}
}

static bool peer_up(const struct goos_chan *c)
{
	return peer_state(c) == GOOS_CHAN_UP;
}

static bool peer_down(const struct goos_chan *c)
{
	return peer_state(c) == GOOS_CHAN_DOWN;
}

static const struct goos_chan *word_chan;
static unsigned word_index;

static bool word_set(const struct goos_chan *c)
{
	return *pool(word_chan, word_index) != 0;
}

static void wait_word(const struct goos_chan *c, unsigned index)
{
	word_chan = c;
	word_index = index;
	wait_for(c, word_set);
}

static void send(const struct goos_chan *c, unsigned index, uint64_t v)
{
	*pool(c, index) = v;
	__sync_synchronize();
	long r = goos_chan_notify(c->id);
	if (r)
		FAIL("notify %u: %ld", c->id, r);
}

static uint64_t random_word(void)
{
	uint64_t v = 0;

	while (!v)
		goos_entropy(&v, sizeof(v));
	return v;
}

static int left(void)
{
	struct goos_chan c = find("link", true), side;

	printf("CHAN left link id %u at 0x%lx size 0x%lx queues %u of %u\n", c.id,
	       (unsigned long)c.base, (unsigned long)c.size,
	       goos_chan_read32(&c, GOOS_CHAN_H_QUEUES), goos_chan_read32(&c, GOOS_CHAN_H_QSIZE));
	if (goos_chan_find("side", &side) == GOOS_OK)
		FAIL("left sees side");
	printf("CHAN left foreign notify %ld, beyond %ld\n", goos_chan_notify(c.id + 1),
	       goos_chan_notify(GOOS_CHAN_MAX));
	wait_for(&c, peer_up);
	uint64_t v = random_word();
	printf("CHAN left sends 0x%lx\n", (unsigned long)v);
	send(&c, 0, v);
	wait_word(&c, 1);
	printf("CHAN left got reply 0x%lx\n", (unsigned long)*pool(&c, 1));
	if (*pool(&c, 1) != v + 1)
		FAIL("reply 0x%lx to 0x%lx", (unsigned long)*pool(&c, 1), (unsigned long)v);
	/* Right now spins, interrupts on: the second word reaches it by its interrupt. */
	wait_word(&c, 2);
	send(&c, 3, v ^ 0xffff);
	wait_word(&c, 4);
	printf("CHAN left second reply 0x%lx\n", (unsigned long)*pool(&c, 4));
	uint64_t hdr = (uint64_t)c.base + GOOS_CHAN_H_DRIVER_GEN;
	printf("CHAN left writes the header at 0x%lx\n", (unsigned long)hdr);
	*(volatile uint32_t *)hdr = 99;
	FAIL("the header took a store");
	return 1;
}

static struct goos_chan right_link;
static volatile int got_irq;

static void on_ext(void)
{
	take();
	if (rung & (1UL << right_link.id))
		got_irq++;
}

static int right(void)
{
	struct goos_chan c = right_link = find("link", false);

	find("side", false);
	wait_word(&c, 0);
	uint64_t v = *pool(&c, 0);
	printf("CHAN right got 0x%lx\n", (unsigned long)v);
	send(&c, 1, v + 1);

	/* Busy now: it learns of the next word by the channel interrupt alone. */
	goos_set_ext_handler(on_ext);
	goos_irq_enable();
	rung = 0;
	send(&c, 2, 1);
	uint64_t spins = 0;
	while (!got_irq || !*pool(&c, 3))
		spins++;
	goos_irq_disable();
	printf("CHAN right interrupted after %s spins, word 0x%lx\n", spins ? "some" : "no",
	       (unsigned long)*pool(&c, 3));
	send(&c, 4, *pool(&c, 3) + 1);
	goos_set_ext_handler(NULL);

	rung = 0;
	wait_for(&c, peer_down);
	printf("CHAN right saw left down (gen %u)\n", peer_gen(&c));
	printf("CHAN right notify after: %ld\n", goos_chan_notify(c.id));
	return 0;
}

static int thief(void)
{
	struct goos_chan side = find("side", true), link;
	uint64_t target = goos_bootarg_ulong("chan", 0);

	printf("CHAN thief side magic ok at 0x%lx\n", (unsigned long)side.base);
	if (goos_chan_find("link", &link) != GOOS_ERR_INVALID_PARAM)
		FAIL("thief finds link");
	printf("CHAN thief has no link; reading 0x%lx\n", (unsigned long)target);
	uint64_t got = *(volatile uint64_t *)target;
	FAIL("read link's window: 0x%lx", (unsigned long)got);
	return 1;
}

#define MARKER 0x57eadf00d5eedUL

static int steady(void)
{
	struct goos_chan c = find("link", true);
	*pool(&c, 7) = MARKER;
	wait_for(&c, peer_up);
	uint32_t seen_gen = peer_gen(&c), seen_state = peer_state(&c);
	printf("CHAN steady sees device gen %u state %u, rings: %ld\n", seen_gen, seen_state,
	       goos_chan_notify(c.id));
	for (;;) {
		wait_for(&c, NULL);
		uint32_t g = peer_gen(&c), s = peer_state(&c);

		if (g == seen_gen && s == seen_state)
			continue;
		printf("CHAN steady sees device gen %u state %u\n", g, s);
		seen_gen = g;
		seen_state = s;
		if (g == 2 && s == GOOS_CHAN_UP)
			printf("CHAN steady rings run 2: %ld\n", goos_chan_notify(c.id));
		if (g == 2 && s == GOOS_CHAN_DOWN)
			break;
	}
	printf("CHAN steady notify after: %ld\n", goos_chan_notify(c.id));
	return 0;
}

static int flaky(void)
{
	struct goos_chan c = find("link", false);
	unsigned run = goos_info_read32(GOOS_INFO_RESTARTS) + 1;
	uint32_t gen = goos_chan_read32(&c, GOOS_CHAN_H_DEVICE_GEN);

	printf("CHAN flaky run %u: device gen %u state %u, driver gen %u\n", run, gen,
	       goos_chan_read32(&c, GOOS_CHAN_H_DEVICE_STATE), peer_gen(&c));
	if (gen != run)
		FAIL("generation %u in run %u", gen, run);
	if (run == 1) {
		/* Once steady is up and has left its word: it rings when it has. */
		wait_for(&c, NULL);
		return 1;
	}
	printf("CHAN flaky run 2 sees marker 0x%lx\n", (unsigned long)*pool(&c, 7));
	wait_for(&c, NULL);
	printf("CHAN flaky rung in run 2\n");
	return 0;
}

static int alone(void)
{
	struct goos_chan c;

	printf("CHAN alone find %ld, notify 0: %ld\n", goos_chan_find("gone", &c),
	       goos_chan_notify(0));
	return 0;
}

/* A word there and back, again and again, while the matrix probes: each side checks the other's
 * word and that nobody else wrote the pool. */
static int pingpong(bool driver)
{
	struct goos_chan c = find("pair", driver);
	long rounds = goos_bootarg_long("rounds", 50);

	if (driver)
		wait_for(&c, peer_up);
	for (long n = 1; n <= rounds; n++) {
		unsigned in = driver ? 1 : 0;
		uint64_t want = driver ? (uint64_t)n + 1000000 : (uint64_t)n;

		if (driver)
			send(&c, 0, (uint64_t)n);
		wait_word(&c, in);
		uint64_t got = *pool(&c, in);
		if (got != want)
			FAIL("round %ld: 0x%lx", n, (unsigned long)got);
		*pool(&c, in) = 0;
		for (unsigned w = 2; w < 64; w++)
			if (*pool(&c, w))
				FAIL("round %ld: pool word %u changed", n, w);
		if (!driver)
			send(&c, 1, got + 1000000);
		if (n % 10 == 0)
			printf("CHAN %s round %ld ok\n", mode, n);
		/* The set is empty here (the reply was taken): the sleep waits. */
		if (driver)
			goos_sleep_ms(50);
	}
	printf("CHAN %s done\n", mode);
	return 0;
}

int main(void)
{
	static char buf[16];

	if (goos_bootarg_copy("mode", buf, sizeof(buf)) > 0)
		mode = buf;
	if (!strcmp(mode, "left"))
		return left();
	if (!strcmp(mode, "right"))
		return right();
	if (!strcmp(mode, "thief"))
		return thief();
	if (!strcmp(mode, "steady"))
		return steady();
	if (!strcmp(mode, "flaky"))
		return flaky();
	if (!strcmp(mode, "alone"))
		return alone();
	if (!strcmp(mode, "ping") || !strcmp(mode, "pong"))
		return pingpong(!strcmp(mode, "ping"));
	FAIL("unknown mode");
	return 1;
}
