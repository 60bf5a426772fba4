package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.yaml.in/yaml/v3"

	"github.com/securemcp/gateway/controllers"
	"github.com/securemcp/gateway/services"
	"github.com/securemcp/gateway/services/errs"
)

// The Dockerfile cannot be built here (no container engine): these tests read
// it, and the compose file, and hold their health checks to the real command
// tree and routes.

// dockerfile is what the tests read of the Dockerfile.
type dockerfile struct {
	binary      string   // where the runtime stage puts the built binary
	entrypoint  []string // ENTRYPOINT, exec form
	healthcheck []string // HEALTHCHECK's CMD, exec form
	cmd         []string // CMD, exec form: the command line the image runs
	expose      []string // EXPOSE
	hcTimeout   time.Duration
	env         map[string]string
}

var instruction = regexp.MustCompile(`^([A-Z]+)\s+(.*)$`)

func readDockerfile(t *testing.T) dockerfile {
	t.Helper()
	data, err := os.ReadFile("../../Dockerfile")
	require.NoError(t, err)
	text := strings.ReplaceAll(string(data), "\\\n", " ") // continuation lines
	d := dockerfile{env: map[string]string{}}
	healthchecks := 0
	for _, line := range strings.Split(text, "\n") {
		m := instruction.FindStringSubmatch(strings.TrimSpace(line))
		if m == nil {
			continue
		}
		args := m[2]
		switch m[1] {
		case "COPY":
			if f := strings.Fields(args); len(f) >= 2 && strings.HasSuffix(f[len(f)-2], "/secure-mcp-gateway") {
				d.binary = f[len(f)-1]
			}
		case "ENTRYPOINT":
			require.NoError(t, json.Unmarshal([]byte(args), &d.entrypoint), "ENTRYPOINT in exec form")
		case "CMD":
			require.NoError(t, json.Unmarshal([]byte(args), &d.cmd), "CMD in exec form")
		case "EXPOSE":
			d.expose = strings.Fields(args)
		case "ENV":
			for _, kv := range strings.Fields(args) {
				if k, v, ok := strings.Cut(kv, "="); ok {
					d.env[k] = v
				}
			}
		case "HEALTHCHECK":
			healthchecks++
			options, cmd, ok := strings.Cut(args, " CMD ")
			require.True(t, ok, "HEALTHCHECK … CMD [...]: %s", args)
			require.NoError(t, json.Unmarshal([]byte(strings.TrimSpace(cmd)), &d.healthcheck),
				"the image has no shell: HEALTHCHECK CMD must be in exec form (a JSON array)")
			for _, opt := range strings.Fields(options) {
				if v, ok := strings.CutPrefix(opt, "--timeout="); ok {
					d.hcTimeout, err = time.ParseDuration(v)
					require.NoError(t, err)
				}
			}
		}
	}
	require.Equal(t, 1, healthchecks, "one HEALTHCHECK")
	return d
}

// readComposeHealthcheck returns the gateway service's health check command.
func readComposeHealthcheck(t *testing.T) (test []string, timeout time.Duration) {
	t.Helper()
	data, err := os.ReadFile("../../docker-compose.yml")
	require.NoError(t, err)
	var doc struct {
		Services map[string]struct {
			Build       string `yaml:"build"`
			Healthcheck struct {
				Test    []string `yaml:"test"`
				Timeout string   `yaml:"timeout"`
			} `yaml:"healthcheck"`
		} `yaml:"services"`
	}
	require.NoError(t, yaml.Unmarshal(data, &doc))
	gateway, ok := doc.Services["gateway"]
	require.True(t, ok)
	require.Equal(t, ".", gateway.Build, "the gateway is the image of the Dockerfile")
	test = gateway.Healthcheck.Test
	require.NotEmpty(t, test, "the gateway service has a health check")
	require.Equal(t, "CMD", test[0], "exec form: the image has no shell for CMD-SHELL")
	timeout, err = time.ParseDuration(gateway.Healthcheck.Timeout)
	require.NoError(t, err)
	return test[1:], timeout
}

