package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"github.com/securemcp/gateway/config"
	"github.com/securemcp/gateway/internal/pidfile"
	"github.com/securemcp/gateway/services/errs"
)

// defaultStopTimeout bounds the wait for a stopped server: longer than the
// server's own drain of in-flight requests (shutdownTimeout).
const defaultStopTimeout = shutdownTimeout + 15*time.Second

// stopPoll is how often stop-api looks whether the server has exited (it is
// not stop-api's child, so it cannot wait for it).
const stopPoll = 50 * time.Millisecond

// stopResult is what stop-api reports.
type stopResult struct {
	PID     int    `json:"pid"`
	Port    int    `json:"port"`
	Host    string `json:"host"`
	Signal  string `json:"signal"`
	PIDFile string `json:"pid_file"`
}

func newStopAPICmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "stop-api",
		Short: "Stop an API server that system start-api started from this data directory",
		Long: "Stop an API server that system start-api started from this data directory.\n\n" +
			"start-api records its process in a pid file of the data directory, one per port; stop-api\n" +
			"sends it SIGTERM (the server finishes its in-flight requests, then exits), or SIGKILL with\n" +
			"--force, and waits for it to exit. Without --port it stops the only server running.",
		Example: example("system stop-api", "system stop-api --port 8001", "system stop-api --port 8001 --force"),
		Args:    cobra.NoArgs,
		RunE:    runStopAPI,
	}
	cmd.Flags().Int("port", 0, "port of the server to stop (default: the only server running from this data directory)")
	boolFlag(cmd, "force", "kill the server at once (SIGKILL) instead of letting it finish its requests (SIGTERM)")
	cmd.Flags().Duration("timeout", defaultStopTimeout, "how long to wait for the server to exit")
	return cmd
}

func runStopAPI(cmd *cobra.Command, _ []string) error {
	_, settings, err := loadSettings(cmd)
	if err != nil {
		return err
	}
	force, _ := cmd.Flags().GetBool("force")
	timeout, _ := cmd.Flags().GetDuration("timeout")
	if timeout <= 0 {
		return errs.Invalid("--timeout must be positive, not %s", timeout)
	}
	dir := settings.PIDDir()
	var target pidfile.Entry
	if cmd.Flags().Changed("port") {
		target, err = serverOnPort(dir, settings.Port)
	} else {
		target, err = onlyServer(dir)
	}
	if err != nil {
		return err
	}
	r, name := target.Record, pidfile.SignalName(force)
	if err := r.Signal(force); err != nil {
		return &errs.Error{Kind: errs.KindInternal, Message: fmt.Sprintf("cannot send %s to process %d", name, r.PID), Err: err}
	}
	// Not stop-api's child: it cannot be waited for, only watched.
	deadline := time.Now().Add(timeout)
	for r.State() == pidfile.Running {
		if time.Now().After(deadline) {
			return errs.Conflict("the API server on port %d (process %d) is still running %s after %s; "+
				"it may still be finishing requests: wait, or stop it with --force", r.Port, r.PID, timeout, name)
		}
		time.Sleep(stopPoll)
	}
	// The server removes its file as it exits; after SIGKILL, or a crash while
	// stopping, the file is left behind.
	if err := pidfile.Remove(target.Path, r.PID); err != nil {
		return &errs.Error{Kind: errs.KindInternal, Message: "cannot remove the pid file", Err: err}
	}
	printResult(cmd, fmt.Sprintf("API server on port %d stopped", r.Port),
		stopResult{PID: r.PID, Port: r.Port, Host: r.Host, Signal: name, PIDFile: target.Path})
	return nil
}

// serverOnPort is the running server whose pid file names port. A stale file
// is removed and reported.
func serverOnPort(dir string, port int) (pidfile.Entry, error) {
	path := pidfile.Path(dir, port)
	r, err := pidfile.Read(path)
	if errors.Is(err, fs.ErrNotExist) {
		return pidfile.Entry{}, errs.NotFound("no API server started from this data directory listens on port %d (no pid file %s)%s",
			port, path, othersRunning(dir))
	}
	e := pidfile.Entry{Path: path, Record: r, Err: err}
	if note := removeIfStale(e); note != "" {
		return pidfile.Entry{}, errs.NotFound("no API server is running on port %d: %s", port, note)
	}
	return e, nil
}

