package e2e

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSIGTERMFinishesInFlightRequest holds a create request open (its body
// half sent) across SIGTERM: the server stops accepting connections, waits for
// the request, answers 201, then exits 0 promptly, and the write is kept.
func TestSIGTERMFinishesInFlightRequest(t *testing.T) {
	home := t.TempDir()
	s := startServer(t, home)
	key := adminKeyOf(t, filepath.Join(home, ".enkrypt", "enkrypt_mcp_config.json"))
	addr := strings.TrimPrefix(s.base, "http://")

	conn, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer conn.Close()
	body := `{"config_name": "in-flight"}`
	half := len(body) / 2
	// With "Expect: 100-continue" the server answers "100 Continue" when the
	// handler first reads the body: once it arrives, the request is in flight.
	_, err = fmt.Fprintf(conn, "POST /api/v1/configs HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\n"+
		"Content-Type: application/json\r\nContent-Length: %d\r\nExpect: 100-continue\r\n\r\n", addr, key, len(body))
	require.NoError(t, err)
	replies := bufio.NewReader(conn)
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(10*time.Second)))
	interim, err := http.ReadResponse(replies, nil)
	require.NoError(t, err)
	require.Equal(t, http.StatusContinue, interim.StatusCode, "the handler reads the body")
	_, err = io.WriteString(conn, body[:half]) // the handler now waits for the rest
	require.NoError(t, err)

	require.NoError(t, s.cmd.Process.Signal(syscall.SIGTERM))
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			break // the listener is closed
		}
		c.Close()
		require.True(t, time.Now().Before(deadline), "the server still accepts connections after SIGTERM")
		time.Sleep(20 * time.Millisecond)
	}
	select {
	case err := <-s.done:
		t.Fatalf("the server exited with a request in flight: %v\n%s", err, s.logs.String())
	case <-time.After(300 * time.Millisecond):
	}

	_, err = io.WriteString(conn, body[half:])
	require.NoError(t, err)
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(10*time.Second)))
	res, err := http.ReadResponse(replies, nil)
	require.NoError(t, err)
	raw, _ := io.ReadAll(res.Body)
	require.Equal(t, http.StatusCreated, res.StatusCode, "%s", raw)
	assert.Contains(t, string(raw), `"config_name":"in-flight"`)

	answered := time.Now()
	select {
	case err := <-s.done:
		require.NoError(t, err, "SIGTERM exits 0:\n%s", s.logs.String())
		assert.Less(t, time.Since(answered), 3*time.Second, "the exit follows the last response promptly")
	case <-time.After(10 * time.Second):
		t.Fatal("the server did not exit after its last request")
	}
	assert.Contains(t, s.logs.String(), "finishing in-flight requests")

	s2 := startServer(t, home)
	status, got := s2.call("GET", "/api/v1/configs/in-flight", key, nil)
	assert.Equal(t, http.StatusOK, status, "%v", got)
}

// TestMetricsFlag serves /metrics only with --metrics, behind the admin key.
func TestMetricsFlag(t *testing.T) {
	home := t.TempDir()
	off := startServer(t, home)
	key := adminKeyOf(t, filepath.Join(home, ".enkrypt", "enkrypt_mcp_config.json"))
	status, _ := off.call("GET", "/metrics", key, nil)
	assert.Equal(t, http.StatusNotFound, status)
	require.NoError(t, off.stop())

	on := startServer(t, home, "SMG_METRICS=true")
	status, _ = on.call("GET", "/api/v1/configs", key, nil)
	require.Equal(t, http.StatusOK, status)
	req, err := http.NewRequest("GET", on.base+"/metrics", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+key)
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	require.Equal(t, http.StatusOK, res.StatusCode)
	assert.Contains(t, string(raw), `smg_http_requests_total{method="GET",route="/api/v1/configs",status="200"} 1`)
	assert.Contains(t, string(raw), `smg_store_operation_duration_seconds_count{op="configs.list"`)
	assert.Contains(t, string(raw), "process_resident_memory_bytes")
}
