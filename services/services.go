package services

import (
	"errors"

	"github.com/securemcp/gateway/repositories"
	"github.com/securemcp/gateway/repositories/audited"
)

// Services is the whole core, as the API and the CLI use it.
type Services struct {
	Configs  *ConfigService
	Projects *ProjectService
	System   *SystemService
	Settings *SettingsService
	Users    *UserService
	APIKeys  *APIKeyService
	Audit    *AuditService
}

// New wires every service over one store and data directory. Every write
// through the services is recorded in the audit trail, in its own
// transaction (see repositories/audited).
func New(store repositories.Store, files Files, now Clock) *Services {
	store = audited.Wrap(store, now)
	keys := NewAPIKeyService(store, now)
	return &Services{
		Configs:  NewConfigService(store, files, now),
		Projects: NewProjectService(store, files, now),
		System:   NewSystemService(store, files, now),
		Settings: NewSettingsService(store, now),
		Users:    NewUserService(store, keys, now),
		APIKeys:  keys,
		Audit:    NewAuditService(store, now),
	}
}

// Close stops background work (the batched recording of key use and of tool
// calls) and writes what is pending. Call it before closing the store.
func (s *Services) Close() error {
	var err error
	if s.Audit != nil {
		err = s.Audit.Close()
	}
	return errors.Join(s.APIKeys.Close(), err)
}
