//go:build tamago && riscv64

package partition

import (
	"runtime/goos"
	"unsafe"
)

// Errno is a goos error code (GOOS_ERR_*).
type Errno int

func (e Errno) Error() string {
	switch e {
	case goos.ErrFailed:
		return "goos: failed"
	case goos.ErrNotSupported:
		return "goos: not supported"
	case goos.ErrInvalidParam:
		return "goos: invalid parameter"
	case goos.ErrDenied:
		return "goos: denied"
	case goos.ErrInvalidAddr:
		return "goos: buffer outside the partition's RAM"
	case goos.ErrAlreadyStarted:
		return "goos: vCPU already started"
	}
	return "goos: unknown error"
}

func errOf(e int) error {
	if e == goos.OK {
		return nil
	}
	return Errno(e)
}

// Call makes goos call fn (runtime/goos has the Fn* constants) with arguments a0..a3 and
// returns the hv's error code and value.
func Call(fn, a0, a1, a2, a3 uintptr) (err int, val uintptr) { return goos.Call(fn, a0, a1, a2, a3) }

// Version is the hv's goos ABI version.
func Version() int {
	_, v := goos.Call(goos.FnVersion, 0, 0, 0, 0)
	return int(v)
}

// Entropy fills p from the partition's own DRBG (crypto/rand reads the same).
func Entropy(p []byte) error {
	for done := 0; done < len(p); {
		n := len(p) - done
		if n > goos.MaxXfer {
			n = goos.MaxXfer
		}
		e, got := goos.Call(goos.FnEntropy, uintptr(unsafe.Pointer(&p[done])), uintptr(n), 0, 0)
		if e != goos.OK {
			return Errno(e)
		}
		if got == 0 || got > uintptr(n) {
			return Errno(goos.ErrFailed)
		}
		done += int(got)
	}
	return nil
}

// Idle blocks the calling vCPU until Now reaches deadline or an event comes (GOOS_FN_IDLE);
// the Go scheduler does this by itself whenever it has nothing to run.
func Idle(deadline uint64) uint64 { return goos.IdleCall(deadline) }

// Wake ends vCPU v's idle call, or makes its next one return at once.
func Wake(v int) error {
	e, _ := goos.Call(goos.FnWake, uintptr(v), 0, 0, 0)
	return errOf(e)
}

// PetWatchdog starts a new period of the partition's watchdog (the board's watchdog-ms).
func PetWatchdog() error {
	e, _ := goos.Call(goos.FnWatchdogPet, 0, 0, 0, 0)
	return errOf(e)
}
