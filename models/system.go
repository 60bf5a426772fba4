package models

import "time"

// HealthReport is the result of a deep health check of the store.
type HealthReport struct {
	// Healthy is false when Issues is not empty.
	Healthy bool
	// Issues break the rules the API enforces (dangling references, duplicates...).
	Issues []string
	// Warnings are legal but probably unintended states.
	Warnings   []string
	Statistics SystemStatistics
	Store      string
	// IntegrityChecked says whether Issues and Warnings were looked for (the
	// integrity queries ran), or are empty because they were not.
	IntegrityChecked bool
}

// BackupResult describes a written backup.
type BackupResult struct {
	File      string
	Path      string
	Bytes     int
	SHA256    string
	CreatedAt time.Time
	Counts    BackupCounts
	// SecretsIncluded is set when the backup holds the secrets in clear.
	SecretsIncluded bool
}

// RestoreResult describes a completed restore or import.
type RestoreResult struct {
	File         string
	SourceFormat string
	SHA256       string
	Counts       BackupCounts
	// Notes say what was not taken over, and why (never a secret).
	Notes []string
}

// ResetResult counts what a reset deleted.
type ResetResult struct {
	Deleted BackupCounts
}
