// Package pidfile records the API servers started from a data directory, one
// file per port, so that `system stop-api` can find the process to stop, and
// tell a server still running from a file left behind by one that died (or
// from a pid the system has since given to another program).
package pidfile

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/prometheus/procfs"

	"github.com/securemcp/gateway/internal/atomicfile"
)

// Record is the content of a pid file.
type Record struct {
	PID       int       `json:"pid"`
	Port      int       `json:"port"`
	Host      string    `json:"host"`
	StartedAt time.Time `json:"started_at"`
	// ProcessStart is when the kernel started the process (clock ticks since
	// boot; 0 where the system does not say). With the pid it names one
	// process: a pid reused by another program has another start time.
	ProcessStart uint64 `json:"process_start,omitempty"`
}

// State is what became of the process a record names.
type State int

const (
	// Running means the recorded process is alive.
	Running State = iota
	// Exited means no process has the recorded pid any more (or only a
	// zombie that its parent has not reaped yet).
	Exited
	// Foreign means the pid now belongs to another process: another start
	// time, or another user's (signals are refused).
	Foreign
)

func (s State) String() string {
	switch s {
	case Running:
		return "running"
	case Exited:
		return "exited"
	}
	return "foreign"
}

// ErrRunning means that a running server already holds the pid file.
var ErrRunning = errors.New("a running server holds the pid file")

const (
	prefix = "api-"
	suffix = ".pid"
)

// Path is the pid file of the server listening on port.
func Path(dir string, port int) string {
	return filepath.Join(dir, prefix+strconv.Itoa(port)+suffix)
}

// Self is the record of the current process serving host:port.
func Self(host string, port int, now time.Time) Record {
	r := Record{PID: os.Getpid(), Port: port, Host: host, StartedAt: now.UTC()}
	if start, _, err := processStart(r.PID); err == nil {
		r.ProcessStart = start
	}
	return r
}

// State tells whether the recorded process still runs.
func (r Record) State() State {
	if r.PID <= 0 {
		return Exited
	}
	if s := probe(r.PID); s != Running {
		return s
	}
	start, zombie, err := processStart(r.PID)
	switch {
	case errors.Is(err, fs.ErrNotExist) && r.ProcessStart != 0:
		return Exited // it exited between the two checks
	case err != nil:
		if r.ProcessStart != 0 {
			return Foreign // recorded with a start time that cannot be checked: never signal it
		}
		return Running // a system without /proc: the pid is all there is
	case zombie:
		return Exited
	case r.ProcessStart != 0 && start != r.ProcessStart:
		return Foreign
	}
	return Running
}

// Signal asks the recorded process to stop (SIGTERM: a server finishes its
// in-flight requests first), or with force kills it (SIGKILL). Check State
// first: a pid that is now another program's must not be signalled. A
// process that exited meanwhile is not an error.
func (r Record) Signal(force bool) error {
	if r.PID <= 0 {
		return fmt.Errorf("no pid")
	}
	return send(r.PID, force)
}

// SignalName names the signal Signal sends.
func SignalName(force bool) string {
	if force {
		return "SIGKILL"
	}
	return "SIGTERM"
}

// processStart reads the start time and state of a process from /proc.
func processStart(pid int) (start uint64, zombie bool, err error) {
	p, err := procfs.NewProc(pid)
	if err != nil {
		return 0, false, err
	}
	st, err := p.Stat()
	if err != nil {
		return 0, false, err
	}
	return st.Starttime, st.State == "Z" || st.State == "X", nil
}

// Claim writes r as the pid file of its port in dir (made 0700 if needed),
// with mode 0600. A file left by a process that is gone, or that is now
// another program, is replaced and returned as stale; a file of a running
// server is left alone and the error wraps ErrRunning with its record.
func Claim(dir string, r Record) (path string, stale *Record, err error) {
	if err := atomicfile.MkdirAll(dir, 0o700); err != nil {
		return "", nil, fmt.Errorf("create pid directory: %w", err)
	}
	path = Path(dir, r.Port)
	for attempt := 0; ; attempt++ {
		err = create(path, r)
		if !errors.Is(err, fs.ErrExist) || attempt == 1 {
			return path, stale, err
		}
		old, readErr := Read(path)
		if readErr == nil && old.PID != r.PID && old.State() == Running {
			return path, nil, &RunningError{Path: path, Record: old}
		}
		stale = &old
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return path, nil, fmt.Errorf("remove stale pid file: %w", err)
		}
	}
}

// RunningError is Claim's refusal: another running server holds the file.
type RunningError struct {
	Path   string
	Record Record
}

func (e *RunningError) Error() string {
	return fmt.Sprintf("process %d, started %s, holds %s", e.Record.PID, e.Record.StartedAt.Format(time.RFC3339), e.Path)
}

// Unwrap makes the error match ErrRunning.
func (e *RunningError) Unwrap() error { return ErrRunning }

// create writes the file complete under a temporary name, then links it to
// path: the link fails if path exists, so that of two servers claiming one
// port, one wins, and no reader ever sees a partial file.
func create(path string, r Record) error {
	data, err := json.Marshal(r)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		_ = tmp.Close()
		return err
	}
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		_ = tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Link(tmp.Name(), path)
}

// Read reads a pid file. Only regular files are read (never a FIFO or a
// device planted in the directory).
func Read(path string) (Record, error) {
	info, err := os.Lstat(path)
	if err != nil {
		return Record{}, err
	}
	if !info.Mode().IsRegular() {
		return Record{}, fmt.Errorf("%s is not a regular file", path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return Record{}, err
	}
	var r Record
	if err := json.Unmarshal(data, &r); err != nil {
		return Record{}, fmt.Errorf("%s is not a pid file: %w", path, err)
	}
	if r.PID <= 0 || r.Port <= 0 {
		return Record{}, fmt.Errorf("%s is not a pid file: no pid or port", path)
	}
	return r, nil
}

// Entry is one pid file of a directory; Err is set when it cannot be read.
type Entry struct {
	Path   string
	Record Record
	Err    error
}

// List returns the pid files of dir ordered by port (unreadable ones last);
// a missing directory, or a file in its place, has none.
func List(dir string) ([]Entry, error) {
	names, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var entries []Entry
	for _, n := range names {
		if !strings.HasPrefix(n.Name(), prefix) || !strings.HasSuffix(n.Name(), suffix) {
			continue
		}
		path := filepath.Join(dir, n.Name())
		r, err := Read(path)
		entries = append(entries, Entry{Path: path, Record: r, Err: err})
	}
	sort.SliceStable(entries, func(i, j int) bool {
		if (entries[i].Err == nil) != (entries[j].Err == nil) {
			return entries[i].Err == nil
		}
		return entries[i].Record.Port < entries[j].Record.Port
	})
	return entries, nil
}

// Remove deletes the pid file at path if it still names pid, so that a server
// never removes the file of a newer one (pid 0 removes it whatever it holds).
func Remove(path string, pid int) error {
	if pid != 0 {
		r, err := Read(path)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err == nil && r.PID != pid {
			return nil
		}
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}
