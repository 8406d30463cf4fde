//go:build tamago && riscv64

package goos

import "unsafe"

// Ms share vCPUs. The runtime may run more Ms than the partition has vCPUs (an M that gave its
// P up is not yet parked when another asks for one; a goroutine that called LockOSThread and
// blocked keeps its M; GOMAXPROCS may exceed the vCPUs), and an M it parks spins in semasleep,
// which has no hook. So each M is a thread of this package, and the timer interrupt is its
// scheduler (tick): every vCPU runs one thread at a time and, once the program has more than
// one thread, takes a tick every sliceTicks while it runs, at which it
//
//   - takes the vCPU from a thread parked in semasleep (watch.go tells one from its pc) and gives
//     it to one that can run, or idles the vCPU in the goos idle call when none can: a parked
//     thread runs again once its semaphore count is not zero (semawakeup made it so);
//   - otherwise, when threads wait for a vCPU, wakes an idle vCPU to take one, or gives this
//     vCPU to the one that waited longest (round robin: the runtime expects its threads to be
//     preempted, and spins on what another M must do, as an OS would let it).
//
// An M that idles (Idle) with threads waiting gives its vCPU up at once. Task starts a vCPU for a
// new thread while some are stopped; beyond them the thread waits for a tick. Threads move
// between vCPUs: what is per vCPU (tp, cpus, state) is read with interrupts off, and what is
// per M (its console line) is in the thread.

const (
	tsRunning uint32 = iota // on a vCPU (cpus[v].cur)
	tsReady                 // waiting for a vCPU
	tsParked                // in semasleep with a count of 0: runs when the count is not
	tsDead                  // its M returned from mstart (a locked goroutine exited)
)

// A thread: its registers while it is off a vCPU, and its M's console line. regs[0] is the pc
// (x0 needs no saving), regs[4] (tp) is the vCPU's, never the thread's.
type thread struct {
	regs  [32]uint64
	fregs [32]uint64
	fcsr  uint64
	state uint32
	idled uint32  // ready because its M idled (gave the vCPU up in Idle), not preempted
	sem   uintptr // &m.waitsemacount while parked
	link  uintptr // the next thread, in creation order
	line  line
}

// A vCPU's scheduler state; sscratch points at it while the vCPU runs a thread.
type vcpu struct {
	cur     uintptr // the *thread it runs
	scratch uint64  // t1 during trap entry
	stack   uintptr // the top of schedStacks[v], for tick
	yield   uint32  // idle found a thread waiting: give it this vCPU
	_       [36]byte
}

// tick and what it calls are nosplit: the linker holds such a chain to 800 bytes of stack.
const schedStackSize = 1024

var (
	cpus        [MaxVCPUs]vcpu
	schedStacks [MaxVCPUs][schedStackSize]byte
	thread0     thread // vCPU 0's first thread: the runtime's m0

	schedLock uint32  // guards threads' state and the list; taken with interrupts off
	threads   uintptr // the first thread (thread0 once CPUInit ran)
	nthreads  uint32
	rr        uintptr // where pick starts: the thread after the last one it picked
)

//go:nosplit
func th(p uintptr) *thread { return (*thread)(unsafe.Pointer(p)) }

//go:nosplit
func lockSched() {
	for swap32(&schedLock, 1) != 0 {
	}
}

//go:nosplit
func unlockSched() { swap32(&schedLock, 0) }

// ticking: the vCPUs need the timer, as scheduler (more than one thread) or idle confirmation
// (more than one vCPU). A program with one M on one vCPU takes no interrupt at all.
//
//go:nosplit
func ticking() bool { return load32(&nthreads) > 1 || load32(&started) > 1 }

// schedInit runs on vCPU 0 before any Go code (CPUInit).
//
//go:nosplit
func schedInit() {
	for v := range cpus {
		cpus[v].stack = uintptr(unsafe.Pointer(&schedStacks[v][schedStackSize-16]))
	}
	t := uintptr(unsafe.Pointer(&thread0))
	thread0.state = tsRunning
	threads, rr, nthreads = t, t, 1
	cpus[0].cur = t
}

