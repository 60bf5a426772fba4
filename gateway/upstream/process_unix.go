//go:build unix && !linux

package upstream

import "syscall"

// reap waits for the leader to exit and reaps it, then kills what it left in
// its group. Without waitid(WNOWAIT) the kill comes after reaping, so in the
// instant between the two a recycled group id could be hit; Linux, the
// target platform, has no such window.
func (p *process) reap() error {
	err := p.cmd.Wait()
	_ = syscall.Kill(-p.pid, syscall.SIGKILL)
	p.mu.Lock()
	p.reaped = true
	p.mu.Unlock()
	return err
}

// groupAlive reports whether group pgid has members, zombies included.
func groupAlive(pgid int) bool {
	return syscall.Kill(-pgid, 0) != syscall.ESRCH
}
