#include "guest_part.h"

#include <criterion/criterion.h>
#include <goos.h>
#include <stdlib.h>
#include <string.h>

#include "arch/host/host.h"

struct gp_console gp_out;
struct partition gp_part;
static struct vcpu gp_vcpus[CONFIG_MAX_VCPUS];
static uint64_t *gp_present;
/* The stage-2 tables the partition's first touches take, freed at teardown. */
static void *gp_tables[64];
static unsigned gp_ntables;
bool gp_tables_exhausted;

static void *table_alloc(void *ctx, size_t size, size_t align)
{
	if (gp_tables_exhausted)
		return NULL;
	cr_assert_lt(gp_ntables, sizeof(gp_tables) / sizeof(gp_tables[0]));
	void *t = aligned_alloc(align, size);
	cr_assert_not_null(t);
	memset(t, 0, size);
	return gp_tables[gp_ntables++] = t;
}

static struct partition_config cfg = {
    .name = "test",
    .cpus = {0},
    .ncpus = 1,
    .weight = 1,
    .memory_size = GP_RAM_SIZE,
    .image = "test.elf",
    .bootargs = "",
    .restart = RESTART_NEVER,
    .backoff_min_ms = CONFIG_BACKOFF_MIN_MS_DEFAULT,
    .backoff_max_ms = CONFIG_BACKOFF_MAX_MS_DEFAULT,
};

static void sink(void *ctx, const char *s, size_t n)
{
	cr_assert(ctx == &gp_out);
	cr_assert_lt(gp_out.len + n, sizeof(gp_out.text));
	memcpy(gp_out.text + gp_out.len, s, n);
	gp_out.len += n;
	gp_out.text[gp_out.len] = '\0';
	gp_out.calls++;
}

struct vcpu *gp_setup(void)
{
	struct partition *p = &gp_part;

	memset(&gp_out, 0, sizeof(gp_out));
	memset(&host, 0, sizeof(host));
	memset(p, 0, sizeof(*p));
	memset(gp_vcpus, 0, sizeof(gp_vcpus));
	p->vcpus = gp_vcpus;
	p->cfg = &cfg;
	p->ram = aligned_alloc(PAGE_SIZE, GP_RAM_SIZE); /* the stage-2 maps it by pages */
	cr_assert_not_null(p->ram);
	memset(p->ram, 0, GP_RAM_SIZE);
	p->ram_gpa = GUEST_RAM_BASE;
	p->ram_size = GP_RAM_SIZE;
	cr_assert_eq(stage2_init(&p->s2, 1, table_alloc, NULL), 0);
	gp_present = calloc(guest_ram_bitmap_words(GP_RAM_SIZE), sizeof(uint64_t));
	cr_assert_not_null(gp_present);
	guest_ram_init(p, gp_present);
	p->state = PART_RUNNING;
	p->nvcpus = 1;
	p->running = 1;
	struct vcpu *v = &p->vcpus[0];
	v->part = p;
	v->id = 0;
	memset(hv.cpus, 0, sizeof(hv.cpus));
	v->cpu = &hv.cpus[0];
	v->state = VCPU_RUNNING;
	v->wait_deadline = GOOS_NO_DEADLINE;
	v->slice = 1000;
	v->weight = 1;
	v->virq_enabled = VIRQ_RESET_ENABLED;
	arch_vcpu_init(v, &p->s2, false);
	sched_add(v->cpu, v);
	/* It is the one running on CPU 0. */
	v->where = WHERE_CURRENT;
	hv.cpus[0].sched.current = v;
	hv.cpus[0].online = 1;
	hv.cpus[0].arch.hv_timer = ~0UL;
	arch_vcpu_load(v);
	host_this_cpu = &hv.cpus[0];
	console_init(&hv.console, sink, &gp_out);
	drbg_seed(&p->rng, "hypercall test seed", 19);
	return v;
}

void gp_teardown(void)
{
	free(gp_part.ram);
	free(gp_present);
	gp_tables_exhausted = false;
	while (gp_ntables)
		free(gp_tables[--gp_ntables]);
}

struct vcpu *gp_add_vcpu(void)
{
	struct partition *p = &gp_part;
	struct vcpu *w = &p->vcpus[1];

	hv.cpus[1].online = 1;
	w->part = p;
	w->id = 1;
	w->cpu = &hv.cpus[1];
	w->state = VCPU_OFF;
	w->wait_deadline = GOOS_NO_DEADLINE;
	w->slice = 1000;
	w->weight = 1;
	w->virq_enabled = VIRQ_RESET_ENABLED;
	hv.cpus[1].hwid = 1;
	arch_vcpu_init(w, &p->s2, false);
	sched_add(w->cpu, w);
	p->nvcpus = 2;
	return w;
}

uint8_t *gp_ram(uint64_t gpa)
{
	/* As the guest's own accesses would, makes RAM from gpa to its end present. */
	uint8_t *hva = guest_ram_touch(&gp_part, gpa, GP_RAM_END - gpa);

	cr_assert_not_null(hva, "gp_ram(0x%lx)", (unsigned long)gpa);
	return hva;
}
