package upstream

import "golang.org/x/sys/unix"

// reap waits for the leader to exit and reaps it. It first waits without
// reaping (WNOWAIT): while the leader is a zombie its pid — the group id —
// cannot be reused, so the group can be killed without hitting a stranger.
func (p *process) reap() error {
	var info unix.Siginfo
	for {
		err := unix.Waitid(unix.P_PID, p.pid, &info, unix.WEXITED|unix.WNOWAIT, nil)
		if err != unix.EINTR {
			break
		}
	}
	p.kill()
	p.mu.Lock()
	defer p.mu.Unlock()
	p.reaped = true
	return p.cmd.Wait()
}
