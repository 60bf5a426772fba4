package system

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/services/catalog"
	"github.com/securemcp/gateway/services/errs"
	"github.com/securemcp/gateway/services/keymaterial"
)

// enkryptSections are the top-level members of the original system's config
// file that hold runtime state; any of them marks a document as that format.
var enkryptSections = []string{"mcp_configs", "projects", "users", "apikeys", "plugins", "common_mcp_gateway_config"}

// The original system's records. Servers are our ServerSpec; later versions of
// that system named the policies *_guardrails_config with guardrail_name.
type (
	enkryptConfig struct {
		Name    string            `json:"mcp_config_name"`
		Servers []json.RawMessage `json:"mcp_config"`
	}
	enkryptServer struct {
		models.ServerSpec
		InputConfig  *enkryptPolicy `json:"input_guardrails_config"`
		OutputConfig *enkryptPolicy `json:"output_guardrails_config"`
		ToolConfig   *enkryptPolicy `json:"tool_guardrails_config"`
		// OAuth shadows ServerSpec's oauth_config, read apart so that a
		// broken one is left out with a note rather than refuse the file.
		OAuth json.RawMessage `json:"oauth_config"`
	}
	enkryptPolicy struct {
		Enabled          bool              `json:"enabled"`
		PolicyName       string            `json:"policy_name"`
		GuardrailName    string            `json:"guardrail_name"`
		AdditionalConfig models.JSONObject `json:"additional_config"`
		Block            []string          `json:"block"`
	}
	enkryptProject struct {
		Name      string   `json:"project_name"`
		ConfigID  *string  `json:"mcp_config_id"`
		Users     []string `json:"users"`
		CreatedAt *string  `json:"created_at"`
	}
	enkryptUser struct {
		Email     string  `json:"email"`
		CreatedAt *string `json:"created_at"`
	}
	enkryptKey struct {
		ProjectID  string  `json:"project_id"`
		UserID     string  `json:"user_id"`
		CreatedAt  *string `json:"created_at"`
		Disabled   bool    `json:"disabled"`
		DisabledAt *string `json:"disabled_at"`
		EnabledAt  *string `json:"enabled_at"`
	}
)

// member is one "key": value of a JSON object, in document order.
type member struct {
	key   string
	value json.RawMessage
}

// objectMembers reads a JSON object keeping the order of its members: the
// original system wrote its records in creation order, which we keep.
func objectMembers(data json.RawMessage) ([]member, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, fmt.Errorf("must be an object keyed by id")
	}
	var out []member
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		var m member
		m.key, _ = tok.(string) // object keys are always strings
		if err := dec.Decode(&m.value); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

// enkryptParser converts the original config file into a state.
type enkryptParser struct {
	now    time.Time
	issues []string
	notes  []string
	// originals maps the UUIDs derived here back to what the file said, so
	// that messages name records the way the file does.
	originals map[string]string
	derived   int
}

func (p *enkryptParser) issuef(format string, args ...any) {
	p.issues = append(p.issues, fmt.Sprintf(format, args...))
}

// id keeps an identifier that is a UUID and derives a stable UUID from any
// other, so that references between sections still match.
func (p *enkryptParser) id(kind, legacy string) string {
	if u, err := uuid.Parse(legacy); err == nil && len(legacy) == 36 {
		return u.String()
	}
	id := keymaterial.DerivedID(kind, legacy)
	if _, seen := p.originals[id]; !seen {
		p.derived++
		p.originals[id] = strconv.Quote(legacy)
	}
	return id
}

// quotedUUID matches an identifier as messages quote it.
var quotedUUID = regexp.MustCompile(`"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"`)

// inFileTerms rewrites derived identifiers in messages into the file's own.
// Each quoted identifier is looked up, so the work grows with the messages,
// not with messages times identifiers.
func (p *enkryptParser) inFileTerms(issues []string) []string {
	for i, issue := range issues {
		issues[i] = quotedUUID.ReplaceAllStringFunc(issue, func(quoted string) string {
			if original, derived := p.originals[quoted[1:len(quoted)-1]]; derived {
				return original
			}
			return quoted
		})
	}
	return issues
}

