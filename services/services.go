package services

import (
	"errors"

	"github.com/securemcp/gateway/repositories"
)

// Services is the whole core, as the API and the CLI use it.
type Services struct {
	Configs  *ConfigService
	Projects *ProjectService
	System   *SystemService
	Settings *SettingsService
	Users    *UserService
	APIKeys  *APIKeyService
	// AdminKeys are the named admin keys of the management API.
	AdminKeys *AdminKeyService
}

// New wires every service over one store and data directory.
func New(store repositories.Store, files Files, now Clock) *Services {
	keys := NewAPIKeyService(store, now)
	return &Services{
		Configs:   NewConfigService(store, files, now),
		Projects:  NewProjectService(store, files, now),
		System:    NewSystemService(store, files, now),
		Settings:  NewSettingsService(store, now),
		Users:     NewUserService(store, keys, now),
		APIKeys:   keys,
		AdminKeys: NewAdminKeyService(store, now),
	}
}

// Close stops background work (the batched recording of the use of keys) and writes
// what is pending. Call it before closing the store.
func (s *Services) Close() error { return errors.Join(s.APIKeys.Close(), s.AdminKeys.Close()) }
