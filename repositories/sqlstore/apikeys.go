package sqlstore

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/repositories"
)

type apiKeyRepo struct{ db }

const apiKeyColumns = `id, hash, last4, user_id, project_id, created_at, disabled, disabled_at, disabled_reason,
	enabled_at, expires_at, last_used_at, previous_hash, previous_expires_at, rotated_at`

// apiKeyScan receives the columns of apiKeyColumns, in that order, wherever a
// query reads them (alone or followed by joined columns).
type apiKeyScan struct {
	k                                                                *models.APIKey
	created                                                          int64
	disabledAt, enabledAt, expiresAt, lastUsed, prevExpires, rotated sql.NullInt64
	prevHash                                                         sql.NullString
}

// dest lists the scan targets of apiKeyColumns.
func (s *apiKeyScan) dest() []any {
	k := s.k
	return []any{&k.ID, &k.Hash, &k.Last4, &k.UserID, &k.ProjectID, &s.created, &k.Disabled, &s.disabledAt,
		&k.DisabledReason, &s.enabledAt, &s.expiresAt, &s.lastUsed, &s.prevHash, &s.prevExpires, &s.rotated}
}

// finish converts the scanned columns into the key's fields.
func (s *apiKeyScan) finish() {
	k := s.k
	k.CreatedAt = fromNanos(s.created)
	k.DisabledAt, k.EnabledAt, k.ExpiresAt = fromNullNanos(s.disabledAt), fromNullNanos(s.enabledAt), fromNullNanos(s.expiresAt)
	k.LastUsedAt, k.PreviousExpiresAt, k.RotatedAt = fromNullNanos(s.lastUsed), fromNullNanos(s.prevExpires), fromNullNanos(s.rotated)
	k.PreviousHash = s.prevHash.String
}

func scanAPIKey(row interface{ Scan(...any) error }) (models.APIKey, error) {
	var k models.APIKey
	sc := apiKeyScan{k: &k}
	if err := row.Scan(sc.dest()...); err != nil {
		return k, err
	}
	sc.finish()
	return k, nil
}

func (r apiKeyRepo) list(ctx context.Context, query string, args ...any) ([]models.APIKey, error) {
	rows, err := r.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []models.APIKey{}
	for rows.Next() {
		k, err := scanAPIKey(rows)
		if err != nil {
			return nil, r.d.translate(err)
		}
		out = append(out, k)
	}
	return out, r.d.translate(rows.Err())
}

func (r apiKeyRepo) Create(ctx context.Context, keys ...models.APIKey) error {
	return insertRows(ctx, r.db, `INSERT INTO api_keys (`+apiKeyColumns+`) VALUES `, keys, func(k models.APIKey) []any {
		return []any{k.ID, k.Hash, k.Last4, k.UserID, k.ProjectID, toNanos(k.CreatedAt), k.Disabled, toNullNanos(k.DisabledAt),
			k.DisabledReason, toNullNanos(k.EnabledAt), toNullNanos(k.ExpiresAt), toNullNanos(k.LastUsedAt), toNullString(k.PreviousHash),
			toNullNanos(k.PreviousExpiresAt), toNullNanos(k.RotatedAt)}
	})
}

func (r apiKeyRepo) Get(ctx context.Context, id string) (models.APIKey, error) {
	k, err := scanAPIKey(r.queryRow(ctx, `SELECT `+apiKeyColumns+` FROM api_keys WHERE id = ?`, id))
	return k, r.scanErr(err)
}

// GetByHash uses the unique indexes on hash and previous_hash: O(1), no scan.
func (r apiKeyRepo) GetByHash(ctx context.Context, hash string) (models.APIKey, error) {
	k, err := scanAPIKey(r.queryRow(ctx, `SELECT `+apiKeyColumns+` FROM api_keys WHERE hash = ?
		UNION ALL SELECT `+apiKeyColumns+` FROM api_keys WHERE previous_hash = ? LIMIT 1`, hash, hash))
	return k, r.scanErr(err)
}

func (r apiKeyRepo) List(ctx context.Context, page repositories.Page) ([]models.APIKey, int, error) {
	total, err := r.count(ctx, `SELECT COUNT(*) FROM api_keys`)
	if err != nil {
		return nil, 0, err
	}
	out, err := r.list(ctx, `SELECT `+apiKeyColumns+` FROM api_keys ORDER BY seq`+pageClause(page))
	return out, total, err
}

func (r apiKeyRepo) ListByUser(ctx context.Context, userID string) ([]models.APIKey, error) {
	return r.list(ctx, `SELECT `+apiKeyColumns+` FROM api_keys WHERE user_id = ? ORDER BY seq`, userID)
}

