// Package connlimit bounds the connections an HTTP server keeps open, so that
// a flood of connections can exhaust neither memory nor file descriptors.
//
// At the limit, a new connection is not left waiting: a limiting listener
// that stops accepting (golang.org/x/net/netutil.LimitListener) leaves every
// newcomer in the kernel's backlog behind the connections that hold the
// slots, so that a few thousand idle sockets keep a health check waiting for
// as long as they take to time out. Nor is it simply refused, which would let
// the idle sockets lock every real client out. Instead the connection that has
// waited longest without a request in progress (one that sent nothing yet, or
// a keep-alive connection between requests) is closed to make room: such a
// connection costs its client nothing to reopen, while a client that sends a
// request at once is served. Only when every connection is in the middle of a
// request is the newcomer refused, with 503.
package connlimit

import (
	"container/list"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"
)

// Limiter tracks the connections of one http.Server. Serve its Listener and
// set its ConnState as the server's ConnState.
type Limiter struct {
	max int

	mu sync.Mutex
	// open holds every admitted connection; the value is its element in
	// waiting, or nil while a request is in progress.
	open map[net.Conn]*list.Element
	// waiting holds the connections without a request in progress, oldest
	// first: the front is the one to close when room is needed.
	waiting *list.List
	evicted int
	refused int
}

// New allows limit open connections (at least 1).
func New(limit int) *Limiter {
	return &Limiter{max: max(limit, 1), open: map[net.Conn]*list.Element{}, waiting: list.New()}
}

// Stats reports the open connections, and how many were closed to make room
// or refused since the start.
func (l *Limiter) Stats() (open, evicted, refused int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.open), l.evicted, l.refused
}

// Listener admits the connections inner accepts, within the limit.
func (l *Limiter) Listener(inner net.Listener) net.Listener { return &listener{Listener: inner, l: l} }

type listener struct {
	net.Listener
	l *Limiter
}

func (ln *listener) Accept() (net.Conn, error) {
	for {
		c, err := ln.Listener.Accept()
		if err != nil {
			return nil, err
		}
		if ln.l.admit(c) {
			return c, nil
		}
		refuse(c)
	}
}

// admit takes c in, closing the longest-waiting connection if needed; false
// when every open connection has a request in progress.
func (l *Limiter) admit(c net.Conn) bool {
	var victim net.Conn
	defer func() {
		if victim != nil {
			_ = victim.Close() // its server goroutine sees the error and ends
		}
	}()
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.open) >= l.max {
		front := l.waiting.Front()
		if front == nil {
			l.refused++
			return false
		}
		victim = l.waiting.Remove(front).(net.Conn)
		delete(l.open, victim)
		l.evicted++
	}
	// Until a request is read, a connection is waiting.
	l.open[c] = l.waiting.PushBack(c)
	return true
}

// refusal is the answer to a connection refused because every slot serves a
// request: the API's error envelope, and the connection closes.
const refusal = `{"error":"unavailable","detail":"the server is at its connection limit; retry later","timestamp":"%s"}`

func refuse(c net.Conn) {
	body := fmt.Sprintf(refusal, time.Now().UTC().Format(time.RFC3339Nano))
	_ = c.SetWriteDeadline(time.Now().Add(time.Second))
	// A new connection's send buffer is empty: the write does not wait.
	_, _ = fmt.Fprintf(c, "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json; charset=utf-8\r\n"+
		"Retry-After: 1\r\nConnection: close\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
	_ = c.Close()
}

// ConnState follows the server's connections: a connection with a request in
// progress is never closed to make room.
func (l *Limiter) ConnState(c net.Conn, state http.ConnState) {
	l.mu.Lock()
	defer l.mu.Unlock()
	e, tracked := l.open[c]
	if !tracked {
		return // closed to make room, or never admitted
	}
	switch state {
	case http.StateActive:
		if e != nil {
			l.waiting.Remove(e)
			l.open[c] = nil
		}
	case http.StateIdle:
		if e == nil {
			l.open[c] = l.waiting.PushBack(c)
		}
	case http.StateClosed, http.StateHijacked:
		if e != nil {
			l.waiting.Remove(e)
		}
		delete(l.open, c)
	}
}
