package middleware

import (
	"container/list"
	"sync"
	"time"
)

// Defaults of the failed-authentication throttle: 10 failures per client
// address in 5 minutes, and at most 10,000 addresses remembered.
const (
	DefaultAuthFailures   = 10
	DefaultAuthWindow     = 5 * time.Minute
	DefaultAuthMaxClients = 10_000
)

// AuthLimiter counts failed authentications per client address in a fixed
// window that starts at the first failure. Once an address reaches the limit,
// Authenticate refuses its failing requests with 429 until the window ends,
// so that a guessing client gets no answer about its guesses. Memory is
// bounded: it remembers at most maxClients addresses, forgetting the oldest
// windows first. One limiter serves one credential (see Authenticate).
type AuthLimiter struct {
	limit      int
	window     time.Duration
	maxClients int
	now        func() time.Time

	mu      sync.Mutex
	clients map[string]*list.Element
	// order holds *failures by window start, oldest first: expired entries are
	// at the front, so eviction is O(1).
	order *list.List
}

type failures struct {
	addr  string
	start time.Time
	count int
}

// NewAuthLimiter allows limit failures per address within window and remembers
// at most maxClients addresses. now is the clock (time.Now in production).
func NewAuthLimiter(limit int, window time.Duration, maxClients int, now func() time.Time) *AuthLimiter {
	return &AuthLimiter{limit: limit, window: window, maxClients: maxClients, now: now,
		clients: map[string]*list.Element{}, order: list.New()}
}

// Blocked reports whether addr has used up its failures, and for how long it
// stays blocked.
func (l *AuthLimiter) Blocked(addr string) (time.Duration, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	l.expire(now)
	e, ok := l.clients[addr]
	if !ok {
		return 0, false
	}
	f := e.Value.(*failures)
	if f.count < l.limit {
		return 0, false
	}
	return f.start.Add(l.window).Sub(now), true
}

// Fail records one failed authentication of addr.
func (l *AuthLimiter) Fail(addr string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	l.expire(now)
	if e, ok := l.clients[addr]; ok {
		e.Value.(*failures).count++
		return
	}
	if l.order.Len() >= l.maxClients {
		l.remove(l.order.Front())
	}
	l.clients[addr] = l.order.PushBack(&failures{addr: addr, start: now, count: 1})
}

// Len is the number of addresses remembered.
func (l *AuthLimiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.order.Len()
}

// expire forgets the windows that have ended; they are at the front.
func (l *AuthLimiter) expire(now time.Time) {
	for e := l.order.Front(); e != nil && !now.Before(e.Value.(*failures).start.Add(l.window)); e = l.order.Front() {
		l.remove(e)
	}
}

func (l *AuthLimiter) remove(e *list.Element) {
	delete(l.clients, e.Value.(*failures).addr)
	l.order.Remove(e)
}
