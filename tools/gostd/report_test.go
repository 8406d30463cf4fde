package main

// The verdicts, cause lines, groups, table and summary of `make go-std`, on captured outputs
// (run by `make unit-test`: no QEMU, no qemu-user).

import (
	"bytes"
	"strings"
	"testing"
)

func TestVerdict(t *testing.T) {
	cases := []struct {
		r      run
		binfmt bool
		want   string
	}{
		{run{exit: 0, out: "ok\nPASS\n"}, true, pass},
		{run{exit: 0, out: "no pass line\n"}, true, fail}, // exit 0 alone is not a pass
		{run{exit: 1, out: "--- FAIL: TestX\nFAIL\n"}, true, fail},
		{run{exit: -1, timedOut: true}, true, timeout},
		{run{exit: 124, out: "gohv: x.test: timed out after 330 s (--timeout)\n"}, true, timeout},
		{run{exit: 2, out: "panic: test timed out after 5m0s\n"}, true, timeout},
		{run{exit: 1, out: "fork/exec /b/x.test: exec format error\nFAIL\n"}, false, needsBinfmt},
		{run{exit: 1, out: "fork/exec /b/x.test: exec format error\nFAIL\n"}, true, fail},
		{run{exit: 1, out: "--- FAIL: TestExitCode\n", enoexec: true}, false, needsBinfmt},
	}
	for i, c := range cases {
		if got := verdict(c.r, c.binfmt); got != c.want {
			t.Errorf("case %d: verdict %q, want %q", i, got, c.want)
		}
	}
}

func TestStraceENOEXEC(t *testing.T) {
	log := "4390 openat(AT_FDCWD,\"/x\",O_RDONLY) = 3\n" +
		"4392 execve(\"/b/flag.test\",{\"/b/flag.test\",NULL}) = -1 errno=8 (Exec format error)\n"
	if !straceENOEXEC.MatchString(log) {
		t.Errorf("the refused execve was not found")
	}
	if straceENOEXEC.MatchString("4392 execve(\"/bin/true\",{NULL}) = 0\n") {
		t.Errorf("a successful execve was taken for a refused one")
	}
}

func TestFirstCause(t *testing.T) {
	cases := []struct{ out, want string }{
		{"=== RUN TestA\n--- FAIL: TestA (0.00s)\n    a_test.go:9: mkdir /tmp/x: read-only file system\nFAIL\n",
			"TestA: a_test.go:9: mkdir /tmp/x: read-only file system"},
		// A parent's FAIL line before its subtest's: the subtest's message is the one.
		{"--- FAIL: TestP (0.01s)\n    --- FAIL: TestP/sub (0.00s)\n        p_test.go:3: boom\n",
			"TestP/sub: p_test.go:3: boom"},
		{"ok so far\nfatal error: runtime: cannot allocate memory\n\ngoroutine 1 [running]:\n",
			"fatal error: runtime: cannot allocate memory"},
		// The hv's or gohv's own line beats what the program printed.
		{"--- FAIL: TestB\n    b.go:1: x\ngohv: partition x.test: guest fault: load page fault at 0x10\n",
			"gohv: partition x.test: guest fault: load page fault at 0x10"},
		{"something odd\nFAIL\nexit status 1\n", "something odd"},
		{"", "no output"},
		// What differs between two runs is taken out.
		{"2026/12/02 14:46:54 mkdir /tmp/template3125772718: function not implemented\n",
			"mkdir /tmp/template*: function not implemented"},
	}
	for i, c := range cases {
		if got := firstCause(c.out); got != c.want {
			t.Errorf("case %d: cause %q, want %q", i, got, c.want)
		}
	}
}

func TestCauseGroup(t *testing.T) {
	cases := map[string]string{
		"TestA: mkdir /tmp/x: read-only file system":                                          "writable file system",
		"TestF: TempDir: mkdir /tmp/TestF*: function not implemented":                         "writable file system",
		"TestG: open /tmp/ioutil-test*: no such file or directory":                            "writable file system",
		"TestH: signal_linux_test.go:32: failed to set KEEP_CAPS=0: function not implemented": "missing system call",
		"TestB: open ../testdata/x: no such file or directory":                                "files outside the working directory",
		"fatal error: runtime: cannot allocate memory":                                        "memory",
		"TestC: listen tcp 127.0.0.1:0: socket: function not implemented":                     "network",
		"TestD: fork/exec /x.test: function not implemented":                                  "fork/exec",
		"timed out: panic: test timed out after 5m0s":                                         "timeout",
		"TestE: got 3, want 4": "other",
	}
	for cause, want := range cases {
		if got := causeGroup(cause, nil); got != want {
			t.Errorf("%q: group %q, want %q", cause, got, want)
		}
	}
	// A line that names nothing is placed by the first refused call that says something.
	if got := causeGroup("TestZ: got 1, want 2", []string{"prctl", "socket"}); got != "network" {
		t.Errorf("placed by the refused calls: %q, want network", got)
	}
	if got := causeGroup("TestC: tcp is not supported", nil); got != "network" {
		t.Errorf("tcp is not supported: %q, want network", got)
	}
}

