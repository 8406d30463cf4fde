/* The per-CPU scheduler: a FIFO run queue and a sleep list ordered by wake time (sched.h). */
#include "sched.h"

#include "cpu.h"
#include "vcpu.h"

static void runq_push(struct sched *s, struct vcpu *v)
{
	v->next = NULL;
	v->where = WHERE_RUNQ;
	if (s->runq_tail)
		s->runq_tail->next = v;
	else
		s->runq_head = v;
	s->runq_tail = v;
}

/* A vCPU that slept did not use its share: it goes first, so a wake is served within the slice
 * of whoever runs now, however many others are ready. */
static void runq_push_front(struct sched *s, struct vcpu *v)
{
	v->where = WHERE_RUNQ;
	v->next = s->runq_head;
	s->runq_head = v;
	if (!s->runq_tail)
		s->runq_tail = v;
}

static struct vcpu *runq_pop(struct sched *s)
{
	struct vcpu *v = s->runq_head;

	if (v) {
		s->runq_head = v->next;
		if (!s->runq_head)
			s->runq_tail = NULL;
		v->next = NULL;
	}
	return v;
}

static void sleep_remove(struct sched *s, struct vcpu *v)
{
	struct vcpu **pp = &s->sleep;

	while (*pp && *pp != v)
		pp = &(*pp)->next;
	if (*pp)
		*pp = v->next;
	v->next = NULL;
}

static void sleep_insert(struct sched *s, struct vcpu *v)
{
	struct vcpu **pp = &s->sleep;

	while (*pp && (*pp)->wake_at <= v->wake_at)
		pp = &(*pp)->next;
	v->next = *pp;
	*pp = v;
	v->where = WHERE_SLEEP;
}

void sched_add(struct cpu *c, struct vcpu *v)
{
	v->where = WHERE_NONE;
	c->sched.nvcpus++;
}

bool sched_wake(struct vcpu *v)
{
	struct sched *s = &v->cpu->sched;
	bool kick = true;

	spin_lock(&s->lock);
	switch (v->where) {
	case WHERE_SLEEP:
		sleep_remove(s, v);
		runq_push_front(s, v);
		break;
	case WHERE_NONE:
		runq_push(s, v);
		break;
	case WHERE_CURRENT:
		/* It must leave the guest to see what was posted. */
		break;
	case WHERE_RUNQ:
		/* Its CPU was kicked when it was queued. */
		kick = false;
		break;
	}
	spin_unlock(&s->lock);
	return kick;
}

struct vcpu *sched_pick(struct cpu *c, uint64_t now)
{
	struct sched *s = &c->sched;
	struct vcpu *cur, *next;

	spin_lock(&s->lock);
	while (s->sleep && s->sleep->wake_at <= now) {
		struct vcpu *v = s->sleep;

		s->sleep = v->next;
		runq_push_front(s, v);
	}
	cur = s->current;
	if (cur && (!s->runq_head || now < s->slice_end)) {
		spin_unlock(&s->lock);
		return cur;
	}
	/* Its slice is over and another is ready: to the back of the queue. */
	if (cur)
		runq_push(s, cur);
	next = runq_pop(s);
	s->current = next;
	if (next) {
		next->where = WHERE_CURRENT;
		s->slice_end = now + next->slice;
	}
	spin_unlock(&s->lock);
	return next;
}

/* A vCPU something was posted to after its CPU decided to put it away goes back to the run queue
 * instead: the poster saw it current and only kicked, so nobody else would. */
static void put_away(struct cpu *c, struct vcpu *v, bool sleep)
{
	struct sched *s = &c->sched;

	spin_lock(&s->lock);
	if (s->current == v)
		s->current = NULL;
	if (__atomic_load_n(&v->requests, __ATOMIC_SEQ_CST))
		runq_push(s, v);
	else if (sleep)
		sleep_insert(s, v);
	else
		v->where = WHERE_NONE;
	spin_unlock(&s->lock);
}

void sched_block(struct cpu *c, struct vcpu *v)
{
	put_away(c, v, true);
}

void sched_park(struct cpu *c, struct vcpu *v)
{
	put_away(c, v, false);
}

uint64_t sched_deadline(struct cpu *c)
{
	struct sched *s = &c->sched;
	uint64_t d = ~0UL;

	spin_lock(&s->lock);
	if (s->runq_head)
		d = s->slice_end;
	if (s->sleep && s->sleep->wake_at < d)
		d = s->sleep->wake_at;
	spin_unlock(&s->lock);
	return d;
}
