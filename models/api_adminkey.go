package models

import "time"

// CreateAdminKeyRequest is the body of POST /admin-keys.
type CreateAdminKeyRequest struct {
	Name string `json:"name" example:"ci-pipeline" validate:"required"`
	// Role is admin (everything), operator (everything but admin keys,
	// settings, restore and reset) or viewer (reads only, secrets masked).
	Role string `json:"role" example:"operator" enums:"admin,operator,viewer" validate:"required"`
	// ExpiresAt (RFC 3339, in the future) and ExpiresInSeconds are optional
	// and exclusive; without either the key does not expire.
	ExpiresAt        string `json:"expires_at" example:"2030-01-01T00:00:00Z"`
	ExpiresInSeconds int64  `json:"expires_in_seconds" example:"2592000"`
}

// AdminKeyItem is a named admin key as listings show it: masked, never the
// secret. Status is active, or expired once expires_at has passed.
type AdminKeyItem struct {
	KeyID      string     `json:"key_id" example:"3e0b6f5a-1c2d-4e3f-8a9b-0c1d2e3f4a5b"`
	Name       string     `json:"name" example:"ci-pipeline"`
	Role       string     `json:"role" example:"operator" enums:"admin,operator,viewer"`
	Masked     string     `json:"masked" example:"smgadm_…x0Qa"`
	CreatedAt  time.Time  `json:"created_at" format:"date-time" example:"2026-01-01T00:00:00Z"`
	ExpiresAt  *time.Time `json:"expires_at" format:"date-time" extensions:"x-nullable" example:"2030-01-01T00:00:00Z"`
	LastUsedAt *time.Time `json:"last_used_at" format:"date-time" extensions:"x-nullable" example:"2026-01-05T00:00:00Z"`
	Status     string     `json:"status" example:"active" enums:"active,expired"`
}

// NewAdminKeyItem converts a stored admin key to its masked API form.
func NewAdminKeyItem(k AdminKey, masked string, expired bool) AdminKeyItem {
	status := "active"
	if expired {
		status = "expired"
	}
	return AdminKeyItem{KeyID: k.ID, Name: k.Name, Role: k.Role, Masked: masked, CreatedAt: k.CreatedAt,
		ExpiresAt: k.ExpiresAt, LastUsedAt: k.LastUsedAt, Status: status}
}

// AdminKeyIssued is the payload of POST /admin-keys: the only time the
// secret is shown.
type AdminKeyIssued struct {
	AdminKeyItem
	APIKey string `json:"api_key" example:"smgadm_4fTq0bX9mZ2LwP8sK1vN7cR3hJ6yD5gE0aU2iO9tQ1Wk3Zb1x0"`
}
