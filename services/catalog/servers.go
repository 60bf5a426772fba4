package catalog

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/securemcp/gateway/guardrails"
	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/repositories"
	"github.com/securemcp/gateway/services/confine"
	"github.com/securemcp/gateway/services/entity"
	"github.com/securemcp/gateway/services/errs"
	"github.com/securemcp/gateway/services/sealed"
)

// ServerPatch is a partial update of a server: a non-nil field replaces the
// stored value, empty values included.
type ServerPatch struct {
	Command     *string
	Description *string
	Args        *[]string
	Env         *map[string]string
	Tools       *map[string]any
	// SharedProcess switches between one process per user and project and
	// one per configuration.
	SharedProcess *bool
	// OAuthConfig replaces the oauth_config (empty: none); members sent as a
	// response masked them keep their stored values.
	OAuthConfig *map[string]any
}

// PolicyUpdate replaces the input and/or output guardrails policy of a server.
// A policy comes either inline or from a file of the data directory.
type PolicyUpdate struct {
	Input      *models.GuardrailPolicy
	InputFile  string
	Output     *models.GuardrailPolicy
	OutputFile string
	// single marks the update of one direction, whose fields are named
	// policy and policy_file, so that errors name what the client sent.
	single bool
}

// InputPolicyUpdate replaces the input policy alone (fields policy, policy_file).
func InputPolicyUpdate(policy *models.GuardrailPolicy, file string) PolicyUpdate {
	return PolicyUpdate{Input: policy, InputFile: file, single: true}
}

// OutputPolicyUpdate replaces the output policy alone (fields policy, policy_file).
func OutputPolicyUpdate(policy *models.GuardrailPolicy, file string) PolicyUpdate {
	return PolicyUpdate{Output: policy, OutputFile: file, single: true}
}

func serverNotFound(name, config string) string {
	return fmt.Sprintf("server %q not found in configuration %q", name, config)
}

// serverLookupErr maps the error of finding a server by the name in a path:
// a name no backend can store names no server.
func serverLookupErr(err error, name, config string) error {
	if errors.Is(err, repositories.ErrUnstorable) {
		err = repositories.ErrNotFound
	}
	return entity.StoreErr(err, serverNotFound(name, config), "")
}

// MaxNestingDepth bounds how deep the free-form JSON of a server (tools,
// policies' additional_config) nests: far beyond any real tool schema, and
// far below what export and backup documents can encode.
const MaxNestingDepth = 64

// NestedDeeperThan reports whether v has more than limit levels of arrays and
// objects.
func NestedDeeperThan(v any, limit int) bool {
	switch t := v.(type) {
	case map[string]any:
		if len(t) > 0 && limit == 0 {
			return true
		}
		for _, item := range t {
			if NestedDeeperThan(item, limit-1) {
				return true
			}
		}
	case []any:
		if len(t) > 0 && limit == 0 {
			return true
		}
		for _, item := range t {
			if NestedDeeperThan(item, limit-1) {
				return true
			}
		}
	}
	return false
}

// checkNewServer is CheckServer with the rules for names given from now on.
func checkNewServer(s models.Server) []string {
	issues := CheckServer(s)
	if entity.ReservedName(s.Name) {
		issues = append(issues, "server_name "+entity.ReservedNameProblem)
	}
	return issues
}

// CheckServer validates the fields of a server that every write must keep valid.
func CheckServer(s models.Server) []string {
	var issues []string
	if p := entity.NameProblem(s.Name); p != "" {
		issues = append(issues, "server_name "+p)
	}
	if strings.TrimSpace(s.Command) == "" {
		issues = append(issues, fmt.Sprintf("server %q: server_command is required", s.Name))
	}
	if !entity.StorableText(s.Description) {
		issues = append(issues, fmt.Sprintf("server %q: description must not contain a NUL character", s.Name))
	}
	// A process cannot receive a NUL byte in its command, arguments or
	// environment: such a server could never start.
	if strings.ContainsRune(s.Command, 0) {
		issues = append(issues, fmt.Sprintf("server %q: server_command must not contain a NUL character", s.Name))
	}
	for _, arg := range s.Args {
		if strings.ContainsRune(arg, 0) {
			issues = append(issues, fmt.Sprintf("server %q: args must not contain a NUL character", s.Name))
			break
		}
	}
	for _, doc := range []struct {
		field string
		value any
	}{
		{"tools", map[string]any(s.Tools)},
		{"input_guardrails_policy.additional_config", map[string]any(s.InputPolicy.AdditionalConfig)},
		{"output_guardrails_policy.additional_config", map[string]any(s.OutputPolicy.AdditionalConfig)},
		{"tool_guardrails_policy.additional_config", map[string]any(s.ToolPolicy.AdditionalConfig)},
		{"oauth_config", map[string]any(s.OAuthConfig)},
	} {
		if NestedDeeperThan(doc.value, MaxNestingDepth) {
			issues = append(issues, fmt.Sprintf("server %q: %s nests deeper than %d levels", s.Name, doc.field, MaxNestingDepth))
		}
	}
	for k, v := range s.Env {
		if strings.TrimSpace(k) == "" || strings.ContainsAny(k, "=\x00") {
			issues = append(issues, fmt.Sprintf("server %q: env name %q is invalid", s.Name, k))
		} else if strings.ContainsRune(v, 0) {
			issues = append(issues, fmt.Sprintf("server %q: env %s must not contain a NUL character", s.Name, k))
		}
	}
	return issues
}

