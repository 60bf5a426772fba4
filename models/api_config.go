package models

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// ServerCommand is the launch configuration of an MCP server.
type ServerCommand struct {
	Command string  `json:"command" example:"npx"`
	Args    Strings `json:"args" swaggertype:"array,string" example:"-y,@modelcontextprotocol/server-github"`
	// Env is the server's own environment. Its values are secrets: sealed
	// in the store, export files and backups, masked in every response
	// ("ghp_…abcd", "****abcd", "****").
	Env StringMap `json:"env" swaggertype:"object,string"`
}

// ServerSpec is a server as exchanged in documents (export, import, backup):
// the original system's mcp_config entry.
type ServerSpec struct {
	ServerName                 string        `json:"server_name" example:"github"`
	Description                string        `json:"description" example:"GitHub MCP Server"`
	Config                     ServerCommand `json:"config"`
	Tools                      JSONObject    `json:"tools" swaggertype:"object"`
	EnableServerInfoValidation bool          `json:"enable_server_info_validation" example:"false"`
	// SharedProcess runs one process of the server per configuration, shared
	// by every user of the gateway, for stateless servers; by default
	// (false) each user of each project gets a process of their own.
	SharedProcess          bool            `json:"shared_process" example:"false"`
	InputGuardrailsPolicy  GuardrailPolicy `json:"input_guardrails_policy"`
	OutputGuardrailsPolicy GuardrailPolicy `json:"output_guardrails_policy"`
	ToolGuardrailsPolicy   GuardrailPolicy `json:"tool_guardrails_policy"`
	// OAuthConfig is how the gateway authenticates to the server with OAuth,
	// in the original system's shape (enabled, is_remote, OAUTH_CLIENT_ID,
	// OAUTH_CLIENT_SECRET, OAUTH_SCOPE, OAUTH_TOKEN_URL, …); absent when the
	// server has none. API responses mask its secrets (client secret, tokens,
	// authorization headers) as "****" and the last four characters; the
	// store, export files and backups hold them sealed.
	OAuthConfig JSONObject `json:"oauth_config,omitempty" swaggertype:"object"`
	// ToolPins are the tool definitions the gateway trusts (pinned at the
	// first discovery or by an admin's approval) and those waiting for
	// approval; absent until the server's tools are first discovered.
	ToolPins *ToolPins `json:"tool_pins,omitempty"`
}

// ServerObject is a server as the API returns it.
type ServerObject struct {
	ServerSpec
	// PendingToolChanges are the tool definitions the gateway hides until an
	// admin approves them, with what differs from the pinned ones.
	PendingToolChanges []ToolChange `json:"pending_tool_changes,omitempty"`
	CreatedAt          time.Time    `json:"created_at" format:"date-time" example:"2026-01-01T00:00:00Z"`
	UpdatedAt          time.Time    `json:"updated_at" format:"date-time" example:"2026-01-01T00:00:00Z"`
}

// NewServerSpec converts a domain server to its document form.
func NewServerSpec(s Server) ServerSpec {
	s = s.Normalize()
	return ServerSpec{
		ServerName: s.Name, Description: s.Description,
		Config: ServerCommand{Command: s.Command, Args: Strings(s.Args), Env: StringMap(s.Env)},
		Tools:  s.Tools, EnableServerInfoValidation: s.EnableServerInfoValidation, SharedProcess: s.SharedProcess,
		InputGuardrailsPolicy: s.InputPolicy, OutputGuardrailsPolicy: s.OutputPolicy, ToolGuardrailsPolicy: s.ToolPolicy,
		OAuthConfig: s.OAuthConfig, ToolPins: s.ToolPins,
	}
}

// NewServerObject converts a domain server to its API form.
func NewServerObject(s Server) ServerObject {
	return ServerObject{ServerSpec: NewServerSpec(s), PendingToolChanges: PendingToolChanges(s.ToolPins), CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt}
}

