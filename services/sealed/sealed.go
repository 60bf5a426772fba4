// Package sealed keeps the secrets of the store's values sealed: a server's
// env values, the secret strings of its oauth_config, and the secret strings
// of settings (the whole enkrypt_api_key, credentials inside plugins or any
// other setting). The store, its backups and the services' own values hold
// tokens (package sealing); responses show masks; the clear value exists
// only in a request being stored, in the process environment of an upstream
// being started and in the provider key read for a guardrails call.
package sealed

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/sealing"
	"github.com/securemcp/gateway/services/errs"
)

// OAuthRules say which strings of an oauth_config are secrets: those with a
// credential's name, and the PKCE code verifier, which the original system
// masks too.
var OAuthRules = sealing.Rules{Names: []string{"OAUTH_CODE_VERIFIER"}}

// SettingRules say which strings of a setting's value are secrets: all of
// it for a setting named as a credential (enkrypt_api_key), else the
// credentials inside it.
func SettingRules(key string) sealing.Rules {
	return sealing.Rules{All: sealing.SecretName(key)}
}

// Secrets seals and opens the values of one store with its key.
type Secrets struct {
	sealer *sealing.Sealer
}

// New returns the Secrets of a store whose key (and previous keys) sealer holds.
func New(sealer *sealing.Sealer) Secrets { return Secrets{sealer: sealer} }

// Sealer is the sealer of the store's keys.
func (x Secrets) Sealer() *sealing.Sealer { return x.sealer }

// Err is the client-safe error of a value that does not open: restore
// and import documents sealed with another key, damaged tokens. Messages
// name the place and the key id, never a value.
func Err(place string, err error) error {
	var e *errs.Error
	switch {
	case errors.Is(err, sealing.ErrUnknownKey):
		e = errs.Invalid("%s: %v (it was sealed with another secret key: load that key, with SMG_SECRET_KEY or the key file, to use it)", place, err)
	case errors.Is(err, sealing.ErrAuthentication), errors.Is(err, sealing.ErrMalformed):
		e = errs.Invalid("%s: %v", place, err)
	default:
		return &errs.Error{Kind: errs.KindInternal, Message: "cannot seal a secret", Err: err}
	}
	e.Err = err // for errors.Is; its text holds no value either
	return e
}

// RefuseTokens refuses sealed values in what a client sends: a client only
// ever sees masks, so a token in a request is a copy from the store or from
// a backup, which could otherwise move a secret of one place to another.
func RefuseTokens(field string, v any) error {
	var found string
	_, _ = sealing.Transform(v, func(p sealing.Path, s string) bool { return sealing.IsSealed(s) }, func(p sealing.Path, s string) (string, error) {
		if found == "" {
			found = field + p.Pointer()
		}
		return s, nil
	})
	if found != "" {
		return errs.Invalid("%s holds a sealed value (smgsealed:…); send the secret itself, or the masked value a response showed to keep the stored one", found)
	}
	return nil
}

// SealServer returns srv with every env value and secret oauth_config
// string in clear sealed for its place in configuration configID; values
// already sealed are kept (they came from the store).
func (x Secrets) SealServer(configID string, srv models.Server) (models.Server, error) {
	env := make(map[string]string, len(srv.Env))
	for name, v := range srv.Env {
		if !sealing.IsSealed(v) {
			t, err := x.sealer.Seal(v, sealing.EnvAAD(configID, srv.Name, name))
			if err != nil {
				return srv, Err(fmt.Sprintf("server %q env %s", srv.Name, name), err)
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
			return !sealing.IsSealed(s) && OAuthRules.Secret(p, s)
		}, func(p sealing.Path, s string) (string, error) { return x.sealer.Seal(s, aad(p)) })
		if err != nil {
			return srv, Err(fmt.Sprintf("server %q oauth_config", srv.Name), err)
		}
		srv.OAuthConfig, _ = out.(map[string]any)
	}
	return srv, nil
}

// OpenServer returns srv with its env and oauth_config in clear. Errors
// name the value's place.
func (x Secrets) OpenServer(configID string, srv models.Server) (models.Server, error) {
	env, err := x.sealer.OpenMap(srv.Env, func(name string) string { return sealing.EnvAAD(configID, srv.Name, name) })
	if err != nil {
		return srv, Err(fmt.Sprintf("server %q env", srv.Name), err)
	}
	srv.Env = env
	if srv.OAuthConfig != nil {
		out, err := x.sealer.OpenTree(srv.OAuthConfig, sealing.OAuthAAD(configID, srv.Name))
		if err != nil {
			return srv, Err(fmt.Sprintf("server %q oauth_config", srv.Name), err)
		}
		srv.OAuthConfig, _ = out.(map[string]any)
	}
	return srv, nil
}

