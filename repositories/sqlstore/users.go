package sqlstore

import (
	"context"
	"strings"
	"time"

	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/repositories"
)

type userRepo struct{ db }

const userColumns = `id, email, created_at, updated_at`

func scanUser(row interface{ Scan(...any) error }) (models.User, error) {
	var u models.User
	var created, updated int64
	if err := row.Scan(&u.ID, &u.Email, &created, &updated); err != nil {
		return u, err
	}
	u.CreatedAt, u.UpdatedAt = fromNanos(created), fromNanos(updated)
	return u, nil
}

func (r userRepo) Create(ctx context.Context, u models.User) error {
	_, err := r.exec(ctx, `INSERT INTO users (`+userColumns+`) VALUES (?, ?, ?, ?)`,
		u.ID, u.Email, toNanos(u.CreatedAt), toNanos(u.UpdatedAt))
	return err
}

// Resolve looks up by id, else by email. Emails are stored lowercase, so the
// lookup lowercases its argument and stays on the unique index.
func (r userRepo) Resolve(ctx context.Context, idOrEmail string) (models.User, error) {
	u, err := scanUser(r.queryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = ? OR email = ?
		ORDER BY CASE WHEN id = ? THEN 0 ELSE 1 END LIMIT 1`, idOrEmail, strings.ToLower(idOrEmail), idOrEmail))
	return u, r.scanErr(err)
}

func (r userRepo) Get(ctx context.Context, id string) (models.User, error) {
	u, err := scanUser(r.queryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id))
	return u, r.scanErr(err)
}

func (r userRepo) List(ctx context.Context, page repositories.Page) ([]models.User, int, error) {
	total, err := r.Count(ctx)
	if err != nil {
		return nil, 0, err
	}
	rows, err := r.query(ctx, `SELECT `+userColumns+` FROM users ORDER BY seq`+pageClause(page))
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []models.User{}
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, 0, r.d.translate(err)
		}
		out = append(out, u)
	}
	return out, total, r.d.translate(rows.Err())
}

func (r userRepo) UpdateEmail(ctx context.Context, id, email string, at time.Time) error {
	return r.execOne(ctx, `UPDATE users SET email = ?, updated_at = ? WHERE id = ?`, email, toNanos(at), id)
}

func (r userRepo) Delete(ctx context.Context, id string) error {
	return r.execOne(ctx, `DELETE FROM users WHERE id = ?`, id)
}

func (r userRepo) Count(ctx context.Context) (int, error) {
	return r.count(ctx, `SELECT COUNT(*) FROM users`)
}
