package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"time"
)

// profileDuring fetches a CPU profile of gqlplan serve (its --debug-listen
// address debug) over the measured part of a run that starts now with
// warmup, then its allocation profile, into dir as name.cpu.pprof and
// name.allocs.pprof. The returned channel reports when both are written.
func profileDuring(ctx context.Context, debug, dir, name string, warmup, duration time.Duration) <-chan error {
	done := make(chan error, 1)
	go func() {
		select {
		case <-time.After(warmup + 500*time.Millisecond):
		case <-ctx.Done():
			done <- ctx.Err()
			return
		}
		seconds := max(1, int((duration - time.Second).Seconds()))
		err := fetch(ctx, fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", debug, seconds), filepath.Join(dir, name+".cpu.pprof"))
		if err == nil {
			err = fetch(ctx, "http://"+debug+"/debug/pprof/allocs", filepath.Join(dir, name+".allocs.pprof"))
		}
		done <- err
	}()
	return done
}

func fetch(ctx context.Context, url, file string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s", url, resp.Status)
	}
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	return os.WriteFile(file, data, 0o644)
}
