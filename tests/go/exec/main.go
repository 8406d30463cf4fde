// exec: subprocesses under gort (guest-abi/gort/process.c) as Go's own tests make them: the
// program re-executes os.Args[0] with GOHV_EXEC_CHILD set to act as a child.
//
//	exec   every case below, one line each
//
// As a child (GOHV_EXEC_CHILD=...): exit0, exit3, echo (stdin to stdout, a count to stderr),
// big (1 MiB to stdout, 64 KiB to stderr), sleep (until killed; SIGTERM and SIGKILL), poke (writes a global and
// prints it with its pid and ppid), id (prints GOHV_EXEC_ID), text (prints the read-only
// marker, which its parent rewrote in its own memory after making the page writable: gort maps a
// program's read-only pages from the initrd in place, and such a write must not reach the file).
package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
	"unsafe"
)

// marker is read-only data of the program (its bytes are in the read-only segment).
const marker = "gohv read-only marker, as built"

var markerRef = marker

// rewriteMarker makes marker's page writable and overwrites its first bytes.
func rewriteMarker() error {
	p := (*[2]uintptr)(unsafe.Pointer(&markerRef))[0]
	start, end := p&^4095, (p+uintptr(len(marker))+4095)&^4095
	page := unsafe.Slice((*byte)(unsafe.Pointer(start)), end-start)
	if err := syscall.Mprotect(page, syscall.PROT_READ|syscall.PROT_WRITE); err != nil {
		return err
	}
	b := unsafe.Slice((*byte)(unsafe.Pointer(p)), len(marker))
	copy(b, "CHANGED")
	return nil
}

const bigOut, bigErr = 1 << 20, 64 << 10

const many = 40

// shared is what the poke child changes in its own copy of the program.
var shared = 7

func pattern(n int, seed byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7+i/4096) ^ seed
	}
	return b
}

func child(mode string) {
	switch mode {
	case "exit0":
		fmt.Println("child ok")
		os.Exit(0)
	case "exit3":
		os.Exit(3)
	case "echo":
		b, _ := io.ReadAll(os.Stdin)
		os.Stdout.Write(b)
		fmt.Fprintf(os.Stderr, "read %d\n", len(b))
	case "big":
		os.Stdout.Write(pattern(bigOut, 0))
		os.Stderr.Write(pattern(bigErr, 0x5a))
	case "sleep":
		fmt.Println("sleeping")
		time.Sleep(time.Hour)
	case "poke":
		shared = 42
		fmt.Printf("shared %d pid %d ppid %d\n", shared, os.Getpid(), os.Getppid())
	case "id":
		fmt.Printf("id %s\n", os.Getenv("GOHV_EXEC_ID"))
	case "text":
		fmt.Print(markerRef)
	}
	os.Exit(0)
}

func cmd(mode string, env ...string) *exec.Cmd {
	c := exec.Command(os.Args[0])
	c.Env = append(append(os.Environ(), "GOHV_EXEC_CHILD="+mode), env...)
	return c
}

func code(err error) string {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return fmt.Sprintf("exit code %d (%v)", ee.ExitCode(), err)
	}
	return fmt.Sprintf("%v", err)
}

func main() {
	if m := os.Getenv("GOHV_EXEC_CHILD"); m != "" {
		child(m)
	}

	out, err := cmd("exit0").Output()
	fmt.Printf("exit0: %q err %v\n", out, err)

	err = cmd("exit3").Run()
	fmt.Printf("exit3: %s\n", code(err))

	c := cmd("echo")
	c.Stdin = strings.NewReader("hello stdin\n")
	var eb bytes.Buffer
	c.Stderr = &eb
	out, err = c.Output()
	fmt.Printf("echo: %q stderr %q err %v\n", out, eb.String(), err)

	c = cmd("big")
	var ob bytes.Buffer
	eb.Reset()
	c.Stdout, c.Stderr = &ob, &eb
	err = c.Run()
	fmt.Printf("big: stdout %d bytes same %v, stderr %d bytes same %v, err %v\n", ob.Len(),
		bytes.Equal(ob.Bytes(), pattern(bigOut, 0)), eb.Len(),
		bytes.Equal(eb.Bytes(), pattern(bigErr, 0x5a)), err)

	c = cmd("sleep")
	pr, _ := c.StdoutPipe()
	if err := c.Start(); err != nil {
		fmt.Printf("kill: start: %v\n", err)
	} else {
		line := make([]byte, 9)
		io.ReadFull(pr, line)
		c.Process.Signal(syscall.SIGTERM)
		err = c.Wait()
		ws := c.ProcessState.Sys().(syscall.WaitStatus)
		fmt.Printf("kill: said %q, %v, signaled %v %v\n", line, err, ws.Signaled(), ws.Signal())
	}

	c = cmd("sleep")
	pr, _ = c.StdoutPipe()
	if err := c.Start(); err != nil {
		fmt.Printf("sigkill: start: %v\n", err)
	} else {
		line := make([]byte, 9)
		io.ReadFull(pr, line)
		c.Process.Kill()
		err = c.Wait()
		fmt.Printf("sigkill: %v\n", err)
	}

	// Each child's memory goes back when it ends: more children in turn than the partition
	// could hold at once (a Go program touches a few MiB).
	ok := 0
	for i := 0; i < many; i++ {
		if o, err := cmd("exit0").Output(); err == nil && string(o) == "child ok\n" {
			ok++
		}
	}
	fmt.Printf("many: %d of %d children in turn ran\n", ok, many)

	err = exec.Command("/no/such/program").Run()
	fmt.Printf("missing: %v\n", err)
	err = exec.Command("/etc/hosts").Run()
	fmt.Printf("not executable: %v\n", err)

	var wg sync.WaitGroup
	results := make([]string, 4)
	for i := range results {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			o, err := cmd("id", fmt.Sprintf("GOHV_EXEC_ID=%d", i)).Output()
			results[i] = fmt.Sprintf("%q/%v", o, err)
		}(i)
	}
	wg.Wait()
	fmt.Printf("concurrent: %s\n", strings.Join(results, " "))

	out, err = cmd("poke").Output()
	var cs, cpid, cppid int
	fmt.Sscanf(string(out), "shared %d pid %d ppid %d", &cs, &cpid, &cppid)
	fmt.Printf("memory: child saw %d, parent has %d; child pid differs %v, its ppid is ours %v, err %v\n",
		cs, shared, cpid != os.Getpid() && cpid > 0, cppid == os.Getpid(), err)

	err = rewriteMarker()
	out, cerr := cmd("text").Output()
	fmt.Printf("text: parent has %q (mprotect err %v), child has %q, err %v\n", markerRef[:7],
		err, out, cerr)

	c = cmd("exit0")
	c.Stdout = os.Stdout
	err = c.Run()
	fmt.Printf("inherit: err %v\n", err)
	fmt.Println("exec: done")
}
