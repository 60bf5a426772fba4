package connlimit_test

import (
	"bufio"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/securemcp/gateway/internal/connlimit"
)

// serve runs handler behind a limiter of max connections on loopback. Its
// timeouts are long, so that only the limiter can free a slot.
func serve(t *testing.T, max int, handler http.HandlerFunc) (*connlimit.Limiter, string) {
	t.Helper()
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	lim := connlimit.New(max)
	srv := &http.Server{Handler: handler, ConnState: lim.ConnState, ReadHeaderTimeout: time.Minute, IdleTimeout: time.Minute}
	go func() { _ = srv.Serve(lim.Listener(inner)) }()
	t.Cleanup(func() { _ = srv.Close() })
	return lim, inner.Addr().String()
}

func dial(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// get sends one request on a new connection and reads the answer; the
// deadline only keeps a broken limiter from hanging the test.
func get(t *testing.T, addr string) (int, string) {
	t.Helper()
	c := dial(t, addr)
	require.NoError(t, c.SetDeadline(time.Now().Add(30*time.Second)))
	_, err := io.WriteString(c, "GET /health HTTP/1.1\r\nHost: test\r\n\r\n")
	require.NoError(t, err)
	res, err := http.ReadResponse(bufio.NewReader(c), nil)
	require.NoError(t, err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res.StatusCode, string(body)
}

func ok(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok") }

// Connections that send nothing cannot keep a real request out: the one that
// has waited longest makes room for each newcomer.
func TestIdleConnectionsMakeRoom(t *testing.T) {
	lim, addr := serve(t, 4, ok)
	for i := 0; i < 50; i++ {
		dial(t, addr)
	}
	status, body := get(t, addr)
	assert.Equal(t, http.StatusOK, status)
	assert.Equal(t, "ok", body)
	open, evicted, refused := lim.Stats()
	assert.LessOrEqual(t, open, 4)
	assert.GreaterOrEqual(t, evicted, 47, "the idle connections were closed to make room")
	assert.Zero(t, refused)
}

// A connection between two requests of a keep-alive client waits too.
func TestKeepAliveConnectionsBetweenRequestsMakeRoom(t *testing.T) {
	lim, addr := serve(t, 2, ok)
	client := &http.Client{Timeout: 30 * time.Second}
	for i := 0; i < 5; i++ {
		res, err := client.Get("http://" + addr + "/")
		require.NoError(t, err, "a client retries a request on a keep-alive connection closed meanwhile")
		_, _ = io.Copy(io.Discard, res.Body)
		_ = res.Body.Close()
		assert.Equal(t, http.StatusOK, res.StatusCode)
		status, _ := get(t, addr)
		assert.Equal(t, http.StatusOK, status)
	}
	open, _, _ := lim.Stats()
	assert.LessOrEqual(t, open, 2)
}

// When every slot serves a request, a newcomer gets 503 at once, in the API's
// envelope, and the slots serve again once the requests end.
func TestBusyConnectionsAreNeverClosed(t *testing.T) {
	release := make(chan struct{})
	started := make(chan struct{}, 10)
	lim, addr := serve(t, 3, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			started <- struct{}{}
			<-release
		}
		_, _ = io.WriteString(w, "done")
	})
	done := make(chan int, 3)
	for i := 0; i < 3; i++ {
		go func() {
			res, err := http.Get("http://" + addr + "/slow")
			if err != nil {
				done <- 0
				return
			}
			_ = res.Body.Close()
			done <- res.StatusCode
		}()
	}
	for i := 0; i < 3; i++ {
		<-started
	}
	status, body := get(t, addr)
	assert.Equal(t, http.StatusServiceUnavailable, status)
	var envelope map[string]any
	require.NoError(t, json.Unmarshal([]byte(body), &envelope), body)
	assert.Equal(t, "unavailable", envelope["error"])
	assert.Contains(t, envelope["detail"], "connection limit")
	_, evicted, refused := lim.Stats()
	assert.Zero(t, evicted, "no request in progress was cut")
	assert.Equal(t, 1, refused)

	close(release)
	for i := 0; i < 3; i++ {
		assert.Equal(t, http.StatusOK, <-done)
	}
	status, _ = get(t, addr)
	assert.Equal(t, http.StatusOK, status)
}
