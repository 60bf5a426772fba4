package services

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"

	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/sealing"
)

// Secrets kept in the store are sealed (package sealing): a server's env
// values, the secret strings of its oauth_config, and the secret strings of
// settings (the whole enkrypt_api_key, credentials inside plugins or any
// other setting). The store, its backups and the services' own values hold
// tokens; responses show masks; the clear value exists only in a request
// being stored, in the process environment of an upstream being started and
// in the provider key read for a guardrails call.

// oauthRules say which strings of an oauth_config are secrets: those with a
// credential's name, and the PKCE code verifier, which the original system
// masks too.
var oauthRules = sealing.Rules{Names: []string{"OAUTH_CODE_VERIFIER"}}

// settingRules say which strings of a setting's value are secrets: all of
// it for a setting named as a credential (enkrypt_api_key), else the
// credentials inside it.
func settingRules(key string) sealing.Rules {
	return sealing.Rules{All: sealing.SecretName(key)}
}

// secrets seals and opens the values of one store with its key.
type secrets struct {
	sealer *sealing.Sealer
}

// secretErr is the client-safe error of a value that does not open: restore
// and import documents sealed with another key, damaged tokens. Messages
// name the place and the key id, never a value.
func secretErr(place string, err error) error {
	var e *Error
	switch {
	case errors.Is(err, sealing.ErrUnknownKey):
		e = Invalid("%s: %v (it was sealed with another secret key: load that key, with SMG_SECRET_KEY or the key file, to use it)", place, err)
	case errors.Is(err, sealing.ErrAuthentication), errors.Is(err, sealing.ErrMalformed):
		e = Invalid("%s: %v", place, err)
	default:
		return &Error{Kind: KindInternal, Message: "cannot seal a secret", Err: err}
	}
	e.Err = err // for errors.Is; its text holds no value either
	return e
}

// refuseTokens refuses sealed values in what a client sends: a client only
// ever sees masks, so a token in a request is a copy from the store or from
// a backup, which could otherwise move a secret of one place to another.
func refuseTokens(field string, v any) error {
	var found string
	_, _ = sealing.Transform(v, func(p sealing.Path, s string) bool { return sealing.IsSealed(s) }, func(p sealing.Path, s string) (string, error) {
		if found == "" {
			found = field + p.Pointer()
		}
		return s, nil
	})
	if found != "" {
		return Invalid("%s holds a sealed value (smgsealed:…); send the secret itself, or the masked value a response showed to keep the stored one", found)
	}
	return nil
}

// sealServer returns srv with every env value and secret oauth_config
// string in clear sealed for its place in configuration configID; values
// already sealed are kept (they came from the store).
func (x secrets) sealServer(configID string, srv models.Server) (models.Server, error) {
	env := make(map[string]string, len(srv.Env))
	for name, v := range srv.Env {
		if !sealing.IsSealed(v) {
			t, err := x.sealer.Seal(v, sealing.EnvAAD(configID, srv.Name, name))
			if err != nil {
				return srv, secretErr(fmt.Sprintf("server %q env %s", srv.Name, name), err)
			}
			v = t
		}
		env[name] = v
	}
	if srv.Env != nil {
		srv.Env = env
	}
	if srv.OAuthConfig != nil {
		aad := sealing.OAuthAAD(configID, srv.Name)
		out, err := sealing.Transform(srv.OAuthConfig, func(p sealing.Path, s string) bool {
			return !sealing.IsSealed(s) && oauthRules.Secret(p, s)
		}, func(p sealing.Path, s string) (string, error) { return x.sealer.Seal(s, aad(p)) })
		if err != nil {
			return srv, secretErr(fmt.Sprintf("server %q oauth_config", srv.Name), err)
		}
		srv.OAuthConfig, _ = out.(map[string]any)
	}
	return srv, nil
}