// time parses the original system's timestamps: Python isoformat, usually
// without a zone (taken as UTC). A missing time is the import time.
func (p *enkryptParser) time(label string, raw *string) time.Time {
	if raw == nil || strings.TrimSpace(*raw) == "" {
		return p.now
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999", "2006-01-02"} {
		if t, err := time.Parse(layout, strings.TrimSpace(*raw)); err == nil {
			return t.UTC()
		}
	}
	p.issuef("%s: created_at %q is not an ISO 8601 time", label, *raw)
	return p.now
}

// section returns the members of a top-level object section (none if absent).
func (p *enkryptParser) section(top map[string]json.RawMessage, name string) []member {
	raw, ok := top[name]
	if !ok || string(raw) == "null" {
		return nil
	}
	members, err := objectMembers(raw)
	if err != nil {
		p.issuef("%s: %v", name, err)
	}
	seen := map[string]bool{}
	for _, m := range members {
		if seen[m.key] && name != "apikeys" {
			p.issuef("%s[%q] appears more than once", name, m.key)
		}
		seen[m.key] = true
	}
	return members
}

// decode decodes one record, reporting type errors under label.
func (p *enkryptParser) decode(label string, raw json.RawMessage, v any) bool {
	if err := json.Unmarshal(raw, v); err != nil {
		p.issuef("%s", messageOf(catalog.DocumentErr(label, err, v)))
		return false
	}
	return true
}

// parseEnkrypt converts the original system's config file into a state:
// plaintext keys are hashed (HashAPIKeySecret) and only their last four
// characters kept; plugins and common_mcp_gateway_config become settings. It
// returns notes on what was not taken over, and every problem at once.
func parseEnkrypt(field string, data []byte, now time.Time) (state, []string, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return state{}, nil, catalog.DocumentErr(field, err, &top)
	}
	p := &enkryptParser{now: now, notes: []string{}, originals: map[string]string{}}
	var st state
	for _, m := range p.section(top, "mcp_configs") {
		label := fmt.Sprintf("mcp_configs[%q]", m.key)
		var c enkryptConfig
		if !p.decode(label, m.value, &c) {
			continue
		}
		cs := configState{Config: models.Config{ID: p.id("config", m.key), Name: strings.TrimSpace(c.Name), CreatedAt: now, UpdatedAt: now}}
		for i, raw := range c.Servers {
			var s enkryptServer
			if !p.decode(fmt.Sprintf("%s.mcp_config[%d]", label, i), raw, &s) {
				continue
			}
			srv := s.server(now)
			srv.OAuthConfig = p.oauth(fmt.Sprintf("%s server %q", label, srv.Name), s.OAuth)
			cs.servers = append(cs.servers, srv)
		}
		st.configs = append(st.configs, cs)
	}
	for _, m := range p.section(top, "users") {
		label := fmt.Sprintf("users[%q]", m.key)
		var u enkryptUser
		if !p.decode(label, m.value, &u) {
			continue
		}
		created := p.time(label, u.CreatedAt)
		st.users = append(st.users, models.User{ID: p.id("user", m.key), Email: strings.ToLower(strings.TrimSpace(u.Email)), CreatedAt: created, UpdatedAt: created})
	}
	for _, m := range p.section(top, "projects") {
		label := fmt.Sprintf("projects[%q]", m.key)
		var pr enkryptProject
		if !p.decode(label, m.value, &pr) {
			continue
		}
		created := p.time(label, pr.CreatedAt)
		proj := models.Project{ID: p.id("project", m.key), Name: strings.TrimSpace(pr.Name), CreatedAt: created, UpdatedAt: created}
		if pr.ConfigID != nil && *pr.ConfigID != "" {
			proj.ConfigID = p.id("config", *pr.ConfigID)
		}
		st.projects = append(st.projects, proj)
		for _, userID := range pr.Users {
			st.memberships = append(st.memberships, models.Membership{ProjectID: proj.ID, UserID: p.id("user", userID), CreatedAt: created})
		}
	}
	// The original system keeps no time for a membership: it is taken as the
	// later of its project's and its user's creation, so that no one is a
	// member before they exist.
	userCreated := make(map[string]time.Time, len(st.users))
	for _, u := range st.users {
		userCreated[u.ID] = u.CreatedAt
	}
	for i, m := range st.memberships {
		if at, ok := userCreated[m.UserID]; ok && at.After(m.CreatedAt) {
			st.memberships[i].CreatedAt = at
		}
	}
	st.keys = p.keys(p.section(top, "apikeys"))
	st.settings = p.settings(top)
	if _, ok := top["admin_apikey"]; ok {
		p.notes = append(p.notes, "admin_apikey is not imported: the admin key stays in the config file")
	}
	if p.derived > 0 {
		p.notes = append(p.notes, fmt.Sprintf("%d identifier(s) were not UUIDs and were replaced by UUIDs derived from them", p.derived))
	}
	issues := append(p.issues, p.inFileTerms(checkState(st))...)
	if len(issues) > 0 {
		return state{}, nil, errs.InvalidIssues(issues)
	}
	return st, p.notes, nil
}

