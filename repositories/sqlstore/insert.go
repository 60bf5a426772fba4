package sqlstore

import (
	"context"
	"strings"
)

// maxInsertArgs bounds the parameters of one multi-row INSERT: below SQLite's
// limit of 32,766 and PostgreSQL's of 65,535.
const maxInsertArgs = 30_000

// insertRows inserts rows with multi-row INSERT statements (head ends with
// "VALUES "), as many rows per statement as the parameter bound allows, in
// the order given. One statement per batch instead of one per row is what
// keeps a restore of 100,000 users to a few round trips. Several batches are
// atomic only inside a transaction, which is where many rows are written.
func insertRows[T any](ctx context.Context, d db, head string, rows []T, args func(T) []any) error {
	if len(rows) == 0 {
		return nil
	}
	width := len(args(rows[0]))
	tuple := "(" + strings.Repeat("?, ", width-1) + "?)"
	perBatch := maxInsertArgs / width
	for start := 0; start < len(rows); start += perBatch {
		batch := rows[start:min(start+perBatch, len(rows))]
		var q strings.Builder
		q.Grow(len(head) + len(batch)*(len(tuple)+2))
		q.WriteString(head)
		values := make([]any, 0, len(batch)*width)
		for i, row := range batch {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString(tuple)
			values = append(values, args(row)...)
		}
		if _, err := d.exec(ctx, q.String(), values...); err != nil {
			return err
		}
	}
	return nil
}
