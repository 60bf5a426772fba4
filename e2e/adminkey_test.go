//go:build linux

package e2e

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// openPTY opens a pseudo-terminal and returns its terminal side, as a user's
// shell has it, and the other side, where what is written to it appears.
func openPTY(t *testing.T) (tty, screen *os.File) {
	t.Helper()
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		if os.Getenv("SMG_REQUIRE_ALL") == "1" {
			t.Fatalf("SMG_REQUIRE_ALL=1 but there is no pseudo-terminal to run the command as a user at a terminal: %v", err)
		}
		t.Skipf("SKIPPED: no pseudo-terminal to run the command as a user at a terminal: %v", err)
	}
	t.Cleanup(func() { _ = master.Close() })
	fd := int(master.Fd())
	require.NoError(t, unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0), "unlock the terminal side")
	n, err := unix.IoctlGetInt(fd, unix.TIOCGPTN)
	require.NoError(t, err)
	tty, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|unix.O_NOCTTY, 0)
	require.NoError(t, err)
	t.Cleanup(func() { _ = tty.Close() })
	return tty, master
}

// adminKeyRun runs `system admin-key` as ADMIN_KEY=$(…) in a shell does:
// stdout captured, stdin and stderr given (a terminal, or not).
func adminKeyRun(t *testing.T, env []string, stdin, stderr *os.File) (string, int) {
	t.Helper()
	cmd := exec.Command(binary, "system", "admin-key")
	cmd.Env = env
	var out bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdin, &out, stderr
	err := cmd.Run()
	if exit, ok := err.(*exec.ExitError); ok {
		return out.String(), exit.ExitCode()
	}
	require.NoError(t, err)
	return out.String(), 0
}

func TestAdminKeyPrintsOnlyToATerminalUser(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	env := append(cleanEnv(), "HOME="+home)
	res, err := runCLI(env, "", "generate-config")
	require.NoError(t, err)
	require.Equal(t, 0, res.code, res.stderr)
	key := adminKeyOf(t, filepath.Join(home, ".enkrypt", "enkrypt_mcp_config.json"))

	tty, screen := openPTY(t)
	out, code := adminKeyRun(t, env, tty, tty)
	require.Equal(t, 0, code)
	assert.Equal(t, key+"\n", out, "the bare key, for ADMIN_KEY=$(…)")

	out, code = adminKeyRun(t, append(env, "SMG_ADMIN_API_KEY=from-the-environment-0123456789abcdef"), tty, tty)
	require.Equal(t, 0, code)
	assert.Equal(t, "from-the-environment-0123456789abcdef\n", out, "the key the server would use")

	// Not a user at a terminal: a job whose output is logged, a pipe, a file.
	devNull, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	require.NoError(t, err)
	defer devNull.Close()
	errFile, err := os.Create(filepath.Join(t.TempDir(), "stderr"))
	require.NoError(t, err)
	defer errFile.Close()
	for name, streams := range map[string][2]*os.File{
		"stdin not a terminal":  {devNull, tty},
		"stderr not a terminal": {tty, errFile},
	} {
		t.Run(name, func(t *testing.T) {
			out, code := adminKeyRun(t, env, streams[0], streams[1])
			assert.Equal(t, 1, code)
			assert.Empty(t, out)
		})
	}
	logged, err := os.ReadFile(errFile.Name())
	require.NoError(t, err)
	assert.Contains(t, string(logged), "printed only to a user at a terminal")
	assert.NotContains(t, string(logged), key)

	// No config file: the user at the terminal is told how to make one.
	out, code = adminKeyRun(t, append(cleanEnv(), "HOME="+t.TempDir()), tty, tty)
	assert.Equal(t, 1, code)
	assert.Empty(t, out)
	require.NoError(t, screen.SetReadDeadline(time.Now().Add(10*time.Second)))
	var shown []byte
	buf := make([]byte, 4096)
	for !bytes.Contains(shown, []byte("generate-config")) {
		n, err := screen.Read(buf)
		shown = append(shown, buf[:n]...)
		if err != nil {
			break
		}
	}
	assert.Contains(t, string(shown), "there is no config file", "the error, on the terminal")
}
