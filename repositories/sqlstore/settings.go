package sqlstore

import (
	"context"

	"github.com/securemcp/gateway/models"
)

type settingsRepo struct{ db }

func (r settingsRepo) Put(ctx context.Context, s models.Setting) error {
	_, err := r.exec(ctx, `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
		s.Key, s.Value, toNanos(s.UpdatedAt))
	return err
}

func (r settingsRepo) Get(ctx context.Context, key string) (models.Setting, error) {
	s := models.Setting{Key: key}
	var updated int64
	err := r.queryRow(ctx, `SELECT value, updated_at FROM settings WHERE key = ?`, key).Scan(&s.Value, &updated)
	s.UpdatedAt = fromNanos(updated)
	return s, r.scanErr(err)
}

func (r settingsRepo) List(ctx context.Context) ([]models.Setting, error) {
	rows, err := r.query(ctx, `SELECT key, value, updated_at FROM settings ORDER BY key`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []models.Setting{}
	for rows.Next() {
		var s models.Setting
		var updated int64
		if err := rows.Scan(&s.Key, &s.Value, &updated); err != nil {
			return nil, r.d.translate(err)
		}
		s.UpdatedAt = fromNanos(updated)
		out = append(out, s)
	}
	return out, r.d.translate(rows.Err())
}

func (r settingsRepo) DeleteAll(ctx context.Context) error {
	_, err := r.exec(ctx, `DELETE FROM settings`)
	return err
}
