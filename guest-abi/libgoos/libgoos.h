/*
 * libgoos: the C library for bare gohv guests. Link a guest's `int main(void)` with every file of
 * this folder plus lib/string.c and lib/fmt.c (the Makefile does so for examples/c and
 * tests/guests). crt0.S sets up the stack and calls main on vCPU 0 after reading the device tree
 * the hv hands over; main's return value becomes the partition's exit code.
 *
 * Everything here runs in VS-mode with paging off: addresses are guest-physical.
 * guest-abi/README.md documents the ABI underneath.
 */
#ifndef LIBGOOS_H
#define LIBGOOS_H

/* Stacks crt0.S carves out of the image: one per vCPU, picked by vCPU id. Also used by the
 * assembly, hence plain numbers. */
#define LIBGOOS_MAX_VCPUS  8
#define LIBGOOS_STACK_SIZE 16384
/* GOOS_EID and GOOS_FN_EXIT without goos.h's C suffixes, for crt0.S; goos.c checks they agree. */
#define LIBGOOS_EID_ASM	    0x0A474F53
#define LIBGOOS_FN_EXIT_ASM 4

#ifndef __ASSEMBLER__

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "goos.h"
#include "goos_sbi.h"
#include "fmt.h"
#include "gchan.h"
#include "virtio_mmio.h"
#include <string.h>

/* The standard SBI extensions the hv also serves, for guests that speak plain SBI. */
#define SBI_EID_BASE   0x10UL
#define SBI_EID_TIME   0x54494D45UL
#define SBI_EID_IPI    0x735049UL
#define SBI_EID_RFENCE 0x52464E43UL
#define SBI_EID_HSM    0x48534DUL
#define SBI_EID_SRST   0x53525354UL
#define SBI_EID_DBCN   0x4442434EUL

/* scause values a guest sees. */
#define GOOS_SCAUSE_INTR  (1UL << 63)
#define GOOS_IRQ_SOFT	  1
#define GOOS_IRQ_TIMER	  5
#define GOOS_IRQ_EXT	  9
#define GOOS_SIE_SSIE	  (1UL << GOOS_IRQ_SOFT)
#define GOOS_SIE_STIE	  (1UL << GOOS_IRQ_TIMER)
#define GOOS_SIE_SEIE	  (1UL << GOOS_IRQ_EXT)
#define GOOS_SSTATUS_SIE  (1UL << 1)
#define GOOS_CSR_STIMECMP 0x14D

/* ---- ABI wrappers. Those returning long give a negative GOOS_ERR_* on failure. */

long goos_version(void);
/* Writes all of buf (in GOOS_MAX_XFER pieces); returns len or an error. */
long goos_console_write(const void *buf, size_t len);
/* To GOOS_STREAM_STDOUT or GOOS_STREAM_STDERR (ABI v2). */
long goos_console_write_stream(unsigned long stream, const void *buf, size_t len);
/* Fills all of buf with random bytes; returns len or an error. */
long goos_entropy(void *buf, size_t len);
/* Blocks until deadline (time ticks, or GOOS_NO_DEADLINE), a wake or a pending interrupt; returns
 * the GOOS_EV_* mask of what is ready. */
long goos_idle(uint64_t deadline);
__attribute__((noreturn)) void goos_exit(long code);
/* Starts vCPU `vcpu` at fn(vcpu, arg) on the stack whose top is stack_top (NULL: the vCPU's stack
 * from libgoos's own area). fn returning stops the vCPU. */
typedef void (*goos_vcpu_fn)(unsigned vcpu, void *arg);
long goos_vcpu_start(unsigned vcpu, goos_vcpu_fn fn, void *stack_top, void *arg);
long goos_wake(unsigned vcpu);
long goos_set_timer(uint64_t deadline);
long goos_vcpu_id(void);
/* Pets the partition's watchdog (ABI v2): a new period of goos_watchdog_ms() starts now.
 * GOOS_ERR_NOT_SUPPORTED when the partition has none. */
long goos_watchdog_pet(void);

/* ---- console */

int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char *fmt, va_list ap);
/* Writes s and a newline as one write, so the line stays whole. */
int puts(const char *s);

/* ---- time */

static inline uint64_t goos_now(void)
{
	uint64_t t;

	__asm__ volatile("rdtime %0" : "=r"(t));
	return t;
}
uint64_t goos_timebase(void); /* Hz of goos_now(), from the DT */
/* goos_now() at the first instruction of _start on vCPU 0: when this partition (re)started. */
extern volatile uint64_t goos_start_time;
uint64_t goos_ticks_from_ms(uint64_t ms);
uint64_t goos_ticks_from_us(uint64_t us);
uint64_t goos_ticks_to_us(uint64_t ticks);
void goos_sleep_until(uint64_t deadline);
void goos_sleep_ticks(uint64_t ticks);
void goos_sleep_ms(uint64_t ms);

/* ---- what the hv told us in the device tree */

