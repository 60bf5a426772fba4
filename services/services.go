package services

import (
	"github.com/securemcp/gateway/repositories"
	"github.com/securemcp/gateway/sealing"
)

// Services is the whole core, as the API and the CLI use it.
type Services struct {
	Configs  *ConfigService
	Projects *ProjectService
	System   *SystemService
	Settings *SettingsService
	Users    *UserService
	APIKeys  *APIKeyService
}

// New wires every service over one store and data directory. sealer seals
// the secrets the store keeps (see secrets.go) with the store's secret key.
func New(store repositories.Store, files Files, now Clock, sealer *sealing.Sealer) *Services {
	keys := NewAPIKeyService(store, now)
	return &Services{
		Configs:  NewConfigService(store, files, now, sealer),
		Projects: NewProjectService(store, files, now, sealer),
		System:   NewSystemService(store, files, now, sealer),
		Settings: NewSettingsService(store, now, sealer),
		Users:    NewUserService(store, keys, now),
		APIKeys:  keys,
	}
}

// Close stops background work (the batched recording of key use) and writes
// what is pending. Call it before closing the store.
func (s *Services) Close() error { return s.APIKeys.Close() }
