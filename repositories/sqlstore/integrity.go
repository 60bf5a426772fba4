package sqlstore

import (
	"context"
	"fmt"
	"strings"

	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/repositories"
)

type integrityRepo struct{ db }

func (r integrityRepo) Counts(ctx context.Context) (models.StoreCounts, error) {
	var n models.StoreCounts
	err := r.queryRow(ctx, `SELECT
		(SELECT COUNT(*) FROM configs), (SELECT COUNT(*) FROM servers), (SELECT COUNT(*) FROM projects),
		(SELECT COUNT(*) FROM users), (SELECT COUNT(*) FROM memberships), (SELECT COUNT(*) FROM api_keys),
		(SELECT COUNT(*) FROM api_keys WHERE disabled), (SELECT COUNT(*) FROM settings)`).Scan(
		&n.Configs, &n.Servers, &n.Projects, &n.Users, &n.Memberships, &n.APIKeys, &n.DisabledAPIKeys, &n.Settings)
	return n, r.scanErr(err)
}

// danglingCheck is one reference that foreign keys normally guarantee: the
// query selects the referring row's identifying columns and the id it holds,
// for rows whose target does not exist.
type danglingCheck struct {
	entity, field, target string
	keys                  int
	query                 string
}

var danglingChecks = []danglingCheck{
	{"server", "mcp_config_id", "configuration", 2, `SELECT s.config_id, s.name, s.config_id FROM servers s
		WHERE NOT EXISTS (SELECT 1 FROM configs c WHERE c.id = s.config_id) ORDER BY s.seq LIMIT ?`},
	{"project", "mcp_config_id", "configuration", 1, `SELECT p.name, p.config_id FROM projects p
		WHERE p.config_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM configs c WHERE c.id = p.config_id) ORDER BY p.seq LIMIT ?`},
	{"membership", "project_id", "project", 2, `SELECT m.project_id, m.user_id, m.project_id FROM memberships m
		WHERE NOT EXISTS (SELECT 1 FROM projects p WHERE p.id = m.project_id) ORDER BY m.seq LIMIT ?`},
	{"membership", "user_id", "user", 2, `SELECT m.project_id, m.user_id, m.user_id FROM memberships m
		WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = m.user_id) ORDER BY m.seq LIMIT ?`},
	{"api_key", "user_id", "user", 1, `SELECT k.id, k.user_id FROM api_keys k
		WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = k.user_id) ORDER BY k.seq LIMIT ?`},
	{"api_key", "project_id", "project", 1, `SELECT k.id, k.project_id FROM api_keys k
		WHERE NOT EXISTS (SELECT 1 FROM projects p WHERE p.id = k.project_id) ORDER BY k.seq LIMIT ?`},
}

// Findings runs one query per rule; each reads its table once, with index
// lookups for references (EXISTS on unique columns) and one grouping for
// case clashes.
func (r integrityRepo) Findings(ctx context.Context, limit int) (models.IntegrityFindings, error) {
	var f models.IntegrityFindings
	if limit <= 0 {
		return f, fmt.Errorf("integrity findings: limit must be positive, not %d", limit)
	}
	for _, c := range danglingChecks {
		err := r.each(ctx, c.query, []any{limit}, c.keys+1, func(cols []string) {
			f.Dangling = append(f.Dangling, models.DanglingReference{Entity: c.entity, Keys: cols[:c.keys],
				Field: c.field, Value: cols[c.keys], Target: c.target})
		})
		if err != nil {
			return f, err
		}
	}
	err := r.each(ctx, `SELECT email FROM users WHERE email <> lower(trim(email)) ORDER BY seq LIMIT ?`, []any{limit}, 1,
		func(cols []string) { f.EmailsNotCanonical = append(f.EmailsNotCanonical, cols[0]) })
	if err != nil {
		return f, err
	}
	for _, c := range []struct {
		table, column string
		dst           *[]models.CaseClash
	}{{"users", "lower(trim(email))", &f.EmailClashes}, {"configs", "lower(name)", &f.ConfigNameClashes}, {"projects", "lower(name)", &f.ProjectNameClashes}} {
		if *c.dst, err = r.clashes(ctx, c.table, c.column, limit); err != nil {
			return f, err
		}
	}
	// A key of a non-member is reported as such even if its project also has
	// no configuration: adding the member back is the first repair.
	const keys = `SELECT k.id, p.name FROM api_keys k JOIN projects p ON p.id = k.project_id WHERE `
	const member = `EXISTS (SELECT 1 FROM memberships m WHERE m.project_id = k.project_id AND m.user_id = k.user_id)`
	for _, c := range []struct {
		where string
		dst   *[]models.KeyOfProject
	}{{`NOT ` + member, &f.KeysOfNonMembers}, {`p.config_id IS NULL AND ` + member, &f.KeysWithoutConfig}} {
		err := r.each(ctx, keys+c.where+` ORDER BY k.seq LIMIT ?`, []any{limit}, 2, func(cols []string) {
			*c.dst = append(*c.dst, models.KeyOfProject{KeyID: cols[0], ProjectName: cols[1]})
		})
		if err != nil {
			return f, err
		}
	}
	err = r.each(ctx, `SELECT id FROM api_keys WHERE disabled_reason = ? ORDER BY seq LIMIT ?`, []any{models.DisabledWeakSecret, limit}, 1,
		func(cols []string) { f.KeysWithoutSecret = append(f.KeysWithoutSecret, cols[0]) })
	return f, err
}

// clashes finds the values of table whose folded form (an expression of the
// code, never of a caller) several rows share: one grouping finds the first
// limit folded forms, in the order they first appear, and one pass reads the
// rows holding them.
func (r integrityRepo) clashes(ctx context.Context, table, folded string, limit int) ([]models.CaseClash, error) {
	value := "name"
	if table == "users" {
		value = "email"
	}
	var out []models.CaseClash
	index := map[string]int{}
	err := r.each(ctx, fmt.Sprintf(`SELECT %[2]s FROM %[1]s GROUP BY %[2]s HAVING COUNT(*) > 1 ORDER BY MIN(seq) LIMIT ?`, table, folded),
		[]any{limit}, 1, func(cols []string) {
			index[cols[0]] = len(out)
			out = append(out, models.CaseClash{Folded: cols[0]})
		})
	if err != nil || len(out) == 0 {
		return out, err
	}
	args := make([]any, len(out))
	for i, c := range out {
		args[i] = c.Folded
	}
	marks := strings.Repeat("?, ", len(args)-1) + "?"
	err = r.each(ctx, fmt.Sprintf(`SELECT %[2]s, %[3]s FROM %[1]s WHERE %[2]s IN (%[4]s) ORDER BY seq`, table, folded, value, marks),
		args, 2, func(cols []string) {
			i := index[cols[0]]
			out[i].Values = append(out[i].Values, cols[1])
		})
	return out, err
}

// each runs a query of n text columns and calls fn with each row's values.
func (r integrityRepo) each(ctx context.Context, query string, args []any, n int, fn func(cols []string)) error {
	rows, err := r.query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		cols := make([]string, n)
		ptrs := make([]any, n)
		for i := range cols {
			ptrs[i] = &cols[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return r.d.translate(err)
		}
		fn(cols)
	}
	return r.d.translate(rows.Err())
}

var _ repositories.IntegrityRepository = integrityRepo{}
