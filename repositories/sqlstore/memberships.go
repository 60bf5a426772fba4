package sqlstore

import (
	"context"

	"github.com/securemcp/gateway/models"
)

type membershipRepo struct{ db }

func (r membershipRepo) Add(ctx context.Context, m models.Membership) error {
	_, err := r.exec(ctx, `INSERT INTO memberships (project_id, user_id, created_at) VALUES (?, ?, ?)`,
		m.ProjectID, m.UserID, toNanos(m.CreatedAt))
	return err
}

func (r membershipRepo) Exists(ctx context.Context, projectID, userID string) (bool, error) {
	n, err := r.count(ctx, `SELECT COUNT(*) FROM memberships WHERE project_id = ? AND user_id = ?`, projectID, userID)
	return n > 0, err
}

func (r membershipRepo) list(ctx context.Context, query string, arg string) ([]models.Membership, error) {
	rows, err := r.query(ctx, query, arg)
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