// server converts a server record, taking the later policy names when the
// earlier ones are absent.
func (s enkryptServer) server(now time.Time) models.Server {
	spec := s.ServerSpec
	for _, pol := range []struct {
		dst *models.GuardrailPolicy
		src *enkryptPolicy
	}{{&spec.InputGuardrailsPolicy, s.InputConfig}, {&spec.OutputGuardrailsPolicy, s.OutputConfig}, {&spec.ToolGuardrailsPolicy, s.ToolConfig}} {
		if pol.src == nil || pol.dst.Enabled || pol.dst.PolicyName != "" || len(pol.dst.Block) > 0 {
			continue
		}
		name := pol.src.PolicyName
		if name == "" {
			name = pol.src.GuardrailName
		}
		*pol.dst = models.GuardrailPolicy{Enabled: pol.src.Enabled, PolicyName: name, AdditionalConfig: pol.src.AdditionalConfig, Block: pol.src.Block}
	}
	srv := spec.Server()
	srv.Name = strings.TrimSpace(srv.Name)
	srv.CreatedAt, srv.UpdatedAt = now, now
	return srv
}

// oauth reads a server's oauth_config: kept whole when it is an object the
// gateway can hold, else left out with a note (the original system only
// used it when it was an object).
func (p *enkryptParser) oauth(label string, raw json.RawMessage) models.JSONObject {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var cfg models.JSONObject
	if err := json.Unmarshal(raw, &cfg); err != nil {
		p.notes = append(p.notes, label+": oauth_config is not an object and is not imported")
		return nil
	}
	if catalog.NestedDeeperThan(map[string]any(cfg), catalog.MaxNestingDepth) {
		p.notes = append(p.notes, fmt.Sprintf("%s: oauth_config nests deeper than %d levels and is not imported", label, catalog.MaxNestingDepth))
		return nil
	}
	return cfg
}

// settings keeps plugins and common_mcp_gateway_config as they are, and also
// sets the guardrails provider key and the telemetry settings found in them.
func (p *enkryptParser) settings(top map[string]json.RawMessage) []models.Setting {
	var out []models.Setting
	put := func(key string, v any) {
		value, _ := json.Marshal(v) // values decoded from JSON always encode
		out = append(out, models.Setting{Key: key, Value: string(value), UpdatedAt: p.now})
	}
	objects := map[string]map[string]any{}
	for _, name := range []string{SettingPlugins, SettingCommonConfig} {
		raw, ok := top[name]
		if !ok || string(raw) == "null" {
			continue
		}
		var obj map[string]any
		if err := json.Unmarshal(raw, &obj); err != nil {
			p.issuef("%s must be an object", name)
			continue
		}
		objects[name] = obj
		put(name, obj)
	}
	plugins := objects[SettingPlugins]
	guardrailsKey, _ := dig(plugins, "guardrails", "config", "api_key").(string)
	commonKey, _ := dig(objects[SettingCommonConfig], "enkrypt_api_key").(string)
	for _, key := range []string{guardrailsKey, commonKey} {
		if key = strings.TrimSpace(key); key != "" && !strings.HasPrefix(key, "YOUR_") {
			put(SettingEnkryptAPIKey, key)
			break
		}
	}
	if cfg, ok := dig(plugins, "telemetry", "config").(map[string]any); ok {
		raw, _ := json.Marshal(cfg) // decoded from JSON, always encodes
		if t, err := parseTelemetry(raw); err != nil {
			p.notes = append(p.notes, "plugins.telemetry.config is not imported as the telemetry setting: "+messageOf(err))
		} else {
			put(SettingTelemetry, t)
		}
	}
	return out
}

// dig follows object members; nil when any is missing.
func dig(v any, path ...string) any {
	for _, name := range path {
		obj, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = obj[name]
	}
	return v
}
