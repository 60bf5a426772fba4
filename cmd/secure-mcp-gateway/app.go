package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/securemcp/gateway/config"
	"github.com/securemcp/gateway/internal/atomicfile"
	"github.com/securemcp/gateway/repositories"
	"github.com/securemcp/gateway/repositories/sqlstore"
	"github.com/securemcp/gateway/sealing"
	"github.com/securemcp/gateway/services"
	"github.com/securemcp/gateway/services/confine"
	"github.com/securemcp/gateway/services/entity"
	"github.com/securemcp/gateway/services/errs"
	"github.com/securemcp/gateway/services/system"
)

// app is the core shared by the server and the CLI: settings, store, services.
type app struct {
	settings config.Settings
	loader   *config.Loader
	store    repositories.Store
	services *services.Services
	// keys are the secret keys that seal the store's secrets, and sealed
	// how many servers and settings the opening sealed (a store written
	// before secrets were sealed): the server logs both.
	keys   sealing.Keys
	sealed int
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
	keys, err := loadSecretKeys(ctx, s, store)
	if err != nil {
		return nil, errors.Join(err, store.Close())
	}
	sealer, err := keys.Sealer()
	if err != nil {
		return nil, errors.Join(err, store.Close())
	}
	a := &app{settings: s, loader: loader, store: store, services: services.New(store, files, entity.SystemClock, sealer), keys: keys}
	// The migration of secrets kept in clear by earlier versions: every
	// start seals what is still in clear, in one transaction, and checks
	// that the loaded keys open what is sealed.
	if a.sealed, err = a.services.System.SealStored(ctx); err != nil {
		return nil, errors.Join(fmt.Errorf("seal the stored secrets: %w", err), a.Close())
	}
	return a, nil
}

// loadSecretKeys finds the keys that seal the store's secrets: SMG_SECRET_KEY,
// else the key file beside the config file. A key file is generated only
// for a store that holds no sealed value yet: one that does needs the key
// that sealed it, and a fresh key would strand its secrets.
func loadSecretKeys(ctx context.Context, s config.Settings, store repositories.Store) (sealing.Keys, error) {
	// The key is read from the environment here rather than resolved by the
	// config loader: it must never come from the config file, which
	// backups and support requests carry around.
	env := os.Getenv(sealing.EnvKey)
	holds, err := system.StoreHoldsSealed(ctx, store)
	if err != nil {
		return sealing.Keys{}, err
	}
	keys, err := sealing.LoadKey(env, s.SecretKeyPath(), !holds)
	if err != nil && holds && errors.Is(err, sealing.ErrNoKey) {
		return sealing.Keys{}, fmt.Errorf("%w: the store holds sealed secrets; give the key that sealed them (%s or %s)", err, sealing.EnvKey, s.SecretKeyPath())
	}
	return keys, err
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
