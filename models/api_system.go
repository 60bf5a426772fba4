package models

import "time"

// SystemHealthData is the payload of GET /api/v1/system/health.
type SystemHealthData struct {
	Status   string   `json:"status" example:"healthy" enums:"healthy,unhealthy"`
	Issues   []string `json:"issues"`
	Warnings []string `json:"warnings"`
	// IntegrityChecked is true when the integrity queries ran (?integrity=true):
	// otherwise issues and warnings are empty because nobody looked.
	IntegrityChecked bool             `json:"integrity_checked" example:"true"`
	Statistics       SystemStatistics `json:"statistics"`
	Store            string           `json:"store" example:"sqlite"`
	Version          string           `json:"version" example:"1.0.0"`
	Uptime           string           `json:"uptime" example:"1h2m3s"`
	UptimeSeconds    int64            `json:"uptime_seconds" example:"3723"`
	StartedAt        time.Time        `json:"started_at" format:"date-time" example:"2026-01-01T00:00:00Z"`
}

// BackupRequest is the body of POST /api/v1/system/backup.
type BackupRequest struct {
	OutputFile string `json:"output_file" example:"backups/gateway-2026-01-01.json" validate:"required"`
	// IncludeSecrets writes env values, oauth_config and settings secrets in
	// clear rather than sealed with the store's secret key (for a move to a
	// store with another key). The file is still mode 0600; guard it.
	IncludeSecrets bool `json:"include_secrets" example:"false"`
}

// BackupData describes a written backup.
type BackupData struct {
	File string `json:"file" example:"backups/gateway-2026-01-01.json"`
	Path string `json:"path" example:"/home/user/.enkrypt/backups/gateway-2026-01-01.json"`
	// Size is the file's size in bytes, as the API contract names it; Bytes
	// repeats it for scripts written against the first releases.
	Size          int          `json:"size" example:"4096"`
	Bytes         int          `json:"bytes" example:"4096"`
	SHA256        string       `json:"sha256" example:"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"`
	Format        string       `json:"format" example:"secure-mcp-gateway-backup"`
	SchemaVersion int          `json:"schema_version" example:"1"`
	CreatedAt     time.Time    `json:"created_at" format:"date-time" example:"2026-01-01T00:00:00Z"`
	Counts        BackupCounts `json:"counts"`
	// SecretsIncluded says whether the file holds the secrets in clear
	// (include_secrets); otherwise they are sealed and restore needs the same
	// secret key.
	SecretsIncluded bool `json:"secrets_included" example:"false"`
	// Warning is set when the secrets are in clear.
	Warning string `json:"warning,omitempty" example:"the backup holds secrets in clear: keep it private"`
}

// BackupSecretsWarning is the warning of a backup with its secrets in clear.
const BackupSecretsWarning = "the backup holds the secrets (env values, oauth_config and settings credentials) in clear, in a file of mode 0600: keep it private and delete it once used"

// RestoreRequest is the body of POST /api/v1/system/restore; backup_file is an
// alias of input_file.
type RestoreRequest struct {
	InputFile  string `json:"input_file" example:"backups/gateway-2026-01-01.json"`
	BackupFile string `json:"backup_file" example:"backups/gateway-2026-01-01.json"`
}

// RestoreData describes a completed restore.
type RestoreData struct {
	File         string       `json:"file" example:"backups/gateway-2026-01-01.json"`
	SourceFormat string       `json:"source_format" example:"secure-mcp-gateway-backup" enums:"secure-mcp-gateway-backup,enkrypt-config"`
	SHA256       string       `json:"sha256" example:"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"`
	Counts       BackupCounts `json:"counts"`
	Notes        []string     `json:"notes"`
}

// ResetRequest is the body of POST /api/v1/system/reset.
type ResetRequest struct {
	Confirm bool `json:"confirm" example:"true" validate:"required"`
}

// ResetData counts what a reset deleted.
type ResetData struct {
	Deleted BackupCounts `json:"deleted"`
}

// SettingItem is one setting of GET /api/v1/settings, secrets masked.
type SettingItem struct {
	Key       string     `json:"key" example:"telemetry"`
	Value     any        `json:"value"`
	IsDefault bool       `json:"is_default" example:"false"`
	UpdatedAt *time.Time `json:"updated_at" format:"date-time" extensions:"x-nullable" example:"2026-01-01T00:00:00Z"`
}

