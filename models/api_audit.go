package models

import (
	"encoding/json"
	"time"
)

// AuditRecord is one record of the audit trail as GET /api/v1/audit lists
// it: the chained record exactly as stored, so that a client can recompute
// its hash.
type AuditRecord struct {
	Seq       int64           `json:"seq" example:"42"`
	Time      time.Time       `json:"time" format:"date-time" example:"2026-01-01T00:00:00.000000Z"`
	Actor     AuditActor      `json:"actor"`
	Action    string          `json:"action" example:"user.create"`
	Entity    AuditEntity     `json:"entity"`
	Outcome   string          `json:"outcome" enums:"success,refused,error" example:"success"`
	RequestID string          `json:"request_id,omitempty" example:"3f9a1c52-0d7e-4b8a-9c61-2e5f4d3a1b20"`
	Details   json.RawMessage `json:"details,omitempty" swaggertype:"object"`
	PrevHash  string          `json:"prev_hash" example:"0000000000000000000000000000000000000000000000000000000000000000"`
	Hash      string          `json:"hash" example:"9b2d5f0c3a527f3c4c399a592a4f1d3b8e115f0c3a527f3c4c399a592a4f1d3b"`
}

// AuditActor is who caused a record: an admin key (root_key, admin_key), a
// CLI user, a gateway key with its user and project, the system, or for a
// refused credential that names no existing key, anonymous. Addr is the
// client's address (trusted proxies resolved), empty for the CLI.
type AuditActor struct {
	Kind      string `json:"kind" enums:"root_key,admin_key,cli,gateway_key,system,anonymous" example:"root_key"`
	ID        string `json:"id,omitempty" example:"alice"`
	UserID    string `json:"user_id,omitempty" example:""`
	ProjectID string `json:"project_id,omitempty" example:""`
	Addr      string `json:"addr,omitempty" example:"192.0.2.10"`
}

// AuditEntity is what a record is about.
type AuditEntity struct {
	Kind string `json:"kind,omitempty" example:"user"`
	ID   string `json:"id,omitempty" example:"5f0c3a52-7f3c-4c39-9a59-2a4f1d3b8e11"`
	Name string `json:"name,omitempty" example:"alice@example.com"`
}
