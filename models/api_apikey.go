package models

import "time"

// GenerateKeyRequest is the body of POST /users/{user}/api-keys.
type GenerateKeyRequest struct {
	ProjectName string `json:"project_name" example:"my-project"`
	ProjectID   string `json:"project_id" example:"5f0c3a52-7f3c-4c39-9a59-2a4f1d3b8e11"`
	// ExpiresAt is optional, RFC 3339, in the future.
	ExpiresAt string `json:"expires_at" example:"2030-01-01T00:00:00Z"`
}

// KeyIssued is the payload of generate and rotate: the only time the secret is shown.
type KeyIssued struct {
	APIKey    string     `json:"api_key" example:"smg_4fTq0bX9mZ2LwP8sK1vN7cR3hJ6yD5gE0aU2iO9tQ1Wk3Zb1x0"`
	KeyID     string     `json:"key_id" example:"0c7d9a3e-2b1f-4e6a-9c8d-7f6e5d4c3b2a"`
	ProjectID string     `json:"project_id" example:"5f0c3a52-7f3c-4c39-9a59-2a4f1d3b8e11"`
	UserID    string     `json:"user_id" example:"9b2d8c1e-4f5a-4b6c-8d7e-0a1b2c3d4e5f"`
	CreatedAt time.Time  `json:"created_at" format:"date-time" example:"2026-01-01T00:00:00Z"`
	ExpiresAt *time.Time `json:"expires_at" format:"date-time" extensions:"x-nullable" example:"2030-01-01T00:00:00Z"`
}

// RotateKeyRequest is the body of POST /api-keys/rotate.
type RotateKeyRequest struct {
	APIKey string `json:"api_key" example:"0c7d9a3e-2b1f-4e6a-9c8d-7f6e5d4c3b2a" validate:"required"`
	// GracePeriodSeconds keeps the old secret verifying for this long (0–604800).
	GracePeriodSeconds int `json:"grace_period_seconds" example:"3600"`
}

// KeyRotated is the payload of a rotation: the new secret, shown once.
type KeyRotated struct {
	KeyIssued
	Disabled          bool       `json:"disabled" example:"false"`
	RotatedAt         *time.Time `json:"rotated_at" format:"date-time" extensions:"x-nullable" example:"2026-01-02T00:00:00Z"`
	PreviousExpiresAt *time.Time `json:"previous_expires_at" format:"date-time" extensions:"x-nullable" example:"2026-01-02T01:00:00Z"`
}

// UserRef names a user briefly.
type UserRef struct {
	UserID string `json:"user_id" example:"9b2d8c1e-4f5a-4b6c-8d7e-0a1b2c3d4e5f"`
	Email  string `json:"email" example:"alice@example.com"`
}

// APIKeyItem is a key as listings show it: masked, never the secret.
type APIKeyItem struct {
	KeyID       string     `json:"key_id" example:"0c7d9a3e-2b1f-4e6a-9c8d-7f6e5d4c3b2a"`
	Masked      string     `json:"masked" example:"smg_…Zb1x"`
	User        UserRef    `json:"user"`
	Project     ProjectRef `json:"project"`
	UserEmail   string     `json:"user_email" example:"alice@example.com"`
	ProjectName string     `json:"project_name" example:"my-project"`
	CreatedAt   time.Time  `json:"created_at" format:"date-time" example:"2026-01-01T00:00:00Z"`
	Disabled    bool       `json:"disabled" example:"false"`
	DisabledAt  *time.Time `json:"disabled_at" format:"date-time" extensions:"x-nullable" example:"2026-01-03T00:00:00Z"`
	EnabledAt   *time.Time `json:"enabled_at" format:"date-time" extensions:"x-nullable" example:"2026-01-04T00:00:00Z"`
	ExpiresAt   *time.Time `json:"expires_at" format:"date-time" extensions:"x-nullable" example:"2030-01-01T00:00:00Z"`
	LastUsedAt  *time.Time `json:"last_used_at" format:"date-time" extensions:"x-nullable" example:"2026-01-05T00:00:00Z"`
	RotatedAt   *time.Time `json:"rotated_at" format:"date-time" extensions:"x-nullable" example:"2026-01-02T00:00:00Z"`
	// Status is "active" when the key verifies, else "inactive" with the
	// reason; weak_secret is a key imported from the original system without
	// its secret (too short or too guessable to keep): rotate it, then enable it.
	Status         string  `json:"status" example:"active" enums:"active,inactive"`
	InactiveReason *string `json:"inactive_reason" extensions:"x-nullable" example:"not_a_member" enums:"disabled,weak_secret,expired,user_missing,project_missing,not_a_member,no_configuration"`
}

// APIKeyDetail is one key with the configuration of its project.
type APIKeyDetail struct {
	APIKeyItem
	MCPConfig *ConfigRef `json:"mcp_config" extensions:"x-nullable"`
}

// KeysDeleted reports how many keys of a user were deleted.
type KeysDeleted struct {
	UserID  string `json:"user_id" example:"9b2d8c1e-4f5a-4b6c-8d7e-0a1b2c3d4e5f"`
	Email   string `json:"email" example:"alice@example.com"`
	Deleted int    `json:"deleted" example:"2"`
}

// NewAPIKeyItem converts a stored key to its masked API form; inactive is the
// reason the key does not verify, empty when it does.
func NewAPIKeyItem(info APIKeyInfo, masked, inactive string) APIKeyItem {
	item := APIKeyItem{KeyID: info.ID, Masked: masked,
		User:      UserRef{UserID: info.UserID, Email: info.UserEmail},
		Project:   ProjectRef{ID: info.ProjectID, Name: info.ProjectName},
		UserEmail: info.UserEmail, ProjectName: info.ProjectName, CreatedAt: info.CreatedAt, Disabled: info.Disabled,
		DisabledAt: info.DisabledAt, EnabledAt: info.EnabledAt, ExpiresAt: info.ExpiresAt, LastUsedAt: info.LastUsedAt,
		RotatedAt: info.RotatedAt, Status: "active"}
	if inactive != "" {
		item.Status, item.InactiveReason = "inactive", &inactive
	}
	return item
}

// NewAPIKeyDetail adds the configuration of the key's project (nil when none).
func NewAPIKeyDetail(item APIKeyItem, cfg *Config) APIKeyDetail {
	res := APIKeyDetail{APIKeyItem: item}
	if cfg != nil {
		res.MCPConfig = NewConfigRef(cfg.ID, cfg.Name)
	}
	return res
}

// NewKeyIssued shows a key with its secret: only generate and rotate do.
func NewKeyIssued(secret string, k APIKey) KeyIssued {
	return KeyIssued{APIKey: secret, KeyID: k.ID, ProjectID: k.ProjectID, UserID: k.UserID, CreatedAt: k.CreatedAt, ExpiresAt: k.ExpiresAt}
}

// NewKeyRotated shows a rotated key with its new secret.
func NewKeyRotated(secret string, k APIKey) KeyRotated {
	return KeyRotated{KeyIssued: NewKeyIssued(secret, k), Disabled: k.Disabled, RotatedAt: k.RotatedAt, PreviousExpiresAt: k.PreviousExpiresAt}
}

// NewKeysDeleted reports how many keys of a user were deleted.
func NewKeysDeleted(u User, n int) KeysDeleted {
	return KeysDeleted{UserID: u.ID, Email: u.Email, Deleted: n}
}
