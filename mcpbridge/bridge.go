// Package mcpbridge lets a client that starts stdio MCP servers only (Claude
// Desktop, many agents) reach the gateway: it speaks stdio to the client and
// streamable HTTP to the gateway, relaying every message as it is.
package mcpbridge

import (
	"context"
	"errors"
	"io"
	"net/http"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Run relays messages between the local client (in, out) and the gateway at
// url until the client closes its input or either side fails. The key goes in
// the Authorization header of every request, never on the command line.
func Run(ctx context.Context, url, key string, in io.ReadCloser, out io.WriteCloser, base http.RoundTripper) error {
	if key == "" {
		return errors.New("no gateway API key: set ENKRYPT_GATEWAY_KEY")
	}
	if base == nil {
		base = http.DefaultTransport
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	local, err := (&mcp.IOTransport{Reader: in, Writer: out}).Connect(ctx)
	if err != nil {
		return err
	}
	defer local.Close()
	remote, err := (&mcp.StreamableClientTransport{Endpoint: url, HTTPClient: &http.Client{Transport: bearer{key: key, base: base}},
		// A relay has no session of its own to keep a stream open for.
		DisableStandaloneSSE: true}).Connect(ctx)
	if err != nil {
		return err
	}
	defer remote.Close()

	errc := make(chan error, 2)
	go func() { errc <- relay(ctx, local, remote) }()
	go func() { errc <- relay(ctx, remote, local) }()
	err = <-errc
	if errors.Is(err, io.EOF) {
		return nil // the client closed its side: a normal end
	}
	return err
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
