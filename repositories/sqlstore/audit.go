package sqlstore

import (
	"context"
	"database/sql"

	"fmt"
	"strings"
	"time"

	"github.com/securemcp/gateway/audit"
	"github.com/securemcp/gateway/repositories"
)

type auditRepo struct{ db }

const auditColumns = `seq, at, actor_kind, actor_id, actor_user, actor_project, actor_addr, action,
	entity_kind, entity_id, entity_name, outcome, request_id, details, prev_hash, hash`

// Last reads the head row with a lock (SQLite's single writing connection
// serializes writers already). A PostgreSQL write transaction reads the head
// as it opens, after its turn on the head (pgTx), and no other writer moves
// it until the transaction ends: that head is the answer, without a round
// trip of its own.
func (r auditRepo) Last(ctx context.Context) (audit.Head, error) {
	if r.pg != nil {
		return r.pg.knownHead(ctx)
	}
	var h audit.Head
	return h, r.scanErr(r.queryRow(ctx, auditLastQuery(r.d)).Scan(&h.Seq, &h.Hash))
}

// auditLastQuery reads the chain's head with a lock.
func auditLastQuery(d *dialect) string {
	return `SELECT seq, hash FROM audit_head WHERE id = 1` + d.forUpdate
}

// auditInsertAtHead and auditMoveHead are the statements of SQLite's
// appends, kept prepared. A one-record append is the insert alone, made only
// when the head is the one the record was sealed on; the insert moves the
// head (a trigger of migration 00010). A longer append moves the head first,
// from the head the records were sealed on only: when it is elsewhere,
// nothing is written and the transaction can still append at the real head.
const (
	auditInsertAtHead = `INSERT INTO audit_records (` + auditColumns + `)
SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?
WHERE EXISTS (SELECT 1 FROM audit_head WHERE id = 1 AND seq = ? AND hash = ?)`
	auditMoveHead = `UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1 AND seq = ? AND hash = ?`
)

// auditAppendOnePostgres moves the head and inserts the record in one
// statement, held for the commit's round trip (pgTx.appendOne). The record's
// seq is the head's new one, which is NULL when the head was not where the
// record was sealed: the insert then fails (NOT NULL) and so does the
// transaction, rather than commit a change without its record. The
// parameters are typed, as the SELECT list does not take its types from the
// columns.
const auditAppendOnePostgres = `WITH moved AS (UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1 AND seq = ? AND hash = ? RETURNING seq)
INSERT INTO audit_records (` + auditColumns + `)
SELECT (SELECT seq FROM moved), ?::bigint, ?::text, ?::text, ?::text, ?::text, ?::text, ?::text,
	?::text, ?::text, ?::text, ?::text, ?::text, ?::text, ?::text, ?::text`

// auditTxQueries are the statements prepared for SQLite's transactions
// (PostgreSQL's connections keep every statement they ran prepared).
func auditTxQueries(d *dialect) []string {
	return []string{auditLastQuery(d), auditInsertAtHead, auditMoveHead}
}

func (r auditRepo) Head(ctx context.Context) (audit.Head, error) {
	var h audit.Head
	err := r.queryRow(ctx, `SELECT seq, hash FROM audit_head WHERE id = 1`).Scan(&h.Seq, &h.Hash)
	return h, r.scanErr(err)
}

// auditValues are a record's columns in auditColumns' order.
func auditValues(a audit.Record) []any {
	return []any{a.Seq, a.Time.UnixMicro(), string(a.Actor.Kind), a.Actor.ID, a.Actor.UserID, a.Actor.ProjectID,
		a.Actor.Addr, a.Action, a.Entity.Kind, a.Entity.ID, a.Entity.Name, string(a.Outcome), a.RequestID,
		string(a.Details), a.PrevHash, a.Hash}
}

// Append inserts sealed records and moves the head to the last of them.
func (r auditRepo) Append(ctx context.Context, recs []audit.Record) error {
	if len(recs) == 0 {
		return nil
	}
	first, last := recs[0], recs[len(recs)-1]
	if r.pg != nil {
		if len(recs) == 1 {
			return r.pg.appendOne(ctx, first)
		}
		head, err := r.pg.knownHead(ctx)
		if err != nil {
			return err
		}
		if first.Seq-1 != head.Seq || first.PrevHash != head.Hash {
			return headMoved()
		}
	}
	if len(recs) == 1 && r.pg == nil {
		n, err := r.exec(ctx, auditInsertAtHead, append(auditValues(first), first.Seq-1, first.PrevHash)...)
		if err == nil && n == 0 {
			err = headMoved()
		}
		return err
	}
	moved := []any{last.Seq, last.Hash, first.Seq - 1, first.PrevHash}
	n, err := r.exec(ctx, auditMoveHead, moved...)
	if err == nil && n == 0 {
		err = headMoved()
	}
	if err != nil {
		return err
	}
	err = insertRows(ctx, r.db, `INSERT INTO audit_records (`+auditColumns+`) VALUES `, recs, auditValues)
	if err == nil && r.pg != nil {
		r.pg.head = audit.Head{Seq: last.Seq, Hash: last.Hash}
	}
	return err
}

