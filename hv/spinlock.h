/* A test-and-set lock. Critical sections under it are a few hundred instructions at most (an
 * allocation, a run queue), so plain spinning is fine even under -icount. The console, where
 * every partition may write all it likes, has a fair lock of its own (console.c). */
#ifndef GOHV_SPINLOCK_H
#define GOHV_SPINLOCK_H

#include <stdbool.h>

typedef struct {
	volatile int locked;
} spinlock_t;

static inline void spin_lock(spinlock_t *l)
{
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED))
			;
}

/* Takes l if it is free: true if it did. */
static inline bool spin_trylock(spinlock_t *l)
{
	return !__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE);
}

static inline void spin_unlock(spinlock_t *l)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

#endif
