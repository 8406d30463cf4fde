// bench_tamago: the GOOS=tamago probe of `make bench` (tools/bench/gohv-bench.c, BENCHMARKS.md),
// built with `gohv build`: no gort, the Go runtime on the goos ABI alone.
//
// Its first act in main.main reads the time CSR (runtime/goos.Now: one instruction, no trap) and
// prints the same line as the C boot guest and the gort probe:
//
//	BENCH-BOOT start <tick>
//
// The host subtracts the bench hv's "bench: hv entered at tick N". It imports only runtime/goos
// and prints with the print builtin, so what runs before main.main is the Go runtime's own
// start-up and the fewest package initialisers.
package main

import "runtime/goos"

func main() {
	print("BENCH-BOOT start ", goos.Now(), "\n")
}