// openServer returns srv with its env and oauth_config in clear. Errors
// name the value's place.
func (x secrets) openServer(configID string, srv models.Server) (models.Server, error) {
	env, err := x.sealer.OpenMap(srv.Env, func(name string) string { return sealing.EnvAAD(configID, srv.Name, name) })
	if err != nil {
		return srv, secretErr(fmt.Sprintf("server %q env", srv.Name), err)
	}
	srv.Env = env
	if srv.OAuthConfig != nil {
		out, err := x.sealer.OpenTree(srv.OAuthConfig, sealing.OAuthAAD(configID, srv.Name))
		if err != nil {
			return srv, secretErr(fmt.Sprintf("server %q oauth_config", srv.Name), err)
		}
		srv.OAuthConfig, _ = out.(map[string]any)
	}
	return srv, nil
}

// publicServer is a server as clients see it: env values and oauth_config
// secrets masked. A value that does not open (sealed with a key no longer
// loaded) shows as "****": a listing still works, and the start of the
// server says what is wrong.
func (x secrets) publicServer(configID string, srv models.Server) models.Server {
	env := make(map[string]string, len(srv.Env))
	for name, v := range srv.Env {
		env[name] = x.maskOne(v, sealing.EnvAAD(configID, srv.Name, name))
	}
	if srv.Env != nil {
		srv.Env = env
	}
	if srv.OAuthConfig != nil {
		srv.OAuthConfig = x.maskTree(srv.OAuthConfig, oauthRules, sealing.OAuthAAD(configID, srv.Name))
	}
	return srv
}

// publicServers masks the servers of a listing, in a new slice.
func (x secrets) publicServers(configID string, servers []models.Server) []models.Server {
	out := make([]models.Server, len(servers))
	for i, srv := range servers {
		out[i] = x.publicServer(configID, srv)
	}
	return out
}

// maskOne masks one value, sealed or (before the first start's sealing) in clear.
func (x secrets) maskOne(v, aad string) string {
	if !sealing.IsSealed(v) {
		return sealing.Mask(v)
	}
	plain, err := x.sealer.Open(v, aad)
	if err != nil {
		return "****"
	}
	return sealing.Mask(plain)
}

// maskTree opens the tokens of a tree and masks what rules call secrets.
func (x secrets) maskTree(v map[string]any, rules sealing.Rules, aad func(sealing.Path) string) map[string]any {
	opened, err := sealing.Transform(v, func(_ sealing.Path, s string) bool { return sealing.IsSealed(s) },
		func(p sealing.Path, s string) (string, error) {
			plain, err := x.sealer.Open(s, aad(p))
			if err != nil {
				return "****", nil
			}
			return plain, nil
		})
	if err != nil {
		return nil
	}
	out, _ := rules.Mask(opened).(map[string]any)
	return out
}

// keepMaskedEnv returns the env to store when a client sends sent for a
// server whose stored env is stored (sealed): a value sent back as the mask
// of the stored one keeps it.
func (x secrets) keepMaskedEnv(configID, server string, sent, stored map[string]string) (map[string]string, error) {
	opened, err := x.sealer.OpenMap(stored, func(name string) string { return sealing.EnvAAD(configID, server, name) })
	if err != nil {
		return nil, secretErr(fmt.Sprintf("server %q env", server), err)
	}
	return sealing.KeepMaskedMap(sent, opened), nil
}

// keepMaskedOAuth is keepMaskedEnv for an oauth_config.
func (x secrets) keepMaskedOAuth(configID, server string, sent, stored models.JSONObject) (models.JSONObject, error) {
	if sent == nil || stored == nil {
		return sent, nil
	}
	opened, err := x.sealer.OpenTree(stored, sealing.OAuthAAD(configID, server))
	if err != nil {
		return nil, secretErr(fmt.Sprintf("server %q oauth_config", server), err)
	}
	merged, _ := oauthRules.KeepMasked(map[string]any(sent), opened).(map[string]any)
	return merged, nil
}

// moveServer returns a server sealed at configuration from as sealed at
// configuration to (a copy, an import of an export): each value is opened
// at its old place and sealed at its new one, and values in clear are
// sealed.
func (x secrets) moveServer(from, to string, srv models.Server) (models.Server, error) {
	opened, err := x.openServer(from, srv)
	if err != nil {
		return srv, err
	}
	return x.sealServer(to, opened)
}

