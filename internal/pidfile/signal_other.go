//go:build !unix

package pidfile

import (
	"errors"
	"os"
)

// probe tells whether a process with the pid exists (here without a way to
// tell whose it is).
func probe(pid int) State {
	p, err := os.FindProcess(pid)
	if err != nil {
		return Exited
	}
	_ = p.Release()
	return Running
}

// send can only kill: these systems have no SIGTERM to ask for a graceful
// stop.
func send(pid int, force bool) error {
	if !force {
		return errors.New("this system cannot ask a process to finish its requests and stop (no SIGTERM); use --force to kill it")
	}
	p, err := os.FindProcess(pid)
	if err != nil {
		return nil // exited meanwhile
	}
	return p.Kill()
}