const void *goos_dtb(void);
const char *goos_bootargs(void); /* "" when there are none */
const char *goos_partition_name(void);
unsigned goos_vcpus(void);
uint64_t goos_ram_base(void);
uint64_t goos_ram_size(void);
const void *goos_rng_seed(size_t *len); /* NULL and *len = 0 when absent */
bool goos_has_sstc(void);
/* The watchdog period (the board's watchdog-ms, from /goos), 0 when the partition has none. It
 * runs from the partition's first instruction: pet before it is out, then at least that often. */
unsigned goos_watchdog_ms(void);

/* ---- the info page (GOOS_INFO_* in goos.h): registers read with one load each, which the hv
 * emulates. off is a GOOS_INFO_* offset, naturally aligned for the width. */

uintptr_t goos_info_base(void); /* from /goos/info's reg; GOOS_INFO_BASE without one */

static inline uint8_t goos_info_read8(unsigned off)
{
	return *(volatile uint8_t *)(goos_info_base() + off);
}

static inline uint16_t goos_info_read16(unsigned off)
{
	return *(volatile uint16_t *)(goos_info_base() + off);
}

static inline uint32_t goos_info_read32(unsigned off)
{
	return *(volatile uint32_t *)(goos_info_base() + off);
}

static inline uint64_t goos_info_read64(unsigned off)
{
	return *(volatile uint64_t *)(goos_info_base() + off);
}

/* bootargs are space-separated "key=value" (or bare "key") words. goos_bootarg returns the value,
 * which ends at the next space or NUL, or NULL when key is absent. */
const char *goos_bootarg(const char *key);
/* Copies the value NUL-terminated into buf; returns its length, or -1 when key is absent. */
int goos_bootarg_copy(const char *key, char *buf, size_t size);
/* Numbers in decimal, or hex with 0x; def when absent or malformed. */
long goos_bootarg_long(const char *key, long def);
unsigned long goos_bootarg_ulong(const char *key, unsigned long def);

/* ---- interrupts and traps */

/* Points stvec at libgoos's vector. crt0 does it on every vCPU before main or the vCPU's fn;
 * calling it again is harmless. */
void goos_trap_init(void);
typedef void (*goos_irq_fn)(void);
/* Called from the trap vector, interrupts off, after the timer has been disarmed. */
void goos_set_timer_handler(goos_irq_fn fn);
/* Called on a supervisor software interrupt (an SBI IPI), after sip.SSIP is cleared. */
void goos_set_soft_handler(goos_irq_fn fn);
/* Called on a supervisor external interrupt (on vCPU 0: a channel doorbell, held until the pending
 * set is taken, so fn takes it); sets sie.SEIE. NULL masks it again. */
void goos_set_ext_handler(goos_irq_fn fn);
/* One timer interrupt at deadline: stimecmp with Sstc, GOOS_FN_SET_TIMER without; enables
 * sie.STIE. Interrupts are taken only while sstatus.SIE is set (goos_irq_enable). */
void goos_arm_timer(uint64_t deadline);
void goos_disarm_timer(void);

static inline void goos_irq_enable(void)
{
	__asm__ volatile("csrs sstatus, %0" ::"r"(GOOS_SSTATUS_SIE) : "memory");
}

static inline void goos_irq_disable(void)
{
	__asm__ volatile("csrc sstatus, %0" ::"r"(GOOS_SSTATUS_SIE) : "memory");
}

/* Waits for an interrupt and lets it be handled. Call with interrupts disabled and check the
 * condition between calls: wfi wakes on an interrupt pending in sie even while sstatus.SIE is
 * clear, so one that arrives after the check is not lost, and the handler runs in the short
 * window opened afterwards. */
static inline void goos_wait_irq(void)
{
	__asm__ volatile("wfi\n\t"
			 "csrs sstatus, %0\n\t"
			 "csrc sstatus, %0" ::"r"(GOOS_SSTATUS_SIE)
			 : "memory");
}

/* ---- channels (docs/channels.md): the doorbells and the window; the queues are the guest's. */

/* A channel of this partition, as its device tree says (/goos/channel@<address>). */
struct goos_chan {
	const char *name;	/* points into the device tree */
	unsigned id;		/* for goos_chan_notify; bit `id` of the pending set */
	bool driver;		/* this end's role: the driver (true) or the device */
	volatile uint8_t *base; /* the window: GOOS_CHAN_H_* header at base, read-only */
	uint64_t size;
};

/* Finds channel `name` of this partition: GOOS_OK, or GOOS_ERR_INVALID_PARAM (no such channel;
 * the hv refused it, or the board has none by that name). */
long goos_chan_find(const char *name, struct goos_chan *out);
/* Rings the other end of channel id: 0, GOOS_ERR_INVALID_PARAM (not one of ours) or
 * GOOS_ERR_PEER_DOWN (the other end is not running). */
long goos_chan_notify(unsigned id);
/* Takes the pending set (bit i: channel i rang since the last take) into *set; 0 or an error.
 * While it is not empty goos_idle returns GOOS_EV_VIRTQ at once: take it when idle says so. */
long goos_chan_pending(uint64_t *set);
/* An end's header fields (GOOS_CHAN_H_*), one load each: the hv may change the ends' states and
 * generations at any time. */