// sealSetting returns a setting's JSON value with its secrets in clear sealed.
func (x secrets) sealSetting(key, value string) (string, error) {
	return x.transformSetting(key, value, func(p sealing.Path, s string) bool {
		return !sealing.IsSealed(s) && settingRules(key).Secret(p, s)
	}, func(p sealing.Path, s string) (string, error) { return x.sealer.Seal(s, sealing.SettingAAD(key)(p)) })
}

// openSetting returns a setting's JSON value in clear.
func (x secrets) openSetting(key, value string) (string, error) {
	return x.transformSetting(key, value, func(_ sealing.Path, s string) bool { return sealing.IsSealed(s) },
		func(p sealing.Path, s string) (string, error) { return x.sealer.Open(s, sealing.SettingAAD(key)(p)) })
}

// maskSetting returns a setting's decoded value for display.
func (x secrets) maskSetting(key string, v any) any {
	opened, _ := sealing.Transform(v, func(_ sealing.Path, s string) bool { return sealing.IsSealed(s) },
		func(p sealing.Path, s string) (string, error) {
			plain, err := x.sealer.Open(s, sealing.SettingAAD(key)(p))
			if err != nil {
				return "****", nil
			}
			return plain, nil
		})
	return settingRules(key).Mask(opened)
}

func (x secrets) transformSetting(key, value string, pick func(sealing.Path, string) bool, fn func(sealing.Path, string) (string, error)) (string, error) {
	var v any
	if err := json.Unmarshal([]byte(value), &v); err != nil {
		return value, nil // not JSON: the state checks report it
	}
	out, err := sealing.Transform(v, pick, fn)
	if err != nil {
		return value, secretErr(fmt.Sprintf("setting %q", key), err)
	}
	data, err := json.Marshal(out)
	if err != nil {
		return value, &Error{Kind: KindInternal, Message: "cannot encode a setting", Err: err}
	}
	return string(data), nil
}

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
func (x secrets) sealState(st state) (state, int, error) {
	return mapState(st, stateFns{
		server: func(configID string, srv models.Server) (models.Server, error) {
			if _, err := x.openServer(configID, srv); err != nil {
				return srv, err
			}
			return x.sealServer(configID, srv)
		},
		setting: func(key, value string) (string, error) {
			if _, err := x.openSetting(key, value); err != nil {
				return value, err
			}
			return x.sealSetting(key, value)
		},
	})
}

// openState returns st with every secret in clear (a backup with secrets).
func (x secrets) openState(st state) (state, error) {
	out, _, err := mapState(st, stateFns{server: x.openServer, setting: x.openSetting})
	return out, err
}

// resealState returns st with every token sealed with the current key, and
// every value in clear sealed: a key rotation.
func (x secrets) resealState(st state) (state, int, error) {
	return mapState(st, stateFns{
		server: func(configID string, srv models.Server) (models.Server, error) {
			env, err := x.sealer.ResealMap(srv.Env, func(name string) string { return sealing.EnvAAD(configID, srv.Name, name) })
			if err != nil {
				return srv, secretErr(fmt.Sprintf("server %q env", srv.Name), err)
			}
			srv.Env = env
			if srv.OAuthConfig != nil {
				out, err := x.sealer.ResealTree(srv.OAuthConfig, sealing.OAuthAAD(configID, srv.Name))
				if err != nil {
					return srv, secretErr(fmt.Sprintf("server %q oauth_config", srv.Name), err)
				}
				srv.OAuthConfig, _ = out.(map[string]any)
			}
			return x.sealServer(configID, srv)
		},
		setting: func(key, value string) (string, error) {
			v, err := x.transformSetting(key, value, func(_ sealing.Path, s string) bool { return sealing.IsSealed(s) },
				func(p sealing.Path, s string) (string, error) { return x.sealer.Reseal(s, sealing.SettingAAD(key)(p)) })
			if err != nil {
				return value, err
			}
			return x.sealSetting(key, v)
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

// refuseServerTokens refuses sealed values in a server's env or oauth_config
// as a client sent them.
func refuseServerTokens(env map[string]string, oauth models.JSONObject) error {
	if err := refuseTokens("env", env); err != nil {
		return err
	}
	return refuseTokens("oauth_config", map[string]any(oauth))
}
