package sqltest

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
)

// outcomeTB records how a helper ended the test it was given.
type outcomeTB struct {
	testing.TB
	skipped, failed string
}

func (o *outcomeTB) Helper() {}

func (o *outcomeTB) Skipf(format string, args ...any) {
	o.skipped = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func (o *outcomeTB) Fatalf(format string, args ...any) {
	o.failed = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// run calls NewPostgresURL with a recording TB in its own goroutine (Skipf and
// Fatalf end that goroutine, as they end a test).
func run(t *testing.T) *outcomeTB {
	o := &outcomeTB{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		NewPostgresURL(o)
	}()
	<-done
	return o
}

func TestWithoutADatabaseURLPostgresTestsSkipWithHowTo(t *testing.T) {
	t.Setenv(EnvDatabaseURL, "")
	t.Setenv(EnvRequirePostgres, "")
	o := run(t)
	assert.Empty(t, o.failed)
	assert.Contains(t, o.skipped, "set SMG_TEST_DATABASE_URL")
	assert.Len(t, Backends(), 1, "SQLite only")
}

func TestRequiredPostgresMissingIsAFailure(t *testing.T) {
	t.Setenv(EnvDatabaseURL, "")
	t.Setenv(EnvRequirePostgres, "1")
	o := run(t)
	assert.Empty(t, o.skipped)
	assert.Contains(t, o.failed, "PostgreSQL is required")
	assert.Len(t, Backends(), 2, "a required backend is never left out")
}

func TestRequiredPostgresUnreachableIsAFailure(t *testing.T) {
	t.Setenv(EnvDatabaseURL, "postgres://nobody:pw-not-shown@127.0.0.1:1/none?sslmode=disable&connect_timeout=2")
	t.Setenv(EnvRequirePostgres, "1")
	o := run(t)
	assert.Empty(t, o.skipped)
	assert.Contains(t, o.failed, "cannot reach")
	assert.NotContains(t, o.failed, "pw-not-shown")
}

func TestUnreachablePostgresSkipsWhenNotRequired(t *testing.T) {
	t.Setenv(EnvDatabaseURL, "postgres://nobody@127.0.0.1:1/none?sslmode=disable&connect_timeout=2")
	t.Setenv(EnvRequirePostgres, "")
	o := run(t)
	assert.Empty(t, o.failed)
	assert.Contains(t, o.skipped, "cannot reach")
}

func TestSearchPathIsAddedToURLsAndConnectionStrings(t *testing.T) {
	assert.Equal(t, "postgres://u@h:5432/db?search_path=s1&sslmode=disable",
		withSearchPath("postgres://u@h:5432/db?sslmode=disable", "s1"))
	assert.Equal(t, "host=h dbname=db search_path=s1", withSearchPath("host=h dbname=db", "s1"))
}
