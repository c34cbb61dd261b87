package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// wrkScript makes wrk POST one GraphQL request and count as an error any
// answer that is not a 200 without "errors"; at the end it prints one
// line for drive to read. Each wrk thread runs its own Lua state, so the
// counts are summed from the threads in done().
const wrkScript = `
wrk.method = "POST"
wrk.body = [===[{{body}}]===]
wrk.headers["Content-Type"] = "application/json"
{{auth}}
local threads = {}
function setup(thread) table.insert(threads, thread) end
errors, first = 0, ""
function response(status, headers, body)
  if status ~= 200 or body:find('"errors"', 1, true) then
    errors = errors + 1
    if first == "" then first = status .. ": " .. body:sub(1, 300) end
  end
end
function done(summary, latency, requests)
  local n, e, f = 0, 0, ""
  for _, t in ipairs(threads) do
    e = e + t:get("errors")
    if f == "" then f = t:get("first") end
  end
  e = e + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format("gqlplan-bench %d %d %d %d %d\n", summary.requests, summary.duration, e, latency:percentile(50), latency:percentile(99)))
  io.write("gqlplan-bench-first " .. f .. "\n")
end
`

var wrkResult = regexp.MustCompile(`gqlplan-bench (\d+) (\d+) (\d+) (\d+) (\d+)\n(?s:gqlplan-bench-first (.*))`)

// drive sends r with wrk from concurrency connections on two threads (the
// machine's cores), each connection waiting for its answer before sending
// again (a closed loop): for warmup, unmeasured, then for duration.
func drive(ctx context.Context, r request, concurrency int, warmup, duration time.Duration) (result, error) {
	if strings.Contains(string(r.body), "]===]") {
		return result{}, fmt.Errorf("the request body cannot be quoted for wrk's Lua")
	}
	auth := ""
	if r.token != "" {
		auth = fmt.Sprintf("wrk.headers[\"Authorization\"] = \"Bearer %s\"", r.token) // a JWT is base64url and dots
	}
	dir, err := os.MkdirTemp("", "gqlplan-wrk-")
	if err != nil {
		return result{}, err
	}
	defer os.RemoveAll(dir)
	script := filepath.Join(dir, "request.lua")
	if err := os.WriteFile(script, []byte(strings.NewReplacer("{{body}}", string(r.body), "{{auth}}", auth).Replace(wrkScript)), 0o644); err != nil {
		return result{}, err
	}
	out, res, err := runLoad(ctx, dir, "wrk", func(d time.Duration, _ bool) []string {
		return []string{"-t", strconv.Itoa(min(concurrency, 2)), "-c", strconv.Itoa(concurrency),
			"-d", fmt.Sprintf("%ds", max(1, int(d.Round(time.Second).Seconds()))), "--timeout", "10s", "-s", script, r.url}
	}, warmup, duration)
	if err != nil {
		return result{}, err
	}
	m := wrkResult.FindStringSubmatch(out)
	if m == nil {
		return result{}, fmt.Errorf("wrk printed no result:\n%s", out)
	}
	n := func(i int) int64 { v, _ := strconv.ParseInt(m[i], 10, 64); return v }
	res.Requests, res.Errors = int(n(1)), int(n(3))
	res.RPS = float64(n(1)) / (time.Duration(n(2)) * time.Microsecond).Seconds()
	res.P50, res.P99 = time.Duration(n(4))*time.Microsecond, time.Duration(n(5))*time.Microsecond
	res.FirstErr = strings.TrimSpace(m[6])
	return res, nil
}
