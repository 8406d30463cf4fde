package main

// What a run means: a verdict per runner, the first telling line of a failure's output, the cause
// group it belongs to, and the results table and summary written from them. Pure functions of
// the captured runs, so tools/gostd/report_test.go pins them without QEMU.

import (
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"
)

// Verdicts, as the table prints them.
const (
	pass        = "pass"
	fail        = "FAIL"
	timeout     = "timeout"
	needsBinfmt = "needs binfmt"
	noTests     = "no tests"
	buildFailed = "build failed"
	notRun      = "not run" // the run was interrupted first
)

// run is one test binary's run under one runner.
type run struct {
	exit     int // the process's exit status; -1 when it was killed
	timedOut bool
	secs     float64
	out      string // stdout and stderr, interleaved as written
	enoexec  bool   // an execve in it failed with ENOEXEC (qemu-user's -strace says)
}

// pkgResult is one package's line of the table.
type pkgResult struct {
	name        string
	dir         string // its source folder: the runs' working directory
	tested      bool   // it has test files
	measured    bool   // built and run to the end (false after an interrupt)
	buildErr    string // go test -c's first telling line, if the build failed
	qemu, gohv  run
	qemuVerdict string
	gohvVerdict string
	cause       string // for a gohv-only failure: its first telling line
	group       string // ... and the cause group that line falls in
}

// verdict: a test binary passed when it exited 0 and said PASS, as `go test` reads it. Under
// qemu-user without binfmt_misc, a test that re-executes itself fails with "exec format error"
// (the host kernel cannot run a riscv64 binary; tests often print only the exit code, so the
// driver asks qemu-user's -strace): that is the machine's gap, not the runner's.
func verdict(r run, binfmt bool) string {
	switch {
	case r.timedOut || r.exit == 124 || strings.Contains(r.out, "panic: test timed out"):
		return timeout
	case r.exit == 0 && passLine.MatchString(r.out):
		return pass
	case !binfmt && (r.enoexec || strings.Contains(r.out, "exec format error")):
		return needsBinfmt
	}
	return fail
}

var passLine = regexp.MustCompile(`(?m)^PASS\r?$`)

// straceENOEXEC finds, in qemu-user's -strace log, an execve the host kernel refused.
var straceENOEXEC = regexp.MustCompile(`(?m)^\d+ execve\(.*= -1 errno=8 `)

// The lines that say why, strongest first: the hv's or gort's own refusals and faults, then a
// Go runtime death, then the first failing test's first message.
var (
	toolLine  = regexp.MustCompile(`^gohv: .*(fault|refus|cannot|timed out|error|failed)`)
	fatalLine = regexp.MustCompile(`^(fatal error: |panic: |SIG[A-Z]+: )`)
	failLine  = regexp.MustCompile(`^\s*--- FAIL: (\S+)`)
	enosys    = regexp.MustCompile(`gort: system call (\S+) \(\d+\) is not implemented`)
)

// firstCause is the first telling line of a failed run's output, with what changes from run to
// run (a log line's time stamp, the random part of a temporary name) taken out.
func firstCause(out string) string {
	c := logStamp.ReplaceAllString(rawCause(out), "")
	return tempName.ReplaceAllString(c, "${1}*")
}

var (
	logStamp = regexp.MustCompile(`^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d(\.\d+)? `)
	tempName = regexp.MustCompile(`(/tmp/[^\s:/]*?)\d{4,}`)
)

func rawCause(out string) string {
	lines := strings.Split(strings.ReplaceAll(out, "\r", ""), "\n")
	for _, l := range lines {
		if toolLine.MatchString(l) {
			return strings.TrimSpace(l)
		}
	}
	for i, l := range lines {
		if !fatalLine.MatchString(l) {
			continue
		}
		// "panic: test timed out" and bare "panic: " say less than the line after them.
		if strings.HasPrefix(l, "panic: ") && i+1 < len(lines) && strings.TrimSpace(l) == "panic:" {
			return "panic: " + strings.TrimSpace(lines[i+1])
		}
		return strings.TrimSpace(l)
	}
	for i, l := range lines {
		m := failLine.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		if msg := failMessage(lines[i+1:]); msg != "" {
			return m[1] + ": " + msg
		}
	}
	// Nothing recognisable: the last line that is not the FAIL summary.
	for i := len(lines) - 1; i >= 0; i-- {
		l := strings.TrimSpace(lines[i])
		if l != "" && l != "FAIL" && !strings.HasPrefix(l, "exit status") {
			return l
		}
	}
	return "no output"
}

