package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"time"
)

// server is a GraphQL server process under measurement: gqlplan serve or
// PostGraphile.
type server struct {
	url   string
	debug string // gqlplan's --debug-listen address, or ""
	cmd   *exec.Cmd
	log   *os.File // its output, shown when it does not start
}

// freePort is a loopback port nothing listens on now.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// startServer runs cmd and waits until url answers a GraphQL request.
func startServer(ctx context.Context, name string, cmd *exec.Cmd, url string) (*server, error) {
	log, err := os.CreateTemp("", "gqlplan-bench-server-*.log")
	if err != nil {
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = log, log
	s := &server{url: url, cmd: cmd, log: log}
	if err := cmd.Start(); err != nil {
		s.stop()
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	probe := newRequest(url, `{ __typename }`, nil, "")
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if _, err := probe.send(ctx, nil); err == nil {
			return s, nil
		}
	}
	out, _ := os.ReadFile(log.Name())
	s.stop()
	return nil, fmt.Errorf("%s did not start:\n%s", name, out)
}

// stop interrupts the server (killing it after 10 s) and removes its log.
func (s *server) stop() {
	if s.cmd.Process != nil {
		_ = s.cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = s.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = s.cmd.Process.Kill()
			<-done
		}
	}
	s.log.Close()
	os.Remove(s.log.Name())
}
