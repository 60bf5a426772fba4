package e2e

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/securemcp/gateway/repositories/sqlstore/sqltest"
)

// cliHome is an isolated environment for CLI runs: its own HOME, config file
// and data directory, so the store is fresh.
type cliHome struct {
	t                   *testing.T
	env                 []string
	dataDir, configPath string
	// workDir is the current directory of every run: file flags resolve there.
	workDir string
	// vars holds values saved by earlier table rows (ids, secrets) for later ones.
	vars map[string]string
}

func newCLIHome(t *testing.T) *cliHome {
	t.Helper()
	home := t.TempDir()
	dataDir, configPath, workDir := filepath.Join(home, "data"), filepath.Join(home, "cfg", "config.json"), filepath.Join(home, "work")
	require.NoError(t, os.Mkdir(workDir, 0o700))
	env := append(cleanEnv(), "HOME="+home, "SMG_CONFIG_PATH="+configPath, "SMG_DATA_DIR="+dataDir)
	return &cliHome{t: t, env: env, dataDir: dataDir, configPath: configPath, workDir: workDir, vars: map[string]string{}}
}

// expand replaces "{var}" by the saved value of var.
func (h *cliHome) expand(s string) string {
	for k, v := range h.vars {
		s = strings.ReplaceAll(s, "{"+k+"}", v)
	}
	return s
}

// expandWant applies expand to a wanted string value.
func (h *cliHome) expandWant(want any) any {
	if s, ok := want.(string); ok {
		return h.expand(s)
	}
	return want
}

// onEachStore runs a CLI test on the embedded SQLite store and on a fresh
// PostgreSQL schema when PostgreSQL is available (CI requires it), at once and
// in parallel with other tests: each run has its own home. The variable
// "store" names the backend.
func onEachStore(t *testing.T, test func(t *testing.T, h *cliHome)) {
	t.Parallel()
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		h := newCLIHome(t)
		h.vars["store"] = "sqlite"
		test(t, h)
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		h := newCLIHome(t)
		h.env = append(h.env, "SMG_DATABASE_URL="+sqltest.NewPostgresURL(t))
		h.vars["store"] = "postgres"
		test(t, h)
	})
}

// cliResult is one run of the binary.
type cliResult struct {
	code           int
	stdout, stderr string
}

// run runs the binary with args, "{var}" replaced by saved values.
func (h *cliHome) run(args ...string) cliResult {
	h.t.Helper()
	return h.runInput("", args...)
}

// runInput is run with stdin.
func (h *cliHome) runInput(stdin string, args ...string) cliResult {
	h.t.Helper()
	expanded := make([]string, len(args))
	for i, a := range args {
		expanded[i] = h.expand(a)
	}
	res, err := runCLIAt(h.env, h.workDir, h.expand(stdin), expanded...)
	require.NoError(h.t, err)
	return res
}

// runCLI runs the binary; err is set only if it could not run. It is safe to
// call from several goroutines.
func runCLI(env []string, stdin string, args ...string) (cliResult, error) {
	return runCLIAt(env, "", stdin, args...)
}

// runCLIAt is runCLI in the working directory dir ("" for the test's own).
func runCLIAt(env []string, dir, stdin string, args ...string) (cliResult, error) {
	cmd := exec.Command(binary, args...)
	cmd.Env = env
	cmd.Dir = dir
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return cliResult{code: exit.ExitCode(), stdout: stdout.String(), stderr: stderr.String()}, nil
	}
	return cliResult{stdout: stdout.String(), stderr: stderr.String()}, err
}

// must runs a command that must succeed and returns its data.
func (h *cliHome) must(args ...string) any {
	h.t.Helper()
	res := h.run(args...)
	require.Equal(h.t, 0, res.code, "%v: %s", args, res.stderr)
	return decodeDoc(h.t, res.stdout)["data"]
}

func decodeDoc(t *testing.T, text string) map[string]any {
	t.Helper()
	var doc map[string]any
	require.NoError(t, json.Unmarshal([]byte(text), &doc), "output is one JSON document: %q", text)
	ts, _ := doc["timestamp"].(string)
	_, err := time.Parse(time.RFC3339Nano, ts)
	require.NoError(t, err, "timestamp is RFC 3339")
	return doc
}

// at walks a dotted path ("servers.0.server_name") through decoded JSON.
func at(t *testing.T, v any, path string) any {
	t.Helper()
	if path == "" {
		return v
	}
	for _, step := range strings.Split(path, ".") {
		switch node := v.(type) {
		case map[string]any:
			var ok bool
			v, ok = node[step]
			require.True(t, ok, "no %q in %v", step, node)
		case []any:
			i, err := strconv.Atoi(step)
			require.NoError(t, err)
			require.Less(t, i, len(node), "index %d of %v", i, node)
			v = node[i]
		default:
			t.Fatalf("cannot take %q of %v", step, v)
		}
	}
	return v
}

