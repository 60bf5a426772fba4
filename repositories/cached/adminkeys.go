package cached

import "github.com/securemcp/gateway/repositories"

// AdminKeys passes through, uncached: a deleted admin key must be refused at
// its next request on every instance, and no entry of the cache holds admin
// keys, so their writes invalidate nothing.
func (r repos) AdminKeys() repositories.AdminKeyRepository { return r.next.AdminKeys() }
