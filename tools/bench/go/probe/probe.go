// Package probe is what the Go bench programs share: the instruction counter they read and
// the line `make bench` (tools/bench/gohv-bench.c) parses.
package probe

import (
	"fmt"
	"os"
	"sort"
)

// Instret reads the instret CSR (gort lets programs read it), which under -icount is the
// machine's clock in instructions.
func Instret() uint64

// Median sorts s and returns its median.
func Median(s []uint64) uint64 {
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[(len(s)-1)/2]
}

// Report prints the figure line: BENCH <name> <median> <unit> min=<min> max=<max> n=<n>.
func Report(name, unit string, s []uint64) {
	m := Median(s)
	fmt.Printf("BENCH %s %d %s min=%d max=%d n=%d\n", name, m, unit, s[0], s[len(s)-1], len(s))
}

// Fail prints the line that makes the scenario fail and exits.
func Fail(what string, err error) {
	fmt.Printf("BENCH FAIL %s: %v\n", what, err)
	os.Exit(1)
}