// Task makes the new M a thread: on a stopped vCPU while there is one (vCPU 1, 2, ... in turn),
// else waiting for a running vCPU's tick or an idle one's wake-up. The thread's state goes at
// the top of the HW-thread stack the runtime allocated for the M (the M runs on g0's stack, as a
// Linux thread does, whose bounds the runtime knows).
//
// May run with m.p == nil: no write barriers (uintptrs only), no allocation.
func task(sp, mp, gp, fn unsafe.Pointer) {
	tp := (uintptr(sp) - unsafe.Sizeof(thread{})) &^ 63
	t := th(tp)
	*t = thread{}
	t.regs[0] = uint64(uintptr(fn))
	t.regs[1] = uint64(threadExitPC())
	t.regs[2] = *(*uint64)(unsafe.Add(gp, 8)) // g0.stack.hi (runtime.g starts with stack{lo, hi})
	t.regs[27] = uint64(uintptr(gp))          // g
	if load32(&nthreads) == 1 {
		// The first new M, made by the only one (no other Task runs): what a parked M looks
		// like is looked up now, not at boot, which a program with one M need not pay.
		watchInit()
		watchCheck(uintptr(mp), uintptr(gp))
	}

	was := intrOff()
	lockSched()
	last := threads
	for th(last).link != 0 {
		last = th(last).link
	}
	th(last).link = tp
	first := load32(&nthreads) == 1
	xadd32(&nthreads, 1)
	v := int(load32(&started))
	if v < vcpuCount && v < MaxVCPUs {
		t.state = tsRunning
		swap32(&state[v], stRunning)
		xadd32(&started, 1)
		unlockSched()
		if e, _ := Call(FnVCPUStart, uintptr(v), secondaryEntry(), 0, tp); e != OK {
			print("goos: starting vCPU ", v, " for a new M failed (error ", e, ")\n")
			exit(2)
		}
	} else {
		t.state = tsReady
		unlockSched()
		wakeIdle(thisVCPU())
	}
	if first {
		setTimer(Now() + sliceTicks) // this vCPU is now a scheduler too
	}
	intrRestore(was)
}

// tick: the timer interrupt, on the vCPU's scheduler stack with g = 0 and every register of the
// interrupted thread saved in cpus[v].cur (goos_riscv64.s), FP ones too: once it is not running,
// another vCPU may take it. It leaves in cpus[v].cur the thread to go on with, whose registers
// goos_riscv64.s then loads. Interrupts are off throughout.
//
//go:nosplit
func tick() {
	v := thisVCPU()
	c := &cpus[v]
	setTimer(NoDeadline)
	wakeLongSleepers(v)
	t := th(c.cur)
	lockSched()
	yield := c.yield != 0
	c.yield = 0
	switch {
	case t.state == tsDead:
	case parked(t):
		t.state = tsParked
	default:
		// Running. A thread waiting goes to an idle vCPU first, to this one only in turn;
		// one whose M idled gets a turn too (it must see a stop of the world), but wakes no
		// vCPU: it would only idle again.
		w := waitingThreads()
		if w == waitNone || (w == waitRunnable && !yield && wakeIdleLocked(v)) {
			unlockSched()
			rearm()
			return
		}
		if n := pick(); n != 0 {
			t.state = tsReady
			if yield {
				t.idled = 1
			}
			th(n).state = tsRunning
			c.cur = n
		}
		unlockSched()
		rearm()
		return
	}
	// This thread cannot go on: another one, or idle until one can.
	for {
		if n := pick(); n != 0 {
			th(n).state = tsRunning
			c.cur = n
			break
		}
		unlockSched()
		schedIdle(v)
		lockSched()
	}
	unlockSched()
	rearm()
}

//go:nosplit
func rearm() {
	if ticking() {
		setTimer(Now() + sliceTicks)
	}
}

// parked: t is in semasleep's untimed wait with its count still 0; t.sem is then the count.
//
//go:nosplit
func parked(t *thread) bool {
	sem := watchSem(t)
	if sem == 0 || load32((*uint32)(unsafe.Pointer(sem))) != 0 {
		return false
	}
	t.sem = sem
	return true
}

