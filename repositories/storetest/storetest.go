// Package storetest is the storage conformance suite: the definition of "a
// backend works". Every backend runs it with a one-line test.
package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/securemcp/gateway/repositories"
)

// Factory returns a fresh, empty store for one test; it registers its own cleanup.
type Factory func(t *testing.T) repositories.Store

// Run runs every conformance test against the backend made by newStore. The
// groups run in parallel: each of their tests has a fresh store of its own.
func Run(t *testing.T, newStore Factory) {
	t.Run("Configs", func(t *testing.T) { t.Parallel(); testConfigs(t, newStore) })
	t.Run("Servers", func(t *testing.T) { t.Parallel(); testServers(t, newStore) })
	t.Run("Projects", func(t *testing.T) { t.Parallel(); testProjects(t, newStore) })
	t.Run("Users", func(t *testing.T) { t.Parallel(); testUsers(t, newStore) })
	t.Run("Memberships", func(t *testing.T) { t.Parallel(); testMemberships(t, newStore) })
	t.Run("APIKeys", func(t *testing.T) { t.Parallel(); testAPIKeys(t, newStore) })
	t.Run("AdminKeys", func(t *testing.T) { t.Parallel(); testAdminKeys(t, newStore) })
	t.Run("Transactions", func(t *testing.T) { t.Parallel(); testTransactions(t, newStore) })
	t.Run("Isolation", func(t *testing.T) { t.Parallel(); testIsolation(t, newStore) })
	t.Run("Portability", func(t *testing.T) { t.Parallel(); testPortability(t, newStore) })
	t.Run("Bulk", func(t *testing.T) { t.Parallel(); testBulk(t, newStore) })
	t.Run("BulkInsert", func(t *testing.T) { t.Parallel(); testBulkInsert(t, newStore) })
	t.Run("BulkInsertEntities", func(t *testing.T) { t.Parallel(); testBulkInsertEntities(t, newStore) })
	t.Run("Integrity", func(t *testing.T) { t.Parallel(); testIntegrity(t, newStore) })
	t.Run("Audit", func(t *testing.T) { t.Parallel(); testAudit(t, newStore) })
}

// at returns a fixed, distinct time for fixtures (microsecond precision, which
// every backend keeps).
func at(i int) time.Time {
	return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC).Add(time.Duration(i) * time.Millisecond)
}

func ctx() context.Context { return context.Background() }
