//go:build tamago && riscv64

// Package partition is what a GOOS=tamago Go program built for gohv (`gohv build`) can ask of its
// partition: the facts the hv gave it (vCPUs, RAM, name, bootargs) and the goos calls
// (guest-abi/README.md) a program may want itself, such as petting the watchdog.
//
// It wraps runtime/goos, which the build takes from gohv.dev/tamago/goos: what that package
// read at boot is what is returned here.
package partition

import "runtime/goos"

// MaxVCPUs is how many vCPUs a program can use: a larger partition's others stay stopped.
const MaxVCPUs = goos.MaxVCPUs

// VCPUs is the partition's vCPU count. The runtime starts with one P; import
// gohv.dev/tamago/smp (or set GOMAXPROCS) to use them all.
func VCPUs() int { return goos.VCPUs() }

// Threads is how many Ms (the runtime's threads) the program has started, m0 included: more of
// them than VCPUs take turns on the vCPUs.
func Threads() int { return goos.Threads() }

// VCPUID is the index of the vCPU the caller runs on (no trap).
func VCPUID() int { return goos.VCPUID() }

// Name is the partition's name in the board config (/goos/partition).
func Name() string {
	s, _ := goos.DTString("/"+goos.DTNode, "partition")
	return s
}

// Bootargs is the partition's bootargs from the board config (/chosen/bootargs): `gohv run`
// puts a program's arguments there.
func Bootargs() string {
	s, _ := goos.DTString("/chosen", "bootargs")
	return s
}

// Bootarg is the value of the word key=value in the bootargs; a bare key has value "".
func Bootarg(key string) (value string, ok bool) {
	for s := Bootargs(); s != ""; {
		i := 0
		for i < len(s) && s[i] != ' ' {
			i++
		}
		w := s[:i]
		if len(w) > len(key) && w[:len(key)] == key && w[len(key)] == '=' {
			return w[len(key)+1:], true
		}
		if w == key {
			return "", true
		}
		for i < len(s) && s[i] == ' ' {
			i++
		}
		s = s[i:]
	}
	return "", false
}

// Index is the partition's place among the board config's partitions, from 0.
func Index() int { return int(goos.InfoRead32(goos.InfoPartition)) }

// Restarts is how many times the hv has restarted the partition (0 on its first run).
func Restarts() int { return int(goos.InfoRead32(goos.InfoRestarts)) }

// RAMBase and RAMSize are the partition's RAM, guest-physical.
func RAMBase() uint64 { return goos.InfoRead64(goos.InfoRAMBase) }
func RAMSize() uint64 { return goos.InfoRead64(goos.InfoRAMSize) }

// Timebase is the frequency of the time CSR (Now) in Hz.
func Timebase() uint64 { return goos.Timebase() }

// Now is the time CSR: the partition's clock in ticks of Timebase Hz.
func Now() uint64 { return goos.Now() }

// IdleCalls is how many goos idle calls vCPU v has made so far: what the program's idle time
// cost, in wake-ups.
func IdleCalls(v int) uint64 { return goos.IdleCalls(v) }
