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

func (r projectRepo) Create(ctx context.Context, projects ...models.Project) error {
	return insertRows(ctx, r.db, `INSERT INTO projects (`+projectColumns+`) VALUES `, projects, func(p models.Project) []any {
		return []any{p.ID, p.Name, toNullString(p.ConfigID), toNanos(p.CreatedAt), toNanos(p.UpdatedAt)}
	})
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

// projectSummarySelect reads a project with its configuration name and counts;
// the counts use the indexes on memberships and api_keys.
const projectSummarySelect = `SELECT p.id, p.name, p.config_id, p.created_at, p.updated_at, c.name,
	(SELECT COUNT(*) FROM memberships m WHERE m.project_id = p.id),
	(SELECT COUNT(*) FROM api_keys k WHERE k.project_id = p.id)
	FROM projects p LEFT JOIN configs c ON c.id = p.config_id`

func (r projectRepo) summaries(ctx context.Context, query string, args ...any) ([]models.ProjectSummary, error) {
	rows, err := r.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []models.ProjectSummary{}
	for rows.Next() {
		var s models.ProjectSummary
		var configID, configName sql.NullString
		var created, updated int64
		if err := rows.Scan(&s.ID, &s.Name, &configID, &created, &updated, &configName, &s.Users, &s.APIKeys); err != nil {
			return nil, r.d.translate(err)
		}
		s.ConfigID, s.ConfigName = configID.String, configName.String
		s.CreatedAt, s.UpdatedAt = fromNanos(created), fromNanos(updated)
		out = append(out, s)
	}
	return out, r.d.translate(rows.Err())
}

func (r projectRepo) Summaries(ctx context.Context, page repositories.Page) ([]models.ProjectSummary, int, error) {
	total, err := r.Count(ctx)
	if err != nil {
		return nil, 0, err
	}
	out, err := r.summaries(ctx, projectSummarySelect+` ORDER BY p.seq`+pageClause(page))
	return out, total, err
}

// Search matches the lowercased project name, or a member's email (stored lowercase).
func (r projectRepo) Search(ctx context.Context, term string) ([]models.ProjectSummary, error) {
	pattern := likePattern(term)
	return r.summaries(ctx, projectSummarySelect+` WHERE lower(p.name) LIKE ? ESCAPE '\'
		OR EXISTS (SELECT 1 FROM memberships m JOIN users u ON u.id = m.user_id
			WHERE m.project_id = p.id AND u.email LIKE ? ESCAPE '\')
		ORDER BY p.seq`, pattern, pattern)
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

func (r projectRepo) DeleteAll(ctx context.Context) error {
	_, err := r.exec(ctx, `DELETE FROM projects`)
	return err
}