// headMoved says that records do not attach to the chain's head.
func headMoved() error {
	return fmt.Errorf("%w: %w", audit.ErrHeadMoved, repositories.ErrConflict)
}

func (r auditRepo) List(ctx context.Context, q audit.Query) ([]audit.Record, error) {
	var where []string
	var args []any
	add := func(cond string, v any) {
		where = append(where, cond)
		args = append(args, v)
	}
	if !q.From.IsZero() {
		add("at >= ?", q.From.UnixMicro())
	}
	if !q.To.IsZero() {
		add("at < ?", q.To.UnixMicro())
	}
	for _, f := range []struct {
		col, v string
	}{{"actor_kind", string(q.ActorKind)}, {"actor_id", q.ActorID}, {"action", q.Action},
		{"entity_kind", q.EntityKind}, {"entity_id", q.EntityID}, {"outcome", string(q.Outcome)}} {
		if f.v != "" {
			add(f.col+" = ?", f.v)
		}
	}
	if q.Before > 0 {
		add("seq < ?", q.Before)
	}
	query := `SELECT ` + auditColumns + ` FROM audit_records`
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, " AND ")
	}
	limit := q.Limit
	if limit <= 0 {
		limit = audit.DefaultLimit
	}
	query += fmt.Sprintf(` ORDER BY seq DESC LIMIT %d`, limit)
	return r.records(ctx, query, args...)
}

func (r auditRepo) Scan(ctx context.Context, after int64, limit int) ([]audit.Record, error) {
	if limit <= 0 {
		limit = audit.MaxLimit
	}
	return r.records(ctx, `SELECT `+auditColumns+` FROM audit_records WHERE seq > ? ORDER BY seq LIMIT `+fmt.Sprint(limit), after)
}

func (r auditRepo) Bounds(ctx context.Context) (first, last int64, err error) {
	var f, l sql.NullInt64
	err = r.queryRow(ctx, `SELECT MIN(seq), MAX(seq) FROM audit_records`).Scan(&f, &l)
	return f.Int64, l.Int64, r.scanErr(err)
}

func (r auditRepo) FirstAtOrAfter(ctx context.Context, t time.Time) (int64, error) {
	var seq sql.NullInt64
	if err := r.queryRow(ctx, `SELECT MIN(seq) FROM audit_records WHERE at >= ?`, t.UnixMicro()).Scan(&seq); err != nil {
		return 0, r.scanErr(err)
	}
	if !seq.Valid {
		return 0, repositories.ErrNotFound
	}
	return seq.Int64, nil
}

func (r auditRepo) Get(ctx context.Context, seq int64) (audit.Record, error) {
	recs, err := r.records(ctx, `SELECT `+auditColumns+` FROM audit_records WHERE seq = ?`, seq)
	if err != nil {
		return audit.Record{}, err
	}
	if len(recs) == 0 {
		return audit.Record{}, repositories.ErrNotFound
	}
	return recs[0], nil
}

func (r auditRepo) DeleteThrough(ctx context.Context, seq int64) (int64, error) {
	return r.exec(ctx, `DELETE FROM audit_records WHERE seq <= ?`, seq)
}

// records reads records as they were stored: nothing is normalized, so that
// verification sees exactly what the table holds.
func (r auditRepo) records(ctx context.Context, query string, args ...any) ([]audit.Record, error) {
	rows, err := r.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []audit.Record{}
	for rows.Next() {
		var a audit.Record
		var at int64
		var actorKind, outcome, details string
		if err := rows.Scan(&a.Seq, &at, &actorKind, &a.Actor.ID, &a.Actor.UserID, &a.Actor.ProjectID, &a.Actor.Addr,
			&a.Action, &a.Entity.Kind, &a.Entity.ID, &a.Entity.Name, &outcome, &a.RequestID, &details,
			&a.PrevHash, &a.Hash); err != nil {
			return nil, r.d.translate(err)
		}
		a.Time = time.UnixMicro(at).UTC()
		a.Actor.Kind, a.Outcome = audit.ActorKind(actorKind), audit.Outcome(outcome)
		if details != "" {
			a.Details = []byte(details)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, r.d.translate(err)
	}
	return out, nil
}