// Server converts a document server to the domain type.
func (s ServerSpec) Server() Server {
	return Server{
		Name: s.ServerName, Description: s.Description, Command: s.Config.Command, Args: []string(s.Config.Args),
		Env: map[string]string(s.Config.Env), Tools: s.Tools, EnableServerInfoValidation: s.EnableServerInfoValidation,
		SharedProcess: s.SharedProcess,
		InputPolicy:   s.InputGuardrailsPolicy, OutputPolicy: s.OutputGuardrailsPolicy, ToolPolicy: s.ToolGuardrailsPolicy,
		OAuthConfig: s.OAuthConfig, ToolPins: s.ToolPins,
	}.Normalize()
}

// ParseGuardrailPolicy decodes a policy document (a policy file, or a CLI
// flag), rejecting wrong types, unknown members and trailing data: a policy
// typed by hand with "enabeld" must not quietly leave its guardrails off.
func ParseGuardrailPolicy(data []byte) (GuardrailPolicy, error) {
	var p GuardrailPolicy
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return p, errors.New(DescribeTypeError("policy", typeErr, &p))
		}
		if field, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			return p, fmt.Errorf("policy has an unknown member %s; a policy has enabled, policy_name, additional_config and block", field)
		}
		return p, fmt.Errorf("not a JSON policy object: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return p, errors.New("not a JSON policy object: more than one JSON value")
	}
	return p.Normalize(), nil
}

// ConfigDocument is the exported form of a configuration (the original
// system's mcp_configs entry).
type ConfigDocument struct {
	MCPConfigName string       `json:"mcp_config_name" example:"my-config"`
	MCPConfig     []ServerSpec `json:"mcp_config"`
}

// ConfigExport is the document written by export and accepted by import.
type ConfigExport struct {
	MCPConfigID string         `json:"mcp_config_id" example:"3f2c7a4e-8a6b-4c1e-9d2f-1b5e6c7d8e9f"`
	ExportedAt  time.Time      `json:"exported_at" format:"date-time" example:"2026-01-01T00:00:00Z"`
	Config      ConfigDocument `json:"config"`
}

// CreateConfigRequest is the body of POST /configs.
type CreateConfigRequest struct {
	ConfigName string `json:"config_name" example:"my-config" validate:"required"`
}

// ConfigCreated is the payload of a configuration creation.
type ConfigCreated struct {
	ConfigID   string `json:"config_id" example:"3f2c7a4e-8a6b-4c1e-9d2f-1b5e6c7d8e9f"`
	ConfigName string `json:"config_name" example:"my-config"`
}

// NewConfigCreated names a configuration that was created, renamed or deleted.
func NewConfigCreated(c Config) ConfigCreated {
	return ConfigCreated{ConfigID: c.ID, ConfigName: c.Name}
}

// CopyConfigRequest is the body of POST /configs/copy.
type CopyConfigRequest struct {
	SourceConfig string `json:"source_config" example:"my-config" validate:"required"`
	TargetConfig string `json:"target_config" example:"my-config-copy" validate:"required"`
}

// RenameConfigRequest is the body of PUT /configs/{config}/rename.
type RenameConfigRequest struct {
	NewName string `json:"new_name" example:"renamed-config" validate:"required"`
}

// ConfigListItem is one entry of GET /configs.
type ConfigListItem struct {
	MCPConfigID    string       `json:"mcp_config_id" example:"3f2c7a4e-8a6b-4c1e-9d2f-1b5e6c7d8e9f"`
	MCPConfigName  string       `json:"mcp_config_name" example:"my-config"`
	Servers        int          `json:"servers" example:"2"`
	UsedByProjects []ProjectRef `json:"used_by_projects"`
	CreatedAt      time.Time    `json:"created_at" format:"date-time" example:"2026-01-01T00:00:00Z"`
	UpdatedAt      time.Time    `json:"updated_at" format:"date-time" example:"2026-01-01T00:00:00Z"`
}

// NewConfigListItem converts a configuration summary to its API form.
func NewConfigListItem(s ConfigSummary) ConfigListItem {
	return ConfigListItem{MCPConfigID: s.ID, MCPConfigName: s.Name, Servers: s.ServerCount,
		UsedByProjects: s.Projects, CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt}
}