// EnkryptAPIKeyRequest is the body of PUT /api/v1/settings/enkrypt-api-key.
type EnkryptAPIKeyRequest struct {
	APIKey string `json:"api_key" example:"ek-0123456789abcdef" validate:"required"`
}

// EnkryptAPIKeyData shows the guardrails provider key, masked.
type EnkryptAPIKeyData struct {
	EnkryptAPIKey *string    `json:"enkrypt_api_key" extensions:"x-nullable" example:"****cdef"`
	Configured    bool       `json:"configured" example:"true"`
	UpdatedAt     *time.Time `json:"updated_at" format:"date-time" extensions:"x-nullable" example:"2026-01-01T00:00:00Z"`
}

// TelemetryRequest is the body of PUT /api/v1/settings/telemetry; a present
// field replaces the stored value.
type TelemetryRequest struct {
	Enabled  *bool   `json:"enabled" extensions:"x-nullable" example:"true"`
	URL      *string `json:"url" extensions:"x-nullable" example:"http://localhost:4317"`
	Insecure *bool   `json:"insecure" extensions:"x-nullable" example:"false"`
}

// NewSystemHealthData converts a health report of a process of the given
// version, started at startedAt, to its API form.
func NewSystemHealthData(r HealthReport, version string, startedAt time.Time) SystemHealthData {
	uptime := time.Since(startedAt).Truncate(time.Second)
	status := "healthy"
	if !r.Healthy {
		status = "unhealthy"
	}
	return SystemHealthData{Status: status, Issues: r.Issues, Warnings: r.Warnings, IntegrityChecked: r.IntegrityChecked,
		Statistics: r.Statistics, Store: r.Store, Version: version, Uptime: uptime.String(), UptimeSeconds: int64(uptime.Seconds()), StartedAt: startedAt}
}

// Message is the envelope message of a health report.
func (d SystemHealthData) Message() string {
	if d.Status == "healthy" {
		return "System is healthy"
	}
	return "System has integrity issues"
}

// NewBackupData describes a written backup.
func NewBackupData(r BackupResult) BackupData {
	d := BackupData{File: r.File, Path: r.Path, Size: r.Bytes, Bytes: r.Bytes, SHA256: r.SHA256, Format: BackupFormat,
		SchemaVersion: BackupSchemaVersion, CreatedAt: r.CreatedAt, Counts: r.Counts, SecretsIncluded: r.SecretsIncluded}
	if r.SecretsIncluded {
		d.Warning = BackupSecretsWarning
	}
	return d
}

// NewRestoreData describes a completed restore or import.
func NewRestoreData(r RestoreResult) RestoreData {
	return RestoreData{File: r.File, SourceFormat: r.SourceFormat, SHA256: r.SHA256, Counts: r.Counts, Notes: r.Notes}
}

// NewSettingItem converts a setting to its API form.
func NewSettingItem(v SettingView) SettingItem {
	return SettingItem{Key: v.Key, Value: v.Value, IsDefault: v.IsDefault, UpdatedAt: v.UpdatedAt}
}

// NewEnkryptAPIKeyData shows the guardrails provider key masked; all null when none is set.
func NewEnkryptAPIKeyData(st EnkryptKeyStatus) EnkryptAPIKeyData {
	if !st.Configured {
		return EnkryptAPIKeyData{}
	}
	masked, at := st.Masked, st.UpdatedAt
	return EnkryptAPIKeyData{EnkryptAPIKey: &masked, Configured: true, UpdatedAt: &at}
}

// KeyRotation describes a rotation of the secret key.
type KeyRotation struct {
	// KeyID is the id of the key that now seals the stored secrets.
	KeyID string `json:"key_id" example:"3f9a0c6e21b4"`
	// PreviousKeyID is the id of the key it replaced ("" when the keys
	// come from the environment, where the operator chose them).
	PreviousKeyID string `json:"previous_key_id,omitempty" example:"b3f915a39b7f"`
	// Source is where the keys are: the key file's path or SMG_SECRET_KEY.
	Source string `json:"source" example:"/home/user/.enkrypt/secret.key"`
	// KeyFile is the rewritten key file (with a key file).
	KeyFile string `json:"key_file,omitempty" example:"/home/user/.enkrypt/secret.key"`
	// Resealed counts the servers and settings whose secrets were sealed anew.
	Resealed int    `json:"resealed" example:"3"`
	Note     string `json:"note,omitempty"`
}