// ListServers returns the servers of a configuration.
func (s *ConfigService) ListServers(ctx context.Context, ident string) ([]models.Server, error) {
	d, err := s.Get(ctx, ident)
	return d.Servers, err
}

// CurrentServers returns a configuration with its servers as stored now,
// past any read cache of the store, in one snapshot: its UpdatedAt is the
// version the servers belong to. The gateway keeps what it reads under that
// version, which it compares with the one Verify reports (never cached).
func (s *ConfigService) CurrentServers(ctx context.Context, ident string) (ConfigDetail, error) {
	var d ConfigDetail
	err := s.store.ReadSnapshot(ctx, func(r repositories.Repos) error {
		c, err := ResolveConfig(ctx, r, ident)
		if err != nil {
			return err
		}
		servers, err := r.Servers().List(ctx, c.ID)
		d = ConfigDetail{Config: c, Servers: servers}
		return entity.StoreErr(err, "", "")
	})
	return d, err
}

// OpenEnv returns a server's env in clear, for the gateway to start its
// process: env holds the values as CurrentServers gave them (sealed). It is
// the one way out of the store for env values in clear.
func (s *ConfigService) OpenEnv(configID, server string, env map[string]string) (map[string]string, error) {
	srv, err := s.secrets.OpenServer(configID, models.Server{Name: server, Env: env})
	return srv.Env, err
}

// ServerToStart returns a server as stored (its secrets sealed) and the id
// of its configuration, for the gateway to start it (OpenEnv opens its env).
func (s *ConfigService) ServerToStart(ctx context.Context, ident, name string) (string, models.Server, error) {
	c, err := ResolveConfig(ctx, s.store, ident)
	if err != nil {
		return "", models.Server{}, err
	}
	srv, err := s.store.Servers().Get(ctx, c.ID, name)
	return c.ID, srv, serverLookupErr(err, name, c.Name)
}

// AddServer adds a server; its name must be unique within the configuration.
// It returns the server as clients see it (secrets masked).
func (s *ConfigService) AddServer(ctx context.Context, ident string, srv models.Server) (models.Server, error) {
	srv.Name = strings.TrimSpace(srv.Name)
	if issues := checkNewServer(srv); len(issues) > 0 {
		return models.Server{}, errs.InvalidIssues(issues)
	}
	if err := sealed.RefuseServerTokens(srv.Env, srv.OAuthConfig); err != nil {
		return models.Server{}, err
	}
	now := s.now()
	srv.CreatedAt, srv.UpdatedAt = now, now
	srv = srv.Normalize()
	var configID string
	err := s.store.InTx(ctx, func(tx repositories.Repos) error {
		c, err := ResolveConfig(ctx, tx, ident)
		if err != nil {
			return err
		}
		if srv, err = s.secrets.SealServer(c.ID, srv); err != nil {
			return err
		}
		if err := tx.Servers().Create(ctx, c.ID, srv); err != nil {
			return entity.StoreErr(err, "", fmt.Sprintf("server %q already exists in configuration %q", srv.Name, c.Name))
		}
		configID = c.ID
		return entity.StoreErr(tx.Configs().Touch(ctx, c.ID, now), "", "")
	})
	return s.secrets.PublicServer(configID, srv), err
}

