package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/repositories"
)

type projectRepo struct{ db }

const projectColumns = `id, name, config_id, created_at, updated_at`

func scanProject(row interface{ Scan(...any) error }) (models.Project, error) {
	var p models.Project
	var configID sql.NullString
	var created, updated int64
	if err := row.Scan(&p.ID, &p.Name, &configID, &created, &updated); err != nil {
		return p, err
	}
	p.ConfigID = configID.String
	p.CreatedAt, p.UpdatedAt = fromNanos(created), fromNanos(updated)
	return p, nil
}

func (r projectRepo) list(ctx context.Context, query string, args ...any) ([]models.Project, error) {
	rows, err := r.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []models.Project{}
	for rows.Next() {
		p, err := scanProject(rows)
		if err != nil {
			return nil, r.d.translate(err)
		}
		out = append(out, p)
	}
	return out, r.d.translate(rows.Err())
}

func (r projectRepo) Create(ctx context.Context, p models.Project) error {
	_, err := r.exec(ctx, `INSERT INTO projects (`+projectColumns+`) VALUES (?, ?, ?, ?, ?)`,
		p.ID, p.Name, toNullString(p.ConfigID), toNanos(p.CreatedAt), toNanos(p.UpdatedAt))
	return err
}

func (r projectRepo) Resolve(ctx context.Context, idOrName string) (models.Project, error) {
	p, err := scanProject(r.queryRow(ctx, `SELECT `+projectColumns+` FROM projects WHERE id = ? OR name = ?
		ORDER BY CASE WHEN id = ? THEN 0 ELSE 1 END LIMIT 1`, idOrName, idOrName, idOrName))
	return p, r.scanErr(err)
}

func (r projectRepo) Get(ctx context.Context, id string) (models.Project, error) {
	p, err := scanProject(r.queryRow(ctx, `SELECT `+projectColumns+` FROM projects WHERE id = ?`, id))
	return p, r.scanErr(err)
}

func (r projectRepo) List(ctx context.Context, page repositories.Page) ([]models.Project, int, error) {
	total, err := r.Count(ctx)
	if err != nil {
		return nil, 0, err
	}
	out, err := r.list(ctx, `SELECT `+projectColumns+` FROM projects ORDER BY seq`+pageClause(page))
	return out, total, err
}

func (r projectRepo) ListByConfig(ctx context.Context, configID string) ([]models.Project, error) {
	return r.list(ctx, `SELECT `+projectColumns+` FROM projects WHERE config_id = ? ORDER BY seq`, configID)
}

func (r projectRepo) SetConfig(ctx context.Context, id, configID string, at time.Time) error {
	return r.execOne(ctx, `UPDATE projects SET config_id = ?, updated_at = ? WHERE id = ?`, toNullString(configID), toNanos(at), id)
}

func (r projectRepo) Delete(ctx context.Context, id string) error {
	return r.execOne(ctx, `DELETE FROM projects WHERE id = ?`, id)
}

func (r projectRepo) Count(ctx context.Context) (int, error) {
	return r.count(ctx, `SELECT COUNT(*) FROM projects`)
}
