package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
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
