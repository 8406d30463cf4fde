// Command gostd measures the Go standard library on gohv against qemu-user (`make go-std`).
//
// Every package of `go list std` with test files is built with its tests for linux/GOARCH
// (`go test -c`), and the binary is run with -test.short from the package's source folder, as
// `go test` runs it, once under qemu-user and once under `gohv run`. The results table (one
// line per package, in `go list std` order whatever -j is) goes to OUT/results.txt, the summary
// to OUT/summary.md, each run's output to OUT/log/.
//
//	gostd [-out DIR] [-gohv PATH] [-j N] [-timeout S] [-pkgs "a b"] [-- GOHV-RUN-OPTIONS...]
//
// What follows "--" is passed to `gohv run` as it is: its options are gohv's, not this tool's.
package main

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Architecture facts this tool needs per GOARCH: ELF e_machine for binfmt_misc.
var elfMachines = map[string]uint16{"riscv64": 243}

type config struct {
	out, gohv, qemu, goarch string
	goCmd                   string
	goroot                  string // `go env GOROOT`, which `go test` puts in a test's environment
	jobs                    int
	limit                   time.Duration
	gohvOpts                []string
	binfmt                  bool // -binfmt: try to register binfmt_misc
	haveBinfmt              bool // qemu-user can run a re-executed binary
}

