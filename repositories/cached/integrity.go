package cached

import "github.com/securemcp/gateway/repositories"

// Integrity passes through: its answers are aggregates of the whole store,
// which no entry of the cache holds, and it writes nothing.
func (r repos) Integrity() repositories.IntegrityRepository { return r.next.Integrity() }
