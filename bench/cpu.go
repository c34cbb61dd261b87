package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// cpuTimes is the CPU time (user + system) every process has used so far,
// summed by command name (/proc/<pid>/stat's comm: "gqlplan", "postgres",
// "node"). The difference of two
// samples, divided by the requests between them, says where a request's
// CPU goes on a machine the server, the database and the load generator
// share. A process that ended between the samples is not counted, except
// PostgreSQL's backends: the postmaster reaps them, and the kernel adds
// what they used to its children's times, which count too.
type cpuTimes map[string]time.Duration

// userHZ is the unit of /proc/<pid>/stat's times, fixed at 100 by the
// Linux ABI for user space.
const userHZ = 100

func sampleCPU() cpuTimes {
	for attempt := 1; ; attempt++ {
		out, lost := readCPU()
		if !lost || attempt == 5 {
			return out
		}
	}
}

// readCPU reads every process's CPU time once; lost reports that a
// process listed at the start was gone by the end. Had it been a
// PostgreSQL backend the postmaster reaped meanwhile, its CPU could be in
// neither its own times nor the postmaster's (read before the reap, the
// backend after it) or in both (the other way round): a pool closing
// idle connections while another server was measured once gave a
// negative CPU per request that way. So such a sample is taken again.
func readCPU() (out cpuTimes, lost bool) {
	out = cpuTimes{}
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, f := range stats {
		data, err := os.ReadFile(f)
		if err != nil {
			lost = true // it ended
			continue
		}
		// pid (comm) state ppid … utime stime: comm may hold spaces and
		// parentheses, so split after its last ")".
		open, close := bytes.IndexByte(data, '('), bytes.LastIndexByte(data, ')')
		if open < 0 || close < open {
			continue
		}
		fields := strings.Fields(string(data[close+1:]))
		if len(fields) < 13 {
			continue
		}
		comm := string(data[open+1 : close])
		var ticks int64
		for i, field := range fields[11:15] { // utime stime cutime cstime
			if i < 2 || comm == "postgres" {
				n, _ := strconv.ParseInt(field, 10, 64)
				ticks += n
			}
		}
		out[comm] += time.Duration(ticks) * time.Second / userHZ
	}
	after, _ := filepath.Glob("/proc/[0-9]*/stat")
	still := make(map[string]bool, len(after))
	for _, f := range after {
		still[f] = true
	}
	for _, f := range stats {
		lost = lost || !still[f]
	}
	return out, lost
}

// perRequest is the CPU used by the processes named comm from a to b,
// per request.
func perRequest(a, b cpuTimes, comm string, requests int) time.Duration {
	if requests == 0 {
		return 0
	}
	return (b[comm] - a[comm]) / time.Duration(requests)
}
