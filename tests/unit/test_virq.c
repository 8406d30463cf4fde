/* The core's virtual interrupt controller: a source is pending per vCPU, and reaches the guest
 * only while the vCPU has it enabled. */
#include <criterion/criterion.h>

#include "arch/host/host.h"
#include "guest_part.h"
#include "hv/hv.h"

static struct vcpu *v;

static void setup(void)
{
	v = gp_setup();
}

/* One turn of v's CPU: it serves v's requests (the delivery among them) before the entry. */
static void turn(void)
{
	vcpu_run_once(v->cpu);
}

TestSuite(virq, .init = setup, .fini = gp_teardown);

Test(virq, cpu_sources_enabled_at_reset_delivered_at_next_entry)
{
	vcpu_inject(v, VIRQ_SOFT);
	cr_assert(v->requests & VREQ_VIRQ);
	turn();
	cr_assert_eq(v->arch.virqs, VIRQ_BIT(VIRQ_SOFT));
	cr_assert_eq(v->virq, 0, "delivered, so no longer pending");
}

Test(virq, a_masked_source_stays_pending_until_enabled)
{
	unsigned id = VIRQ_EXTERNAL + 3;

	vcpu_inject(v, id);
	cr_assert_eq(v->requests & VREQ_VIRQ, 0, "a masked source must not interrupt the vCPU");
	turn();
	cr_assert_eq(v->arch.virqs, 0, "masked, yet delivered");
	cr_assert_eq(v->virq, VIRQ_BIT(id), "masked, and lost");

	vcpu_virq_enable(v, id, true);
	cr_assert(v->requests & VREQ_VIRQ, "enabling a pending source must deliver it");
	turn();
	cr_assert_eq(v->arch.virqs, VIRQ_BIT(id));
	cr_assert_eq(v->virq, 0);
}

Test(virq, masking_keeps_the_others_flowing)
{
	unsigned a = VIRQ_EXTERNAL, b = VIRQ_EXTERNAL + 1;

	vcpu_virq_enable(v, a, true);
	vcpu_virq_enable(v, b, true);
	vcpu_virq_enable(v, a, false);
	vcpu_inject(v, a);
	vcpu_inject(v, b);
	turn();
	cr_assert_eq(v->arch.virqs, VIRQ_BIT(b), "delivered 0x%x", v->arch.virqs);
	cr_assert_eq(v->virq, VIRQ_BIT(a));
}

Test(virq, a_restart_drops_what_the_last_run_left_pending)
{
	struct vcpu *w = gp_add_vcpu();
	unsigned id = VIRQ_EXTERNAL;

	vcpu_virq_enable(w, id, true);
	vcpu_inject(w, VIRQ_SOFT);
	w->virq |= VIRQ_BIT(id);
	struct vcpu_boot b = {.entry = GUEST_RAM_BASE};
	cr_assert_eq(vcpu_start(w, &b), HV_OK);
	host_this_cpu = w->cpu;
	vcpu_run_once(w->cpu);
	host_this_cpu = &hv.cpus[0];
	cr_assert_eq(w->arch.virqs, 0, "a fresh vCPU got 0x%x from its last run", w->arch.virqs);
	cr_assert_eq(w->virq_enabled, VIRQ_RESET_ENABLED, "enables survive a reset");
}

/* External sources are levels: delivered, they stay until their source withdraws them; the port
 * is told which others still hold the line. */
Test(virq, an_external_source_stays_until_withdrawn)
{
	unsigned a = VIRQ_CHANNEL, b = VIRQ_EXTERNAL + 1;

	vcpu_virq_enable(v, a, true);
	vcpu_virq_enable(v, b, true);
	vcpu_inject(v, a);
	vcpu_inject(v, b);
	turn();
	cr_assert_eq(v->arch.virqs, VIRQ_BIT(a) | VIRQ_BIT(b));
	turn();
	cr_assert_eq(v->arch.virqs, VIRQ_BIT(a) | VIRQ_BIT(b), "a level went by itself");
	vcpu_withdraw(v, a);
	cr_assert(v->requests & VREQ_VIRQ, "a withdrawal must reach the vCPU");
	turn();
	cr_assert_eq(v->arch.virqs, VIRQ_BIT(b));
	cr_assert_eq(host.withdraw_held, VIRQ_BIT(b), "the port must know b still holds the line");
	vcpu_withdraw(v, b);
	turn();
	cr_assert_eq(v->arch.virqs, 0);
	cr_assert_eq(host.withdraw_held, 0);
	cr_assert_eq(host.withdrawn, 2);
}

Test(virq, a_withdrawal_before_delivery_drops_the_pending_source)
{
	unsigned id = VIRQ_CHANNEL;

	vcpu_inject(v, id); /* masked: pending */
	vcpu_withdraw(v, id);
	cr_assert_eq(v->virq, 0);
	vcpu_virq_enable(v, id, true);
	turn();
	cr_assert_eq(v->arch.virqs, 0, "a withdrawn source was delivered");
	cr_assert_eq(host.withdrawn, 0, "nothing was delivered, nothing to lower");
}

Test(virq, withdrawn_then_raised_again_in_one_turn_is_raised)
{
	unsigned id = VIRQ_CHANNEL;

	vcpu_virq_enable(v, id, true);
	vcpu_inject(v, id);
	turn();
	vcpu_withdraw(v, id);
	vcpu_inject(v, id);
	turn();
	cr_assert_eq(v->arch.virqs, VIRQ_BIT(id));
}