// PublicServer is a server as clients see it: env values and oauth_config
// secrets masked. A value that does not open (sealed with a key no longer
// loaded) shows as "****": a listing still works, and the start of the
// server says what is wrong.
func (x Secrets) PublicServer(configID string, srv models.Server) models.Server {
	env := make(map[string]string, len(srv.Env))
	for name, v := range srv.Env {
		env[name] = x.maskOne(v, sealing.EnvAAD(configID, srv.Name, name))
	}
	if srv.Env != nil {
		srv.Env = env
	}
	if srv.OAuthConfig != nil {
		srv.OAuthConfig = x.maskTree(srv.OAuthConfig, OAuthRules, sealing.OAuthAAD(configID, srv.Name))
	}
	return srv
}

// PublicServers masks the servers of a listing, in a new slice.
func (x Secrets) PublicServers(configID string, servers []models.Server) []models.Server {
	out := make([]models.Server, len(servers))
	for i, srv := range servers {
		out[i] = x.PublicServer(configID, srv)
	}
	return out
}

// maskOne masks one value, sealed or (before the first start's sealing) in clear.
func (x Secrets) maskOne(v, aad string) string {
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
func (x Secrets) maskTree(v map[string]any, rules sealing.Rules, aad func(sealing.Path) string) map[string]any {
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

// KeepMaskedEnv returns the env to store when a client sends sent for a
// server whose stored env is stored (sealed): a value sent back as the mask
// of the stored one keeps it.
func (x Secrets) KeepMaskedEnv(configID, server string, sent, stored map[string]string) (map[string]string, error) {
	opened, err := x.sealer.OpenMap(stored, func(name string) string { return sealing.EnvAAD(configID, server, name) })
	if err != nil {
		return nil, Err(fmt.Sprintf("server %q env", server), err)
	}
	return sealing.KeepMaskedMap(sent, opened), nil
}

// KeepMaskedOAuth is KeepMaskedEnv for an oauth_config.
func (x Secrets) KeepMaskedOAuth(configID, server string, sent, stored models.JSONObject) (models.JSONObject, error) {
	if sent == nil || stored == nil {
		return sent, nil
	}
	opened, err := x.sealer.OpenTree(stored, sealing.OAuthAAD(configID, server))
	if err != nil {
		return nil, Err(fmt.Sprintf("server %q oauth_config", server), err)
	}
	merged, _ := OAuthRules.KeepMasked(map[string]any(sent), opened).(map[string]any)
	return merged, nil
}

// MoveServer returns a server sealed at configuration from as sealed at
// configuration to (a copy, an import of an export): each value is opened
// at its old place and sealed at its new one, and values in clear are
// sealed.
func (x Secrets) MoveServer(from, to string, srv models.Server) (models.Server, error) {
	opened, err := x.OpenServer(from, srv)
	if err != nil {
		return srv, err
	}
	return x.SealServer(to, opened)
}

// SealSetting returns a setting's JSON value with its secrets in clear sealed.
func (x Secrets) SealSetting(key, value string) (string, error) {
	return x.TransformSetting(key, value, func(p sealing.Path, s string) bool {
		return !sealing.IsSealed(s) && SettingRules(key).Secret(p, s)
	}, func(p sealing.Path, s string) (string, error) { return x.sealer.Seal(s, sealing.SettingAAD(key)(p)) })
}

// OpenSetting returns a setting's JSON value in clear.
func (x Secrets) OpenSetting(key, value string) (string, error) {
	return x.TransformSetting(key, value, func(_ sealing.Path, s string) bool { return sealing.IsSealed(s) },
		func(p sealing.Path, s string) (string, error) { return x.sealer.Open(s, sealing.SettingAAD(key)(p)) })
}

// MaskSetting returns a setting's decoded value for display.
func (x Secrets) MaskSetting(key string, v any) any {
	opened, _ := sealing.Transform(v, func(_ sealing.Path, s string) bool { return sealing.IsSealed(s) },
		func(p sealing.Path, s string) (string, error) {
			plain, err := x.sealer.Open(s, sealing.SettingAAD(key)(p))
			if err != nil {
				return "****", nil
			}
			return plain, nil
		})
	return SettingRules(key).Mask(opened)
}

// TransformSetting applies fn to the strings of a setting's JSON value that
// pick chooses.
func (x Secrets) TransformSetting(key, value string, pick func(sealing.Path, string) bool, fn func(sealing.Path, string) (string, error)) (string, error) {
	var v any
	if err := json.Unmarshal([]byte(value), &v); err != nil {
		return value, nil // not JSON: the state checks report it
	}
	out, err := sealing.Transform(v, pick, fn)
	if err != nil {
		return value, Err(fmt.Sprintf("setting %q", key), err)
	}
	data, err := json.Marshal(out)
	if err != nil {
		return value, &errs.Error{Kind: errs.KindInternal, Message: "cannot encode a setting", Err: err}
	}
	return string(data), nil
}

// RefuseServerTokens refuses sealed values in a server's env or oauth_config
// as a client sent them.
func RefuseServerTokens(env map[string]string, oauth models.JSONObject) error {
	if err := RefuseTokens("env", env); err != nil {
		return err
	}
	return RefuseTokens("oauth_config", map[string]any(oauth))
}