// failMessage is the first message line after a "--- FAIL:" line; "" when the next thing is
// another FAIL line (a parent's, whose subtest has the message) or nothing.
func failMessage(after []string) string {
	for _, l := range after {
		l = strings.TrimSpace(l)
		switch {
		case l == "" || strings.HasPrefix(l, "=== "):
			continue
		case failLine.MatchString(l) || l == "FAIL":
			return ""
		}
		return l
	}
	return ""
}

// missingCalls lists the system calls gort refused during a run, in the order first refused.
func missingCalls(out string) []string {
	var calls []string
	for _, m := range enosys.FindAllStringSubmatch(out, -1) {
		calls = append(calls, m[1])
	}
	return calls
}

// The cause groups, in the order a cause line is tried against them. The first match wins, so a
// package counts once.
var groups = []struct {
	name string
	re   *regexp.Regexp
}{
	{"timeout", regexp.MustCompile(`timed out`)},
	{"memory", regexp.MustCompile(`cannot allocate memory|out of memory|ENOMEM`)},
	{"network", regexp.MustCompile(`socket|listen |dial |bind|connect|lookup |httptest|` +
		`\b(tcp|udp|unix) is not supported`)},
	// t.TempDir, os.MkdirTemp, os.CreateTemp and friends: gort's files are read-only.
	{"writable file system", regexp.MustCompile(`read-only file system|EROFS|mkdir|TempDir|` +
		`CreateTemp|MkdirTemp|/tmp/`)},
	{"fork/exec", regexp.MustCompile(`fork/exec|exec: |os/exec|ECHILD|wait4|waitid`)},
	{"files outside the working directory", regexp.MustCompile(`no such file or directory|ENOENT`)},
	{"signals and timers", regexp.MustCompile(`signal: |SIGPROF|setitimer|timer_create|EINTR`)},
	{"guest fault", regexp.MustCompile(`fault|SIGSEGV|SIGBUS|SIGILL`)},
	{"missing system call", regexp.MustCompile(`not implemented|ENOSYS`)},
}

// callGroups places a cause line that names no group by the calls gort refused in the run.
var callGroups = []struct{ call, group string }{
	{"socket", "network"}, {"socketpair", "network"},
	{"mkdirat", "writable file system"}, {"unlinkat", "writable file system"},
	{"clone", "fork/exec"}, {"clone3", "fork/exec"}, {"execve", "fork/exec"},
	{"wait4", "fork/exec"}, {"setitimer", "signals and timers"},
	{"timer_create", "signals and timers"},
}

// causeGroup names the group of a cause line, else of the first refused call that has one,
// "other" when none fits.
func causeGroup(cause string, calls []string) string {
	for _, g := range groups {
		if g.re.MatchString(cause) {
			return g.name
		}
	}
	for _, c := range calls {
		for _, cg := range callGroups {
			if c == cg.call {
				return cg.group
			}
		}
	}
	return "other"
}

// judge fills in a package's verdicts and, for a gohv-only failure, its cause.
func judge(p *pkgResult, binfmt bool) {
	switch {
	case !p.tested:
		p.qemuVerdict, p.gohvVerdict = noTests, noTests
		return
	case !p.measured:
		p.qemuVerdict, p.gohvVerdict = notRun, notRun
		return
	case p.buildErr != "":
		p.qemuVerdict, p.gohvVerdict = buildFailed, buildFailed
		p.cause, p.group = p.buildErr, "build"
		return
	}
	p.qemuVerdict = verdict(p.qemu, binfmt)
	p.gohvVerdict = verdict(p.gohv, binfmt)
	if p.qemuVerdict == needsBinfmt {
		// Re-executing itself cannot be judged on this machine for either runner.
		p.gohvVerdict = needsBinfmt
		return
	}
	if p.qemuVerdict != pass {
		// Not gohv's to explain, but say why the baseline fails (an expired test certificate,
		// Debian's missing zoneinfo.zip...).
		p.cause = "qemu-user: " + firstCause(p.qemu.out)
		return
	}
	if p.gohvVerdict != pass {
		if p.gohvVerdict == timeout {
			p.cause = "timed out: " + firstCause(p.gohv.out)
			p.group = "timeout"
		} else {
			p.cause = firstCause(p.gohv.out)
			p.group = causeGroup(p.cause, missingCalls(p.gohv.out))
		}
		if calls := missingCalls(p.gohv.out); len(calls) > 0 {
			p.cause += " [ENOSYS: " + strings.Join(calls, ", ") + "]"
		}
	}
}

func secs(r run, v string) string {
	switch v {
	case noTests, buildFailed, needsBinfmt, notRun:
		return "-"
	}
	return fmt.Sprintf("%.1f", r.secs)
}

