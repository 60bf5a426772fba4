package main

import (
	"context"
	"errors"

	"github.com/spf13/cobra"

	"github.com/securemcp/gateway/config"
	"github.com/securemcp/gateway/internal/atomicfile"
	"github.com/securemcp/gateway/repositories"
	"github.com/securemcp/gateway/repositories/sqlstore"
	"github.com/securemcp/gateway/services"
	"github.com/securemcp/gateway/services/confine"
	"github.com/securemcp/gateway/services/entity"
	"github.com/securemcp/gateway/services/errs"
)

// app is the core shared by the server and the CLI: settings, store, services.
type app struct {
	settings config.Settings
	loader   *config.Loader
	store    repositories.Store
	services *services.Services
}

// loadSettings resolves the settings of a command.
func loadSettings(cmd *cobra.Command) (*config.Loader, config.Settings, error) {
	path, err := config.ResolveConfigPath(cmd.Flags())
	if err != nil {
		return nil, config.Settings{}, err
	}
	loader, err := config.NewLoader(path, cmd.Flags())
	if err != nil {
		return nil, config.Settings{}, errs.Invalid("%v", err) // the operator's file, flags or environment
	}
	s, err := loader.Settings()
	if err != nil {
		return nil, config.Settings{}, errs.Invalid("%v", err)
	}
	return loader, s, nil
}

// fileAccess chooses how the files clients name are found: the server
// confines them to the data directory (its clients are remote), the CLI takes
// them relative to the current directory (its user is local).
type fileAccess func(config.Settings) (confine.Files, error)

// serverFiles confines client files to the data directory.
func serverFiles(s config.Settings) (confine.Files, error) {
	return confine.NewDataDir(s.DataDir, s.OwnFiles()...)
}

// cliFiles resolves client files against the current directory.
func cliFiles(s config.Settings) (confine.Files, error) {
	if err := atomicfile.MkdirAll(s.DataDir, 0o700); err != nil { // the store's directory
		return nil, err
	}
	return confine.NewLocalFiles(s.OwnFiles()...)
}

// openApp opens the store named by the settings, wraps it in the given
// decorators (metrics, ...) and wires the services.
func openApp(ctx context.Context, loader *config.Loader, s config.Settings, access fileAccess, decorators ...func(repositories.Store) repositories.Store) (*app, error) {
	files, err := access(s)
	if err != nil {
		return nil, err
	}
	store, err := openStore(ctx, s)
	if err != nil {
		return nil, err
	}
	for _, decorate := range decorators {
		store = decorate(store)
	}
	return &app{
		settings: s,
		loader:   loader,
		store:    store,
		services: services.New(store, files, entity.SystemClock),
	}, nil
}

// openStore opens PostgreSQL when a database URL is set (several instances may
// share it), else the embedded SQLite file in the data directory. Errors name
// the database but never carry the URL's password.
func openStore(ctx context.Context, s config.Settings) (repositories.Store, error) {
	if s.DatabaseURL != "" {
		return sqlstore.OpenPostgres(ctx, s.DatabaseURL)
	}
	return sqlstore.OpenSQLite(ctx, s.SQLitePath())
}

// Close writes what the services still hold (key last use times), then closes the store.
func (a *app) Close() error { return errors.Join(a.services.Close(), a.store.Close()) }
