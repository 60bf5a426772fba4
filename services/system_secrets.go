package services

import (
	"context"

	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/repositories"
)

// StoreHoldsSealed reports whether the store holds any sealed value. A store
// that does needs the key that sealed them: the caller must not generate a
// fresh key for it, which would only fail later, value by value.
func StoreHoldsSealed(ctx context.Context, store repositories.Store) (bool, error) {
	var found bool
	err := store.ReadSnapshot(ctx, func(r repositories.Repos) error {
		st, err := readSecretState(ctx, r)
		found = holdsTokens(st)
		return err
	})
	return found, err
}

// readSecretState reads the part of the state that holds secrets:
// configurations with their servers, and settings. Users, projects and keys,
// which may be many, are left out.
func readSecretState(ctx context.Context, r repositories.Repos) (state, error) {
	var st state
	configs, _, err := r.Configs().List(ctx, repositories.Page{})
	if err != nil {
		return st, storeErr(err, "", "")
	}
	for _, c := range configs {
		servers, err := r.Servers().List(ctx, c.ID)
		if err != nil {
			return st, storeErr(err, "", "")
		}
		st.configs = append(st.configs, configState{Config: c.Config, servers: servers})
	}
	if st.settings, err = r.Settings().List(ctx); err != nil {
		return st, storeErr(err, "", "")
	}
	return st, nil
}

// SealStored seals every secret the store still holds in clear, in one
// transaction, and checks that every sealed value opens with the loaded
// keys: the migration of a store written before secrets were sealed, run at
// every start (it changes nothing the second time). It returns how many
// servers and settings it sealed. A value that does not open (the store was
// sealed with another key) fails it, naming the key the store needs.
func (s *SystemService) SealStored(ctx context.Context) (int, error) {
	// Checked first in a read-only snapshot, so that the usual start, with
	// nothing to seal, takes no write lock.
	var pending int
	err := s.store.ReadSnapshot(ctx, func(r repositories.Repos) error {
		st, err := readSecretState(ctx, r)
		if err != nil {
			return err
		}
		_, pending, err = s.secrets.sealState(st)
		return err
	})
	if err != nil || pending == 0 {
		return 0, err
	}
	return s.rewriteSecrets(ctx, s.secrets.sealState)
}

// ResealStored seals every secret of the store with the current key, in one
// transaction: a key rotation, once the new key is current and the old one
// is still loaded as a previous key. It returns how many servers and
// settings it changed; run again, it changes nothing.
func (s *SystemService) ResealStored(ctx context.Context) (int, error) {
	return s.rewriteSecrets(ctx, s.secrets.resealState)
}

// rewriteSecrets reads the whole state in a transaction, lets change return
// it with other secrets, and writes back the servers and settings whose
// secrets changed; a configuration whose servers changed gets a new version,
// so that every gateway reads them again.
func (s *SystemService) rewriteSecrets(ctx context.Context, change func(state) (state, int, error)) (int, error) {
	var changed int
	err := s.store.InTx(ctx, func(tx repositories.Repos) error {
		before, err := readSecretState(ctx, tx)
		if err != nil {
			return err
		}
		after, n, err := change(before)
		if err != nil || n == 0 {
			return err
		}
		changed = n
		now := s.now()
		for i, c := range after.configs {
			touched := false
			for j, srv := range c.servers {
				if serverSecretsEqual(before.configs[i].servers[j], srv) {
					continue
				}
				if err := tx.Servers().Update(ctx, c.ID, srv); err != nil {
					return storeErr(err, "", "")
				}
				touched = true
			}
			if touched {
				if err := tx.Configs().Touch(ctx, c.ID, now); err != nil {
					return storeErr(err, "", "")
				}
			}
		}
		for i, st := range after.settings {
			if st.Value == before.settings[i].Value {
				continue
			}
			if err := tx.Settings().Put(ctx, models.Setting{Key: st.Key, Value: st.Value, UpdatedAt: st.UpdatedAt}); err != nil {
				return storeErr(err, "", "")
			}
		}
		return nil
	})
	return changed, err
}