// writeTable writes the results file: one line per package, in the order of `go list std`.
func writeTable(w io.Writer, header string, ps []pkgResult) {
	width := len("package")
	for _, p := range ps {
		if len(p.name) > width {
			width = len(p.name)
		}
	}
	fmt.Fprintf(w, "# %s\n", header)
	fmt.Fprintf(w, "%-*s  %-12s  %-12s  %7s  %7s  %s\n", width, "package", "qemu-user", "gohv",
		"gohv s", "qemu s", "cause (of a gohv-only failure; of qemu-user's)")
	for _, p := range ps {
		line := fmt.Sprintf("%-*s  %-12s  %-12s  %7s  %7s  %s", width, p.name, p.qemuVerdict,
			p.gohvVerdict, secs(p.gohv, p.gohvVerdict), secs(p.qemu, p.qemuVerdict), p.cause)
		fmt.Fprintln(w, strings.TrimRight(line, " "))
	}
}

// summary is what docs/go-std.md reports of a run.
type summary struct {
	listed, noTests, buildFailed, needsBinfmt int
	notRun                                    int
	qemuPass, gohvPass, bothPass, gohvOnly    int
	qemuOnly, bothFail                        int
	byGroup                                   map[string][]string
}

func summarize(ps []pkgResult) summary {
	s := summary{byGroup: map[string][]string{}}
	for _, p := range ps {
		s.listed++
		switch {
		case p.qemuVerdict == noTests:
			s.noTests++
			continue
		case p.qemuVerdict == buildFailed:
			s.buildFailed++
			continue
		case p.qemuVerdict == needsBinfmt:
			s.needsBinfmt++
			continue
		case p.qemuVerdict == notRun:
			s.notRun++
			continue
		}
		q, g := p.qemuVerdict == pass, p.gohvVerdict == pass
		if q {
			s.qemuPass++
		}
		if g {
			s.gohvPass++
		}
		switch {
		case q && g:
			s.bothPass++
		case q:
			s.gohvOnly++
			s.byGroup[p.group] = append(s.byGroup[p.group], p.name)
		case g:
			s.qemuOnly++
		default:
			s.bothFail++
		}
	}
	return s
}

// share is the percentage of qemu-user-passing packages that gohv passes too.
func (s summary) share() float64 {
	if s.qemuPass == 0 {
		return 0
	}
	return 100 * float64(s.bothPass) / float64(s.qemuPass)
}

func writeSummary(w io.Writer, header string, s summary, ps []pkgResult) {
	fmt.Fprintf(w, "%s\n\n", header)
	fmt.Fprintf(w, "| packages | count |\n|---|---|\n")
	rows := []struct {
		what string
		n    int
	}{
		{"listed by `go list std`", s.listed},
		{"without test files (skipped)", s.noTests},
		{"tests fail to build", s.buildFailed},
		{"need binfmt_misc (re-execute themselves; not judged)", s.needsBinfmt},
		{"not run (interrupted)", s.notRun},
		{"pass under qemu-user", s.qemuPass},
		{"pass under gohv", s.gohvPass},
		{"pass under both", s.bothPass},
		{"fail only under gohv", s.gohvOnly},
		{"fail only under qemu-user", s.qemuOnly},
		{"fail under both", s.bothFail},
	}
	for _, r := range rows {
		fmt.Fprintf(w, "| %s | %d |\n", r.what, r.n)
	}
	fmt.Fprintf(w, "\n**%d of the %d packages that pass under qemu-user pass under gohv (%.1f %%).**\n",
		s.bothPass, s.qemuPass, s.share())
	if s.gohvOnly == 0 {
		return
	}
	fmt.Fprintf(w, "\nFailing only under gohv, by cause:\n\n")
	names := make([]string, 0, len(s.byGroup))
	for g := range s.byGroup {
		names = append(names, g)
	}
	// Largest group first; equal sizes by name, so two runs with the same results read the same.
	sort.Slice(names, func(i, j int) bool {
		a, b := len(s.byGroup[names[i]]), len(s.byGroup[names[j]])
		if a != b {
			return a > b
		}
		return names[i] < names[j]
	})
	cause := map[string]string{}
	for _, p := range ps {
		cause[p.name] = p.cause
	}
	for _, g := range names {
		fmt.Fprintf(w, "- **%s** (%d)\n", g, len(s.byGroup[g]))
		for _, name := range s.byGroup[g] {
			fmt.Fprintf(w, "  - `%s`: %s\n", name, mdEscape(cause[name]))
		}
	}
}

// mdEscape keeps a cause line from being read as Markdown (tables, emphasis, code).
func mdEscape(s string) string {
	return strings.NewReplacer("|", `\|`, "*", `\*`, "_", `\_`, "`", "'", "<", "&lt;").Replace(s)
}
