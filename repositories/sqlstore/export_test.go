package sqlstore

import (
	"github.com/securemcp/gateway/audit"
	"github.com/securemcp/gateway/repositories"
)

// SkewHead makes a PostgreSQL write transaction believe that the chain's
// head is h, as if another writer had moved it without its turn: what the
// append's guard in SQL is for.
func SkewHead(tx repositories.Repos, h audit.Head) {
	tx.(db).pg.head = h
}
