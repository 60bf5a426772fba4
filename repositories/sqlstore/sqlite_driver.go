package sqlstore

import (
	"context"
	"database/sql/driver"
	"strings"

	"modernc.org/sqlite"
)

// newSQLiteDriver returns the driver of the embedded store's connections.
// SQLite's built-in lower() folds ASCII letters only, so a search for "école"
// would miss "École" (and LIKE ignores case for ASCII only as well). The
// driver replaces lower() with Go's Unicode folding, the one the search terms
// get, as PostgreSQL's lower() does under a UTF-8 locale. The function lives on
// this driver alone, not on every SQLite connection of the process.
func newSQLiteDriver() (*sqlite.Driver, error) {
	d := &sqlite.Driver{}
	return d, d.RegisterDeterministicScalarFunction("lower", 1, unicodeLower)
}

func unicodeLower(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
	switch v := args[0].(type) {
	case string:
		return strings.ToLower(v), nil
	case []byte:
		return strings.ToLower(string(v)), nil
	default: // NULL and numbers have no letters
		return v, nil
	}
}

// sqliteConnector opens connections of one DSN through the driver, so that no
// process-wide driver name has to be registered.
type sqliteConnector struct {
	driver *sqlite.Driver
	dsn    string
}

func (c sqliteConnector) Connect(context.Context) (driver.Conn, error) { return c.driver.Open(c.dsn) }

func (c sqliteConnector) Driver() driver.Driver { return c.driver }
