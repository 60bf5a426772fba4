// Package models holds the domain types of the gateway and the request and
// response types of its API. Domain types carry no storage or HTTP concerns.
//
// A request field tagged validate:"required" is one the request cannot do
// without: the tag puts it in the OpenAPI document's required list, for
// generated clients. Nothing evaluates the tag at run time; the services
// check every field and name the missing one (400). A test in controllers
// holds the two together. Fields of which one of several must be given
// (config_name or config_id, …) carry no tag.
package models

import "time"

// GuardrailPolicy is an input, output or tool guardrails policy of a server.
type GuardrailPolicy struct {
	Enabled          bool       `json:"enabled" example:"false"`
	PolicyName       string     `json:"policy_name" example:"Sample Airline Guardrail"`
	AdditionalConfig JSONObject `json:"additional_config" swaggertype:"object"`
	Block            []string   `json:"block" example:"policy_violation"`
}

// DefaultGuardrailPolicy is the disabled policy every new server starts with.
func DefaultGuardrailPolicy() GuardrailPolicy {
	return GuardrailPolicy{AdditionalConfig: JSONObject{}, Block: []string{}}
}

// Normalize replaces nil collections by empty ones so that the JSON form is stable.
func (p GuardrailPolicy) Normalize() GuardrailPolicy {
	if p.AdditionalConfig == nil {
		p.AdditionalConfig = JSONObject{}
	}
	if p.Block == nil {
		p.Block = []string{}
	}
	return p
}

// Config is a named MCP configuration: an ordered list of MCP servers.
type Config struct {
	ID        string
	Name      string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// ProjectRef names a project briefly.
type ProjectRef struct {
	ID   string `json:"project_id" example:"5f0c3a52-7f3c-4c39-9a59-2a4f1d3b8e11"`
	Name string `json:"project_name" example:"my-project"`
}

// ProjectUsage is a project using a configuration, with its member count.
type ProjectUsage struct {
	ProjectRef
	Users int
}

// ConfigSummary is a configuration with its server count and the projects using it.
type ConfigSummary struct {
	Config
	ServerCount int
	Projects    []ProjectRef
}

// Server is one MCP server of a configuration.
type Server struct {
	Name                       string
	Description                string
	Command                    string
	Args                       []string
	Env                        map[string]string
	Tools                      JSONObject
	EnableServerInfoValidation bool
	// SharedProcess runs one process of the server per configuration, shared
	// by every user (for stateless servers); by default each user of each
	// project has a process of their own.
	SharedProcess bool
	InputPolicy   GuardrailPolicy
	OutputPolicy  GuardrailPolicy
	ToolPolicy    GuardrailPolicy
	// OAuthConfig is the original system's oauth_config of the server (client
	// id and secret, scopes, URLs, …) as a free-form object; nil when none.
	OAuthConfig JSONObject
	// ToolPins are the trusted tool definitions; nil until the server's tools
	// are first discovered.
	ToolPins  *ToolPins
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Normalize replaces nil collections by empty ones so that the JSON form is stable.
func (s Server) Normalize() Server {
	if s.Args == nil {
		s.Args = []string{}
	}
	if s.Env == nil {
		s.Env = map[string]string{}
	}
	if s.Tools == nil {
		s.Tools = JSONObject{}
	}
	s.InputPolicy = s.InputPolicy.Normalize()
	s.OutputPolicy = s.OutputPolicy.Normalize()
	s.ToolPolicy = s.ToolPolicy.Normalize()
	if len(s.OAuthConfig) == 0 {
		s.OAuthConfig = nil // an empty oauth_config is none
	}
	return s
}

// ConfigSearchHit is one configuration matching a search term.
type ConfigSearchHit struct {
	Config
	ServerCount     int
	MatchingServers []string
	NameMatches     bool
}