func main() {
	var c config
	var pkgs string
	var secs int
	flag.StringVar(&c.out, "out", "build/go-std", "results `folder`")
	flag.StringVar(&c.gohv, "gohv", "build/tools/gohv", "the gohv `command`")
	flag.StringVar(&c.goCmd, "go", "go", "the Go `command` that lists and builds the packages")
	flag.StringVar(&c.goarch, "goarch", "riscv64", "the guest's GOARCH")
	flag.StringVar(&c.qemu, "qemu", "", "the qemu-user `command` (default qemu-GOARCH)")
	flag.IntVar(&c.jobs, "j", 2, "packages measured at once")
	flag.IntVar(&secs, "timeout", 300, "per package and runner: -test.timeout `seconds`")
	flag.StringVar(&pkgs, "pkgs", "", "measure only these `packages` (space-separated)")
	flag.BoolVar(&c.binfmt, "binfmt", true, "register binfmt_misc for qemu-user during the run")
	flag.StringVar(&gopath, "gopath", "", "measure -pkgs (required) of this GOPATH `folder` "+
		"(GOPATH mode, e.g. Debian's /usr/share/gocode) instead of the standard library")
	flag.Parse()
	c.gohvOpts = flag.Args()
	c.limit = time.Duration(secs) * time.Second
	if c.qemu == "" {
		c.qemu = "qemu-" + c.goarch
	}
	if c.jobs < 1 || secs < 1 {
		fatalf("-j and -timeout must be positive")
	}
	for _, p := range []*string{&c.out, &c.gohv} {
		abs, err := filepath.Abs(*p)
		if err != nil {
			fatalf("%s: %v", *p, err)
		}
		*p = abs
	}
	if _, err := exec.LookPath(c.qemu); err != nil {
		fatalf("%s: not found: Debian's qemu-user (`apt-get install qemu-user`; `make deps` "+
			"installs it in a fresh build folder)", c.qemu)
	}
	if _, err := os.Stat(c.gohv); err != nil {
		fatalf("%s: %v (build it with `make tools`)", c.gohv, err)
	}
	root, err := exec.Command(c.goCmd, "env", "GOROOT").Output()
	if err != nil {
		fatalf("go env GOROOT: %v", err)
	}
	c.goroot = strings.TrimSpace(string(root))
	if gopath != "" && len(strings.Fields(pkgs)) == 0 {
		fatalf("-gopath needs -pkgs: the packages to measure")
	}
	all, err := listStd(c.goCmd, c.goarch, strings.Fields(pkgs))
	if err != nil {
		fatalf("go list std: %v", err)
	}
	ps, err := choose(all, strings.Fields(pkgs))
	if err != nil {
		fatalf("%v", err)
	}
	if err := os.MkdirAll(filepath.Join(c.out, "log"), 0o755); err != nil {
		fatalf("%v", err)
	}
	if err := os.MkdirAll(filepath.Join(c.out, "bin"), 0o755); err != nil {
		fatalf("%v", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	bf := binfmt{note: "binfmt_misc: not used (-binfmt=false)"}
	if c.binfmt {
		machine, ok := elfMachines[c.goarch]
		qemuPath, _ := exec.LookPath(c.qemu)
		if ok {
			bf = setupBinfmt("gohv-gostd-"+c.goarch, machine, qemuPath)
		} else {
			bf.note = "binfmt_misc: no ELF machine known for " + c.goarch
		}
	}
	fmt.Fprintln(os.Stderr, "gostd:", bf.note)
	// An interrupt ends the runs, then binfmt_misc is undone before exiting.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		<-sigs
		cancel()
	}()

	c.haveBinfmt = bf.ok
	start := time.Now()
	measureAll(ctx, &c, ps, bf.ok)
	undoBinfmt(&bf)
	wall := time.Since(start)
	interrupted := ""
	if ctx.Err() != nil {
		interrupted = "INTERRUPTED: "
	}

	for i := range ps {
		judge(&ps[i], bf.ok)
	}
	opts := strings.Join(c.gohvOpts, " ")
	if opts == "" {
		opts = "(no options)"
	}
	header := fmt.Sprintf("%sgostd: %s, %d packages, GOOS=linux GOARCH=%s, -test.short, cwd = the "+
		"package's folder; -j %d, -timeout %d s; gohv run %s; %s; %s wall; %s",
		interrupted, runtime.Version(), len(ps), c.goarch, c.jobs, secs, opts,
		bf.note, wall.Round(time.Second), time.Now().UTC().Format("2006-01-02 15:04 UTC"))
	var table, sum bytes.Buffer
	writeTable(&table, header, ps)
	writeSummary(&sum, "<!-- "+header+" -->", summarize(ps), ps)
	write(filepath.Join(c.out, "results.txt"), table.Bytes())
	write(filepath.Join(c.out, "summary.md"), sum.Bytes())
	os.Stdout.Write(sum.Bytes())
	fmt.Printf("\ntable: %s\n", filepath.Join(c.out, "results.txt"))
	if interrupted != "" {
		os.Exit(130)
	}
}

// listStd is every standard-library package for the guest, and whether it has test files.
// Listed by name: Debian's GOROOT/src is a symlink, so `go test some/...` patterns match nothing.
// With -gopath: the named packages of that GOPATH (-e: one that does not build is listed).
func listStd(goCmd, goarch string, names []string) ([]pkgResult, error) {
	args := []string{"list", "-f"}
	patterns := []string{"std"}
	if gopath != "" {
		args, patterns = []string{"list", "-e", "-f"}, names
	}
	args = append(args, "{{.ImportPath}}\t{{.Dir}}\t{{len .TestGoFiles}}\t{{len .XTestGoFiles}}")
	cmd := exec.Command(goCmd, append(args, patterns...)...)
	cmd.Env = goEnv(goarch)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, err
	}
	var ps []pkgResult
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Split(sc.Text(), "\t")
		if len(f) != 4 {
			return nil, fmt.Errorf("unexpected line %q", sc.Text())
		}
		ps = append(ps, pkgResult{name: f[0], dir: f[1], tested: f[2] != "0" || f[3] != "0"})
	}
	return ps, nil
}

// choose keeps the named packages (all when none is named), in `go list std` order.
func choose(all []pkgResult, names []string) ([]pkgResult, error) {
	if len(names) == 0 {
		return all, nil
	}
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	var ps []pkgResult
	for _, p := range all {
		if want[p.name] {
			ps = append(ps, p)
			delete(want, p.name)
		}
	}
	for n := range want {
		return nil, fmt.Errorf("%s: not a package go list knows", n)
	}
	return ps, nil
}

