package upstream

import (
	"context"
	"sync"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// stdioTransport connects the SDK client to a started process through
// mcp.IOTransport, and watches the resulting connection.
type stdioTransport struct {
	io   mcp.IOTransport
	conn *watchedConn
}

func (t *stdioTransport) Connect(ctx context.Context) (mcp.Connection, error) {
	c, err := t.io.Connect(ctx)
	if err != nil {
		return nil, err
	}
	t.conn.Connection = c
	return t.conn, nil
}

// watchedConn records the first read or write failure of a connection —
// EOF, garbage, an over-long message, a broken pipe — before the SDK sees
// it. A call that fails afterwards therefore knows, without a race, that
// the transport broke (a crash) rather than the server answering an error.
//
// It also hands notifications to notify as they are read, in stream order:
// the SDK runs notification handlers on a queue of their own, so a handler
// may run after the response that followed its notification has been
// returned to the caller — too late to forward progress.
type watchedConn struct {
	mcp.Connection
	notify func(*jsonrpc.Request) // runs on the reading goroutine
	once   sync.Once
	broken chan struct{} // closed on the first failure
	err    error         // that failure; read after broken is closed
}

func newWatchedConn(notify func(*jsonrpc.Request)) *watchedConn {
	return &watchedConn{notify: notify, broken: make(chan struct{})}
}

func (c *watchedConn) Read(ctx context.Context) (jsonrpc.Message, error) {
	m, err := c.Connection.Read(ctx)
	if err != nil && ctx.Err() == nil {
		c.fail(err)
	}
	if req, ok := m.(*jsonrpc.Request); ok && !req.ID.IsValid() {
		c.notify(req)
	}
	return m, err
}

func (c *watchedConn) Write(ctx context.Context, m jsonrpc.Message) error {
	err := c.Connection.Write(ctx, m)
	if err != nil && ctx.Err() == nil {
		c.fail(err)
	}
	return err
}

func (c *watchedConn) fail(err error) {
	c.once.Do(func() {
		c.err = err
		close(c.broken)
	})
}

// failure returns the recorded failure, or nil while the connection works.
func (c *watchedConn) failure() error {
	select {
	case <-c.broken:
		return c.err
	default:
		return nil
	}
}
