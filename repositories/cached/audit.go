package cached

import "github.com/securemcp/gateway/repositories"

// Audit passes through: records are read for listings and verification,
// which must see what the table holds, and never for a hot path.
func (r repos) Audit() repositories.AuditRepository { return r.next.Audit() }
