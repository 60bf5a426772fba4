package models

import "time"

// EnkryptKeyStatus shows the provider key masked; the secret never leaves the service.
type EnkryptKeyStatus struct {
	Masked     string
	Configured bool
	UpdatedAt  time.Time
}

// SettingView is a setting as listed: its decoded value with secrets masked.
type SettingView struct {
	Key       string
	Value     any
	IsDefault bool
	UpdatedAt *time.Time
}