static inline uint32_t goos_chan_read32(const struct goos_chan *c, unsigned off)
{
	return *(volatile uint32_t *)(c->base + off);
}

static inline uint64_t goos_chan_read64(const struct goos_chan *c, unsigned off)
{
	return *(volatile uint64_t *)(c->base + off);
}

/* ---- passed-through devices (docs/passthrough.md): a virtio-mmio version 2 register page
 * (chan/virtio_mmio.h) the hv emulates, with shadow queues behind it. The driver is the guest's;
 * its interrupt is the external one on vCPU 0, acknowledged with VIRTIO_MMIO_INTERRUPT_ACK. */

struct goos_virtio {
	const char *name;	/* points into the device tree */
	volatile uint8_t *regs; /* the register page */
	uint64_t size;
};

/* Finds device `name` (its node name in the board's /devices): GOOS_OK, or
 * GOOS_ERR_INVALID_PARAM (not this partition's). */
long goos_virtio_find(const char *name, struct goos_virtio *out);
/* A register of its page, one 32-bit access. */
uint32_t goos_virtio_read(const struct goos_virtio *d, unsigned off);
void goos_virtio_write(const struct goos_virtio *d, unsigned off, uint32_t v);

/* A tiny driver, enough for tests and examples: split queues of GOOS_VQ_SIZE entries in the
 * guest's memory, one chain at a time per post, the interrupt taken by the guest's own handler
 * (goos_set_ext_handler: read VIRTIO_MMIO_INTERRUPT_STATUS, write it to _INTERRUPT_ACK). */
#define GOOS_VQ_SIZE 8
struct goos_vq {
	struct virtq_desc desc[GOOS_VQ_SIZE] __attribute__((aligned(16)));
	struct {
		uint16_t flags, idx, ring[GOOS_VQ_SIZE], used_event;
	} avail __attribute__((aligned(4)));
	struct {
		uint16_t flags, idx;
		struct virtq_used_elem ring[GOOS_VQ_SIZE];
		uint16_t avail_event;
	} used __attribute__((aligned(4)));
	uint16_t used_seen; /* used entries the guest has taken */
};
/* Resets the device and starts it: VIRTIO_F_VERSION_1 plus `features` (device-type bits 0-31),
 * queues 0..nq-1 from vqs, DRIVER_OK. GOOS_OK; GOOS_ERR_NOT_SUPPORTED (not a version 2 device
 * of that id, a feature missing, a queue smaller than GOOS_VQ_SIZE); GOOS_ERR_DENIED (the hv
 * refused a queue: its line says why). */
long goos_virtio_start(const struct goos_virtio *d, uint32_t id, uint32_t features,
		       struct goos_vq *vqs, unsigned nq);
/* Queue qi from q (cleared), its used ring at used_gpa instead when that is not 0; as above. */
long goos_vq_setup(const struct goos_virtio *d, struct goos_vq *q, unsigned qi, uint64_t used_gpa);
/* Makes chain head (q->desc, filled by the caller) available on queue qi and notifies. */
void goos_vq_post(const struct goos_virtio *d, struct goos_vq *q, unsigned qi, uint16_t head);
/* Idles until q has a used entry not yet taken or ms passed; true if it has. The caller takes
 * it: q->used.ring[q->used_seen++ % GOOS_VQ_SIZE]. On vCPU 0 the device's interrupt ends the
 * idle (and its handler runs right after); on another vCPU, whoever handles it must goos_wake
 * this one. */
bool goos_vq_wait(struct goos_vq *q, uint64_t ms);

/* ---- messages on a channel: gchan (guest-abi/chan/gchan.h) with the doorbell rung after each
 * call that owes one (goos_chan_notify) and its lines printed. gpa and size are the window's, role
 * this partition's end. Results as gchan's (GCHAN_OK, GCHAN_E_*, a length). */

/* goos_chan_find, then goos_gchan_attach as the device tree says; GCHAN_E_INVALID if there is no
 * channel by that name. */
int goos_gchan_open(struct gchan *c, const char *name);
int goos_gchan_attach(struct gchan *c, uint64_t gpa, uint64_t size, enum gchan_role role);
int goos_gchan_send(struct gchan *c, uint32_t type, const void *buf, size_t len);
int goos_gchan_recv(struct gchan *c, uint32_t *type, void *buf, size_t size);
unsigned goos_gchan_poll(struct gchan *c);
/* Idles until c's doorbell has rung since the last wait (at once if it has). Call it after
 * GCHAN_E_AGAIN or GCHAN_E_NOT_READY, then try again: a doorbell between the two is not lost. */
void goos_gchan_wait(struct gchan *c);

/* ---- entry points: the guest provides main; libgoos provides the rest. */

int main(void);
void goos_main_entry(unsigned long vcpu, const void *dtb);
void goos_secondary_entry(unsigned long vcpu, void *arg);
void goos_trap_handler(unsigned long scause, unsigned long sepc, unsigned long stval);

/* Hex dump helper for guests: writes 2*len chars and a NUL into out. */
void goos_hex(char *out, const void *buf, size_t len);

#endif /* __ASSEMBLER__ */
#endif