// onlyServer is the one running server of dir; stale files met on the way are
// removed.
func onlyServer(dir string) (pidfile.Entry, error) {
	entries, err := pidfile.List(dir)
	if err != nil {
		return pidfile.Entry{}, &errs.Error{Kind: errs.KindInternal, Message: "cannot read the pid files", Err: err}
	}
	var running []pidfile.Entry
	var notes []string
	for _, e := range entries {
		if note := removeIfStale(e); note != "" {
			notes = append(notes, note)
			continue
		}
		running = append(running, e)
	}
	switch len(running) {
	case 0:
		msg := "no API server started from this data directory is running (pid files are in " + dir + ")"
		if len(notes) > 0 {
			msg += ": " + strings.Join(notes, "; ")
		}
		return pidfile.Entry{}, errs.NotFound("%s", msg)
	case 1:
		return running[0], nil
	}
	return pidfile.Entry{}, errs.Invalid("several API servers run from this data directory (ports %s); name one with --port", ports(running))
}

// removeIfStale removes a pid file whose process is gone, or is now another
// program, and says so; it returns "" for a running server's file.
func removeIfStale(e pidfile.Entry) string {
	var note string
	switch {
	case e.Err != nil:
		note = fmt.Sprintf("%s could not be read (%v)", e.Path, e.Err)
	case e.Record.State() == pidfile.Exited:
		note = fmt.Sprintf("its pid file named process %d, which has exited", e.Record.PID)
	case e.Record.State() == pidfile.Foreign:
		note = fmt.Sprintf("its pid file named process %d, which is now another program", e.Record.PID)
	default:
		return ""
	}
	if err := pidfile.Remove(e.Path, e.Record.PID); err != nil {
		return note + "; the stale pid file could not be removed: " + err.Error()
	}
	return note + "; the stale pid file was removed"
}

// othersRunning names the ports of the other pid files of dir, to help with
// a mistyped --port.
func othersRunning(dir string) string {
	entries, err := pidfile.List(dir)
	if err != nil || len(entries) == 0 {
		return ""
	}
	return " (pid files exist for ports " + ports(entries) + ")"
}

func ports(entries []pidfile.Entry) string {
	var out []string
	for _, e := range entries {
		if e.Err == nil {
			out = append(out, strconv.Itoa(e.Record.Port))
		}
	}
	return strings.Join(out, ", ")
}

// claimPIDFile records the server in its pid file once it listens, so that
// stop-api can find it; it refuses to start beside a running server that
// started from the same data directory with the same port. A data directory
// the server cannot write (a read-only mount, with the store in PostgreSQL)
// does not stop it: the log says that stop-api will not find it. The
// returned function removes the file when the server exits.
func claimPIDFile(s config.Settings, log *zap.Logger) (release func(), err error) {
	path, stale, err := pidfile.Claim(s.PIDDir(), pidfile.Self(s.Host, s.Port, time.Now()))
	var running *pidfile.RunningError
	if errors.As(err, &running) {
		return nil, errs.Conflict("another API server started from this data directory (process %d) serves port %d; stop it with `system stop-api --port %d`",
			running.Record.PID, s.Port, s.Port)
	}
	if err != nil {
		log.Warn("cannot write the pid file; system stop-api will not find this server", zap.String("pid_dir", s.PIDDir()), zap.Error(err))
		return func() {}, nil
	}
	if stale != nil {
		log.Warn("replaced a stale pid file", zap.String("pid_file", path), zap.Int("stale_pid", stale.PID))
	}
	pid := os.Getpid()
	return func() {
		if err := pidfile.Remove(path, pid); err != nil {
			log.Warn("cannot remove the pid file", zap.String("pid_file", path), zap.Error(err))
		}
	}, nil
}
