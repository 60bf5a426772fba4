// Package cached is a repositories.Store decorator that keeps the reads of the
// hottest route — a configuration and its servers (GET /api/v1/configs/{id}) —
// for a short time. It is safe with several instances on one database because
// an entry lives less than a second (Wrap refuses longer), and it never serves
// an instance a value older than that instance's own last write: every write,
// through any repository or transaction, invalidates every entry.
package cached

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/repositories"
)

// DefaultTTL is how long an entry is served. Another instance's write is seen
// at most this late.
const DefaultTTL = 500 * time.Millisecond

// MaxTTL bounds the lifetime of an entry: state shared by instances must not
// be held in one process longer.
const MaxTTL = time.Second

// maxEntries bounds the memory of each cache; a full cache starts over.
const maxEntries = 10_000

// Store wraps a repositories.Store.
type Store struct {
	repos
	next repositories.Store
}

var _ repositories.Store = (*Store)(nil)

// Wrap returns next with configuration and server-list reads cached for ttl
// (0 < ttl < MaxTTL) on the clock now.
func Wrap(next repositories.Store, ttl time.Duration, now func() time.Time) (*Store, error) {
	if ttl <= 0 || ttl >= MaxTTL {
		return nil, fmt.Errorf("cache lifetime %s must be positive and under %s", ttl, MaxTTL)
	}
	c := &cache{ttl: ttl, now: now, configs: map[string]entry[models.Config]{}, servers: map[string]entry[[]models.Server]{}}
	return &Store{repos: repos{next: next, c: c}, next: next}, nil
}

// InTx runs fn without the cache (a transaction reads its own writes) and,
// when fn wrote (each write starts a new generation), invalidates again after
// the commit, so that no read started before it can install the old state. A
// transaction that only records key use (last_used_at, which no entry holds)
// leaves the cache as it is.
func (s *Store) InTx(ctx context.Context, fn func(tx repositories.Repos) error) error {
	start := s.c.generation()
	defer func() {
		if s.c.generation() != start {
			s.c.invalidate()
		}
	}()
	return s.next.InTx(ctx, func(tx repositories.Repos) error {
		return fn(repos{next: tx, c: s.c, inTx: true})
	})
}

// ReadSnapshot runs fn on the wrapped store's snapshot, without the cache
// (whose entries are not of that snapshot).
func (s *Store) ReadSnapshot(ctx context.Context, fn func(r repositories.Repos) error) error {
	return s.next.ReadSnapshot(ctx, func(r repositories.Repos) error {
		return fn(repos{next: r, c: s.c, inTx: true})
	})
}

// Ping checks the wrapped store.
func (s *Store) Ping(ctx context.Context) error { return s.next.Ping(ctx) }

// Backend names the wrapped engine.
func (s *Store) Backend() string { return s.next.Backend() }

// Close closes the wrapped store.
func (s *Store) Close() error { return s.next.Close() }

// The repositories' methods are generated (repositories_gen.go): reads pass
// through, writes invalidate, as cachePolicy in repositories/internal/wrapgen
// decides for each; the reads the cache serves are below.

// repos are the repositories of the store, or of one transaction (inTx: reads
// bypass the cache there).
type repos struct {
	next repositories.Repos
	c    *cache
	inTx bool
}

// Resolve serves a configuration from the cache when it can.
func (r configs) Resolve(ctx context.Context, idOrName string) (models.Config, error) {
	if r.inTx {
		return r.next.Resolve(ctx, idOrName)
	}
	gen, v, ok := lookup(r.c, r.c.configs, idOrName)
	if ok {
		return v, nil
	}
	v, err := r.next.Resolve(ctx, idOrName)
	if err == nil {
		store(r.c, r.c.configs, idOrName, v, gen)
	}
	return v, err
}

// List serves the servers of a configuration from the cache when it can.
// Callers get their own slice; the servers' maps are shared and read-only.
func (r servers) List(ctx context.Context, configID string) ([]models.Server, error) {
	if r.inTx {
		return r.next.List(ctx, configID)
	}
	gen, v, ok := lookup(r.c, r.c.servers, configID)
	if ok {
		return slices.Clone(v), nil
	}
	v, err := r.next.List(ctx, configID)
	if err == nil {
		store(r.c, r.c.servers, configID, slices.Clone(v), gen)
	}
	return v, err
}

// cache holds the entries of the current generation; a write starts a new one.
type cache struct {
	ttl time.Duration
	now func() time.Time

	mu      sync.Mutex
	gen     uint64
	configs map[string]entry[models.Config]
	servers map[string]entry[[]models.Server]
}

type entry[T any] struct {
	value   T
	expires time.Time
}

// generation counts the writes seen so far.
func (c *cache) generation() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

// invalidate drops every entry and starts a new generation, so that reads in
// flight (of the old one) cannot store their values.
func (c *cache) invalidate() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	clear(c.configs)
	clear(c.servers)
}

// lookup returns the current generation and a live entry for key, if any.
func lookup[T any](c *cache, m map[string]entry[T], key string) (uint64, T, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := m[key]
	if ok && c.now().Before(e.expires) {
		return c.gen, e.value, true
	}
	var zero T
	return c.gen, zero, false
}

// store keeps value if no write happened since its read began (generation gen).
func store[T any](c *cache, m map[string]entry[T], key string, value T, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if len(m) >= maxEntries {
		clear(m)
	}
	m[key] = entry[T]{value: value, expires: c.now().Add(c.ttl)}
}
