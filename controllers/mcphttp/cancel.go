package mcphttp

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"sync"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Without sessions the SDK cannot cancel a tool call: a client of the 2025
// protocol versions sends notifications/cancelled on a request of its own,
// which the SDK serves in a fresh throwaway session that knows nothing of the
// call; and the handler of a call does not end when its client goes away. So
// in stateless mode the shell tracks the tool calls in flight on this
// instance, by key and JSON-RPC request id, and cancels one when its client
// names it in notifications/cancelled (with the same key) or closes the
// request that carries it — whose answer, without a session to resume, could
// never be delivered anyway. A cancellation that reaches another instance
// behind a load balancer finds nothing here; a client that goes away is seen
// by the instance that serves its call.

// defaultMaxBody is the SDK's own bound of a request body, used when the
// options set none.
const defaultMaxBody = mcp.DefaultMaxRequestBodyBytes

// calls are the tool calls in flight on this instance in stateless mode.
type calls struct {
	mu sync.Mutex
	m  map[callKey][]*inflightCall
}

// callKey names a call: the key it came with and its JSON-RPC id, compacted
// (so the number 7 and the string "7" stay apart, as JSON-RPC keeps them).
type callKey struct{ keyID, id string }

type inflightCall struct{ cancel context.CancelFunc }

// message is the part of a JSON-RPC message the shell reads.
type message struct {
	ID     json.RawMessage `json:"id"`
	Method string          `json:"method"`
	Params struct {
		RequestID json.RawMessage `json:"requestId"`
	} `json:"params"`
}

// track reads the request's message. A tools/call gets a client context,
// cancelled when the client goes away or cancels the call, which the returned
// request carries (see clientContext); done must be called once the request
// has been served. The request's own context is left alone, so that the
// answer of a cancelled call still goes down its stream. A
// notifications/cancelled cancels the call it names.
func (c *calls) track(r *http.Request, keyID string, maxBody int64) (*http.Request, func()) {
	msg, ok := peek(r, maxBody)
	if !ok {
		return r, func() {}
	}
	switch msg.Method {
	case "tools/call":
		id, ok := compactID(msg.ID)
		if !ok {
			return r, func() {}
		}
		client, cancel := context.WithCancel(r.Context())
		k, call := callKey{keyID, id}, &inflightCall{cancel: cancel}
		c.add(k, call)
		return r.WithContext(context.WithValue(r.Context(), clientContextKey{}, client)), func() {
			c.remove(k, call)
			cancel()
		}
	case "notifications/cancelled":
		if id, ok := compactID(msg.Params.RequestID); ok {
			c.cancel(callKey{keyID, id})
		}
	}
	return r, func() {}
}

func (c *calls) add(k callKey, call *inflightCall) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[callKey][]*inflightCall{}
	}
	c.m[k] = append(c.m[k], call)
}

func (c *calls) remove(k callKey, call *inflightCall) {
	c.mu.Lock()
	defer c.mu.Unlock()
	list := c.m[k]
	for i, other := range list {
		if other == call {
			list = append(list[:i], list[i+1:]...)
			break
		}
	}
	if len(list) == 0 {
		delete(c.m, k)
	} else {
		c.m[k] = list
	}
}

// cancel cancels the call k names. Two clients sharing a key may use the same
// id at once: the notification is then ambiguous, and since cancelling is
// best effort in MCP while cancelling the wrong call is a failure, neither is
// cancelled.
func (c *calls) cancel(k callKey) {
	c.mu.Lock()
	list := c.m[k]
	c.mu.Unlock()
	if len(list) == 1 {
		list[0].cancel()
	}
}

// peek decodes the request's body as one JSON-RPC message, and puts the body
// back for the SDK, which applies its own limit and answers malformed bodies
// itself.
func peek(r *http.Request, maxBody int64) (message, bool) {
	if r.Method != http.MethodPost || r.Body == nil {
		return message{}, false
	}
	if maxBody <= 0 {
		maxBody = defaultMaxBody
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	r.Body = readCloser{io.MultiReader(bytes.NewReader(data), r.Body), r.Body}
	var msg message
	if err != nil || int64(len(data)) > maxBody || json.Unmarshal(data, &msg) != nil {
		return message{}, false
	}
	return msg, true
}

type readCloser struct {
	io.Reader
	io.Closer
}

func compactID(raw json.RawMessage) (string, bool) {
	var buf bytes.Buffer
	if len(raw) == 0 || json.Compact(&buf, raw) != nil || buf.String() == "null" {
		return "", false
	}
	return buf.String(), true
}

type clientContextKey struct{}

// clientContext is the client context of a tracked tool call, nil for any
// other request.
func clientContext(r *http.Request) context.Context {
	ctx, _ := r.Context().Value(clientContextKey{}).(context.Context)
	return ctx
}
