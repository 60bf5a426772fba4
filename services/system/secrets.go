package system

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"

	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/repositories"
	"github.com/securemcp/gateway/sealing"
	"github.com/securemcp/gateway/services/entity"
	"github.com/securemcp/gateway/services/sealed"
)

// The secrets of a whole state: sealed at a restore, an import and the
// first start, opened for a backup with secrets in clear, sealed anew at a
// rotation (see package sealed for one value).

// stateFn changes the secrets of one server or setting of a state.
type stateFns struct {
	server  func(configID string, srv models.Server) (models.Server, error)
	setting func(key, value string) (string, error)
}

// mapState applies fns to every server and setting of st and returns the
// new state (st is not changed) and how many servers and settings changed.
func mapState(st state, fns stateFns) (state, int, error) {
	out := st
	changed := 0
	out.configs = make([]configState, len(st.configs))
	for i, c := range st.configs {
		nc := configState{Config: c.Config, servers: make([]models.Server, len(c.servers))}
		for j, srv := range c.servers {
			ns, err := fns.server(c.ID, srv)
			if err != nil {
				return st, 0, err
			}
			if !serverSecretsEqual(srv, ns) {
				changed++
			}
			nc.servers[j] = ns
		}
		out.configs[i] = nc
	}
	out.settings = make([]models.Setting, len(st.settings))
	for i, s := range st.settings {
		v, err := fns.setting(s.Key, s.Value)
		if err != nil {
			return st, 0, err
		}
		if v != s.Value {
			changed++
		}
		s.Value = v
		out.settings[i] = s
	}
	return out, changed, nil
}

// serverSecretsEqual reports whether two versions of a server hold the same
// env and oauth_config.
func serverSecretsEqual(a, b models.Server) bool {
	if !maps.Equal(a.Env, b.Env) {
		return false
	}
	ja, _ := json.Marshal(a.OAuthConfig)
	jb, _ := json.Marshal(b.OAuthConfig)
	return string(ja) == string(jb)
}

// sealState seals every value in clear of st and checks that every token
// opens at its place with the loaded keys: what a restore, an import and
// the first start's sealing do.
func sealState(x sealed.Secrets, st state) (state, int, error) {
	return mapState(st, stateFns{
		server: func(configID string, srv models.Server) (models.Server, error) {
			if _, err := x.OpenServer(configID, srv); err != nil {
				return srv, err
			}
			return x.SealServer(configID, srv)
		},
		setting: func(key, value string) (string, error) {
			if _, err := x.OpenSetting(key, value); err != nil {
				return value, err
			}
			return x.SealSetting(key, value)
		},
	})
}

// openState returns st with every secret in clear (a backup with secrets).
func openState(x sealed.Secrets, st state) (state, error) {
	out, _, err := mapState(st, stateFns{server: x.OpenServer, setting: x.OpenSetting})
	return out, err
}

// resealState returns st with every token sealed with the current key, and
// every value in clear sealed: a key rotation.
func resealState(x sealed.Secrets, st state) (state, int, error) {
	return mapState(st, stateFns{
		server: func(configID string, srv models.Server) (models.Server, error) {
			env, err := x.Sealer().ResealMap(srv.Env, func(name string) string { return sealing.EnvAAD(configID, srv.Name, name) })
			if err != nil {
				return srv, sealed.Err(fmt.Sprintf("server %q env", srv.Name), err)
			}
			srv.Env = env
			if srv.OAuthConfig != nil {
				out, err := x.Sealer().ResealTree(srv.OAuthConfig, sealing.OAuthAAD(configID, srv.Name))
				if err != nil {
					return srv, sealed.Err(fmt.Sprintf("server %q oauth_config", srv.Name), err)
				}
				srv.OAuthConfig, _ = out.(map[string]any)
			}
			return x.SealServer(configID, srv)
		},
		setting: func(key, value string) (string, error) {
			v, err := x.TransformSetting(key, value, func(_ sealing.Path, s string) bool { return sealing.IsSealed(s) },
				func(p sealing.Path, s string) (string, error) {
					return x.Sealer().Reseal(s, sealing.SettingAAD(key)(p))
				})
			if err != nil {
				return value, err
			}
			return x.SealSetting(key, v)
		},
	})
}

// holdsTokens reports whether any value of st is sealed.
func holdsTokens(st state) bool {
	found := false
	_, _, _ = mapState(st, stateFns{
		server: func(_ string, srv models.Server) (models.Server, error) {
			for _, v := range srv.Env {
				found = found || sealing.IsSealed(v)
			}
			found = found || treeHoldsTokens(srv.OAuthConfig)
			return srv, nil
		},
		setting: func(_, value string) (string, error) {
			var v any
			if json.Unmarshal([]byte(value), &v) == nil {
				found = found || treeHoldsTokens(v)
			}
			return value, nil
		},
	})
	return found
}

func treeHoldsTokens(v any) bool {
	found := false
	_, _ = sealing.Transform(v, func(_ sealing.Path, s string) bool { return sealing.IsSealed(s) },
		func(_ sealing.Path, s string) (string, error) { found = true; return s, nil })
	return found
}

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
		return st, entity.StoreErr(err, "", "")
	}
	for _, c := range configs {
		servers, err := r.Servers().List(ctx, c.ID)
		if err != nil {
			return st, entity.StoreErr(err, "", "")
		}
		st.configs = append(st.configs, configState{Config: c.Config, servers: servers})
	}
	if st.settings, err = r.Settings().List(ctx); err != nil {
		return st, entity.StoreErr(err, "", "")
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
		_, pending, err = sealState(s.secrets, st)
		return err
	})
	if err != nil || pending == 0 {
		return 0, err
	}
	return s.rewriteSecrets(ctx, func(st state) (state, int, error) { return sealState(s.secrets, st) })
}

// ResealStored seals every secret of the store with the current key, in one
// transaction: a key rotation, once the new key is current and the old one
// is still loaded as a previous key. It returns how many servers and
// settings it changed; run again, it changes nothing.
func (s *SystemService) ResealStored(ctx context.Context) (int, error) {
	return s.rewriteSecrets(ctx, func(st state) (state, int, error) { return resealState(s.secrets, st) })
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
					return entity.StoreErr(err, "", "")
				}
				touched = true
			}
			if touched {
				if err := tx.Configs().Touch(ctx, c.ID, now); err != nil {
					return entity.StoreErr(err, "", "")
				}
			}
		}
		for i, st := range after.settings {
			if st.Value == before.settings[i].Value {
				continue
			}
			if err := tx.Settings().Put(ctx, models.Setting{Key: st.Key, Value: st.Value, UpdatedAt: st.UpdatedAt}); err != nil {
				return entity.StoreErr(err, "", "")
			}
		}
		return nil
	})
	return changed, err
}
