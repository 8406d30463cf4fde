//go:build tamago && riscv64

package goos

import "unsafe"

// Printk gets the runtime's output (fd 1 and 2 alike: the runtime does not pass on which) one
// byte at a time. Each M (thread, sched.go) gathers its own line and writes it with one console
// call when it ends, so lines from several Ms never mix, even on one vCPU, and a line costs one
// trap, not one per byte. It runs before the runtime can allocate and inside panics, so it uses
// only the thread's buffer (m0's is static, the others' at the top of their HW-thread stack).

const lineMax = 256 // longer lines go out in pieces of this much

// Per-vCPU state is indexed with a mask (thisVCPU): MaxVCPUs must be a power of two.
const _ uint = -(MaxVCPUs & (MaxVCPUs - 1))

type line struct {
	n int
	b [lineMax]byte
}

//go:nosplit
func Printk(c byte) {
	l := &self().line
	l.b[l.n&(lineMax-1)] = c
	l.n++
	if c == '\n' || l.n >= lineMax {
		l.flush()
	}
}

// flushLine writes out thread t's partial line, if any: before it idles or exits, so that
// output is not held back by a missing newline.
//
//go:nosplit
func flushLine(t *thread) {
	if l := &t.line; l.n > 0 {
		l.flush()
	}
}

//go:nosplit
func (l *line) flush() {
	stalls := 0
	for done := 0; done < l.n; {
		e, took := Call(FnConsoleWrite,
			uintptr(unsafe.Pointer(&l.b[done&(lineMax-1)])), uintptr(l.n-done), 0, 0)
		if e != OK || took > uintptr(l.n-done) {
			break // nowhere to report it: the line is lost
		}
		if took == 0 {
			// The hv's console is backed up: give it 100 us at a time, not forever.
			if stalls++; stalls > 1000 {
				break
			}
			Call(FnIdle, uintptr(Now()+tickHz/10000), 0, 0, 0)
			continue
		}
		stalls = 0
		done += int(took)
	}
	l.n = 0
}
