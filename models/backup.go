package models

import (
	"encoding/json"
	"time"
)

// Backup document identification.
const (
	// BackupFormat is the "format" of every backup document.
	BackupFormat = "secure-mcp-gateway-backup"
	// BackupSchemaVersion is the version of the document layout this build writes and reads.
	BackupSchemaVersion = 1
)

// BackupDocument is the whole state of the gateway: written by backup, read by
// restore. Lists are in creation order, which restore keeps.
type BackupDocument struct {
	Format        string          `json:"format" example:"secure-mcp-gateway-backup"`
	SchemaVersion int             `json:"schema_version" example:"1"`
	CreatedAt     time.Time       `json:"created_at" format:"date-time" example:"2026-01-01T00:00:00Z"`
	Configs       []BackupConfig  `json:"configs"`
	Projects      []BackupProject `json:"projects"`
	Users         []BackupUser    `json:"users"`
	APIKeys       []BackupAPIKey  `json:"api_keys"`
	Settings      []BackupSetting `json:"settings"`
}

// BackupConfig is a configuration with its servers.
type BackupConfig struct {
	ID        string         `json:"mcp_config_id"`
	Name      string         `json:"mcp_config_name"`
	CreatedAt time.Time      `json:"created_at" format:"date-time"`
	UpdatedAt time.Time      `json:"updated_at" format:"date-time"`
	Servers   []ServerObject `json:"servers"`
}

// BackupProject is a project with its configuration (empty for none) and its
// members in the order they were added.
type BackupProject struct {
	ID        string         `json:"project_id"`
	Name      string         `json:"project_name"`
	ConfigID  string         `json:"mcp_config_id,omitempty"`
	CreatedAt time.Time      `json:"created_at" format:"date-time"`
	UpdatedAt time.Time      `json:"updated_at" format:"date-time"`
	Members   []BackupMember `json:"members"`
}

// BackupMember is one membership of a project.
type BackupMember struct {
	UserID    string    `json:"user_id"`
	CreatedAt time.Time `json:"created_at" format:"date-time"`
}

// BackupUser is a user.
type BackupUser struct {
	ID        string    `json:"user_id"`
	Email     string    `json:"email"`
	CreatedAt time.Time `json:"created_at" format:"date-time"`
	UpdatedAt time.Time `json:"updated_at" format:"date-time"`
}

// BackupAPIKey is a key record: its hash, never its secret.
type BackupAPIKey struct {
	ID                string     `json:"key_id"`
	Hash              string     `json:"hash"`
	Last4             string     `json:"last4"`
	UserID            string     `json:"user_id"`
	ProjectID         string     `json:"project_id"`
	CreatedAt         time.Time  `json:"created_at" format:"date-time"`
	Disabled          bool       `json:"disabled"`
	DisabledAt        *time.Time `json:"disabled_at,omitempty" format:"date-time"`
	DisabledReason    string     `json:"disabled_reason,omitempty"`
	EnabledAt         *time.Time `json:"enabled_at,omitempty" format:"date-time"`
	ExpiresAt         *time.Time `json:"expires_at,omitempty" format:"date-time"`
	LastUsedAt        *time.Time `json:"last_used_at,omitempty" format:"date-time"`
	PreviousHash      string     `json:"previous_hash,omitempty"`
	PreviousExpiresAt *time.Time `json:"previous_expires_at,omitempty" format:"date-time"`
	RotatedAt         *time.Time `json:"rotated_at,omitempty" format:"date-time"`
}

// BackupSetting is one stored setting with its JSON value.
type BackupSetting struct {
	Key       string          `json:"key"`
	Value     json.RawMessage `json:"value"`
	UpdatedAt time.Time       `json:"updated_at" format:"date-time"`
}

// BackupCounts counts what a backup, restore or reset covered.
type BackupCounts struct {
	Configs     int `json:"configs" example:"2"`
	Servers     int `json:"servers" example:"5"`
	Projects    int `json:"projects" example:"2"`
	Users       int `json:"users" example:"3"`
	Memberships int `json:"memberships" example:"4"`
	APIKeys     int `json:"api_keys" example:"4"`
	Settings    int `json:"settings" example:"2"`
}

// SystemStatistics counts the entities of the store.
type SystemStatistics struct {
	TotalProjects   int `json:"total_projects" example:"2"`
	TotalUsers      int `json:"total_users" example:"3"`
	TotalConfigs    int `json:"total_configs" example:"2"`
	TotalAPIKeys    int `json:"total_api_keys" example:"4"`
	DisabledAPIKeys int `json:"disabled_api_keys" example:"1"`
}

// TelemetrySettings configure the gateway's OpenTelemetry export; it is also
// the stored form of the "telemetry" setting.
type TelemetrySettings struct {
	Enabled  bool   `json:"enabled" example:"true"`
	URL      string `json:"url" example:"http://localhost:4317"`
	Insecure bool   `json:"insecure" example:"true"`
}
