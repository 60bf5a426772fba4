package mcphttp_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// cancelWait bounds how long a cancelled call may take to reach the upstream:
// the slow calls below would run for a minute without the cancellation.
const cancelWait = 10 * time.Second

// sleeping waits until the upstream has received the slow call tagged tag.
func (f fixture) sleeping(t *testing.T, tag string) {
	t.Helper()
	require.Eventually(t, func() bool {
		for _, st := range f.pool.Status() {
			if strings.Contains(st.Stderr, "sleeping: "+tag+"\n") {
				return true
			}
		}
		return false
	}, cancelWait, 5*time.Millisecond, "the upstream never received the call %s", tag)
}

// upstreamSaw waits until the upstream's stderr says it cancelled the call
// tagged tag, and the call has left the pool.
func (f fixture) upstreamSaw(t *testing.T, tag string) {
	t.Helper()
	require.Eventually(t, func() bool {
		for _, st := range f.pool.Status() {
			if st.InFlight == 0 && strings.Contains(st.Stderr, "cancelled: "+tag+"\n") {
				return true
			}
		}
		return false
	}, cancelWait, 5*time.Millisecond, "the upstream never saw the cancellation of %s", tag)
}

// rpc posts one JSON-RPC message as a client of the 2025 protocol versions
// does in stateless mode (no session), and returns the answer's status and
// its JSON-RPC message, if any.
func rpc(ctx context.Context, url, key, body string) (int, map[string]any, error) {
	req, err := http.NewRequestWithContext(ctx, "POST", url, strings.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	req.Header.Set("Mcp-Protocol-Version", "2025-11-25")
	req.Header.Set("Authorization", "Bearer "+key)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	scanner := bufio.NewScanner(res.Body)
	for scanner.Scan() {
		if data, ok := strings.CutPrefix(scanner.Text(), "data: "); ok {
			var msg map[string]any
			if err := json.Unmarshal([]byte(data), &msg); err != nil {
				return res.StatusCode, nil, err
			}
			return res.StatusCode, msg, nil
		}
	}
	return res.StatusCode, nil, scanner.Err()
}

func slowCall(id int, ms int, tag string) string {
	return fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"method":"tools/call","params":{"name":"tester__slow","arguments":{"ms":%d,"tag":%q}}}`, id, ms, tag)
}

func cancelled(id int) string {
	return fmt.Sprintf(`{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":%d,"reason":"changed my mind"}}`, id)
}

// resultText is the first text of a tools/call answer.
func resultText(t *testing.T, msg map[string]any) (string, bool) {
	t.Helper()
	res, ok := msg["result"].(map[string]any)
	require.True(t, ok, "a tools/call result: %v", msg)
	content := res["content"].([]any)
	require.NotEmpty(t, content)
	isError, _ := res["isError"].(bool)
	return content[0].(map[string]any)["text"].(string), isError
}

// In stateless mode a notifications/cancelled comes on a request of its own,
// with no session to tie it to the call: the gateway matches it by the key
// and the request id, and forwards the cancellation to the upstream. Another
// key's cancellation, or one naming another id, leaves the call alone.
func TestStatelessCancellationReachesTheUpstream(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	ctx := context.Background()

	type answer struct {
		msg map[string]any
		err error
	}
	call := func(body string) chan answer {
		done := make(chan answer, 1)
		go func() {
			_, msg, err := rpc(ctx, f.url+"/mcp", aliceKey, body)
			done <- answer{msg, err}
		}()
		return done
	}

	// Cancellations that must not touch the call: it completes.
	done := call(slowCall(7, 1500, "kept"))
	f.sleeping(t, "kept")
	for key, body := range map[string]string{bobKey: cancelled(7), aliceKey: cancelled(8)} {
		status, _, err := rpc(ctx, f.url+"/mcp", key, body)
		require.NoError(t, err)
		require.Equal(t, http.StatusAccepted, status)
	}
	a := <-done
	require.NoError(t, a.err)
	text, isError := resultText(t, a.msg)
	assert.Equal(t, "slept", text, "another key's cancellation, or another id's, leaves the call alone")
	assert.False(t, isError)

	// Two clients of one key with the same id in flight: the notification is
	// ambiguous, and cancels neither.
	first, second := call(slowCall(7, 3000, "first")), call(slowCall(7, 3000, "second"))
	f.sleeping(t, "first")
	f.sleeping(t, "second")
	status, _, err := rpc(ctx, f.url+"/mcp", aliceKey, cancelled(7))
	require.NoError(t, err)
	require.Equal(t, http.StatusAccepted, status)
	for _, done := range []chan answer{first, second} {
		a := <-done
		require.NoError(t, a.err)
		text, _ := resultText(t, a.msg)
		assert.Equal(t, "slept", text, "an ambiguous cancellation cancels no call")
	}

	// The key's own cancellation of its call.
	done = call(slowCall(7, 60000, "by-notification"))
	f.sleeping(t, "by-notification")
	status, _, err = rpc(ctx, f.url+"/mcp", aliceKey, cancelled(7))
	require.NoError(t, err)
	require.Equal(t, http.StatusAccepted, status)
	f.upstreamSaw(t, "by-notification")
	select {
	case a := <-done:
		require.NoError(t, a.err)
		text, isError := resultText(t, a.msg)
		assert.True(t, isError, text)
		assert.Contains(t, text, "cancelled")
	case <-time.After(cancelWait):
		t.Fatal("the cancelled call never answered")
	}
}

// In stateless mode the answer to a call can only go down the request that
// asked: a client that goes away cancels its call.
func TestStatelessClientGoneCancelsItsCall(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, _, err := rpc(ctx, f.url+"/mcp", aliceKey, slowCall(1, 60000, "gone"))
		done <- err
	}()
	f.sleeping(t, "gone")
	cancel()
	require.Error(t, <-done)
	f.upstreamSaw(t, "gone")
}

// The Go SDK's client (protocol 2026-07-28) cancels a call when its context
// ends; the upstream hears of it, in both modes.
func TestGoClientCancellationReachesTheUpstream(t *testing.T) {
	t.Parallel()
	for _, stateful := range []bool{false, true} {
		t.Run(fmt.Sprintf("stateful=%v", stateful), func(t *testing.T) {
			f := newFixture(t, stateful)
			session, err := connect(t, f.url+"/mcp", map[string]string{"Authorization": "Bearer " + aliceKey}, nil)
			require.NoError(t, err)
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() {
				_, err := session.CallTool(ctx, &mcp.CallToolParams{Name: "tester__slow", Arguments: map[string]any{"ms": 60000, "tag": "go"}})
				done <- err
			}()
			f.sleeping(t, "go")
			cancel()
			require.ErrorIs(t, <-done, context.Canceled)
			f.upstreamSaw(t, "go")

			res, err := session.CallTool(context.Background(), &mcp.CallToolParams{Name: "tester__add", Arguments: map[string]any{"a": 1, "b": 2}})
			require.NoError(t, err, "the session serves the next call")
			assert.Equal(t, "3", res.Content[0].(*mcp.TextContent).Text)
		})
	}
}
