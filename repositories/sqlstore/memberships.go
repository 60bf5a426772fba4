package sqlstore

import (
	"context"
	"database/sql"

	"github.com/securemcp/gateway/models"
)

type membershipRepo struct{ db }

func (r membershipRepo) Add(ctx context.Context, ms ...models.Membership) error {
	return insertRows(ctx, r.db, `INSERT INTO memberships (project_id, user_id, created_at) VALUES `, ms, func(m models.Membership) []any {
		return []any{m.ProjectID, m.UserID, toNanos(m.CreatedAt)}
	})
}

func (r membershipRepo) Exists(ctx context.Context, projectID, userID string) (bool, error) {
	n, err := r.count(ctx, `SELECT COUNT(*) FROM memberships WHERE project_id = ? AND user_id = ?`, projectID, userID)
	return n > 0, err
}

func (r membershipRepo) list(ctx context.Context, query string, args ...any) ([]models.Membership, error) {
	rows, err := r.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []models.Membership{}
	for rows.Next() {
		var m models.Membership
		var created int64
		if err := rows.Scan(&m.ProjectID, &m.UserID, &created); err != nil {
			return nil, r.d.translate(err)
		}
		m.CreatedAt = fromNanos(created)
		out = append(out, m)
	}
	return out, r.d.translate(rows.Err())
}

func (r membershipRepo) ListByProject(ctx context.Context, projectID string) ([]models.Membership, error) {
	return r.list(ctx, `SELECT project_id, user_id, created_at FROM memberships WHERE project_id = ? ORDER BY seq`, projectID)
}

func (r membershipRepo) ListByUser(ctx context.Context, userID string) ([]models.Membership, error) {
	return r.list(ctx, `SELECT project_id, user_id, created_at FROM memberships WHERE user_id = ? ORDER BY seq`, userID)
}

func (r membershipRepo) Members(ctx context.Context, projectID string) ([]models.Member, error) {
	rows, err := r.query(ctx, `SELECT u.id, u.email, u.created_at, u.updated_at, m.created_at,
		(SELECT COUNT(*) FROM api_keys k WHERE k.user_id = m.user_id AND k.project_id = m.project_id)
		FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.project_id = ? ORDER BY m.seq`, projectID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []models.Member{}
	for rows.Next() {
		var m models.Member
		var created, updated, added int64
		if err := rows.Scan(&m.ID, &m.Email, &created, &updated, &added, &m.APIKeys); err != nil {
			return nil, r.d.translate(err)
		}
		m.CreatedAt, m.UpdatedAt, m.AddedAt = fromNanos(created), fromNanos(updated), fromNanos(added)
		out = append(out, m)
	}
	return out, r.d.translate(rows.Err())
}

func (r membershipRepo) ProjectsOf(ctx context.Context, userID string) ([]models.UserProject, error) {
	rows, err := r.query(ctx, `SELECT p.id, p.name, p.config_id, c.name, m.created_at,
		(SELECT COUNT(*) FROM api_keys k WHERE k.user_id = m.user_id AND k.project_id = m.project_id)
		FROM memberships m JOIN projects p ON p.id = m.project_id LEFT JOIN configs c ON c.id = p.config_id
		WHERE m.user_id = ? ORDER BY m.seq`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []models.UserProject{}
	for rows.Next() {
		var p models.UserProject
		var configID, configName sql.NullString
		var added int64
		if err := rows.Scan(&p.ID, &p.Name, &configID, &configName, &added, &p.APIKeys); err != nil {
			return nil, r.d.translate(err)
		}
		p.ConfigID, p.ConfigName, p.AddedAt = configID.String, configName.String, fromNanos(added)
		out = append(out, p)
	}
	return out, r.d.translate(rows.Err())
}

func (r membershipRepo) Remove(ctx context.Context, projectID, userID string) error {
	return r.execOne(ctx, `DELETE FROM memberships WHERE project_id = ? AND user_id = ?`, projectID, userID)
}

func (r membershipRepo) RemoveAllOfProject(ctx context.Context, projectID string) error {
	_, err := r.exec(ctx, `DELETE FROM memberships WHERE project_id = ?`, projectID)
	return err
}

func (r membershipRepo) RemoveAllOfUser(ctx context.Context, userID string) error {
	_, err := r.exec(ctx, `DELETE FROM memberships WHERE user_id = ?`, userID)
	return err
}

func (r membershipRepo) List(ctx context.Context) ([]models.Membership, error) {
	return r.list(ctx, `SELECT project_id, user_id, created_at FROM memberships ORDER BY seq`)
}

func (r membershipRepo) DeleteAll(ctx context.Context) error {
	_, err := r.exec(ctx, `DELETE FROM memberships`)
	return err
}
