package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
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
	os.Exit(m.Run())
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
	binary := filepath.Join(t.TempDir(), "secure-mcp-gateway")
	build := exec.Command("go", "build", "-o", binary, "../secure-mcp-gateway")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "%s", out)
	t.Setenv("SMG_ADMIN_API_KEY", "")
	var report bytes.Buffer
	err = run([]string{"-spawn", binary, "-c", "2", "-d", "600ms", "-rounds", "2", "-configs", "3", "-servers", "2", "-users", "0",
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
