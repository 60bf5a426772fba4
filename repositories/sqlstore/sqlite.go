package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"runtime"
	"strings"

	"github.com/pressly/goose/v3"
	"modernc.org/sqlite"

	"github.com/securemcp/gateway/repositories"
)

// SQLite result codes used to classify errors (see sqlite3.h).
const (
	sqliteBusy              = 5
	sqliteLocked            = 6
	sqliteConstraint        = 19
	sqliteConstraintFK      = 787
	sqliteConstraintPK      = 1555
	sqliteConstraintUnique  = 2067
	sqlitePrimaryCodeFilter = 0xff
)

var sqliteDialect = &dialect{
	name:      "sqlite",
	rebind:    func(q string) string { return q },
	translate: translateSQLite,
	retryable: func(err error) bool {
		var se *sqlite.Error
		if errors.As(err, &se) {
			code := se.Code() & sqlitePrimaryCodeFilter
			return code == sqliteBusy || code == sqliteLocked
		}
		return false
	},
}

func translateSQLite(err error) error {
	var se *sqlite.Error
	if err == nil || !errors.As(err, &se) {
		return err
	}
	switch se.Code() {
	case sqliteConstraintUnique, sqliteConstraintPK:
		return fmt.Errorf("%w: %v", repositories.ErrConflict, err)
	case sqliteConstraintFK:
		return fmt.Errorf("%w: %v", repositories.ErrReferenced, err)
	}
	if se.Code()&sqlitePrimaryCodeFilter == sqliteConstraint {
		if strings.Contains(se.Error(), "FOREIGN KEY") {
			return fmt.Errorf("%w: %v", repositories.ErrReferenced, err)
		}
		return fmt.Errorf("%w: %v", repositories.ErrConflict, err)
	}
	return err
}

// sqliteDSN builds the connection string: WAL for concurrent readers, foreign keys
// enforced, synchronous=FULL so that a commit is on disk before it returns, and a
// busy timeout so that another process (the CLI) writing briefly makes us wait
// instead of fail.
func sqliteDSN(path string, readOnly bool) string {
	q := url.Values{}
	for _, p := range []string{"journal_mode(WAL)", "foreign_keys(1)", "synchronous(FULL)", "busy_timeout(10000)"} {
		q.Add("_pragma", p)
	}
	if readOnly {
		q.Add("_pragma", "query_only(1)")
	} else {
		q.Set("_txlock", "immediate")
	}
	return "file:" + path + "?" + q.Encode()
}

// OpenSQLite opens (creating if needed) the SQLite database at path and applies
// the migrations. Writes go through one connection, which serialises them in
// this process; reads use a pool.
func OpenSQLite(ctx context.Context, path string) (*Store, error) {
	// Create the file owner-only before SQLite does (it would use 0644); the WAL
	// and shared-memory files inherit this mode.
	if f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600); err != nil {
		return nil, fmt.Errorf("create sqlite file: %w", err)
	} else if err := f.Close(); err != nil {
		return nil, err
	}
	drv, err := newSQLiteDriver()
	if err != nil {
		return nil, fmt.Errorf("sqlite driver: %w", err)
	}
	writer := sql.OpenDB(sqliteConnector{driver: drv, dsn: sqliteDSN(path, false)})
	writer.SetMaxOpenConns(1)
	writer.SetMaxIdleConns(1)
	writer.SetConnMaxLifetime(0)
	if err := migrate(ctx, writer, goose.DialectSQLite3, "sqlite"); err != nil {
		_ = writer.Close()
		return nil, err
	}
	reader := sql.OpenDB(sqliteConnector{driver: drv, dsn: sqliteDSN(path, true)})
	readers := max(4, runtime.GOMAXPROCS(0)*2)
	reader.SetMaxOpenConns(readers)
	reader.SetMaxIdleConns(readers)
	txStmts := newStmtCache(writer)
	if err := prepareTxStmts(ctx, txStmts, sqliteDialect); err != nil {
		_ = writer.Close()
		_ = reader.Close()
		return nil, err
	}
	return &Store{db: db{r: reader, w: writer, d: sqliteDialect, stmts: newStmtCache(reader), txStmts: txStmts}, txStmts: txStmts, writer: writer, reader: reader}, nil
}