// GetServer returns one server of a configuration.
func (s *ConfigService) GetServer(ctx context.Context, ident, name string) (models.Server, error) {
	c, err := ResolveConfig(ctx, s.store, ident)
	if err != nil {
		return models.Server{}, err
	}
	srv, err := s.store.Servers().Get(ctx, c.ID, name)
	return forReader(ctx, s.secrets.PublicServer(c.ID, srv)), serverLookupErr(err, name, c.Name)
}

// modifyServer applies change to a stored server inside one transaction.
// change sees the server of configuration configID as stored (secrets
// sealed) and may put secrets in clear in it, which are sealed before the
// server is stored.
func (s *ConfigService) modifyServer(ctx context.Context, ident, name string, change func(configID string, srv *models.Server) error) (models.Server, error) {
	var srv models.Server
	var configID string
	err := s.store.InTx(ctx, func(tx repositories.Repos) error {
		c, err := ResolveConfig(ctx, tx, ident)
		if err != nil {
			return err
		}
		configID = c.ID
		if srv, err = tx.Servers().Get(ctx, c.ID, name); err != nil {
			return serverLookupErr(err, name, c.Name)
		}
		if err := change(c.ID, &srv); err != nil {
			return err
		}
		if issues := CheckServer(srv); len(issues) > 0 {
			return errs.InvalidIssues(issues)
		}
		if srv, err = s.secrets.SealServer(c.ID, srv); err != nil {
			return err
		}
		srv.UpdatedAt = s.now()
		if err := tx.Servers().Update(ctx, c.ID, srv); err != nil {
			return entity.StoreErr(err, serverNotFound(name, c.Name), "")
		}
		return entity.StoreErr(tx.Configs().Touch(ctx, c.ID, srv.UpdatedAt), "", "")
	})
	return s.secrets.PublicServer(configID, srv.Normalize()), err
}

// UpdateServer applies a partial update.
func (s *ConfigService) UpdateServer(ctx context.Context, ident, name string, p ServerPatch) (models.Server, error) {
	if p == (ServerPatch{}) {
		return models.Server{}, errs.Invalid("at least one of server_command, args, env, tools, description, shared_process, oauth_config is required")
	}
	if p.Env != nil {
		if err := sealed.RefuseServerTokens(*p.Env, nil); err != nil {
			return models.Server{}, err
		}
	}
	if p.OAuthConfig != nil {
		if err := sealed.RefuseServerTokens(nil, *p.OAuthConfig); err != nil {
			return models.Server{}, err
		}
	}
	return s.modifyServer(ctx, ident, name, func(configID string, srv *models.Server) error {
		if p.Command != nil {
			srv.Command = *p.Command
		}
		if p.Description != nil {
			srv.Description = *p.Description
		}
		if p.Args != nil {
			srv.Args = *p.Args
		}
		if p.Env != nil {
			env, err := s.secrets.KeepMaskedEnv(configID, srv.Name, *p.Env, srv.Env)
			if err != nil {
				return err
			}
			srv.Env = env
		}
		if p.Tools != nil {
			srv.Tools = *p.Tools
		}
		if p.SharedProcess != nil {
			srv.SharedProcess = *p.SharedProcess
		}
		if p.OAuthConfig != nil {
			oauth, err := s.secrets.KeepMaskedOAuth(configID, srv.Name, *p.OAuthConfig, srv.OAuthConfig)
			if err != nil {
				return err
			}
			srv.OAuthConfig = oauth
		}
		return nil
	})
}

// SetPolicies replaces guardrails policies of a server.
func (s *ConfigService) SetPolicies(ctx context.Context, ident, name string, u PolicyUpdate) (models.Server, error) {
	inputField, outputField := "input_policy", "output_policy"
	if u.single {
		inputField, outputField = "policy", "policy"
	}
	input, err := s.policy(inputField, u.Input, u.InputFile)
	if err != nil {
		return models.Server{}, err
	}
	output, err := s.policy(outputField, u.Output, u.OutputFile)
	if err != nil {
		return models.Server{}, err
	}
	switch {
	case input == nil && output == nil && u.single:
		return models.Server{}, errs.Invalid("policy or policy_file is required")
	case input == nil && output == nil:
		return models.Server{}, errs.Invalid("at least one of input_policy, input_policy_file, output_policy, output_policy_file is required")
	}
	return s.modifyServer(ctx, ident, name, func(_ string, srv *models.Server) error {
		if input != nil {
			srv.InputPolicy = *input
		}
		if output != nil {
			srv.OutputPolicy = *output
		}
		return nil
	})
}

