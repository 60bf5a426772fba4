package pidfile_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/securemcp/gateway/internal/pidfile"
)

// sleeper is a live child process that is not the test itself.
func sleeper(t *testing.T) *exec.Cmd {
	t.Helper()
	cmd := exec.Command("sleep", "60")
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	return cmd
}

// exitedPID is the pid of a process that has exited and been reaped.
func exitedPID(t *testing.T) int {
	t.Helper()
	cmd := exec.Command("true")
	require.NoError(t, cmd.Run())
	return cmd.Process.Pid
}

// recordOf is what Self would have written in the process with that pid.
func recordOf(t *testing.T, pid, port int) pidfile.Record {
	t.Helper()
	self := pidfile.Self("127.0.0.1", port, time.Now())
	r := self
	r.PID = pid
	if self.ProcessStart != 0 {
		data, err := os.ReadFile(filepath.Join("/proc", itoa(pid), "stat"))
		require.NoError(t, err)
		r.ProcessStart = startOf(t, string(data))
	}
	return r
}

func TestClaimWritesAPrivateFileAndRefusesARunningServersFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "pids")
	self := pidfile.Self("127.0.0.1", 8001, time.Now())
	path, stale, err := pidfile.Claim(dir, self)
	require.NoError(t, err)
	assert.Nil(t, stale)
	assert.Equal(t, filepath.Join(dir, "api-8001.pid"), path)
	info, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
	info, err = os.Stat(dir)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o700), info.Mode().Perm())
	got, err := pidfile.Read(path)
	require.NoError(t, err)
	assert.Equal(t, os.Getpid(), got.PID)
	assert.Equal(t, 8001, got.Port)
	assert.Equal(t, pidfile.Running, got.State())

	// Another live server claiming the port is refused; the file is kept.
	other := recordOf(t, sleeper(t).Process.Pid, 8001)
	_, _, err = pidfile.Claim(dir, other)
	require.ErrorIs(t, err, pidfile.ErrRunning)
	var running *pidfile.RunningError
	require.ErrorAs(t, err, &running)
	assert.Equal(t, os.Getpid(), running.Record.PID)
	got, err = pidfile.Read(path)
	require.NoError(t, err)
	assert.Equal(t, os.Getpid(), got.PID, "the running server's file is untouched")

	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no temporary file is left behind")
}

func TestStaleFilesAreRecognisedAndReplaced(t *testing.T) {
	live := sleeper(t)
	for name, tc := range map[string]struct {
		record pidfile.Record
		state  pidfile.State
	}{
		"process gone":      {pidfile.Record{PID: exitedPID(t), Port: 8001, ProcessStart: 1}, pidfile.Exited},
		"pid reused":        {pidfile.Record{PID: live.Process.Pid, Port: 8001, ProcessStart: 1}, pidfile.Foreign},
		"another user's":    {pidfile.Record{PID: 1, Port: 8001, ProcessStart: 1}, pidfile.Foreign},
		"the claimer's own": {pidfile.Record{PID: os.Getpid(), Port: 8001, ProcessStart: 1}, pidfile.Foreign},
	} {
		t.Run(name, func(t *testing.T) {
			if name == "another user's" && os.Geteuid() == 0 {
				t.Skip("tests skipped: as root every process may be signalled; run the tests as another user to check this case")
			}
			assert.Equal(t, tc.state, tc.record.State())
			dir := t.TempDir()
			data := []byte(`{"pid":` + itoa(tc.record.PID) + `,"port":8001,"process_start":1}`)
			require.NoError(t, os.WriteFile(pidfile.Path(dir, 8001), data, 0o600))
			self := pidfile.Self("127.0.0.1", 8001, time.Now())
			path, stale, err := pidfile.Claim(dir, self)
			require.NoError(t, err)
			require.NotNil(t, stale)
			assert.Equal(t, tc.record.PID, stale.PID)
			got, err := pidfile.Read(path)
			require.NoError(t, err)
			assert.Equal(t, os.Getpid(), got.PID)
		})
	}
	// An unreadable file is stale too.
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(pidfile.Path(dir, 8001), []byte("garbage"), 0o600))
	_, stale, err := pidfile.Claim(dir, pidfile.Self("", 8001, time.Now()))
	require.NoError(t, err)
	assert.NotNil(t, stale)
}

