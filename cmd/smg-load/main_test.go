package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMain lets the test binary serve the reference when re-executed, as the
// real binary does.
func TestMain(m *testing.M) {
	if len(os.Args) == 3 && os.Args[1] == referenceFlag {
		if err := serveReference(os.Args[2]); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	code := m.Run()
	if builtDir != "" {
		_ = os.RemoveAll(builtDir)
	}
	os.Exit(code)
}

// The gateway and the test upstream are built once for the package.
var (
	buildOnce      sync.Once
	builtDir       string
	gatewayBin     string
	upstreamBin    string
	buildErr       error
	buildErrOutput []byte
)

// builtBinaries returns the paths of the built gateway and test upstream.
func builtBinaries(t *testing.T) (gateway, upstream string) {
	t.Helper()
	buildOnce.Do(func() {
		if builtDir, buildErr = os.MkdirTemp("", "smg-load-test-"); buildErr != nil {
			return
		}
		gatewayBin, upstreamBin = filepath.Join(builtDir, "secure-mcp-gateway"), filepath.Join(builtDir, "upstream")
		for target, pkg := range map[string]string{gatewayBin: "../secure-mcp-gateway", upstreamBin: "../../gateway/upstream/testdata/upstream"} {
			if buildErrOutput, buildErr = exec.Command("go", "build", "-o", target, pkg).CombinedOutput(); buildErr != nil {
				return
			}
		}
	})
	require.NoError(t, buildErr, "%s", buildErrOutput)
	return gatewayBin, upstreamBin
}

func TestOnlyLoopbackTargets(t *testing.T) {
	for _, target := range []string{"http://127.0.0.1:8001", "http://localhost:8001", "http://[::1]:8001"} {
		assert.NoError(t, requireLoopback(target), target)
	}
	for _, target := range []string{"http://10.0.0.1:8001", "http://192.168.1.1", "http://8.8.8.8", "ftp://127.0.0.1", "127.0.0.1:8001", ""} {
		assert.Error(t, requireLoopback(target), target)
	}
	var out bytes.Buffer
	err := run([]string{"-url", "http://10.1.2.3:8001", "-key", "k", "-d", "1s"}, &out)
	assert.ErrorContains(t, err, "only drives loopback addresses")
}

func TestBoundsAreEnforced(t *testing.T) {
	for _, args := range [][]string{{"-d", "1h"}, {"-d", "0s"}, {"-c", "0"}, {"-c", "100000"}, {"-users", "-1"}, {"-rounds", "0"},
		{"-background", "list-api-keys"}, {"-background", "nope:2"}, {"-background", "list-api-keys:0"}, {"-background", "list-api-keys:9999"}} {
		assert.Error(t, run(args, &bytes.Buffer{}), "%v", args)
	}
}

// TestLoadRunAgainstSpawnedGateway runs a tiny load test end to end: the
// gateway is built and spawned, seeded, driven and compared.
func TestLoadRunAgainstSpawnedGateway(t *testing.T) {
	binary, _ := builtBinaries(t)
	t.Setenv("SMG_ADMIN_API_KEY", "")
	var report bytes.Buffer
	err := run([]string{"-spawn", binary, "-c", "2", "-d", "600ms", "-rounds", "2", "-configs", "3", "-servers", "2", "-users", "0",
		"-scenarios", "get-config,list-configs,create-config", "-background", "first-config:1"}, &report)
	require.NoError(t, err, report.String())
	text := report.String()
	assert.Contains(t, text, "seeded 3 configurations")
	for _, name := range []string{"get-config", "list-configs", "create-config", "get-config\\*", "reference\\*"} {
		assert.Regexp(t, regexp.MustCompile(`(?m)^`+name+`\s+[1-9]\d*\s+\d+\s+\S+\s+\S+\s+\S+\s+0$`), text, "a row with requests and no errors")
	}
	assert.Regexp(t, regexp.MustCompile(`(?m)^\+first-config\s+[1-9]\d*\s+\d+\s+\S+\s+\S+\s+\S+\s+0$`), text, "the background load is reported")
	assert.Contains(t, text, "get-config / reference req/s: median")
	assert.True(t, strings.Contains(text, "gateway resident memory"))
}

func TestGatewayFlagsAreChecked(t *testing.T) {
	upstream := filepath.Join(t.TempDir(), "upstream")
	require.NoError(t, os.WriteFile(upstream, nil, 0o755))
	for _, args := range [][]string{
		{"-gateway", "-upstream", upstream},                                                   // no -spawn
		{"-gateway", "-spawn", "x"},                                                           // no -upstream
		{"-gateway", "-spawn", "x", "-upstream", upstream + "-missing"},                       // a missing upstream
		{"-gateway", "-spawn", "x", "-upstream", upstream, "-phases", "call,nap"},             // an unknown phase
		{"-gateway", "-spawn", "x", "-upstream", upstream, "-list-tools", "3"},                // fewer tools than the upstream has
		{"-gateway", "-spawn", "x", "-upstream", upstream, "-sessions", "0"},                  // no sessions
		{"-gateway", "-spawn", "x", "-upstream", upstream, "-rate", "100,-1"},                 // a negative rate
		{"-gateway", "-spawn", "x", "-upstream", upstream, "-server-env", "GOGC"},             // not NAME=VALUE
		{"-gateway", "-spawn", "x", "-upstream", upstream, "-gateway-users", "0", "-d", "1s"}, // no users
	} {
		assert.Error(t, run(args, &bytes.Buffer{}), "%v", args)
	}
}

// TestGatewayLoadRun drives every phase of -gateway briefly against the
// built binary and the test upstream: each phase reports, without errors.
func TestGatewayLoadRun(t *testing.T) {
	binary, upstream := builtBinaries(t)
	t.Setenv("SMG_ADMIN_API_KEY", "")
	everything := "../../node_modules/@modelcontextprotocol/server-everything/dist/index.js"
	var report bytes.Buffer
	// -d 2s: each list measurement lasts -d/4, which a busy machine must
	// leave room for one list in.
	err := run([]string{"-gateway", "-spawn", binary, "-upstream", upstream, "-c", "3", "-d", "2s", "-rounds", "1",
		"-rate", "50,100", "-gateway-users", "2", "-list-servers", "2", "-list-tools", "14", "-cold-runs", "1",
		"-everything", everything, "-sessions", "20"}, &report)
	require.NoError(t, err, report.String())
	text := report.String()
	row := func(name string) *regexp.Regexp {
		return regexp.MustCompile(`(?m)^` + name + `\s+[1-9]\d*\s+\d+\s+\S+\s+\S+\s+\S+\s+0$`)
	}
	for _, section := range []string{"1 client:", "3 clients, saturated:", "3 clients at 50 calls/s:", "3 clients at 100 calls/s:"} {
		part := text[strings.Index(text, section):]
		assert.Regexp(t, row("gateway"), part, section)
		assert.Regexp(t, row("direct"), part, section)
	}
	assert.Contains(t, text, "added by the gateway: p50")
	assert.Regexp(t, `CPU per call through the gateway: client \S+, gateway [1-9]\S*, upstream \S+`, text)
	assert.Contains(t, text, "tools/list of 2 servers × 14 tools on a warm pool")
	for _, name := range []string{"1", "3", "1, raw", "3, raw"} {
		assert.Regexp(t, row(name), text)
	}
	if _, err := os.Stat(everything); err == nil {
		assert.Regexp(t, row("per-call start"), text)
		assert.Regexp(t, row("gateway, warm"), text)
		assert.Contains(t, text, "faster at p50")
	} else {
		assert.Contains(t, text, "cold: skipped")
	}
	assert.Regexp(t, `20 stateful sessions \(initialize \+ tools/list each, opened in \S+\): gateway resident memory [1-9]`, text)
	assert.Contains(t, text, "gateway resident memory")
}
