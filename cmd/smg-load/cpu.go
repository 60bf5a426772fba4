package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// CPU accounting of the processes of a run, from /proc: on a machine whose
// cores the load generator shares with the gateway and the upstreams (and
// with whatever else runs there), the CPU time each process spends per call
// says more than a throughput that moves with the neighbours' load.

// clockTick is the unit of /proc/<pid>/stat times (USER_HZ, 100 on Linux).
const clockTick = 10 * time.Millisecond

// procCPU returns the user and system time process pid has used.
func procCPU(pid int) (time.Duration, error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name (field 2) may hold spaces; the fields after it are
	// counted from its closing parenthesis: utime and stime are 14 and 15.
	end := strings.LastIndexByte(string(raw), ')')
	if end < 0 {
		return 0, fmt.Errorf("unreadable /proc/%d/stat", pid)
	}
	fields := strings.Fields(string(raw[end+1:]))
	if len(fields) < 13 {
		return 0, fmt.Errorf("unreadable /proc/%d/stat", pid)
	}
	utime, err1 := strconv.ParseInt(fields[11], 10, 64)
	stime, err2 := strconv.ParseInt(fields[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("unreadable /proc/%d/stat", pid)
	}
	return time.Duration(utime+stime) * clockTick, nil
}

// childrenOf lists the processes whose parent is pid.
func childrenOf(pid int) []int {
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	var out []int
	for _, path := range stats {
		raw, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		end := strings.LastIndexByte(string(raw), ')')
		fields := strings.Fields(string(raw[end+1:]))
		if len(fields) > 1 && fields[1] == strconv.Itoa(pid) {
			child, _ := strconv.Atoi(filepath.Base(filepath.Dir(path)))
			out = append(out, child)
		}
	}
	return out
}

// treeCPU is the CPU time of pid's children (the gateway's upstreams).
func treeCPU(pids []int) time.Duration {
	var total time.Duration
	for _, pid := range pids {
		if t, err := procCPU(pid); err == nil {
			total += t
		}
	}
	return total
}

// selfCPU is the load generator's own CPU time.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// cpuMeter samples the CPU time of the load generator, the gateway and the
// upstream processes.
type cpuMeter struct {
	gateway   int   // the gateway's pid
	upstreams []int // the upstream processes' pids
}

// cpuSample is one reading of a cpuMeter.
type cpuSample struct{ client, gateway, upstream time.Duration }

func (m cpuMeter) read() cpuSample {
	s := cpuSample{client: selfCPU(), upstream: treeCPU(m.upstreams)}
	if m.gateway != 0 {
		s.gateway, _ = procCPU(m.gateway)
	}
	return s
}

func (s cpuSample) sub(o cpuSample) cpuSample {
	return cpuSample{client: s.client - o.client, gateway: s.gateway - o.gateway, upstream: s.upstream - o.upstream}
}

func (s cpuSample) add(o cpuSample) cpuSample {
	return cpuSample{client: s.client + o.client, gateway: s.gateway + o.gateway, upstream: s.upstream + o.upstream}
}

// perCall describes the CPU time of each process per operation.
func (s cpuSample) perCall(n int) string {
	if n == 0 {
		return "no calls"
	}
	per := func(d time.Duration) time.Duration { return (d / time.Duration(n)).Round(time.Microsecond) }
	return fmt.Sprintf("client %s, gateway %s, upstream %s", per(s.client), per(s.gateway), per(s.upstream))
}