// gopath is -gopath: where the packages measured are, when they are not the standard library's.
var gopath string

func goEnv(goarch string) []string {
	env := append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+goarch, "GOFLAGS=")
	if gopath != "" {
		env = append(env, "GO111MODULE=off", "GOPATH="+gopath)
	}
	return env
}

// measureAll builds and runs each package, c.jobs at a time; each result lands in its own slot.
func measureAll(ctx context.Context, c *config, ps []pkgResult, binfmt bool) {
	next := make(chan int)
	var wg sync.WaitGroup
	var mu sync.Mutex
	done := 0
	for w := 0; w < c.jobs; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				measure(ctx, c, &ps[i])
				mu.Lock()
				done++
				judge(&ps[i], binfmt)
				fmt.Fprintf(os.Stderr, "gostd: [%d/%d] %-28s qemu-user %-12s gohv %s\n", done,
					len(ps), ps[i].name, ps[i].qemuVerdict, ps[i].gohvVerdict)
				mu.Unlock()
			}
		}()
	}
	for i := range ps {
		if ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
}

// measure builds one package's test binary and runs it under both runners.
func measure(ctx context.Context, c *config, p *pkgResult) {
	defer func() { p.measured = ctx.Err() == nil }()
	if !p.tested {
		return
	}
	file := strings.ReplaceAll(p.name, "/", "_")
	bin := filepath.Join(c.out, "bin", file+".test")
	logs := filepath.Join(c.out, "log", file)
	b := execute(ctx, "", goEnv(c.goarch), 30*time.Minute, c.goCmd, "test", "-c", "-o", bin, p.name)
	writeLog(logs+".build.txt", b.out)
	if b.exit != 0 {
		p.buildErr = firstLine(b.out)
		return
	}
	// As `go test` runs a test binary: from the package's folder, with its -test.timeout. Each
	// runner gets a little longer than that, so a hang ends in Go's own panic and stacks.
	testArgs := []string{"-test.short", fmt.Sprintf("-test.timeout=%ds", int(c.limit.Seconds()))}
	// As `go test -exec` runs it: with the Go command's GOROOT in its environment (cmd/go sets
	// it), so runtime.GOROOT() is the toolchain's and gohv run shares that Go root and the
	// module around the package (its default, tools/gohv_share.h).
	env := append(os.Environ(), "GOROOT="+c.goroot)
	p.qemu = execute(ctx, p.dir, env, c.limit+time.Minute, append([]string{c.qemu, bin}, testArgs...)...)
	writeLog(logs+".qemu.txt", p.qemu.out)
	if !c.haveBinfmt && verdict(p.qemu, false) == fail {
		// Did it fail because a child could not be executed? qemu-user's -strace tells.
		trace := logs + ".qemu-strace.txt"
		_ = execute(ctx, p.dir, env, c.limit+time.Minute,
			append([]string{c.qemu, "-D", trace, "-strace", bin}, testArgs...)...)
		if data, err := os.ReadFile(trace); err == nil {
			p.qemu.enoexec = straceENOEXEC.Match(data)
		}
	}
	argv := []string{c.gohv, "run", "--timeout", fmt.Sprint(int((c.limit + 30*time.Second).Seconds()))}
	argv = append(argv, c.gohvOpts...)
	argv = append(append(argv, bin), testArgs...)
	p.gohv = execute(ctx, p.dir, env, c.limit+time.Minute, argv...)
	writeLog(logs+".gohv.txt", p.gohv.out)
}

func firstLine(s string) string {
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			return l
		}
	}
	return "no output"
}

func write(path string, data []byte) {
	if err := os.WriteFile(path, data, 0o644); err != nil {
		fatalf("%v", err)
	}
}

// writeLog keeps a run's output; failing to is said, not fatal (binfmt_misc is still to undo).
func writeLog(path, out string) {
	if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
		fmt.Fprintf(os.Stderr, "gostd: %v\n", err)
	}
}

func fatalf(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "gostd: "+format+"\n", args...)
	os.Exit(2)
}
