package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rawExchange writes a whole request on a new connection before reading
// anything, as Python's urllib does, then reads the answer.
func rawExchange(t *testing.T, s *server, request []byte) (*http.Response, []byte) {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.base, "http://"))
	require.NoError(t, err)
	defer conn.Close()
	// A small send buffer, as on a real network: a body the kernel could hold
	// whole on loopback would hide a server that never reads it.
	require.NoError(t, conn.(*net.TCPConn).SetWriteBuffer(64<<10))
	require.NoError(t, conn.SetDeadline(time.Now().Add(60*time.Second)))
	_, err = conn.Write(request)
	require.NoError(t, err, "the server reads the whole request")
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err, "the answer arrives")
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res, body
}

// A body over the limit gets its 413 even when the client sends all of it
// before reading: the rest of the body is read and discarded, so that the
// connection does not end in a reset that would destroy the answer.
func TestTooLargeBodyAnswerReachesAClientThatSendsEverythingFirst(t *testing.T) {
	home := t.TempDir()
	s := startServer(t, home)
	key := adminKeyOf(t, filepath.Join(home, ".enkrypt", "enkrypt_mcp_config.json"))
	body := bytes.Repeat([]byte("x"), 2<<20)
	head := "POST /api/v1/configs HTTP/1.1\r\nHost: gateway\r\nAuthorization: Bearer " + key + "\r\nContent-Type: application/json\r\n"

	check := func(t *testing.T, res *http.Response, raw []byte) {
		t.Helper()
		require.Equal(t, http.StatusRequestEntityTooLarge, res.StatusCode, "%s", raw)
		var envelope map[string]any
		require.NoError(t, json.Unmarshal(raw, &envelope), "%s", raw)
		assert.Equal(t, "payload_too_large", envelope["error"])
		assert.Contains(t, envelope["detail"], "exceeds the limit of 1048576 bytes")
	}
	t.Run("declared length", func(t *testing.T) {
		res, raw := rawExchange(t, s, append([]byte(head+fmt.Sprintf("Content-Length: %d\r\n\r\n", len(body))), body...))
		check(t, res, raw)
	})
	t.Run("chunked", func(t *testing.T) {
		var req bytes.Buffer
		req.WriteString(head + "Transfer-Encoding: chunked\r\n\r\n")
		for chunk := body; len(chunk) > 0; chunk = chunk[min(len(chunk), 64<<10):] {
			n := min(len(chunk), 64<<10)
			fmt.Fprintf(&req, "%x\r\n%s\r\n", n, chunk[:n])
		}
		req.WriteString("0\r\n\r\n")
		res, raw := rawExchange(t, s, req.Bytes())
		check(t, res, raw)
	})
	t.Run("without the key", func(t *testing.T) {
		// The limit is checked first, so a client without the key is told the same.
		res, raw := rawExchange(t, s, append([]byte("POST /api/v1/configs HTTP/1.1\r\nHost: gateway\r\n"+
			fmt.Sprintf("Content-Length: %d\r\n\r\n", len(body))), body...))
		check(t, res, raw)
	})
	status, _ := s.call("GET", "/api/v1/configs", key, nil)
	assert.Equal(t, http.StatusOK, status)
}

// Headers are bounded: a request with 100 KB of them is refused with 431
// before it is handled (net/http answers it, in plain text).
func TestHugeHeadersAreRefused(t *testing.T) {
	s := startServer(t, t.TempDir())
	pad := strings.Repeat("a", 100<<10)
	res, raw := rawExchange(t, s, []byte("GET /health HTTP/1.1\r\nHost: gateway\r\nX-Pad: "+pad+"\r\n\r\n"))
	assert.Equal(t, http.StatusRequestHeaderFieldsTooLarge, res.StatusCode, "%s", raw)
	res, raw = rawExchange(t, s, []byte("GET /health HTTP/1.1\r\nHost: gateway\r\nX-Pad: "+pad[:16<<10]+"\r\nConnection: close\r\n\r\n"))
	assert.Equal(t, http.StatusOK, res.StatusCode, "%s", raw)
}

// Idle connections, and connections stuck in their headers, cannot crowd out
// real requests or exhaust file descriptors: at the connection limit, the
// connection that has waited longest without a request makes room.
func TestIdleConnectionsCannotCrowdOutRequests(t *testing.T) {
	home := t.TempDir()
	s := startServer(t, home, "SMG_MAX_CONNECTIONS=32")
	key := adminKeyOf(t, filepath.Join(home, ".enkrypt", "enkrypt_mcp_config.json"))
	var held []net.Conn
	t.Cleanup(func() {
		for _, c := range held {
			_ = c.Close()
		}
	})
	addr := strings.TrimPrefix(s.base, "http://")
	for i := 0; i < 600; i++ {
		c, err := net.Dial("tcp", addr)
		require.NoError(t, err)
		held = append(held, c)
		if i%10 == 0 {
			// Some send the start of a request and stop, header by header.
			_, _ = io.WriteString(c, "GET /health HTTP/1.1\r\nHost: gateway\r\nX-Pad: "+strings.Repeat("a", 32<<10)+"\r\n")
		}
	}
	// The timeout only keeps a regression from hanging the run: idle
	// connections left to time out one by one would hold the requests for
	// minutes.
	client := &http.Client{Timeout: 20 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	res, err := client.Get(s.base + "/health")
	require.NoError(t, err)
	_ = res.Body.Close()
	assert.Equal(t, http.StatusOK, res.StatusCode)
	req, err := http.NewRequest("GET", s.base+"/api/v1/configs", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+key)
	res, err = client.Do(req)
	require.NoError(t, err)
	_ = res.Body.Close()
	assert.Equal(t, http.StatusOK, res.StatusCode)

	fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", s.cmd.Process.Pid))
	if err == nil {
		assert.Less(t, len(fds), 32+100, "descriptors stay within the connection limit and the server's own files")
	}
	assert.Contains(t, s.logs.String(), `"max_connections":32`)
}
