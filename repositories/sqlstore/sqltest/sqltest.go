// Package sqltest gives tests and benchmarks fresh stores on every backend: an
// SQLite file in a temporary directory, and a PostgreSQL schema of its own
// (created for the test, dropped after it) so that tests run in parallel and
// repeatedly on one database.
//
// PostgreSQL is used when SMG_TEST_DATABASE_URL names a database. Without it
// the PostgreSQL tests skip and say how to enable them, unless
// SMG_REQUIRE_POSTGRES=1 (set by CI), where a missing or unreachable database
// fails the test instead: a skipped suite must never pass for a green run.
package sqltest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	// The pgx database/sql driver, registered as "pgx".
	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/securemcp/gateway/repositories/sqlstore"
)

// Environment variables read by this package.
const (
	EnvDatabaseURL     = "SMG_TEST_DATABASE_URL"
	EnvRequirePostgres = "SMG_REQUIRE_POSTGRES"
)

// Backend opens fresh stores of one engine.
type Backend struct {
	Name string
	Open func(tb testing.TB) *sqlstore.Store
	// OpenPair opens two stores on one fresh database, as two instances of
	// the gateway sharing it would.
	OpenPair func(tb testing.TB) (*sqlstore.Store, *sqlstore.Store)
}

// Backends returns the backends available to this run: SQLite always,
// PostgreSQL when SMG_TEST_DATABASE_URL is set or required.
func Backends() []Backend {
	out := []Backend{{Name: "sqlite", Open: NewSQLite, OpenPair: NewSQLitePair}}
	if os.Getenv(EnvDatabaseURL) != "" || required() {
		out = append(out, Backend{Name: "postgres", Open: NewPostgres, OpenPair: NewPostgresPair})
	}
	return out
}

// NewSQLitePair opens two stores on one SQLite file in a temporary directory.
func NewSQLitePair(tb testing.TB) (*sqlstore.Store, *sqlstore.Store) {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "gateway.db")
	return openSQLiteAt(tb, path), openSQLiteAt(tb, path)
}

// NewPostgresPair opens two stores on one fresh PostgreSQL schema.
func NewPostgresPair(tb testing.TB) (*sqlstore.Store, *sqlstore.Store) {
	tb.Helper()
	u := NewPostgresURL(tb)
	return OpenPostgresAt(tb, u), OpenPostgresAt(tb, u)
}

// NewSQLite opens an SQLite store in a temporary directory, closed after the test.
func NewSQLite(tb testing.TB) *sqlstore.Store {
	tb.Helper()
	return openSQLiteAt(tb, filepath.Join(tb.TempDir(), "gateway.db"))
}

// NewPostgres opens a PostgreSQL store on a fresh schema, closed after the test.
func NewPostgres(tb testing.TB) *sqlstore.Store {
	tb.Helper()
	return OpenPostgresAt(tb, NewPostgresURL(tb))
}

func openSQLiteAt(tb testing.TB, path string) *sqlstore.Store {
	tb.Helper()
	s, err := sqlstore.OpenSQLite(context.Background(), path)
	if err != nil {
		tb.Fatalf("open sqlite: %v", err)
	}
	tb.Cleanup(func() { _ = s.Close() })
	return s
}

// OpenPostgresAt opens a store on a database URL (one from NewPostgresURL),
// closed after the test.
func OpenPostgresAt(tb testing.TB, databaseURL string) *sqlstore.Store {
	tb.Helper()
	s, err := sqlstore.OpenPostgres(context.Background(), databaseURL)
	if err != nil {
		tb.Fatalf("open postgres: %v", err)
	}
	tb.Cleanup(func() { _ = s.Close() })
	return s
}

// NewPostgresURL creates an empty schema for the test and returns a database URL
// whose search_path selects it, so that every connection made with it (a store,
// a server process) works in that schema. The schema is dropped after the test.
func NewPostgresURL(tb testing.TB) string {
	tb.Helper()
	base := os.Getenv(EnvDatabaseURL)
	if base == "" {
		unavailable(tb, "%s is not set", EnvDatabaseURL)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin, err := sql.Open("pgx", base)
	if err != nil {
		unavailable(tb, "bad %s: %v", EnvDatabaseURL, err)
	}
	defer admin.Close()
	if err := admin.PingContext(ctx); err != nil {
		unavailable(tb, "cannot reach the database of %s: %v", EnvDatabaseURL, err)
	}
	schema := "smg_test_" + randomHex(8)
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		tb.Fatalf("create schema: %v", err)
	}
	tb.Cleanup(func() { dropSchema(tb, base, schema) })
	return withSearchPath(base, schema)
}

// dropSchema removes a test schema; it runs after the stores of the test closed.
func dropSchema(tb testing.TB, base, schema string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin, err := sql.Open("pgx", base)
	if err == nil {
		defer admin.Close()
		_, err = admin.ExecContext(ctx, "DROP SCHEMA "+schema+" CASCADE")
	}
	if err != nil {
		tb.Errorf("drop schema %s: %v", schema, err)
	}
}

// withSearchPath adds a search_path run-time parameter to a URL or to a
// key=value connection string.
func withSearchPath(base, schema string) string {
	if strings.HasPrefix(base, "postgres://") || strings.HasPrefix(base, "postgresql://") {
		u, err := url.Parse(base)
		if err == nil {
			q := u.Query()
			q.Set("search_path", schema)
			u.RawQuery = q.Encode()
			return u.String()
		}
	}
	return base + " search_path=" + schema
}

func required() bool { return os.Getenv(EnvRequirePostgres) == "1" }

// unavailable skips the test, or fails it when PostgreSQL is required.
func unavailable(tb testing.TB, format string, args ...any) {
	tb.Helper()
	msg := fmt.Sprintf(format, args...)
	if required() {
		tb.Fatalf("PostgreSQL is required (%s=1) but %s", EnvRequirePostgres, msg)
	}
	tb.Skipf("PostgreSQL tests skipped: %s. To run them, set %s, e.g. "+
		"%s=postgres://postgres@127.0.0.1:5432/test?sslmode=disable", msg, EnvDatabaseURL, EnvDatabaseURL)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
