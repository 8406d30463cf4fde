package main

// Running one command with a deadline. Each command is its own process group, so a deadline or
// an interrupt ends the command and whatever it started (gohv's QEMU, a test's children) and
// nothing else.

import (
	"bytes"
	"context"
	"errors"
	"os/exec"
	"syscall"
	"time"
)

// grace is how long a command may take to wind down after SIGTERM (gohv stops its QEMU on it).
const grace = 10 * time.Second

func execute(ctx context.Context, dir string, env []string, limit time.Duration, argv ...string) run {
	var out bytes.Buffer
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.Env = env
	cmd.Stdout = &out
	cmd.Stderr = &out // one writer: the lines stay in the order they were written
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return run{exit: -1, out: err.Error()}
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	timer := time.NewTimer(limit)
	defer timer.Stop()
	r := run{}
	var err error
	select {
	case err = <-done:
	case <-timer.C:
		r.timedOut = true
		err = stop(cmd.Process.Pid, done)
	case <-ctx.Done():
		err = stop(cmd.Process.Pid, done)
	}
	r.secs = time.Since(start).Seconds()
	r.out = out.String()
	var exitErr *exec.ExitError
	switch {
	case err == nil:
		r.exit = 0
	case errors.As(err, &exitErr) && exitErr.Exited():
		r.exit = exitErr.ExitCode()
	default:
		r.exit = -1
	}
	// A test's leftover children die with it.
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	return r
}

// stop ends the process group pgid: SIGTERM, then SIGKILL after the grace period.
func stop(pgid int, done <-chan error) error {
	_ = syscall.Kill(-pgid, syscall.SIGTERM)
	select {
	case err := <-done:
		return err
	case <-time.After(grace):
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		return <-done
	}
}