// cliCase is one command run of a table and what it must print.
type cliCase struct {
	name string
	args []string
	// message is the success envelope's message; empty means the run must fail.
	message string
	// fail and detail are the error category and a substring of its detail.
	fail, detail string
	// usage marks a command line that cannot run (unknown command or flag,
	// flag missing or malformed): it exits 2, other failures 1.
	usage bool
	// want maps dotted paths of data (or of the error document) to values.
	want map[string]any
	// save maps variable names to dotted paths of data, for later rows.
	save map[string]string
	// stdin is the input of the command; hidden is text (a secret) that must
	// not appear in its output.
	stdin, hidden string
}

// runCLICases runs the rows in order on one store: later rows see earlier writes.
func runCLICases(t *testing.T, h *cliHome, cases []cliCase) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h.t = t
			res := h.runInput(tc.stdin, tc.args...)
			if tc.hidden != "" {
				require.NotEmpty(t, h.expand(tc.hidden))
				assert.NotContains(t, res.stdout+res.stderr, h.expand(tc.hidden))
			}
			if tc.message != "" {
				require.Equal(t, 0, res.code, "stderr: %s", res.stderr)
				assert.Empty(t, res.stderr)
				doc := decodeDoc(t, res.stdout)
				assert.Equal(t, h.expand(tc.message), doc["message"])
				for path, want := range tc.want {
					assert.Equal(t, h.expandWant(want), at(t, doc["data"], path), path)
				}
				for name, path := range tc.save {
					h.vars[name] = at(t, doc["data"], path).(string)
				}
				return
			}
			code := 1
			if tc.usage {
				code = 2
			}
			require.Equal(t, code, res.code, "stdout: %s\nstderr: %s", res.stdout, res.stderr)
			assert.Empty(t, res.stdout)
			doc := decodeDoc(t, res.stderr)
			assert.Equal(t, tc.fail, doc["error"], "stderr: %s", res.stderr)
			assert.Contains(t, doc["detail"], h.expand(tc.detail))
			for path, want := range tc.want {
				assert.Equal(t, h.expandWant(want), at(t, doc, path), path)
			}
		})
	}
}

// args splits a command line on spaces; arguments with spaces are appended.
func args(line string, more ...string) []string { return append(strings.Fields(line), more...) }

// A command line that cannot run exits 2 and says what is wrong with it; a
// mistyped command is named as such, even when flags follow it.
func TestCLIUsageErrors(t *testing.T) {
	t.Parallel()
	h := newCLIHome(t)
	runCLICases(t, h, []cliCase{
		{name: "unknown command", args: args("bogus"), fail: "invalid", usage: true, detail: `unknown command "bogus" for "secure-mcp-gateway"`},
		{name: "unknown command suggested", args: args("sett"), fail: "invalid", usage: true,
			detail: `unknown command "sett" for "secure-mcp-gateway"; did you mean "settings"?`},
		{name: "unknown subcommand", args: args("config bogus"), fail: "invalid", usage: true, detail: `unknown command "bogus" for "secure-mcp-gateway config"`},
		{name: "unknown subcommand with flags", args: args("config sett --api-key K"), fail: "invalid", usage: true,
			detail: `unknown command "sett" for "secure-mcp-gateway config"; did you mean "set-enkrypt-api-key"`},
		{name: "typo with flags", args: args("user genrate-api-key --email a@example.com --project-name p"), fail: "invalid", usage: true,
			detail: `unknown command "genrate-api-key" for "secure-mcp-gateway user"; did you mean "generate-api-key"?`},
		{name: "command of another group", args: args("config update-telemetry --enabled true"), fail: "invalid", usage: true,
			detail: `did you mean "secure-mcp-gateway settings update-telemetry"?`},
		{name: "unknown flag", args: args("config list --bogus"), fail: "invalid", usage: true, detail: "unknown flag: --bogus"},
		{name: "unknown flag of a group", args: args("config --bogus x"), fail: "invalid", usage: true, detail: "unknown flag: --bogus"},
		{name: "stray argument", args: args("config list extra"), fail: "invalid", usage: true, detail: `unknown command "extra"`},
		{name: "bad int flag", args: args("config list --limit x"), fail: "invalid", usage: true, detail: `--limit must be a whole number, not "x"`},
		{name: "missing flag", args: args("config add"), fail: "invalid", usage: true, detail: `required flag(s) "config-name" not set`},
		{name: "bad boolean", args: args("system reset --confirm maybe"), fail: "invalid", usage: true, detail: `--confirm must be true or false, not "maybe"`},
		{name: "failure is not usage", args: args("config list --limit -1"), fail: "invalid", detail: "--limit and --offset must be non-negative"},
		{name: "generate-config", args: args("generate-config"), message: "Config file generated; the admin key is in the file (admin_apikey)",
			want: map[string]any{"config_path": h.configPath}},
		{name: "generate-config again", args: args("generate-config"), fail: "conflict", detail: "--overwrite"},
		{name: "generate-config overwrite", args: args("generate-config --overwrite"), message: "Config file generated; the admin key is in the file (admin_apikey)",
			want: map[string]any{"config_path": h.configPath}},
	})
}

