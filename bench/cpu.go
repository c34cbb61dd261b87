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
	out := cpuTimes{}
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, f := range stats {
		data, err := os.ReadFile(f)
		if err != nil {
			continue // it ended
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
	return out
}

// perRequest is the CPU used by the processes named comm from a to b,
// per request.
func perRequest(a, b cpuTimes, comm string, requests int) time.Duration {
	if requests == 0 {
		return 0
	}
	return (b[comm] - a[comm]) / time.Duration(requests)
}
