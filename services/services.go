package services

import "github.com/securemcp/gateway/repositories"

// Services is the whole core, as the API and the CLI use it.
type Services struct {
	Configs  *ConfigService
	Projects *ProjectService
	System   *SystemService
	Settings *SettingsService
}

// New wires every service over one store and data directory.
func New(store repositories.Store, files *DataDir, now Clock) *Services {
	return &Services{
		Configs:  NewConfigService(store, files, now),
		Projects: NewProjectService(store, files, now),
		System:   NewSystemService(store, files, now),
		Settings: NewSettingsService(store, now),
	}
}