// apiKeyInfoSelect reads keys with their user's email, project's name and
// configuration, and whether the user is still a member of the project; the
// creation sequence comes last, for batches.
var apiKeyInfoSelect = `SELECT ` + prefixColumns("k.", apiKeyColumns) + `,
	COALESCE(u.email, ''), COALESCE(p.name, ''), COALESCE(p.config_id, ''),
	CASE WHEN m.user_id IS NULL THEN 0 ELSE 1 END, k.seq
	FROM api_keys k LEFT JOIN users u ON u.id = k.user_id LEFT JOIN projects p ON p.id = k.project_id
	LEFT JOIN memberships m ON m.project_id = k.project_id AND m.user_id = k.user_id`

// prefixColumns qualifies every column of a comma-separated list with a table alias.
func prefixColumns(alias, columns string) string {
	parts := strings.Split(columns, ",")
	for i, c := range parts {
		parts[i] = alias + strings.TrimSpace(c)
	}
	return strings.Join(parts, ", ")
}

func scanAPIKeyInfo(row interface{ Scan(...any) error }) (models.APIKeyInfo, error) {
	info, _, err := scanAPIKeyInfoSeq(row)
	return info, err
}

func scanAPIKeyInfoSeq(row interface{ Scan(...any) error }) (models.APIKeyInfo, int64, error) {
	var info models.APIKeyInfo
	var member int
	var seq int64
	sc := apiKeyScan{k: &info.APIKey}
	if err := row.Scan(append(sc.dest(), &info.UserEmail, &info.ProjectName, &info.ProjectConfigID, &member, &seq)...); err != nil {
		return info, 0, err
	}
	sc.finish()
	info.Member = member == 1
	return info, seq, nil
}

// infoWhere renders a key filter as a WHERE clause over api_keys k.
func infoWhere(f repositories.APIKeyFilter) (string, []any) {
	where, args := " WHERE 1 = 1", []any{}
	if f.UserID != "" {
		where, args = where+" AND k.user_id = ?", append(args, f.UserID)
	}
	if f.ProjectID != "" {
		where, args = where+" AND k.project_id = ?", append(args, f.ProjectID)
	}
	return where, args
}

