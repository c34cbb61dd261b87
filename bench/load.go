package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
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
	// started and ended.
	cpuFrom, cpuTo cpuTimes
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

// drive sends r from concurrency workers, each waiting for its answer
// before sending again (a closed loop), for warmup and then for duration,
// and measures the second part.
func drive(ctx context.Context, r request, concurrency int, warmup, duration time.Duration) result {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: concurrency, MaxConnsPerHost: concurrency}}
	defer client.CloseIdleConnections()
	start := time.Now().Add(warmup)
	stop := start.Add(duration)
	var mu sync.Mutex
	var res result
	var latencies []time.Duration
	sampled := make(chan cpuTimes, 1)
	go func() {
		select {
		case <-time.After(time.Until(start)):
			sampled <- sampleCPU()
		case <-ctx.Done():
			sampled <- nil
		}
	}()
	var wg sync.WaitGroup
	for range concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			errors, firstErr := 0, ""
			for {
				t0 := time.Now()
				if t0.After(stop) || ctx.Err() != nil {
					break
				}
				_, err := r.send(ctx, client)
				if t0.Before(start) {
					continue
				}
				mine = append(mine, time.Since(t0))
				if err != nil {
					errors++
					if firstErr == "" {
						firstErr = err.Error()
					}
				}
			}
			mu.Lock()
			latencies = append(latencies, mine...)
			res.Errors += errors
			if res.FirstErr == "" {
				res.FirstErr = firstErr
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	res.cpuTo = sampleCPU()
	res.cpuFrom = <-sampled
	res.Requests = len(latencies)
	res.RPS = float64(res.Requests) / duration.Seconds()
	res.P50, res.P99 = percentile(latencies, 0.50), percentile(latencies, 0.99)
	return res
}

// percentile sorts d and returns its q-quantile (nearest rank).
func percentile(d []time.Duration, q float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	slices.Sort(d)
	return d[min(len(d)-1, int(q*float64(len(d))))]
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
