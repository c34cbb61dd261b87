package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// result is what one workload measured on one server.
type result struct {
	Requests int
	Errors   int
	RPS      float64
	P50, P99 time.Duration
	FirstErr string
	// cpuFrom and cpuTo are the machine's CPU times when the measurement
	// started and ended; clientCPU is what the load generator (wrk or
	// pgbench, which end before cpuTo) used.
	cpuFrom, cpuTo cpuTimes
	clientCPU      time.Duration
}

// request is a ready-to-send GraphQL POST.
type request struct {
	url   string
	body  []byte
	token string
}

func newRequest(url, query string, variables map[string]any, token string) request {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": variables})
	return request{url: url, body: body, token: token}
}

// send posts the request once; a non-200 status or a GraphQL error is an
// error.
func (r request) send(ctx context.Context, client *http.Client) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.url, bytes.NewReader(r.body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if r.token != "" {
		req.Header.Set("Authorization", "Bearer "+r.token)
	}
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK || bytes.Contains(body, []byte(`"errors"`)) {
		return body, fmt.Errorf("status %d: %.300s", resp.StatusCode, body)
	}
	return body, nil
}

// runLoad runs a load tool (wrk, pgbench) twice, in dir: for warmup,
// unmeasured, then for duration, with the machine's CPU sampled around
// that run and the tool's own CPU taken from its exit. args gives the
// tool's arguments for a run of d (measured: the second). It returns the
// measured run's output and a result holding its CPU.
func runLoad(ctx context.Context, dir, tool string, args func(d time.Duration, measured bool) []string, warmup, duration time.Duration) (string, result, error) {
	var res result
	run := func(d time.Duration, measured bool) (string, error) {
		cmd := exec.CommandContext(ctx, tool, args(d, measured)...)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err != nil {
			return "", fmt.Errorf("%s: %v\n%s", filepath.Base(tool), err, out)
		}
		res.clientCPU = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
		return string(out), nil
	}
	if _, err := run(warmup, false); err != nil {
		return "", res, err
	}
	res.cpuFrom = sampleCPU()
	out, err := run(duration, true)
	res.cpuTo = sampleCPU()
	return out, res, err
}

// rssSampler records the peak resident set size of a process.
type rssSampler struct {
	pid  int
	mu   sync.Mutex
	peak int64 // KiB
}

func (s *rssSampler) run(ctx context.Context) {
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.pid))
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(status), "\n") {
			if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
				kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
				s.mu.Lock()
				s.peak = max(s.peak, kb)
				s.mu.Unlock()
			}
		}
	}
}

// takePeak returns the peak since the last call and starts anew.
func (s *rssSampler) takePeak() float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.peak
	s.peak = 0
	return float64(p) / 1024
}
