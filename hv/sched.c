/*
 * The per-CPU scheduler (sched.h): weighted fair sharing by virtual runtime. Each vCPU's vruntime
 * grows by the time it runs divided by its weight; the ready vCPU with the least runs next. A
 * vCPU that slept comes back at most one slice behind the least, so it is served at once (its
 * wake preempts) but can never bank more than one slice by sleeping: however a guest splits its
 * running and sleeping, over time it gets its weight's share and no more.
 */
#include "sched.h"

#include "cpu.h"
#include "vcpu.h"

/* vruntime advances by ticks * VR_SCALE / weight. */
#define VR_SCALE 64u

static uint64_t vr_of(uint64_t ticks, const struct vcpu *v)
{
	return ticks * VR_SCALE / v->weight;
}

/* sched_wake reads where without the lock: every store is atomic, made under the lock. */
static void set_where(struct vcpu *v, enum vcpu_where w)
{
	__atomic_store_n(&v->where, w, __ATOMIC_RELAXED);
}

/* Into the run queue in vruntime order, after any equal one (so equals take turns). */
static void runq_insert(struct sched *s, struct vcpu *v)
{
	struct vcpu **pp = &s->runq;

	while (*pp && (*pp)->vruntime <= v->vruntime)
		pp = &(*pp)->next;
	v->next = *pp;
	*pp = v;
	set_where(v, WHERE_RUNQ);
}

static void list_remove(struct vcpu **head, struct vcpu *v)
{
	struct vcpu **pp = head;

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
	set_where(v, WHERE_SLEEP);
}

/* What current's vruntime is now, counting the stint it is in. */
static uint64_t current_vr(const struct sched *s, uint64_t now)
{
	const struct vcpu *c = s->current;

	return c->vruntime + vr_of(now > s->run_start ? now - s->run_start : 0, c);
}

/* A vCPU becomes ready after sleeping (or being off): it may lag the least ready vruntime by one
 * slice at most, and preempts the current one if it is now behind it. */
static void make_ready(struct sched *s, struct vcpu *v, uint64_t now)
{
	uint64_t floor =
	    s->min_vruntime > vr_of(v->slice, v) ? s->min_vruntime - vr_of(v->slice, v) : 0;

	if (v->vruntime < floor)
		v->vruntime = floor;
	runq_insert(s, v);
	if (s->current && v->vruntime < current_vr(s, now))
		s->preempt = true;
}

void sched_add(struct cpu *c, struct vcpu *v)
{
	set_where(v, WHERE_NONE);
	c->sched.nvcpus++;
}

/* sched_wake for a vCPU not found current, out of line: the look for a current one then needs
 * no frame. */
static __attribute__((noinline)) bool wake_queued(struct vcpu *v)
{
	struct sched *s = &v->cpu->sched;
	bool kick = true;

	spin_lock(&s->lock);
	switch (v->where) {
	case WHERE_SLEEP:
		list_remove(&s->sleep, v);
		make_ready(s, v, arch_time_now());
		break;
	case WHERE_NONE:
		make_ready(s, v, arch_time_now());
		break;
	case WHERE_CURRENT:
		/* Current since sched_wake looked: it must leave the guest to see the post. */
		break;
	case WHERE_RUNQ:
		/* Its CPU was kicked when it was queued. */
		kick = false;
		break;
	}
	spin_unlock(&s->lock);
	return kick;
}

bool sched_wake(struct vcpu *v)
{
	/* The one its CPU runs needs only the kick, and is seen without the lock: its poster
	 * posted before this read, and put_away puts a vCPU away before it looks for posts, both
	 * sequentially consistent, so a vCPU seen current either still is (the kick makes its CPU
	 * look) or finds the post as it is put away. This is the path of every wake of a running or
	 * idling vCPU alone on its CPU. */
	if (__atomic_load_n(&v->where, __ATOMIC_SEQ_CST) == WHERE_CURRENT)
		return true;
	return wake_queued(v);
}

struct vcpu *sched_pick(struct cpu *c, uint64_t now)
{
	struct sched *s = &c->sched;
	struct vcpu *cur, *next;

	/* Only this CPU changes current, so no lock is needed to see it. */
	if (sched_lone(s))
		return s->current;
	spin_lock(&s->lock);
	while (s->sleep && s->sleep->wake_at <= now) {
		struct vcpu *v = s->sleep;

		s->sleep = v->next;
		make_ready(s, v, now);
	}
	cur = s->current;
	if (cur) {
		cur->vruntime = current_vr(s, now);
		s->run_start = now;
		/* It keeps the CPU while alone, within its slice unless a wake preempts it, and
		 * past it while it has run strictly less than any ready one (equals take turns). */
		if (!s->runq || (!s->preempt && now < s->slice_end) ||
		    (!s->preempt && cur->vruntime < s->runq->vruntime)) {
			if (now >= s->slice_end)
				s->slice_end = now + cur->slice;
			uint64_t least = s->runq && s->runq->vruntime < cur->vruntime
					     ? s->runq->vruntime
					     : cur->vruntime;
			/* Never back: else each wake's one-slice credit would add up. */
			if (least > s->min_vruntime)
				s->min_vruntime = least;
			spin_unlock(&s->lock);
			return cur;
		}
		runq_insert(s, cur);
	}
	next = s->runq;
	s->preempt = false;
	if (next) {
		s->runq = next->next;
		next->next = NULL;
		set_where(next, WHERE_CURRENT);
		s->slice_end = now + next->slice;
		s->run_start = now;
		if (next->vruntime > s->min_vruntime)
			s->min_vruntime = next->vruntime;
	}
	s->current = next;
	spin_unlock(&s->lock);
	return next;
}

/* A vCPU something was posted to while its CPU puts it away goes back to the run queue instead:
 * the poster saw it current and only kicked, so nobody else would. It is put away first and the
 * posts looked at after (sched_wake reads where without the lock, after posting). */
static void put_away(struct cpu *c, struct vcpu *v, bool sleep)
{
	struct sched *s = &c->sched;

	spin_lock(&s->lock);
	if (s->current == v) {
		uint64_t now = arch_time_now();

		v->vruntime = current_vr(s, now);
		s->current = NULL;
	}
	if (sleep)
		sleep_insert(s, v);
	else
		set_where(v, WHERE_NONE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(&v->requests, __ATOMIC_SEQ_CST)) {
		if (sleep)
			list_remove(&s->sleep, v);
		runq_insert(s, v);
	}
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

	if (sched_lone(s))
		return d;
	spin_lock(&s->lock);
	if (s->runq)
		d = s->slice_end;
	if (s->sleep && s->sleep->wake_at < d)
		d = s->sleep->wake_at;
	spin_unlock(&s->lock);
	return d;
}