// ConfigDetailResponse is a configuration with its servers.
type ConfigDetailResponse struct {
	MCPConfigID   string         `json:"mcp_config_id" example:"3f2c7a4e-8a6b-4c1e-9d2f-1b5e6c7d8e9f"`
	MCPConfigName string         `json:"mcp_config_name" example:"my-config"`
	Servers       []ServerObject `json:"servers"`
	CreatedAt     time.Time      `json:"created_at" format:"date-time" example:"2026-01-01T00:00:00Z"`
	UpdatedAt     time.Time      `json:"updated_at" format:"date-time" example:"2026-01-01T00:00:00Z"`
}

// NewConfigDetailResponse converts a configuration and its servers to their API form.
func NewConfigDetailResponse(c Config, servers []Server) ConfigDetailResponse {
	return ConfigDetailResponse{MCPConfigID: c.ID, MCPConfigName: c.Name, Servers: Items(servers, NewServerObject),
		CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
}

// ConfigProjectItem is one project using a configuration.
type ConfigProjectItem struct {
	ProjectID   string `json:"project_id" example:"5f0c3a52-7f3c-4c39-9a59-2a4f1d3b8e11"`
	ProjectName string `json:"project_name" example:"my-project"`
	Users       int    `json:"users" example:"3"`
}

// NewConfigProjectItem converts a project using a configuration to its API form.
func NewConfigProjectItem(u ProjectUsage) ConfigProjectItem {
	return ConfigProjectItem{ProjectID: u.ID, ProjectName: u.Name, Users: u.Users}
}

// ServerListItem is one entry of GET /configs/{config}/servers.
type ServerListItem struct {
	ServerName              string   `json:"server_name" example:"github"`
	Description             string   `json:"description" example:"GitHub MCP Server"`
	Command                 string   `json:"command" example:"npx"`
	Args                    []string `json:"args" example:"-y,@modelcontextprotocol/server-github"`
	Tools                   int      `json:"tools" example:"0"`
	InputGuardrailsEnabled  bool     `json:"input_guardrails_enabled" example:"false"`
	OutputGuardrailsEnabled bool     `json:"output_guardrails_enabled" example:"false"`
}

// NewServerListItem converts a server to its list entry.
func NewServerListItem(s Server) ServerListItem {
	return ServerListItem{ServerName: s.Name, Description: s.Description, Command: s.Command, Args: s.Args,
		Tools: len(s.Tools), InputGuardrailsEnabled: s.InputPolicy.Enabled, OutputGuardrailsEnabled: s.OutputPolicy.Enabled}
}

// AddServerRequest is the body of POST /configs/{config}/servers.
type AddServerRequest struct {
	ServerName                 string     `json:"server_name" example:"github" validate:"required"`
	ServerCommand              string     `json:"server_command" example:"npx" validate:"required"`
	Args                       Strings    `json:"args" swaggertype:"array,string" example:"-y,@modelcontextprotocol/server-github"`
	Env                        StringMap  `json:"env" swaggertype:"object,string"`
	Tools                      JSONObject `json:"tools" swaggertype:"object"`
	Description                string     `json:"description" example:"GitHub MCP Server"`
	EnableServerInfoValidation bool       `json:"enable_server_info_validation" example:"false"`
	// SharedProcess: one process for every user of the configuration (see ServerSpec).
	SharedProcess          bool             `json:"shared_process" example:"false"`
	InputGuardrailsPolicy  *GuardrailPolicy `json:"input_guardrails_policy" extensions:"x-nullable"`
	OutputGuardrailsPolicy *GuardrailPolicy `json:"output_guardrails_policy" extensions:"x-nullable"`
	// OAuthConfig is optional, in the original system's shape (see ServerSpec).
	OAuthConfig JSONObject `json:"oauth_config" swaggertype:"object" extensions:"x-nullable"`
}

// Server converts the request to a new server; absent policies are the
// disabled defaults.
func (r AddServerRequest) Server() Server {
	s := Server{Name: r.ServerName, Command: r.ServerCommand, Args: []string(r.Args), Env: map[string]string(r.Env), Tools: r.Tools,
		Description: r.Description, EnableServerInfoValidation: r.EnableServerInfoValidation, OAuthConfig: r.OAuthConfig,
		SharedProcess: r.SharedProcess,
		InputPolicy:   DefaultGuardrailPolicy(), OutputPolicy: DefaultGuardrailPolicy(), ToolPolicy: DefaultGuardrailPolicy()}
	if r.InputGuardrailsPolicy != nil {
		s.InputPolicy = *r.InputGuardrailsPolicy
	}
	if r.OutputGuardrailsPolicy != nil {
		s.OutputPolicy = *r.OutputGuardrailsPolicy
	}
	return s
}

// UpdateServerRequest is the body of PUT /configs/{config}/servers/{server}; a
// present field replaces the stored value.
type UpdateServerRequest struct {
	ServerCommand *string  `json:"server_command" extensions:"x-nullable" example:"uvx"`
	Args          *Strings `json:"args" swaggertype:"array,string" extensions:"x-nullable" example:"mcp-server-git"`
	// Env replaces the server's env; a value sent back as a response masked
	// it keeps the stored value.
	Env         *StringMap  `json:"env" swaggertype:"object,string" extensions:"x-nullable"`
	Tools       *JSONObject `json:"tools" swaggertype:"object" extensions:"x-nullable"`
	Description *string     `json:"description" extensions:"x-nullable" example:"Git MCP Server"`
	// SharedProcess switches between one process per user and project
	// (false) and one per configuration (true); running processes of the
	// old kind drain and stop.
	SharedProcess *bool `json:"shared_process" extensions:"x-nullable" example:"true"`
	// OAuthConfig replaces the server's oauth_config; {} removes it. Members
	// sent back as a response masked them ("****" and the last four
	// characters) keep their stored values.
	OAuthConfig *JSONObject `json:"oauth_config" swaggertype:"object" extensions:"x-nullable"`
}

// PolicyRequest is the body of the input-guardrails and output-guardrails routes.
type PolicyRequest struct {
	Policy     *GuardrailPolicy `json:"policy" extensions:"x-nullable"`
	PolicyFile string           `json:"policy_file" example:"policies/strict.json"`
}

// GuardrailsRequest is the body of PUT /configs/{config}/servers/{server}/guardrails.
type GuardrailsRequest struct {
	InputPolicy      *GuardrailPolicy `json:"input_policy" extensions:"x-nullable"`
	InputPolicyFile  string           `json:"input_policy_file" example:"policies/input.json"`
	OutputPolicy     *GuardrailPolicy `json:"output_policy" extensions:"x-nullable"`
	OutputPolicyFile string           `json:"output_policy_file" example:"policies/output.json"`
}

// ValidationResult is the payload of POST /configs/{config}/validate.
type ValidationResult struct {
	Valid  bool     `json:"valid" example:"true"`
	Issues []string `json:"issues"`
	// Warnings are what works otherwise than its author may think: a
	// guardrails detector the local provider does not evaluate (toxicity,
	// nsfw, bias, relevancy, adherence, hallucination), never counted as
	// passed, or a detector name no provider knows.
	Warnings []string `json:"warnings" example:"server \"github\": input guardrails policy: block[1]: toxicity is not evaluated by the local provider"`
}

// ImportConfigRequest is the body of POST /configs/import.
type ImportConfigRequest struct {
	ConfigName string          `json:"config_name" example:"imported-config" validate:"required"`
	InputFile  string          `json:"input_file" example:"exports/my-config.json"`
	Config     json.RawMessage `json:"config" swaggertype:"object"`
}

// ConfigSearchItem is one configuration found by POST /configs/search.
type ConfigSearchItem struct {
	MCPConfigID     string   `json:"mcp_config_id" example:"3f2c7a4e-8a6b-4c1e-9d2f-1b5e6c7d8e9f"`
	MCPConfigName   string   `json:"mcp_config_name" example:"my-config"`
	MatchType       string   `json:"match_type" example:"config_name" enums:"config_name,server_name"`
	Servers         int      `json:"servers" example:"2"`
	MatchingServers []string `json:"matching_servers" example:"github"`
}

// NewConfigSearchItem converts a search hit to its API form.
func NewConfigSearchItem(h ConfigSearchHit) ConfigSearchItem {
	match := "server_name"
	if h.NameMatches {
		match = "config_name"
	}
	return ConfigSearchItem{MCPConfigID: h.ID, MCPConfigName: h.Name, MatchType: match, Servers: h.ServerCount,
		MatchingServers: h.MatchingServers}
}
