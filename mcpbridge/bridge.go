// Package mcpbridge lets a client that starts stdio MCP servers only (Claude
// Desktop, many agents) reach the gateway: it speaks stdio to the client and
// streamable HTTP to the gateway, relaying every message as it is.
package mcpbridge

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// maxReconnects bounds the reconnections after failed requests in a row: a
// gateway that keeps failing ends the bridge, which the client reports.
const maxReconnects = 5

// Run relays messages between the local client (in, out) and the gateway at
// url until the client closes its input or the gateway keeps failing. The key
// goes in the Authorization header of every request, never on the command
// line. A request the gateway cannot take (a restart, a 503, a network
// blip) is answered to the client with an error, and the bridge connects
// again, so that the client keeps its server.
func Run(ctx context.Context, url, key string, in io.ReadCloser, out io.WriteCloser, base http.RoundTripper) error {
	if key == "" {
		return errors.New("no gateway API key: set ENKRYPT_GATEWAY_KEY")
	}
	if base == nil {
		base = http.DefaultTransport
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	conn, err := (&mcp.IOTransport{Reader: in, Writer: out}).Connect(ctx)
	if err != nil {
		return err
	}
	local := &lockedConn{Connection: conn}
	defer local.Close()
	transport := &mcp.StreamableClientTransport{Endpoint: url, HTTPClient: &http.Client{Transport: bearer{key: key, base: base}},
		// A relay has no session of its own to keep a stream open for.
		DisableStandaloneSSE: true}

	failures := 0
	for {
		remote, err := transport.Connect(ctx)
		if err != nil {
			return err
		}
		down := make(chan struct{})
		go func() {
			defer close(down)
			_ = relay(ctx, remote, local) // ends when remote closes
		}()
		err = forward(ctx, local, remote, &failures)
		_ = remote.Close()
		<-down
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil // the client closed its side: a normal end
			}
			return err
		}
		if failures > maxReconnects {
			return fmt.Errorf("the gateway at %s failed %d requests in a row", url, failures)
		}
	}
}

// forward sends the client's messages to the gateway. It returns nil to
// reconnect after a failed request (answered with an error), or the local
// side's error.
func forward(ctx context.Context, local, remote mcp.Connection, failures *int) error {
	for {
		msg, err := local.Read(ctx)
		if err != nil {
			return err
		}
		if err := remote.Write(ctx, msg); err != nil {
			*failures++
			if req, ok := msg.(*jsonrpc.Request); ok && req.IsCall() {
				_ = local.Write(ctx, &jsonrpc.Response{ID: req.ID, Error: &jsonrpc.Error{Code: jsonrpc.CodeInternalError,
					Message: "the gateway did not take the request: " + err.Error()}})
			}
			return nil
		}
		*failures = 0
	}
}

// relay copies messages from one connection to the other.
func relay(ctx context.Context, from, to mcp.Connection) error {
	for {
		msg, err := from.Read(ctx)
		if err != nil {
			return err
		}
		if err := to.Write(ctx, msg); err != nil {
			return err
		}
	}
}

// lockedConn serialises writes to the client: answers relayed from the
// gateway and the bridge's own error answers share its output.
type lockedConn struct {
	mcp.Connection
	mu sync.Mutex
}

func (c *lockedConn) Write(ctx context.Context, msg jsonrpc.Message) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.Connection.Write(ctx, msg)
}

// bearer adds the key to every request.
type bearer struct {
	key  string
	base http.RoundTripper
}

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.key)
	return b.base.RoundTrip(r)
}
