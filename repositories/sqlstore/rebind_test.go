package sqlstore

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestRebindDollar(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ in, want string }{
		{`SELECT 1`, `SELECT 1`},
		{`SELECT a FROM t WHERE id = ? OR name = ?`, `SELECT a FROM t WHERE id = $1 OR name = $2`},
		{`SELECT '?' , ? FROM t`, `SELECT '?' , $1 FROM t`},
		{`SELECT 'it''s ?', ?`, `SELECT 'it''s ?', $1`},
		{`SELECT "odd?col" FROM t WHERE x LIKE ? ESCAPE '\'`, `SELECT "odd?col" FROM t WHERE x LIKE $1 ESCAPE '\'`},
		{`UPDATE t SET a = ?, b = ? WHERE c LIKE ? ESCAPE '\' AND d = ?`, `UPDATE t SET a = $1, b = $2 WHERE c LIKE $3 ESCAPE '\' AND d = $4`},
		{`VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, `VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`},
	} {
		assert.Equal(t, c.want, rebindDollar(c.in), c.in)
	}
}