func TestMissingCalls(t *testing.T) {
	out := "gort: system call prctl (167) is not implemented: ENOSYS\nx\n" +
		"gort: system call setitimer (103) is not implemented: ENOSYS\n"
	got := strings.Join(missingCalls(out), ",")
	if got != "prctl,setitimer" {
		t.Errorf("missing calls %q", got)
	}
}

// Three packages: one passing under both, one failing only under gohv, one without tests.
func sample() []pkgResult {
	ps := []pkgResult{
		{name: "a/b", tested: true, measured: true, qemu: run{out: "PASS\n", secs: 1.25}, gohv: run{out: "PASS\n", secs: 3}},
		{name: "c", tested: true, measured: true, qemu: run{out: "PASS\n", secs: 2},
			gohv: run{exit: 1, secs: 4, out: "gort: system call mkdirat (34) is not implemented: ENOSYS\n" +
				"--- FAIL: TestT\n    t.go:1: mkdir /tmp/t: read-only file system\nFAIL\n"}},
		{name: "d/e", tested: false},
		{name: "f", tested: true}, // the run was interrupted before it
		{name: "g", tested: true, measured: true, qemu: run{exit: 1, out: "--- FAIL: TestQ\n    q.go:2: expired\n"},
			gohv: run{exit: 1, out: "--- FAIL: TestQ\n    q.go:2: expired\n"}},
	}
	for i := range ps {
		judge(&ps[i], true)
	}
	return ps
}

func TestJudgeAndTable(t *testing.T) {
	ps := sample()
	if ps[1].group != "writable file system" ||
		ps[1].cause != "TestT: t.go:1: mkdir /tmp/t: read-only file system [ENOSYS: mkdirat]" {
		t.Errorf("gohv-only failure judged as %q / %q", ps[1].group, ps[1].cause)
	}
	if ps[0].cause != "" || ps[2].qemuVerdict != noTests || ps[2].gohvVerdict != noTests {
		t.Errorf("judged %+v / %+v", ps[0], ps[2])
	}
	var b bytes.Buffer
	writeTable(&b, "hdr", ps)
	want := "# hdr\n" +
		"package  qemu-user     gohv           gohv s   qemu s  cause (of a gohv-only failure; of qemu-user's)\n" +
		"a/b      pass          pass              3.0      1.2\n" +
		"c        pass          FAIL              4.0      2.0  TestT: t.go:1: mkdir /tmp/t: read-only file system [ENOSYS: mkdirat]\n" +
		"d/e      no tests      no tests            -        -\n" +
		"f        not run       not run             -        -\n" +
		"g        FAIL          FAIL              0.0      0.0  qemu-user: TestQ: q.go:2: expired\n"
	if b.String() != want {
		t.Errorf("table:\n%s\nwant:\n%s", b.String(), want)
	}
}

func TestSummary(t *testing.T) {
	ps := sample()
	s := summarize(ps)
	if s.listed != 5 || s.notRun != 1 || s.bothFail != 1 || s.noTests != 1 || s.qemuPass != 2 || s.bothPass != 1 || s.gohvOnly != 1 {
		t.Errorf("summary %+v", s)
	}
	if s.share() != 50 {
		t.Errorf("share %.1f, want 50", s.share())
	}
	var b bytes.Buffer
	writeSummary(&b, "hdr", s, ps)
	for _, want := range []string{
		"| pass under both | 1 |",
		"**1 of the 2 packages that pass under qemu-user pass under gohv (50.0 %).**",
		"- **writable file system** (1)\n  - `c`: TestT: t.go:1: mkdir /tmp/t: read-only file system [ENOSYS: mkdirat]\n",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, b.String())
		}
	}
}

func TestElfMagic(t *testing.T) {
	magic, mask := elfMagic(243)
	if magic != `\x7f\x45\x4c\x46\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\xf3\x00` ||
		!strings.HasPrefix(mask, `\xff\xff\xff\xff\xff\xff\xff\x00`) {
		t.Errorf("magic %s mask %s", magic, mask)
	}
}

func TestChoose(t *testing.T) {
	all := []pkgResult{{name: "a"}, {name: "b"}, {name: "c"}}
	ps, err := choose(all, []string{"c", "a"})
	if err != nil || len(ps) != 2 || ps[0].name != "a" || ps[1].name != "c" {
		t.Errorf("choose: %v %v", ps, err)
	}
	if _, err := choose(all, []string{"nope"}); err == nil {
		t.Errorf("choose accepted a package go list std does not list")
	}
}
