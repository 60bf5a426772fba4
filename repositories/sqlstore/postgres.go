package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/securemcp/gateway/repositories"
)

// PostgreSQL error codes (SQLSTATE, appendix A of the PostgreSQL manual) used to
// classify errors.
const (
	pgUniqueViolation      = "23505"
	pgForeignKeyViolation  = "23503"
	pgSerializationFailure = "40001"
	pgDeadlockDetected     = "40P01"
	pgNotInRepertoire      = "22021" // invalid UTF-8, or a NUL byte, in a text
	pgUntranslatable       = "22P05"
)

// postgresDialect runs every InTx transaction SERIALIZABLE. The services follow
// a check-then-act pattern inside transactions (resolve a row, check a rule,
// write); under SERIALIZABLE PostgreSQL detects every interleaving that could
// break such a rule and fails one transaction with 40001, which Store.InTx
// retries from the start. Uniqueness and references are still enforced by
// constraints; serializability covers the rules that constraints cannot express
// (a key for a user who must be a member, a configuration that no project may
// use). Single statements outside InTx run in autocommit at READ COMMITTED.
var postgresDialect = &dialect{
	name:      "postgres",
	rebind:    rebindDollar,
	translate: translatePostgres,
	retryable: func(err error) bool {
		var pe *pgconn.PgError
		return errors.As(err, &pe) && (pe.Code == pgSerializationFailure || pe.Code == pgDeadlockDetected)
	},
	txOptions: &sql.TxOptions{Isolation: sql.LevelSerializable},
	// One snapshot for the whole transaction, which never conflicts with
	// writers (a read-only REPEATABLE READ transaction cannot fail to serialize).
	snapshotOptions: &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true},
	forUpdate:       " FOR UPDATE",
	// Every write appends to the one audit chain, so writers are serial on
	// its head anyway. Taking the head's table lock first makes them wait
	// their turn instead of failing: LOCK TABLE takes no snapshot, so the
	// SERIALIZABLE snapshot starts after the turn is given and sees the
	// latest head. Locking the head row later (FOR UPDATE) would fail every
	// writer but one per round with a serialization error, and a crowd of
	// writers on several instances would run out of retries. The mode
	// conflicts with itself and with writes, not with plain reads of the
	// head (verification, listings).
	beginWrite: `LOCK TABLE audit_head IN SHARE ROW EXCLUSIVE MODE`,
}

func translatePostgres(err error) error {
	var pe *pgconn.PgError
	if err == nil || !errors.As(err, &pe) {
		return err
	}
	switch pe.Code {
	case pgUniqueViolation:
		return fmt.Errorf("%w: %v", repositories.ErrConflict, err)
	case pgForeignKeyViolation:
		return fmt.Errorf("%w: %v", repositories.ErrReferenced, err)
	case pgNotInRepertoire, pgUntranslatable:
		return fmt.Errorf("%w: %v", repositories.ErrUnstorable, err)
	}
	return err
}

// rebindDollar turns the portable '?' placeholders into $1..$n. Question marks
// inside string literals ('...') and quoted identifiers ("...") are left alone;
// a doubled quote inside a literal closes and reopens it, which this scan
// handles without special casing.
func rebindDollar(query string) string {
	if strings.IndexByte(query, '?') < 0 {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	var quote byte
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '?':
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// Connection pool bounds per process: several instances share the server's
// max_connections (100 by default), so each keeps a modest pool.
const (
	pgMaxOpenConns    = 16
	pgConnMaxIdleTime = 5 * time.Minute
)

// OpenPostgres connects to the PostgreSQL database named by databaseURL (a
// postgres:// URL or a key=value connection string; a search_path parameter
// selects the schema) and applies the migrations. Several instances may start
// at once: migrations run under a session advisory lock. Errors never contain
// the password.
func OpenPostgres(ctx context.Context, databaseURL string) (*Store, error) {
	cfg, err := pgx.ParseConfig(databaseURL)
	if err != nil {
		// pgx redacts the password from its parse errors.
		return nil, fmt.Errorf("database url: %w", err)
	}
	pool := stdlib.OpenDB(*cfg, stdlib.OptionResetSession(pgResetSession))
	pool.SetMaxOpenConns(pgMaxOpenConns)
	pool.SetMaxIdleConns(pgMaxOpenConns)
	pool.SetConnMaxIdleTime(pgConnMaxIdleTime)
	if err := migratePostgres(ctx, pool); err != nil {
		_ = pool.Close()
		return nil, fmt.Errorf("postgres %s@%s:%d/%s: %w", cfg.User, cfg.Host, cfg.Port, cfg.Database, err)
	}
	return &Store{db: db{r: pool, w: pool, d: postgresDialect, stmts: newStmtCache(pool)}, writer: pool, reader: pool}, nil
}

// migratePostgres applies the migrations to the current schema under an
// advisory lock whose id is derived from the schema name: instances sharing a
// schema wait for each other, instances on other schemas of the same database
// (tests run in parallel that way) do not.
func migratePostgres(ctx context.Context, pool *sql.DB) error {
	var schema sql.NullString
	if err := pool.QueryRowContext(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	if !schema.Valid {
		return errors.New("no schema of the search_path exists")
	}
	h := fnv.New64a()
	_, _ = h.Write([]byte("secure-mcp-gateway migrations " + schema.String))
	locker, err := lock.NewPostgresSessionLocker(
		lock.WithLockID(int64(h.Sum64())),
		lock.WithLockTimeout(1, 300), // poll every second, for up to 5 minutes
	)
	if err != nil {
		return fmt.Errorf("migration lock: %w", err)
	}
	return migrate(ctx, pool, goose.DialectPostgres, "postgres", goose.WithSessionLocker(locker))
}
