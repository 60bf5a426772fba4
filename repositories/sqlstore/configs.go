package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/repositories"
)

type configRepo struct{ db }

const configColumns = `id, name, created_at, updated_at`

func scanConfig(row interface{ Scan(...any) error }) (models.Config, error) {
	var c models.Config
	var created, updated int64
	if err := row.Scan(&c.ID, &c.Name, &created, &updated); err != nil {
		return c, err
	}
	c.CreatedAt, c.UpdatedAt = fromNanos(created), fromNanos(updated)
	return c, nil
}

func (r configRepo) Create(ctx context.Context, configs ...models.Config) error {
	return insertRows(ctx, r.db, `INSERT INTO configs (`+configColumns+`) VALUES `, configs, func(c models.Config) []any {
		return []any{c.ID, c.Name, toNanos(c.CreatedAt), toNanos(c.UpdatedAt)}
	})
}

func (r configRepo) Resolve(ctx context.Context, idOrName string) (models.Config, error) {
	// One indexed lookup on each unique column; an id match wins over a name match.
	c, err := scanConfig(r.queryRow(ctx, `SELECT `+configColumns+` FROM configs WHERE id = ? OR name = ?
		ORDER BY CASE WHEN id = ? THEN 0 ELSE 1 END LIMIT 1`, idOrName, idOrName, idOrName))
	return c, r.scanErr(err)
}

func (r configRepo) List(ctx context.Context, page repositories.Page) ([]models.ConfigSummary, int, error) {
	total, err := r.Count(ctx)
	if err != nil {
		return nil, 0, err
	}
	rows, err := r.query(ctx, `SELECT c.id, c.name, c.created_at, c.updated_at,
		(SELECT COUNT(*) FROM servers s WHERE s.config_id = c.id)
		FROM configs c ORDER BY c.seq`+pageClause(page))
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []models.ConfigSummary{}
	index := map[string]int{}
	for rows.Next() {
		var s models.ConfigSummary
		var created, updated int64
		if err := rows.Scan(&s.ID, &s.Name, &created, &updated, &s.ServerCount); err != nil {
			return nil, 0, r.d.translate(err)
		}
		s.CreatedAt, s.UpdatedAt = fromNanos(created), fromNanos(updated)
		s.Projects = []models.ProjectRef{}
		index[s.ID] = len(out)
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, r.d.translate(err)
	}
	if len(out) == 0 {
		return out, total, nil
	}
	refs, err := r.query(ctx, `SELECT config_id, id, name FROM projects WHERE config_id IS NOT NULL ORDER BY seq`)
	if err != nil {
		return nil, 0, err
	}
	defer refs.Close()
	for refs.Next() {
		var configID string
		var ref models.ProjectRef
		if err := refs.Scan(&configID, &ref.ID, &ref.Name); err != nil {
			return nil, 0, r.d.translate(err)
		}
		if i, ok := index[configID]; ok {
			out[i].Projects = append(out[i].Projects, ref)
		}
	}
	return out, total, r.d.translate(refs.Err())
}

// likePattern builds a case-insensitive substring pattern with LIKE wildcards escaped.
func likePattern(term string) string {
	escaped := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(strings.ToLower(term))
	return "%" + escaped + "%"
}

func (r configRepo) Search(ctx context.Context, term string) ([]models.ConfigSearchHit, error) {
	pattern := likePattern(term)
	rows, err := r.query(ctx, `SELECT c.id, c.name, c.created_at, c.updated_at,
		(SELECT COUNT(*) FROM servers s WHERE s.config_id = c.id),
		CASE WHEN lower(c.name) LIKE ? ESCAPE '\' THEN 1 ELSE 0 END,
		s.name
		FROM configs c LEFT JOIN servers s ON s.config_id = c.id AND lower(s.name) LIKE ? ESCAPE '\'
		WHERE lower(c.name) LIKE ? ESCAPE '\' OR s.name IS NOT NULL
		ORDER BY c.seq, s.seq`, pattern, pattern, pattern)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []models.ConfigSearchHit{}
	for rows.Next() {
		var h models.ConfigSearchHit
		var created, updated int64
		var nameMatches int
		var server sql.NullString
		if err := rows.Scan(&h.ID, &h.Name, &created, &updated, &h.ServerCount, &nameMatches, &server); err != nil {
			return nil, r.d.translate(err)
		}
		if n := len(out); n > 0 && out[n-1].ID == h.ID {
			out[n-1].MatchingServers = append(out[n-1].MatchingServers, server.String)
			continue
		}
		h.CreatedAt, h.UpdatedAt = fromNanos(created), fromNanos(updated)
		h.NameMatches = nameMatches == 1
		h.MatchingServers = []string{}
		if server.Valid {
			h.MatchingServers = append(h.MatchingServers, server.String)
		}
		out = append(out, h)
	}
	return out, r.d.translate(rows.Err())
}

func (r configRepo) Rename(ctx context.Context, id, name string, at time.Time) error {
	return r.execOne(ctx, `UPDATE configs SET name = ?, updated_at = ? WHERE id = ?`, name, toNanos(at), id)
}

func (r configRepo) Touch(ctx context.Context, id string, at time.Time) error {
	return r.execOne(ctx, `UPDATE configs SET updated_at = ? WHERE id = ?`, toNanos(at), id)
}

func (r configRepo) Delete(ctx context.Context, id string) error {
	if err := r.execOne(ctx, `DELETE FROM configs WHERE id = ?`, id); err != nil {
		return fmt.Errorf("delete config: %w", err)
	}
	return nil
}

func (r configRepo) Count(ctx context.Context) (int, error) {
	return r.count(ctx, `SELECT COUNT(*) FROM configs`)
}

// DeleteAll removes every configuration; their servers go with them (cascade).
func (r configRepo) DeleteAll(ctx context.Context) error {
	_, err := r.exec(ctx, `DELETE FROM configs`)
	return err
}
