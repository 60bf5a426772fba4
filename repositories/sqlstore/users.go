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

func (r userRepo) Create(ctx context.Context, users ...models.User) error {
	return insertRows(ctx, r.db, `INSERT INTO users (`+userColumns+`) VALUES `, users, func(u models.User) []any {
		return []any{u.ID, u.Email, toNanos(u.CreatedAt), toNanos(u.UpdatedAt)}
	})
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

// userSearchWhere matches the email (stored lowercase) or the lowercased name of
// one of the user's projects.
const userSearchWhere = ` WHERE u.email LIKE ? ESCAPE '\'
	OR EXISTS (SELECT 1 FROM memberships m JOIN projects p ON p.id = m.project_id
		WHERE m.user_id = u.id AND lower(p.name) LIKE ? ESCAPE '\')`

func (r userRepo) Summaries(ctx context.Context, page repositories.Page) ([]models.UserSummary, int, error) {
	total, err := r.Count(ctx)
	if err != nil {
		return nil, 0, err
	}
	out, _, err := r.summaries(ctx, true, ` ORDER BY u.seq`+pageClause(page))
	return out, total, err
}

func (r userRepo) SummaryBatch(ctx context.Context, after repositories.Cursor, skip, limit int) ([]models.UserSummary, repositories.Cursor, error) {
	out, last, err := r.summaries(ctx, true, ` WHERE u.seq > ? ORDER BY u.seq LIMIT ? OFFSET ?`, int64(after), limit, skip)
	if err != nil || len(out) == 0 {
		return out, after, err
	}
	return out, repositories.Cursor(last), nil
}

func (r userRepo) Search(ctx context.Context, term string) ([]models.UserSummary, error) {
	pattern := likePattern(term)
	out, _, err := r.summaries(ctx, false, userSearchWhere+` ORDER BY u.seq`, pattern, pattern)
	return out, err
}

// summaries reads the users selected by tail (a WHERE/ORDER/LIMIT suffix over
// users u) with their key counts, then the projects of those users in a second
// query: two queries whatever the page size. For a page (paged), the second
// selects by the range of creation sequence the first returned rather than by
// running tail again: a user deleted in between would shift the page, and
// leave a listed user without their projects. A search has no page to shift,
// and its hits may be far apart: the second runs tail again. The sequence of
// the last user read is returned too (batches continue after it).
func (r userRepo) summaries(ctx context.Context, paged bool, tail string, args ...any) ([]models.UserSummary, int64, error) {
	rows, err := r.query(ctx, `SELECT u.id, u.email, u.created_at, u.updated_at,
		(SELECT COUNT(*) FROM api_keys k WHERE k.user_id = u.id), u.seq FROM users u`+tail, args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []models.UserSummary{}
	index := map[string]int{}
	var firstSeq, lastSeq int64
	for rows.Next() {
		var s models.UserSummary
		var created, updated, seq int64
		if err := rows.Scan(&s.ID, &s.Email, &created, &updated, &s.APIKeys, &seq); err != nil {
			return nil, 0, r.d.translate(err)
		}
		s.CreatedAt, s.UpdatedAt = fromNanos(created), fromNanos(updated)
		s.Projects = []models.ProjectRef{}
		if len(out) == 0 || seq < firstSeq {
			firstSeq = seq
		}
		lastSeq = max(lastSeq, seq)
		index[s.ID] = len(out)
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, r.d.translate(err)
	}
	if len(out) == 0 {
		return out, 0, nil
	}
	selected, selectArgs := `SELECT u.id FROM users u`+tail, args
	if paged {
		selected, selectArgs = `SELECT u.id FROM users u WHERE u.seq BETWEEN ? AND ?`, []any{firstSeq, lastSeq}
	}
	refs, err := r.query(ctx, `SELECT m.user_id, p.id, p.name FROM memberships m JOIN projects p ON p.id = m.project_id
		WHERE m.user_id IN (`+selected+`) ORDER BY m.seq`, selectArgs...)
	if err != nil {
		return nil, 0, err
	}
	defer refs.Close()
	for refs.Next() {
		var userID string
		var ref models.ProjectRef
		if err := refs.Scan(&userID, &ref.ID, &ref.Name); err != nil {
			return nil, 0, r.d.translate(err)
		}
		if i, ok := index[userID]; ok {
			out[i].Projects = append(out[i].Projects, ref)
		}
	}
	return out, lastSeq, r.d.translate(refs.Err())
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

func (r userRepo) DeleteAll(ctx context.Context) error {
	_, err := r.exec(ctx, `DELETE FROM users`)
	return err
}