// A server that exited but was not reaped yet by its parent is a zombie: it
// answers signals but is gone.
func TestAZombieHasExited(t *testing.T) {
	cmd := exec.Command("sleep", "60")
	require.NoError(t, cmd.Start())
	r := recordOf(t, cmd.Process.Pid, 8001)
	require.Equal(t, pidfile.Running, r.State())
	require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
	deadline := time.Now().Add(10 * time.Second)
	for r.State() == pidfile.Running && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	assert.Equal(t, pidfile.Exited, r.State(), "not reaped yet, and exited")
	_ = cmd.Wait()
	assert.Equal(t, pidfile.Exited, r.State())
}

func TestRemoveDeletesOnlyTheFileOfItsProcess(t *testing.T) {
	dir := t.TempDir()
	path, _, err := pidfile.Claim(dir, pidfile.Self("", 8002, time.Now()))
	require.NoError(t, err)
	require.NoError(t, pidfile.Remove(path, os.Getpid()+1))
	_, err = os.Stat(path)
	require.NoError(t, err, "another server's file is kept")
	require.NoError(t, pidfile.Remove(path, os.Getpid()))
	_, err = os.Stat(path)
	assert.ErrorIs(t, err, os.ErrNotExist)
	assert.NoError(t, pidfile.Remove(path, os.Getpid()), "removing twice is fine")
}

func TestListOrdersByPortAndReportsUnreadableFiles(t *testing.T) {
	dir := t.TempDir()
	entries, err := pidfile.List(filepath.Join(dir, "missing"))
	require.NoError(t, err)
	assert.Empty(t, entries)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "file"), nil, 0o600))
	entries, err = pidfile.List(filepath.Join(dir, "file"))
	require.NoError(t, err, "a file in place of the directory holds no pid files")
	assert.Empty(t, entries)
	for _, port := range []int{9002, 9001} {
		_, _, err := pidfile.Claim(dir, pidfile.Self("", port, time.Now()))
		require.NoError(t, err)
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "api-1.pid"), []byte("{}"), 0o600))
	require.NoError(t, syscall.Mkfifo(filepath.Join(dir, "api-2.pid"), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("x"), 0o600))
	entries, err = pidfile.List(dir)
	require.NoError(t, err)
	require.Len(t, entries, 4)
	assert.Equal(t, 9001, entries[0].Record.Port)
	assert.Equal(t, 9002, entries[1].Record.Port)
	assert.ErrorContains(t, entries[2].Err, "not a pid file")
	assert.ErrorContains(t, entries[3].Err, "not a regular file", "a FIFO is never opened")
}

func TestSignalStopsOrKillsTheProcess(t *testing.T) {
	for _, force := range []bool{false, true} {
		cmd := exec.Command("sleep", "60")
		require.NoError(t, cmd.Start())
		require.NoError(t, recordOf(t, cmd.Process.Pid, 8001).Signal(force))
		err := cmd.Wait()
		var exit *exec.ExitError
		require.ErrorAs(t, err, &exit)
		want := map[bool]syscall.Signal{false: syscall.SIGTERM, true: syscall.SIGKILL}[force]
		assert.Equal(t, want, exit.Sys().(syscall.WaitStatus).Signal())
	}
	assert.Equal(t, "SIGTERM", pidfile.SignalName(false))
	assert.Equal(t, "SIGKILL", pidfile.SignalName(true))
	assert.NoError(t, pidfile.Record{PID: exitedPID(t)}.Signal(true), "a process that exited meanwhile is stopped")
}
