package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/repositories"
)

type adminKeyRepo struct{ db }

const adminKeyColumns = `id, name, hash, last4, role, created_at, expires_at, last_used_at`

func scanAdminKey(row interface{ Scan(...any) error }) (models.AdminKey, error) {
	var k models.AdminKey
	var created int64
	var expires, lastUsed sql.NullInt64
	if err := row.Scan(&k.ID, &k.Name, &k.Hash, &k.Last4, &k.Role, &created, &expires, &lastUsed); err != nil {
		return k, err
	}
	k.CreatedAt, k.ExpiresAt, k.LastUsedAt = fromNanos(created), fromNullNanos(expires), fromNullNanos(lastUsed)
	return k, nil
}

func (r adminKeyRepo) Create(ctx context.Context, k models.AdminKey) error {
	_, err := r.exec(ctx, `INSERT INTO admin_keys (`+adminKeyColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		k.ID, k.Name, k.Hash, k.Last4, k.Role, toNanos(k.CreatedAt), toNullNanos(k.ExpiresAt), toNullNanos(k.LastUsedAt))
	return err
}

// Resolve prefers an id match to a name match, as every resolver does.
func (r adminKeyRepo) Resolve(ctx context.Context, idOrName string) (models.AdminKey, error) {
	k, err := scanAdminKey(r.queryRow(ctx, `SELECT `+adminKeyColumns+` FROM admin_keys WHERE id = ?
		UNION ALL SELECT `+adminKeyColumns+` FROM admin_keys WHERE name = ? AND id <> ? LIMIT 1`, idOrName, idOrName, idOrName))
	return k, r.scanErr(err)
}

// adminKeyByHash is constant, so that its statement stays prepared.
const adminKeyByHash = `SELECT ` + adminKeyColumns + ` FROM admin_keys WHERE hash = ?`

// GetByHash runs on every request of a named admin key: the unique index on
// hash makes it one lookup, never a scan, with its statement kept prepared.
func (r adminKeyRepo) GetByHash(ctx context.Context, hash string) (models.AdminKey, error) {
	k, err := scanAdminKey(r.queryRowPrepared(ctx, adminKeyByHash, hash))
	return k, r.scanErr(err)
}

func (r adminKeyRepo) List(ctx context.Context, page repositories.Page) ([]models.AdminKey, int, error) {
	total, err := r.count(ctx, `SELECT COUNT(*) FROM admin_keys`)
	if err != nil {
		return nil, 0, err
	}
	rows, err := r.query(ctx, `SELECT `+adminKeyColumns+` FROM admin_keys ORDER BY seq`+pageClause(page))
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []models.AdminKey{}
	for rows.Next() {
		k, err := scanAdminKey(rows)
		if err != nil {
			return nil, 0, r.d.translate(err)
		}
		out = append(out, k)
	}
	return out, total, r.d.translate(rows.Err())
}

// TouchLastUsed only moves last_used_at forward, so that batches flushed by
// several instances in any order keep the latest time.
func (r adminKeyRepo) TouchLastUsed(ctx context.Context, lastUsed map[string]time.Time) error {
	for id, at := range lastUsed {
		if _, err := r.exec(ctx, `UPDATE admin_keys SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)`,
			toNanos(at), id, toNanos(at)); err != nil {
			return err
		}
	}
	return nil
}

func (r adminKeyRepo) Delete(ctx context.Context, id string) error {
	return r.execOne(ctx, `DELETE FROM admin_keys WHERE id = ?`, id)
}
