// Package services is the management core as the API and the CLI use it: the
// domain packages (catalog, access, system) wired over one store. The rules live
// in those packages; this one only assembles them.
package services

import (
	"errors"

	"github.com/securemcp/gateway/repositories"
	"github.com/securemcp/gateway/repositories/audited"
	"github.com/securemcp/gateway/sealing"

	"github.com/securemcp/gateway/services/access"
	"github.com/securemcp/gateway/services/catalog"
	"github.com/securemcp/gateway/services/confine"
	"github.com/securemcp/gateway/services/entity"
	"github.com/securemcp/gateway/services/sealed"
	"github.com/securemcp/gateway/services/system"
	"github.com/securemcp/gateway/services/trail"
)

// Services is the whole core, as the API and the CLI use it.
type Services struct {
	Configs  *catalog.ConfigService
	Projects *access.ProjectService
	System   *system.SystemService
	Settings *system.SettingsService
	Users    *access.UserService
	APIKeys  *access.APIKeyService
	// AdminKeys are the named admin keys of the management API.
	AdminKeys *access.AdminKeyService
	Audit     *trail.AuditService
}

// New wires every service over one store and data directory. sealer seals
// the secrets the store keeps (package sealed) with the store's secret key.
// Every write through the services is recorded in the audit trail, in its
// own transaction (see repositories/audited).
func New(store repositories.Store, files confine.Files, now entity.Clock, sealer *sealing.Sealer) *Services {
	store = audited.Wrap(store, now)
	keys := access.NewAPIKeyService(store, now)
	secrets := sealed.New(sealer)
	return &Services{
		Configs:   catalog.NewConfigService(store, files, now, secrets),
		Projects:  access.NewProjectService(store, files, now, secrets),
		System:    system.NewSystemService(store, files, now, secrets),
		Settings:  system.NewSettingsService(store, now, secrets),
		Users:     access.NewUserService(store, keys, now),
		APIKeys:   keys,
		AdminKeys: access.NewAdminKeyService(store, now),
		Audit:     trail.NewAuditService(store, now),
	}
}

// Close stops background work (the batched recording of key use and of tool
// calls) and writes what is pending. Call it before closing the store.
func (s *Services) Close() error {
	var err error
	if s.Audit != nil {
		err = s.Audit.Close()
	}
	return errors.Join(s.APIKeys.Close(), s.AdminKeys.Close(), err)
}