// A mistyped --config-path must not make a new, empty store in a directory
// nobody meant and act on it as if it were the gateway's.
func TestCLIRefusesAConfigPathWhoseDirectoryDoesNotExist(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	env := append(cleanEnv(), "HOME="+home)
	missing := filepath.Join(home, "typo", "config.json")
	res, err := runCLI(env, "", "config", "list", "--config-path", missing)
	require.NoError(t, err)
	assert.Equal(t, 1, res.code)
	assert.Contains(t, res.stderr, "neither the config file "+missing+" nor its directory exists")
	_, err = os.Stat(filepath.Dir(missing))
	assert.ErrorIs(t, err, os.ErrNotExist, "nothing was created")

	// Once the config file exists (and so its directory), commands run; and
	// the file does not pin the data directory, which follows the file.
	res, err = runCLI(env, "", "generate-config", "--config-path", missing)
	require.NoError(t, err)
	require.Equal(t, 0, res.code, res.stderr)
	data, err := os.ReadFile(missing)
	require.NoError(t, err)
	assert.NotContains(t, string(data), "data_dir")
	res, err = runCLI(env, "", "config", "add", "--config-name", "c", "--config-path", missing)
	require.NoError(t, err)
	require.Equal(t, 0, res.code, res.stderr)
	_, err = os.Stat(filepath.Join(filepath.Dir(missing), "gateway.db"))
	assert.NoError(t, err, "the store is beside the config file")
}

// Settings the operator got wrong are their input, reported as invalid and in
// their own terms.
func TestCLIReportsBadSettingsAsInvalid(t *testing.T) {
	t.Parallel()
	h := newCLIHome(t)
	for env, detail := range map[string]string{
		"SMG_PORT=abc":           `port must be a whole number, not "abc"`,
		"SMG_PORT=70000":         "port must be between 1 and 65535, not 70000",
		"SMG_MAX_BODY_BYTES=abc": `max_body_bytes must be a whole number, not "abc"`,
		"SMG_LOG_LEVEL=bogus":    `log_level "bogus" is not one of`,
	} {
		res, err := runCLI(append(slices.Clone(h.env), env), "", "config", "list")
		require.NoError(t, err)
		assert.Equal(t, 1, res.code, env)
		doc := decodeDoc(t, res.stderr)
		assert.Equal(t, "invalid", doc["error"], env)
		assert.Contains(t, doc["detail"], detail, env)
	}
	runCLICases(t, h, []cliCase{
		{name: "add", args: args("config add --config-name c"), message: "Configuration created successfully"},
		{name: "add-server null env", args: append(args("config add-server --config-name c --server-name s --server-command npx"), "--env", "null"),
			fail: "invalid", detail: "--env must be a JSON object of strings, not null"},
		{name: "add-server null policy", args: append(args("config add-server --config-name c --server-name s --server-command npx"), "--input-guardrails-policy", "null"),
			fail: "invalid", detail: "--input-guardrails-policy must be a JSON policy object"},
	})
}

// The CLI writes tools as the API does: every digit of a large integer kept.
func TestCLIKeepsLargeIntegersExact(t *testing.T) {
	t.Parallel()
	h := newCLIHome(t)
	h.must("config", "add", "--config-name", "c")
	h.must("config", "add-server", "--config-name", "c", "--server-name", "s", "--server-command", "npx", "--tools", `{"a": 12345678901234567890}`)
	res := h.run("config", "update-server", "--config-name", "c", "--server-name", "s", "--tools", `{"n": 12345678901234567891}`)
	require.Equal(t, 0, res.code, res.stderr)
	assert.Contains(t, res.stdout, "12345678901234567891")
	res = h.run("config", "get-server", "--config-name", "c", "--server-name", "s")
	require.Equal(t, 0, res.code, res.stderr)
	assert.Contains(t, res.stdout, "12345678901234567891")
}

// With a database URL the store is named explicitly: no local config file or
// directory is needed.
func TestCLIOnPostgreSQLNeedsNoLocalConfig(t *testing.T) {
	t.Parallel()
	url := sqltest.NewPostgresURL(t)
	home := t.TempDir()
	env := append(cleanEnv(), "HOME="+home, "SMG_DATABASE_URL="+url)
	res, err := runCLI(env, "", "config", "list")
	require.NoError(t, err)
	require.Equal(t, 0, res.code, res.stderr)
	assert.Equal(t, []any{}, decodeDoc(t, res.stdout)["data"])
}
