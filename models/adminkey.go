package models

import "time"

// AdminKey is the stored record of a named admin key: a credential of the
// management API with a role. As for users' gateway keys, the secret itself
// is never stored: only its hash and its last four characters for display.
type AdminKey struct {
	ID         string
	Name       string
	Hash       string
	Last4      string
	Role       string
	CreatedAt  time.Time
	ExpiresAt  *time.Time
	LastUsedAt *time.Time
}