// policy returns the inline policy, or the one read from file, or nil if neither.
func (s *ConfigService) policy(field string, inline *models.GuardrailPolicy, file string) (*models.GuardrailPolicy, error) {
	switch {
	case inline != nil && file != "":
		return nil, errs.Invalid("give either %s or %s_file, not both", field, field)
	case inline != nil:
		p := inline.Normalize()
		return &p, nil
	case file == "":
		return nil, nil
	}
	data, err := s.files.ReadFile(field+"_file", file, confine.MaxDocumentBytes)
	if err != nil {
		return nil, err
	}
	p, err := models.ParseGuardrailPolicy(data)
	if err != nil {
		return nil, errs.Invalid("%s_file %q: %v", field, file, err)
	}
	return &p, nil
}

// RemoveServer deletes one server.
func (s *ConfigService) RemoveServer(ctx context.Context, ident, name string) error {
	return s.store.InTx(ctx, func(tx repositories.Repos) error {
		c, err := ResolveConfig(ctx, tx, ident)
		if err != nil {
			return err
		}
		if err := tx.Servers().Delete(ctx, c.ID, name); err != nil {
			return serverLookupErr(err, name, c.Name)
		}
		return entity.StoreErr(tx.Configs().Touch(ctx, c.ID, s.now()), "", "")
	})
}

// RemoveAllServers deletes every server of a configuration and returns how many.
func (s *ConfigService) RemoveAllServers(ctx context.Context, ident string) (int, error) {
	var n int
	err := s.store.InTx(ctx, func(tx repositories.Repos) error {
		c, err := ResolveConfig(ctx, tx, ident)
		if err != nil {
			return err
		}
		servers, err := tx.Servers().List(ctx, c.ID)
		if err != nil {
			return entity.StoreErr(err, "", "")
		}
		n = len(servers)
		if err := tx.Servers().DeleteAll(ctx, c.ID); err != nil {
			return entity.StoreErr(err, "", "")
		}
		return entity.StoreErr(tx.Configs().Touch(ctx, c.ID, s.now()), "", "")
	})
	return n, err
}

// Validate checks a configuration: valid, or an invalid error listing every
// problem found.
func (s *ConfigService) Validate(ctx context.Context, ident string) (models.ValidationResult, error) {
	d, err := s.detail(ctx, ident)
	if err != nil {
		return models.ValidationResult{}, err
	}
	issues, warnings := validateServers(d.Servers, s.policies)
	if len(issues) > 0 {
		return models.ValidationResult{}, errs.InvalidIssues(issues)
	}
	return models.ValidationResult{Valid: true, Issues: []string{}, Warnings: warnings}, nil
}

// validateServers lists the problems that keep a configuration from working
// (issues) and what works otherwise than its author may think (warnings:
// detectors the guardrails provider does not evaluate, unknown detector
// names).
func validateServers(servers []models.Server, policies guardrails.Provider) (issues, warnings []string) {
	issues, warnings = []string{}, []string{}
	if len(servers) == 0 {
		issues = append(issues, "configuration has no servers")
	}
	seen := map[string]bool{}
	for _, srv := range servers {
		if seen[srv.Name] {
			issues = append(issues, fmt.Sprintf("server %q appears more than once", srv.Name))
		}
		seen[srv.Name] = true
		issues = append(issues, CheckServer(srv)...)
		for _, p := range []struct {
			kind string
			models.GuardrailPolicy
		}{{"input", srv.InputPolicy}, {"output", srv.OutputPolicy}, {"tool", srv.ToolPolicy}} {
			if !p.Enabled {
				continue
			}
			if p.kind != "tool" && strings.TrimSpace(p.PolicyName) == "" {
				issues = append(issues, fmt.Sprintf("server %q: %s guardrails policy is enabled without a policy_name", srv.Name, p.kind))
			}
			pol := guardrails.NewPolicy(p.Enabled, p.PolicyName, p.Block, p.AdditionalConfig)
			for _, issue := range guardrails.Validate(pol, policies) {
				line := fmt.Sprintf("server %q: %s guardrails policy: %s: %s", srv.Name, p.kind, issue.Field, issue.Message)
				if issue.Severity == guardrails.SeverityError {
					issues = append(issues, line)
				} else {
					warnings = append(warnings, line)
				}
			}
		}
	}
	return issues, warnings
}
