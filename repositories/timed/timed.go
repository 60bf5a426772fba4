// Package timed is a repositories.Store decorator that times every repository
// call and reports it to an Observer (the Prometheus metrics of the server).
// It changes no behaviour: it runs the same conformance suite as the stores it
// wraps.
package timed

import (
	"context"
	"errors"
	"time"

	"github.com/securemcp/gateway/repositories"
)

// Observer receives one observation per store call: the operation
// ("users.get", "tx", ...), its duration and its outcome ("ok", "not_found",
// "conflict", "referenced" or "error").
type Observer interface {
	ObserveStore(op, outcome string, elapsed time.Duration)
}

// Store wraps a repositories.Store.
type Store struct {
	repos
	next repositories.Store
}

var _ repositories.Store = (*Store)(nil)

// Wrap returns next with every repository call timed into obs.
func Wrap(next repositories.Store, obs Observer) *Store {
	return &Store{repos: repos{next: next, observer: observer{obs}}, next: next}
}

// InTx times the whole transaction as "tx"; the repositories handed to fn are
// timed too.
func (s *Store) InTx(ctx context.Context, fn func(tx repositories.Repos) error) (err error) {
	defer s.observe("tx", time.Now(), &err)
	return s.next.InTx(ctx, func(tx repositories.Repos) error {
		return fn(repos{next: tx, observer: s.observer})
	})
}

// ReadSnapshot times the whole read as "snapshot"; the repositories handed
// to fn are timed too.
func (s *Store) ReadSnapshot(ctx context.Context, fn func(r repositories.Repos) error) (err error) {
	defer s.observe("snapshot", time.Now(), &err)
	return s.next.ReadSnapshot(ctx, func(r repositories.Repos) error {
		return fn(repos{next: r, observer: s.observer})
	})
}

// Ping times the store's health check.
func (s *Store) Ping(ctx context.Context) (err error) {
	defer s.observe("ping", time.Now(), &err)
	return s.next.Ping(ctx)
}

// Backend names the wrapped engine.
func (s *Store) Backend() string { return s.next.Backend() }

// Close closes the wrapped store.
func (s *Store) Close() error { return s.next.Close() }

// repos times the repositories of the store or of one transaction; the
// methods of every repository are generated (repositories_gen.go).
type repos struct {
	next repositories.Repos
	observer
}

// observer reports calls to an Observer.
type observer struct{ obs Observer }

// observe reports the call that started at start and ended with *err; it is
// deferred, so it sees the final error.
func (o observer) observe(op string, start time.Time, err *error) {
	o.obs.ObserveStore(op, outcome(*err), time.Since(start))
}

// outcome classifies an error by the repository sentinels; expected misses are
// not lumped with failures.
func outcome(err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, repositories.ErrNotFound):
		return "not_found"
	case errors.Is(err, repositories.ErrConflict):
		return "conflict"
	case errors.Is(err, repositories.ErrReferenced):
		return "referenced"
	default:
		return "error"
	}
}
