//go:build tamago && riscv64

package goos

// Idle: the scheduler calls it when it found nothing to run, with the time of the next timer
// (0: none). The vCPU then blocks in the goos idle call, so an idle program costs no CPU.
//
// With several vCPUs, sleeping until the next timer is only safe while no other vCPU runs: the
// tamago runtime never tells an idle vCPU that another made work it could steal, or that it
// wants to stop the world (its M keeps its P and only looks again when Idle returns). So:
//
//   - a vCPU that goes idle while another runs wakes every idleSlice to look (stSliced);
//   - one that goes idle while all others are idle sleeps until its own deadline (stLong, or
//     stForever with none);
//   - a vCPU leaving idle arms a timer interrupt confirmWindow ahead and disarms it when it
//     idles again: if it fires, the vCPU is really running, and its handler (goos_riscv64.s)
//     wakes the long sleepers, which go back to idle sliced.
//
// A quick look that finds nothing (the usual wake-up) thus disturbs nobody, and a whole idle
// partition sleeps until its next timer, however many vCPUs it has.

const (
	stRunning uint32 = iota // running Go code (or about to): the others must keep looking
	stSliced                // idle, waking every idleSlice
	stLong                  // idle until its own next timer
	stForever               // idle with no timer at all
)

const (
	idleSliceNS     = 1000000   // 1 ms: how late an idle vCPU may see work or a stop-the-world
	confirmWindowNS = 200000    // 200 us: how long out of idle counts as running
	deadlockGraceNS = 100000000 // 100 ms: all vCPUs idle forever, no change: a deadlock
)

var (
	state      [MaxVCPUs]uint32     // each vCPU's st*, as the others see it
	started    uint32           = 1 // vCPUs 0..started-1 run Go (task starts them in order)
	epoch      uint32               // +1 each time a vCPU leaves idle
	deadlocked uint32               // one vCPU reports it

	sliceTicks, confirmTicks, graceTicks uint64
	useSstc                              uint32 // for the timer code in goos_riscv64.s
)

func idleInit() {
	sliceTicks = nsTicks(idleSliceNS)
	confirmTicks = nsTicks(confirmWindowNS)
	graceTicks = nsTicks(deadlockGraceNS)
	if sstc {
		useSstc = 1
	}
}

func idle(until int64) {
	// Interrupts off: the thread stays on this vCPU (no tick takes it) while it says, in
	// state, what the vCPU does.
	was := intrOff()
	id := thisVCPU()
	flushLine(self())
	tk := ticking()
	if tk {
		setTimer(NoDeadline)
		if yieldTo(id) {
			intrRestore(was)
			return
		}
	}
	deadline := NoDeadline
	st := stForever
	if until != 0 {
		deadline, st = ticksAt(until), stLong
	}
	n := int(load32(&started))
	swap32(&state[id], st)
	switch {
	case n > 1 && othersIn(id, n, stRunning):
		swap32(&state[id], stSliced)
		if d := Now() + sliceTicks; d < deadline {
			deadline = d
		}
	case st == stForever && othersAll(id, n, stForever):
		deadlockCheck(id, n)
	}
	// A thread that became ready before the state was out would have no vCPU to wake.
	if !tk || !waitingNow() {
		IdleCall(deadline)
	}
	swap32(&state[id], stRunning)
	xadd32(&epoch, 1)
	if tk && !yieldTo(id) {
		setTimer(Now() + confirmTicks)
	}
	intrRestore(was)
}

// yieldTo: a thread waits for a vCPU, so the idle M gives vCPU id up to it (the tick comes as
// soon as interrupts are on again). The M idles, then, by waiting its turn; it gives way only to
// a thread that did not idle itself, or two idle Ms would pass one vCPU back and forth.
//
//go:nosplit
func yieldTo(id int) bool {
	if !waitingNow() {
		return false
	}
	cpus[id].yield = 1
	setTimer(0)
	return true
}

//go:nosplit
func waitingNow() bool {
	lockSched()
	w := waitingThreads()
	unlockSched()
	return w == waitRunnable
}

// othersIn: some vCPU but id among the first n is in state s.
//
//go:nosplit
func othersIn(id, n int, s uint32) bool {
	for v := 0; v < n; v++ {
		if v != id && load32(&state[v]) == s {
			return true
		}
	}
	return false
}

// othersAll: every vCPU but id among the first n is in state s.
//
//go:nosplit
func othersAll(id, n int, s uint32) bool {
	for v := 0; v < n; v++ {
		if v != id && load32(&state[v]) != s {
			return false
		}
	}
	return true
}

// deadlockCheck: every vCPU is idle with no timer. Nothing can then make a goroutine runnable
// (a gohv partition has no interrupt source the runtime waits on), which is the deadlock Go
// reports on other systems; the tamago runtime does not look for it, so it is reported here.
// With other vCPUs, one of them may be between its idle call and its state store: if none
// leaves idle for deadlockGraceNS, none was.
func deadlockCheck(id, n int) {
	if n > 1 {
		e := load32(&epoch)
		IdleCall(Now() + graceTicks)
		if load32(&epoch) != e || !othersAll(id, n, stForever) || waitingNow() {
			return
		}
	}
	if swap32(&deadlocked, 1) == 0 {
		print("fatal error: all goroutines are asleep - deadlock!\n")
		exit(2)
	}
}

// defined in goos_riscv64.s: sequentially consistent 32-bit atomics, and the confirm timer
// (stimecmp with Sstc, else GOOS_FN_SET_TIMER).
func load32(p *uint32) uint32
func swap32(p *uint32, v uint32) uint32
func xadd32(p *uint32, d int32) uint32
func setTimer(deadline uint64)
