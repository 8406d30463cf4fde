// Command output writes what `gohv run` must pass through unchanged, each byte to the stream it
// was written to: lines of exactly 160 bytes (the hv's line size) and multiples, CR, every byte
// value, stderr between the pieces of a stdout line, and unterminated text at exit.
// tests/integration/test_go.c builds the same bytes and compares.
package main

import "os"

func letters(n int) []byte {
	b := make([]byte, n+1)
	for i := 0; i < n; i++ {
		b[i] = byte('a' + i%26)
	}
	b[n] = '\n'
	return b
}

func main() {
	out, errw := os.Stdout, os.Stderr
	for _, n := range []int{160, 320, 161, 159, 0} {
		out.Write(letters(n))
	}
	out.Write([]byte("cr\rmid\r\nback\\slash \\x41\n"))
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	out.Write(all)
	out.Write([]byte("\n"))
	out.Write([]byte("partial "))
	errw.Write([]byte("err line\n"))
	out.Write([]byte("rest\n"))
	errw.Write(all)
	errw.Write([]byte("err tail"))
	out.Write([]byte("out tail"))
}