// pick takes a thread that can run, round robin, one whose M did not idle first; 0 if none.
// Called with schedLock held.
//
//go:nosplit
func pick() uintptr {
	if p := pickFrom(false); p != 0 {
		return p
	}
	return pickFrom(true)
}

//go:nosplit
func pickFrom(idled bool) uintptr {
	start := rr
	for p := start; ; {
		t := th(p)
		if runnable(t) && (t.idled != 0) == idled {
			t.idled = 0
			rr = t.link
			if rr == 0 {
				rr = threads
			}
			return p
		}
		if p = t.link; p == 0 {
			p = threads
		}
		if p == start {
			return 0
		}
	}
}

// runnable: t has no vCPU and can run: ready, or parked with a count.
//
//go:nosplit
func runnable(t *thread) bool {
	return t.state == tsReady ||
		t.state == tsParked && load32((*uint32)(unsafe.Pointer(t.sem))) != 0
}

const (
	waitNone     = iota
	waitIdled    // only threads whose M idled wait for a vCPU
	waitRunnable // some other thread does
)

// waitingThreads: what waits for a vCPU. Called with schedLock held.
//
//go:nosplit
func waitingThreads() int {
	w := waitNone
	for p := threads; p != 0; p = th(p).link {
		if t := th(p); runnable(t) {
			if t.idled == 0 {
				return waitRunnable
			}
			w = waitIdled
		}
	}
	return w
}

// wakeIdle wakes one idle vCPU (not v), if any, to take a waiting thread.
//
//go:nosplit
func wakeIdle(v int) {
	lockSched()
	wakeIdleLocked(v)
	unlockSched()
}

//go:nosplit
func wakeIdleLocked(v int) bool {
	n := int(load32(&started))
	for u := 0; u < n && u < MaxVCPUs; u++ {
		if u != v && load32(&state[u]) != stRunning {
			Call(FnWake, uintptr(u), 0, 0, 0)
			return true
		}
	}
	return false
}

// wakeLongSleepers: this vCPU runs, so the vCPUs sleeping until their own timer must look
// again (idle.go).
//
//go:nosplit
func wakeLongSleepers(v int) {
	n := int(load32(&started))
	for u := 0; u < n && u < MaxVCPUs; u++ {
		if u != v && load32(&state[u]) >= stLong {
			Call(FnWake, uintptr(u), 0, 0, 0)
		}
	}
}

// schedIdle: vCPU v has no thread that can run. It idles as an idle M's vCPU does, with no
// timer of its own: a parked thread runs again only when a running one wakes it, so while
// another vCPU runs it looks every idleSlice, and else sleeps until woken.
//
//go:nosplit
func schedIdle(v int) {
	n := int(load32(&started))
	st, deadline := stForever, NoDeadline
	if othersIn(v, n, stRunning) {
		st, deadline = stSliced, Now()+sliceTicks
	}
	swap32(&state[v], st)
	// A thread that became ready before the state was out would have no vCPU to wake.
	lockSched()
	w := waitingThreads()
	unlockSched()
	if w == waitNone {
		IdleCall(deadline)
	}
	swap32(&state[v], stRunning)
	xadd32(&epoch, 1)
}

// threadExited: the thread's M returned from mstart (the runtime ends a thread whose locked
// goroutine exited). It never runs again; its vCPU goes to the others at the tick it asks for.
//
//go:nosplit
func threadExited() {
	intrOff()
	self().state = tsDead
	setTimer(0)
	intrRestore(1)
	for {
	}
}

// self is the thread the caller runs in.
//
//go:nosplit
func self() *thread {
	was := intrOff()
	t := th(cpus[thisVCPU()].cur)
	intrRestore(was)
	return t
}

// defined in goos_riscv64.s
func secondaryEntry() uintptr
func threadExitPC() uintptr
func intrOff() uintptr        // clears sstatus.SIE: whether it was set
func intrRestore(was uintptr) // sets it again if was != 0

// Threads is how many Ms the program has started (thread0, m0, included): the goos package runs
// each as a thread, and more of them than vCPUs share the vCPUs.
func Threads() int { return int(load32(&nthreads)) }
