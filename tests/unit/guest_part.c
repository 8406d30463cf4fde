#include "guest_part.h"

#include <criterion/criterion.h>
#include <goos.h>
#include <stdlib.h>
#include <string.h>

#include "arch/host/host.h"

struct gp_console gp_out;
struct partition gp_part;
static struct vcpu gp_vcpus[CONFIG_MAX_VCPUS];

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
	p->ram = malloc(GP_RAM_SIZE);
	cr_assert_not_null(p->ram);
	memset(p->ram, 0, GP_RAM_SIZE);
	p->ram_gpa = GUEST_RAM_BASE;
	p->ram_size = GP_RAM_SIZE;
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
	return gp_part.ram + (gpa - GUEST_RAM_BASE);
}
