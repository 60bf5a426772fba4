package models

import "time"

// APIKey is the stored record of a user's gateway key. The secret itself is
// never stored: only its hash and its last four characters for display.
type APIKey struct {
	ID         string
	Hash       string
	Last4      string
	UserID     string
	ProjectID  string
	CreatedAt  time.Time
	Disabled   bool
	DisabledAt *time.Time
	// DisabledReason says why the key was disabled by the gateway itself
	// rather than by an admin: empty, or DisabledWeakSecret.
	DisabledReason string
	EnabledAt      *time.Time
	ExpiresAt      *time.Time
	LastUsedAt     *time.Time
	// PreviousHash verifies until PreviousExpiresAt after a rotation with a grace period.
	PreviousHash      string
	PreviousExpiresAt *time.Time
	RotatedAt         *time.Time
}

// DisabledWeakSecret marks a key imported from the original system whose
// secret was too short or too guessable to keep: the secret was dropped, so
// the key stays disabled until a rotation gives it a new one.
const DisabledWeakSecret = "weak_secret"

// Setting is one stored runtime setting (JSON value).
type Setting struct {
	Key       string
	Value     string
	UpdatedAt time.Time
}

// APIKeyInfo is a key record with what a listing shows and verification checks
// about its user and project.
type APIKeyInfo struct {
	APIKey
	UserEmail       string // empty if the user no longer exists
	ProjectName     string // empty if the project no longer exists
	ProjectConfigID string // empty when the project has no configuration
	Member          bool   // the user is still a member of the project
}

// KeyPrincipal is a key with everything its verification needs, read at once.
type KeyPrincipal struct {
	Key     APIKey
	User    *User    // nil if the user no longer exists
	Project *Project // nil if the project no longer exists
	Member  bool     // the user is still a member of the project
	Config  *Config  // nil when the project has no configuration
}
