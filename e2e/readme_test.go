//go:build linux

package e2e

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// readmeBlocks returns the shell blocks of README.md (indented ones too),
// without their fences and indentation.
func readmeBlocks(t *testing.T) []string {
	t.Helper()
	data, err := os.ReadFile("../README.md")
	require.NoError(t, err)
	fence := regexp.MustCompile("(?ms)^( *)```sh\n(.*?)^ *```")
	var blocks []string
	for _, m := range fence.FindAllStringSubmatch(string(data), -1) {
		var lines []string
		for _, line := range strings.Split(m[2], "\n") {
			lines = append(lines, strings.TrimPrefix(line, m[1]))
		}
		blocks = append(blocks, strings.Join(lines, "\n"))
	}
	return blocks
}

// readmeBlock is the one shell block of README.md that contains marker.
func readmeBlock(t *testing.T, marker string) string {
	t.Helper()
	var found []string
	for _, b := range readmeBlocks(t) {
		if strings.Contains(b, marker) {
			found = append(found, b)
		}
	}
	require.Len(t, found, 1, "one README block contains %q", marker)
	return found[0]
}

// runSnippet runs README text with bash in strict mode (-u: every variable a
// snippet uses must be set), in dir with HOME set, the gateway's binary in
// place of `go run ./cmd/secure-mcp-gateway` and of the smg alias, and the
// given standard input and error. It returns the standard output.
func runSnippet(t *testing.T, home, dir, script string, stdin io.Reader, stderr *os.File, env ...string) string {
	t.Helper()
	script = strings.ReplaceAll(script, "go run ./cmd/secure-mcp-gateway", binary)
	prelude := "set -euo pipefail\nsmg() { " + binary + ` "$@"; }` + "\n"
	script = regexp.MustCompile(`(?m)^alias smg=.*$`).ReplaceAllString(script, "")
	cmd := exec.Command("bash", "-c", prelude+script)
	cmd.Dir = dir
	cmd.Env = append(append(cleanEnv(), "HOME="+home), env...)
	var out bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdin, &out, stderr
	err := cmd.Run()
	require.NoError(t, err, "the README's snippet failed:\n%s\noutput:\n%s", script, out.String())
	return out.String()
}

// drain reads what a terminal shows, so that the programs writing to it never block.
func drain(screen *os.File) *syncBuffer {
	shown := &syncBuffer{}
	go func() { _, _ = io.Copy(shown, screen) }()
	return shown
}

// TestReadmeAPISnippetsRunAsWritten: the first API snippet (the admin key
// from the CLI, then curl) and the projects/users/keys one, against a server
// started as the Quick Start says, by a user at a terminal.
func TestReadmeAPISnippetsRunAsWritten(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("curl"); err != nil {
		if os.Getenv("SMG_REQUIRE_ALL") == "1" {
			t.Fatal("SMG_REQUIRE_ALL=1 but curl, which the README's API snippets use, is not installed")
		}
		t.Skip("SKIPPED: the README's API snippets use curl, which is not installed")
	}
	home := t.TempDir()
	s := startServer(t, home)
	tty, screen := openPTY(t)
	shown := drain(screen)
	script := readmeBlock(t, "system admin-key") + "\n" + readmeBlock(t, "/api/v1/projects/my-project/assign-config")
	assert.NotContains(t, script, "python3", "no tool beyond the gateway and curl")
	script = strings.ReplaceAll(script, "http://localhost:8001", s.base)
	out := runSnippet(t, home, t.TempDir(), script, tty, tty)
	assert.NotContains(t, out, `"error"`, "every call succeeds")
	for _, message := range []string{"API server is healthy", "Configuration created successfully", "Server added successfully",
		"Project created successfully", "API key generated successfully"} {
		assert.Contains(t, out, message)
	}
	key := adminKeyOf(t, filepath.Join(home, ".enkrypt", "enkrypt_mcp_config.json"))
	assert.NotContains(t, shown.String(), key, "the key went into the variable, not onto the screen")
}

// TestReadmeCLISnippetsRunAsWritten: the CLI walk-through, then the
// migration example on a fresh store, each in one shell.
func TestReadmeCLISnippetsRunAsWritten(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	res, err := runCLI(append(cleanEnv(), "HOME="+home), "", "generate-config")
	require.NoError(t, err)
	require.Equal(t, 0, res.code, res.stderr)
	errs, err := os.Create(filepath.Join(t.TempDir(), "stderr"))
	require.NoError(t, err)
	defer errs.Close()
	walk := readmeBlock(t, "alias smg=")
	out := runSnippet(t, home, t.TempDir(), walk, strings.NewReader("ek-0123456789abcdef\n"), errs)
	assert.Contains(t, out, "API key rotated", "KEY_ID was set")
	assert.Contains(t, out, "Enkrypt API key", "the provider key was read")
	assert.NotContains(t, out, "ek-0123456789abcdef", "shown masked")

	fresh := t.TempDir()
	res, err = runCLI(append(cleanEnv(), "HOME="+fresh), "", "generate-config")
	require.NoError(t, err)
	require.Equal(t, 0, res.code, res.stderr)
	original, err := os.ReadFile("../testdata/enkrypt_mcp_config.json")
	require.NoError(t, err)
	require.NoError(t, os.MkdirAll(filepath.Join(fresh, "old-gateway"), 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(fresh, "old-gateway", "enkrypt_mcp_config.json"), original, 0o600))
	migrate := readmeBlock(t, "import-enkrypt")
	assert.NotRegexp(t, `--input-file\s+enkrypt_mcp_config\.json`, migrate, "never the gateway's own config file's name")
	out = runSnippet(t, fresh, t.TempDir(), migrate, strings.NewReader(""), errs)
	assert.Contains(t, out, "Original configuration imported successfully")
}
