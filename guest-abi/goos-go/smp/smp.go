//go:build tamago && riscv64

// Package smp, imported for its side effect, makes the Go scheduler use every vCPU of the
// partition: GOMAXPROCS = partition.VCPUs(). The tamago runtime starts with one P (its NumCPU is
// 1) whatever the partition has; each further P gets a vCPU of its own when the runtime starts
// an M for it.
//
//	import _ "gohv.dev/tamago/smp"
package smp

import (
	"runtime"

	"gohv.dev/tamago/partition"
)

func init() {
	n := partition.VCPUs()
	if n > partition.MaxVCPUs {
		n = partition.MaxVCPUs
	}
	if n > 1 {
		runtime.GOMAXPROCS(n)
	}
}