// listInfo reads the keys a query selects, and the sequence of the last.
func (r apiKeyRepo) listInfo(ctx context.Context, query string, args ...any) ([]models.APIKeyInfo, int64, error) {
	rows, err := r.query(ctx, query, args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []models.APIKeyInfo{}
	var last int64
	for rows.Next() {
		info, seq, err := scanAPIKeyInfoSeq(rows)
		if err != nil {
			return nil, 0, r.d.translate(err)
		}
		out, last = append(out, info), seq
	}
	return out, last, r.d.translate(rows.Err())
}

func (r apiKeyRepo) ListInfo(ctx context.Context, f repositories.APIKeyFilter, page repositories.Page) ([]models.APIKeyInfo, int, error) {
	where, args := infoWhere(f)
	out, _, err := r.listInfo(ctx, apiKeyInfoSelect+where+` ORDER BY k.seq`+pageClause(page), args...)
	if err != nil {
		return nil, 0, err
	}
	if page.Limit <= 0 && page.Offset <= 0 {
		return out, len(out), nil // the whole list: no count query needed
	}
	total, err := r.CountInfo(ctx, f)
	return out, total, err
}

// InfoBatch walks the primary order (seq) from the cursor: each batch costs
// its own rows, however far into the list it starts.
func (r apiKeyRepo) InfoBatch(ctx context.Context, f repositories.APIKeyFilter, after repositories.Cursor, skip, limit int) ([]models.APIKeyInfo, repositories.Cursor, error) {
	query, args := infoBatchQuery(f, after, skip, limit)
	out, last, err := r.listInfo(ctx, query, args...)
	if err != nil || len(out) == 0 {
		return out, after, err
	}
	return out, repositories.Cursor(last), nil
}

// infoBatchQuery selects a batch of keys. The indexes on seq and on
// (user_id, seq) give a batch its keys in order: no batch reads and sorts all
// the keys before it.
func infoBatchQuery(f repositories.APIKeyFilter, after repositories.Cursor, skip, limit int) (string, []any) {
	where, args := infoWhere(f)
	return apiKeyInfoSelect + where + ` AND k.seq > ? ORDER BY k.seq LIMIT ? OFFSET ?`, append(args, int64(after), limit, skip)
}

func (r apiKeyRepo) CountInfo(ctx context.Context, f repositories.APIKeyFilter) (int, error) {
	where, args := infoWhere(f)
	return r.count(ctx, `SELECT COUNT(*) FROM api_keys k`+where, args...)
}

func (r apiKeyRepo) GetInfo(ctx context.Context, id string) (models.APIKeyInfo, error) {
	info, err := scanAPIKeyInfo(r.queryRow(ctx, apiKeyInfoSelect+` WHERE k.id = ?`, id))
	return info, r.scanErr(err)
}

// principalSelect reads a key with its user, project, membership and
// configuration; every join is on a unique index.
var principalSelect = `SELECT ` + prefixColumns("k.", apiKeyColumns) + `,
	u.id, u.email, u.created_at, u.updated_at, p.id, p.name, p.config_id, p.created_at, p.updated_at,
	c.id, c.name, c.created_at, c.updated_at, CASE WHEN m.user_id IS NULL THEN 0 ELSE 1 END
	FROM api_keys k LEFT JOIN users u ON u.id = k.user_id LEFT JOIN projects p ON p.id = k.project_id
	LEFT JOIN memberships m ON m.project_id = k.project_id AND m.user_id = k.user_id
	LEFT JOIN configs c ON c.id = p.config_id`

// principalQuery finds a key by its current hash, else its previous one.
var principalQuery = principalSelect + ` WHERE k.hash = ? UNION ALL ` + principalSelect + ` WHERE k.previous_hash = ? LIMIT 1`

// GetPrincipal is one query: the current hash, else the previous one, each on
// its unique index.
func (r apiKeyRepo) GetPrincipal(ctx context.Context, hash string) (models.KeyPrincipal, error) {
	var pr models.KeyPrincipal
	sc := apiKeyScan{k: &pr.Key}
	var userID, email, projectID, projectName, configID, cID, cName sql.NullString
	var uCreated, uUpdated, pCreated, pUpdated, cCreated, cUpdated sql.NullInt64
	var member int
	err := r.queryRowPrepared(ctx, principalQuery, hash, hash).Scan(append(sc.dest(),
		&userID, &email, &uCreated, &uUpdated, &projectID, &projectName, &configID, &pCreated, &pUpdated,
		&cID, &cName, &cCreated, &cUpdated, &member)...)
	if err != nil {
		return pr, r.scanErr(err)
	}
	sc.finish()
	if userID.Valid {
		pr.User = &models.User{ID: userID.String, Email: email.String, CreatedAt: fromNanos(uCreated.Int64), UpdatedAt: fromNanos(uUpdated.Int64)}
	}
	if projectID.Valid {
		pr.Project = &models.Project{ID: projectID.String, Name: projectName.String, ConfigID: configID.String,
			CreatedAt: fromNanos(pCreated.Int64), UpdatedAt: fromNanos(pUpdated.Int64)}
	}
	if cID.Valid {
		pr.Config = &models.Config{ID: cID.String, Name: cName.String, CreatedAt: fromNanos(cCreated.Int64), UpdatedAt: fromNanos(cUpdated.Int64)}
	}
	pr.Member = member == 1
	return pr, nil
}

func (r apiKeyRepo) CountByProject(ctx context.Context, projectID string) (int, error) {
	return r.count(ctx, `SELECT COUNT(*) FROM api_keys WHERE project_id = ?`, projectID)
}

func (r apiKeyRepo) Update(ctx context.Context, k models.APIKey) error {
	return r.execOne(ctx, `UPDATE api_keys SET hash = ?, last4 = ?, disabled = ?, disabled_at = ?, disabled_reason = ?,
		enabled_at = ?, expires_at = ?, last_used_at = ?, previous_hash = ?, previous_expires_at = ?, rotated_at = ? WHERE id = ?`,
		k.Hash, k.Last4, k.Disabled, toNullNanos(k.DisabledAt), k.DisabledReason, toNullNanos(k.EnabledAt), toNullNanos(k.ExpiresAt),
		toNullNanos(k.LastUsedAt), toNullString(k.PreviousHash), toNullNanos(k.PreviousExpiresAt), toNullNanos(k.RotatedAt), k.ID)
}

// TouchLastUsed only moves last_used_at forward, so that batches flushed by
// several instances in any order keep the latest time.
func (r apiKeyRepo) TouchLastUsed(ctx context.Context, lastUsed map[string]time.Time) error {
	for id, at := range lastUsed {
		if _, err := r.exec(ctx, `UPDATE api_keys SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)`,
			toNanos(at), id, toNanos(at)); err != nil {
			return err
		}
	}
	return nil
}

func (r apiKeyRepo) Delete(ctx context.Context, id string) error {
	return r.execOne(ctx, `DELETE FROM api_keys WHERE id = ?`, id)
}

func (r apiKeyRepo) DeleteAllOfUser(ctx context.Context, userID string) error {
	_, err := r.exec(ctx, `DELETE FROM api_keys WHERE user_id = ?`, userID)
	return err
}

func (r apiKeyRepo) Count(ctx context.Context) (int, int, error) {
	var total, disabled int
	err := r.queryRow(ctx, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN disabled THEN 1 ELSE 0 END), 0) FROM api_keys`).Scan(&total, &disabled)
	return total, disabled, r.scanErr(err)
}

func (r apiKeyRepo) DeleteAll(ctx context.Context) error {
	_, err := r.exec(ctx, `DELETE FROM api_keys`)
	return err
}
