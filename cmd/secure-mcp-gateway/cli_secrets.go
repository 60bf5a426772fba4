package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"github.com/securemcp/gateway/internal/pidfile"
	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/sealing"
	"github.com/securemcp/gateway/services"
	"github.com/securemcp/gateway/services/confine"
	"github.com/securemcp/gateway/services/entity"
	"github.com/securemcp/gateway/services/errs"
)

// logSecretKey says at start where the key that seals the store's secrets
// comes from (by its id, never its value), and what the opening sealed.
func logSecretKey(a *app, log *zap.Logger) {
	fields := []zap.Field{zap.String("source", a.keys.Source), zap.String("key_id", a.keys.Current.ID()), zap.Int("previous_keys", len(a.keys.Previous))}
	if a.keys.Created {
		log.Warn("generated the secret key that seals the store's secrets; back it up apart from the store's backups: without it they cannot be read", fields...)
	} else {
		log.Info("secret key loaded", fields...)
	}
	if a.sealed > 0 {
		log.Info("sealed the secrets the store held in clear", zap.Int("servers_and_settings", a.sealed))
	}
}

// newSecretsCmd is the `secrets` group: the key that seals the store's secrets.
func newSecretsCmd() *cobra.Command {
	return group("secrets", "Manage the secret key that seals the stored secrets",
		example("secrets rotate-key"), secretsRotateKey())
}

// secretsRotateKey replaces the secret key: every sealed value of the store
// is sealed anew with a new key in one transaction.
//
// With a key file, the crash window is covered by the file holding both
// keys until the re-sealing commits: the file is first rewritten with the
// new key followed by the old one, then the store is re-sealed in one
// transaction, then the file is rewritten with the new key alone. Whenever
// it stops, the file holds every key the store needs, and running the
// command again finishes the job. With SMG_SECRET_KEY, which the command
// cannot change, the operator puts the new key first and the old one after
// it (SMG_SECRET_KEY=new,old), runs the command, which re-seals everything
// with the first key, then drops the old key from the variable.
func secretsRotateKey() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "rotate-key",
		Short: "Seal every stored secret with a new key (stop the servers first)",
		Long: "With the key file beside the config file: generates a new key, re-seals every stored secret with it in one " +
			"transaction and replaces the key file (the old key stays in it until the re-sealing has committed). " +
			"With " + sealing.EnvKey + ": set it to the new key followed by the old one (new,old), run this command to re-seal " +
			"everything with the new key, then set it to the new key alone. Stop every server using the store first: " +
			"a running server keeps the old key and could not read what is sealed with the new one.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			loader, settings, err := loadSettings(cmd)
			if err != nil {
				return err
			}
			if err := refuseUnknownHome(loader.Path(), settings); err != nil {
				return err
			}
			if err := refuseRunningServers(settings.PIDDir()); err != nil {
				return err
			}
			files, err := cliFiles(settings)
			if err != nil {
				return err
			}
			a, err := openApp(cmd.Context(), loader, settings, cliFiles)
			if err != nil {
				return err
			}
			defer a.Close()
			res, err := rotateKey(cmd.Context(), a, files)
			if err != nil {
				return err
			}
			printResult(cmd, "Secret key rotated successfully", res)
			return nil
		},
	}
	cmd.Example = example("secrets rotate-key")
	return cmd
}

// rotateKey re-seals the store of a with a new key (see secretsRotateKey).
func rotateKey(ctx context.Context, a *app, files confine.Files) (models.KeyRotation, error) {
	keys := a.keys
	res := models.KeyRotation{Source: keys.Source, PreviousKeyID: keys.Current.ID()}
	if keys.Source == sealing.EnvKey {
		// The first key of the variable is the new one: re-seal with it.
		n, err := a.services.System.ResealStored(ctx)
		res.KeyID, res.Resealed = keys.Current.ID(), n
		res.PreviousKeyID = ""
		res.Note = "re-sealed with the first key of " + sealing.EnvKey + "; it may now hold that key alone"
		return res, err
	}
	path := keys.Source
	fresh := sealing.GenerateKey()
	old := append([]sealing.Key{keys.Current}, keys.Previous...)
	if err := sealing.WriteKeyFile(path, fresh, old...); err != nil {
		return res, err
	}
	sealer, err := sealing.NewSealer(fresh, old...)
	if err != nil {
		return res, err
	}
	svc := services.New(a.store, files, entity.SystemClock, sealer)
	n, err := svc.System.ResealStored(ctx)
	if err = errors.Join(err, svc.Close()); err != nil {
		return res, fmt.Errorf("re-seal the stored secrets (nothing changed in the store; the key file %s holds the new key first and the old one after it, so either opens): %w", path, err)
	}
	if err := sealing.WriteKeyFile(path, fresh); err != nil {
		return res, fmt.Errorf("the secrets are re-sealed with the new key %s, but the key file could not drop the old key (it holds both, which works): %w", fresh.ID(), err)
	}
	res.KeyID, res.Resealed, res.KeyFile = fresh.ID(), n, path
	return res, nil
}

// refuseRunningServers refuses to rotate the key while a server started from
// this data directory runs: it would keep sealing with the old key.
func refuseRunningServers(pidDir string) error {
	entries, err := pidfile.List(pidDir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.Record.State() == pidfile.Running {
			return errs.Conflict("a server started from this data directory is running (pid %d): stop it first (system stop-api), and every other server sharing the store", e.Record.PID)
		}
	}
	return nil
}