// checkHealthcheck holds a health check's argv to the image and the program:
// it runs the image's binary, names a real command with valid flags, and
// probes a public route of the server on the port the image serves.
func checkHealthcheck(t *testing.T, d dockerfile, argv []string, timeout time.Duration) {
	t.Helper()
	require.NotEmpty(t, argv)
	require.NotEmpty(t, d.binary, "the Dockerfile copies the binary")
	assert.Equal(t, d.binary, argv[0], "the health check runs the binary the image holds")
	require.NotEmpty(t, d.entrypoint)
	assert.Equal(t, d.binary, d.entrypoint[len(d.entrypoint)-1], "the entrypoint runs the binary (behind an init that reaps)")

	root := newRootCmd(&bytes.Buffer{}, &bytes.Buffer{})
	cmd, rest, err := root.Find(argv[1:])
	require.NoError(t, err)
	assert.Equal(t, "secure-mcp-gateway system health-check", cmd.CommandPath(), "a real command")
	require.NoError(t, cmd.ParseFlags(rest), "its flags exist")
	assert.Empty(t, cmd.Flags().Args(), "no stray arguments")
	rawURL, err := cmd.Flags().GetString("url")
	require.NoError(t, err)
	require.True(t, cmd.Flags().Changed("url"), "it asks the running server, not the store (which may be a remote PostgreSQL)")
	probeTimeout, err := cmd.Flags().GetDuration("timeout")
	require.NoError(t, err)
	assert.Less(t, probeTimeout, timeout, "the probe gives up before the container runtime kills it")

	u, err := url.Parse(rawURL)
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1:"+d.env["SMG_PORT"], u.Host, "the port the image serves on")
	router := controllers.NewRouter(controllers.Deps{Log: zap.NewNop(), Services: &services.Services{}})
	found := false
	for _, r := range router.Routes() {
		found = found || (r.Method == http.MethodGet && r.Path == u.Path)
	}
	assert.True(t, found, "GET %s is a route of the server", u.Path)
	assert.Equal(t, "/readyz", u.Path, "the public readiness probe: no admin key in the image's metadata")
}

func TestDockerfileHealthcheckRunsARealCommand(t *testing.T) {
	t.Parallel()
	d := readDockerfile(t)
	require.NotZero(t, d.hcTimeout, "HEALTHCHECK --timeout")
	checkHealthcheck(t, d, d.healthcheck, d.hcTimeout)
}

func TestComposeHealthcheckRunsARealCommand(t *testing.T) {
	t.Parallel()
	d := readDockerfile(t)
	test, timeout := readComposeHealthcheck(t)
	checkHealthcheck(t, d, test, timeout)
}

// runProbe runs the health check's command line, in process, against base.
func runProbe(t *testing.T, argv []string, base string) (stdout string, err error) {
	t.Helper()
	args := append([]string(nil), argv[1:]...)
	for i, a := range args {
		if strings.HasPrefix(a, "http://127.0.0.1:") {
			args[i] = base + "/readyz"
		}
	}
	var out, errOut bytes.Buffer
	root := newRootCmd(&out, &errOut)
	root.SetArgs(args)
	err = root.Execute()
	return out.String(), err
}

func TestHealthcheckCommandExitsByTheServersAnswer(t *testing.T) {
	t.Parallel()
	argv := readDockerfile(t).healthcheck
	status := http.StatusOK
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, "/readyz", r.URL.Path)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		if status == http.StatusOK {
			_, _ = w.Write([]byte(`{"message":"API server is ready","data":{"store":"sqlite"},"timestamp":"2026-01-01T00:00:00Z"}`))
		} else {
			_, _ = w.Write([]byte(`{"error":"unavailable_error","detail":"the store does not answer","timestamp":"2026-01-01T00:00:00Z"}`))
		}
	}))
	out, err := runProbe(t, argv, srv.URL)
	require.NoError(t, err)
	assert.Contains(t, out, `"message": "API server is ready"`)

	status = http.StatusServiceUnavailable
	_, err = runProbe(t, argv, srv.URL)
	require.Error(t, err)
	assert.Equal(t, errs.KindUnavailable, errs.KindOf(err))
	assert.Contains(t, err.Error(), "503 Service Unavailable: the store does not answer")

	srv.Close()
	_, err = runProbe(t, argv, srv.URL)
	require.Error(t, err, "no server: unhealthy")
	assert.Contains(t, err.Error(), "no answer from")
}

// The image runs `system start` (the API and the gateway) and exposes the
// two ports its settings name.
func TestDockerfileServesTheAPIAndTheGateway(t *testing.T) {
	t.Parallel()
	d := readDockerfile(t)
	root := newRootCmd(&bytes.Buffer{}, &bytes.Buffer{})
	cmd, rest, err := root.Find(d.cmd)
	require.NoError(t, err)
	assert.Empty(t, rest)
	assert.Equal(t, "secure-mcp-gateway system start", cmd.CommandPath())
	assert.ElementsMatch(t, []string{d.env["SMG_PORT"], d.env["SMG_MCP_PORT"]}, d.expose)
	assert.Equal(t, "/usr/local/bin/tini", d.entrypoint[0], "an init reaps the upstreams' orphaned children")
}
