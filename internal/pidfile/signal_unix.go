//go:build unix

package pidfile

import (
	"errors"
	"syscall"
)

// probe tells whether a process with the pid exists and may be signalled by
// this user: another user's process (EPERM) is Foreign.
func probe(pid int) State {
	err := syscall.Kill(pid, 0)
	switch {
	case err == nil:
		return Running
	case errors.Is(err, syscall.ESRCH):
		return Exited
	}
	return Foreign
}

func send(pid int, force bool) error {
	sig := syscall.SIGTERM
	if force {
		sig = syscall.SIGKILL
	}
	if err := syscall.Kill(pid, sig); err != nil && !errors.Is(err, syscall.ESRCH) {
		return err
	}
	return nil
}
