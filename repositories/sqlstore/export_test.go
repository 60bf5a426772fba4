package sqlstore

import (
	"context"

	"github.com/securemcp/gateway/audit"
	"github.com/securemcp/gateway/repositories"
)

// SkewHead makes a PostgreSQL write transaction believe that the chain's
// head is h, as if another writer had moved it without its turn: what the
// append's guard in SQL is for.
func SkewHead(ctx context.Context, tx repositories.Repos, h audit.Head) error {
	t := tx.(db).pg
	if _, err := t.knownHead(ctx); err != nil {
		return err
	}
	t.head = h
	return nil
}
