package system

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/services/catalog"
	"github.com/securemcp/gateway/services/entity"
	"github.com/securemcp/gateway/services/errs"
)

// hashPattern is the stored form of a key secret: HashAPIKeySecret's output.
var hashPattern = regexp.MustCompile(`^[0-9a-f]{64}$`)

// toDocument renders a state as a backup document.
func toDocument(st state, createdAt time.Time) models.BackupDocument {
	doc := models.BackupDocument{Format: models.BackupFormat, SchemaVersion: models.BackupSchemaVersion, CreatedAt: createdAt,
		Configs: []models.BackupConfig{}, Projects: []models.BackupProject{}, Users: []models.BackupUser{},
		APIKeys: []models.BackupAPIKey{}, Settings: []models.BackupSetting{}}
	for _, c := range st.configs {
		bc := models.BackupConfig{ID: c.ID, Name: c.Name, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt, Servers: []models.ServerObject{}}
		for _, srv := range c.servers {
			so := models.NewServerObject(srv)
			so.PendingToolChanges = nil // derived from tool_pins, which the backup holds
			bc.Servers = append(bc.Servers, so)
		}
		doc.Configs = append(doc.Configs, bc)
	}
	members := map[string][]models.BackupMember{}
	for _, m := range st.memberships {
		members[m.ProjectID] = append(members[m.ProjectID], models.BackupMember{UserID: m.UserID, CreatedAt: m.CreatedAt})
	}
	for _, p := range st.projects {
		bp := models.BackupProject{ID: p.ID, Name: p.Name, ConfigID: p.ConfigID, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt, Members: members[p.ID]}
		if bp.Members == nil {
			bp.Members = []models.BackupMember{}
		}
		doc.Projects = append(doc.Projects, bp)
	}
	for _, u := range st.users {
		doc.Users = append(doc.Users, models.BackupUser{ID: u.ID, Email: u.Email, CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt})
	}
	for _, k := range st.keys {
		doc.APIKeys = append(doc.APIKeys, models.BackupAPIKey{ID: k.ID, Hash: k.Hash, Last4: k.Last4, UserID: k.UserID,
			ProjectID: k.ProjectID, CreatedAt: k.CreatedAt, Disabled: k.Disabled, DisabledAt: k.DisabledAt,
			DisabledReason: k.DisabledReason, EnabledAt: k.EnabledAt,
			ExpiresAt: k.ExpiresAt, LastUsedAt: k.LastUsedAt, PreviousHash: k.PreviousHash, PreviousExpiresAt: k.PreviousExpiresAt,
			RotatedAt: k.RotatedAt})
	}
	for _, s := range st.settings {
		doc.Settings = append(doc.Settings, models.BackupSetting{Key: s.Key, Value: json.RawMessage(s.Value), UpdatedAt: s.UpdatedAt})
	}
	return doc
}

// parseBackup decodes a backup document into a state and lists every problem
// that would stop a restore.
func parseBackup(field string, data []byte) (state, error) {
	var doc models.BackupDocument
	if err := json.Unmarshal(data, &doc); err != nil {
		return state{}, catalog.DocumentErr(field, err, &doc)
	}
	var issues []string
	if doc.Format != models.BackupFormat {
		issues = append(issues, fmt.Sprintf("format must be %q, not %q", models.BackupFormat, doc.Format))
	}
	switch {
	case doc.SchemaVersion == 0:
		issues = append(issues, "schema_version is required")
	case doc.SchemaVersion != models.BackupSchemaVersion:
		issues = append(issues, fmt.Sprintf("schema_version %d is not supported (this version reads %d)", doc.SchemaVersion, models.BackupSchemaVersion))
	}
	issues = append(issues, missingLists(doc)...)
	st := fromDocument(doc)
	issues = append(issues, checkState(st)...)
	if len(issues) > 0 {
		return state{}, errs.InvalidIssues(issues)
	}
	return st, nil
}

// missingLists names the lists of a document that are absent or null. A backup
// writes every list, empty ones as []: a missing one is damage, and restoring
// it would quietly drop what it held.
func missingLists(doc models.BackupDocument) []string {
	var issues []string
	missing := func(name string) { issues = append(issues, name+" is missing or null (an empty list is [])") }
	for _, list := range []struct {
		name   string
		absent bool
	}{
		{"configs", doc.Configs == nil}, {"projects", doc.Projects == nil}, {"users", doc.Users == nil},
		{"api_keys", doc.APIKeys == nil}, {"settings", doc.Settings == nil},
	} {
		if list.absent {
			missing(list.name)
		}
	}
	for i, c := range doc.Configs {
		if c.Servers == nil {
			missing(fmt.Sprintf("configs[%d] %q servers", i, c.Name))
		}
	}
	for i, p := range doc.Projects {
		if p.Members == nil {
			missing(fmt.Sprintf("projects[%d] %q members", i, p.Name))
		}
	}
	return issues
}

// fromDocument converts a document to a state, trimming names and lowercasing
// e-mails so that the checks see what would be stored.
func fromDocument(doc models.BackupDocument) state {
	var st state
	for _, c := range doc.Configs {
		cs := configState{Config: models.Config{ID: c.ID, Name: strings.TrimSpace(c.Name), CreatedAt: c.CreatedAt.UTC(), UpdatedAt: c.UpdatedAt.UTC()}}
		for _, so := range c.Servers {
			srv := so.ServerSpec.Server()
			srv.Name = strings.TrimSpace(srv.Name)
			srv.CreatedAt, srv.UpdatedAt = so.CreatedAt.UTC(), so.UpdatedAt.UTC()
			cs.servers = append(cs.servers, srv)
		}
		st.configs = append(st.configs, cs)
	}
	for _, p := range doc.Projects {
		st.projects = append(st.projects, models.Project{ID: p.ID, Name: strings.TrimSpace(p.Name), ConfigID: p.ConfigID,
			CreatedAt: p.CreatedAt.UTC(), UpdatedAt: p.UpdatedAt.UTC()})
		for _, m := range p.Members {
			st.memberships = append(st.memberships, models.Membership{ProjectID: p.ID, UserID: m.UserID, CreatedAt: m.CreatedAt.UTC()})
		}
	}
	for _, u := range doc.Users {
		st.users = append(st.users, models.User{ID: u.ID, Email: strings.ToLower(strings.TrimSpace(u.Email)),
			CreatedAt: u.CreatedAt.UTC(), UpdatedAt: u.UpdatedAt.UTC()})
	}
	for _, k := range doc.APIKeys {
		st.keys = append(st.keys, models.APIKey{ID: k.ID, Hash: k.Hash, Last4: k.Last4, UserID: k.UserID, ProjectID: k.ProjectID,
			CreatedAt: k.CreatedAt.UTC(), Disabled: k.Disabled, DisabledAt: utcPtr(k.DisabledAt), DisabledReason: k.DisabledReason,
			EnabledAt: utcPtr(k.EnabledAt),
			ExpiresAt: utcPtr(k.ExpiresAt), LastUsedAt: utcPtr(k.LastUsedAt), PreviousHash: k.PreviousHash,
			PreviousExpiresAt: utcPtr(k.PreviousExpiresAt), RotatedAt: utcPtr(k.RotatedAt)})
	}
	for _, s := range doc.Settings {
		st.settings = append(st.settings, models.Setting{Key: s.Key, Value: string(s.Value), UpdatedAt: s.UpdatedAt.UTC()})
	}
	return st
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// stateChecker collects the problems of a state.
type stateChecker struct {
	issues []string
}

func (c *stateChecker) add(label, format string, args ...any) {
	c.issues = append(c.issues, label+": "+fmt.Sprintf(format, args...))
}

// id checks an identifier: a canonical UUID, unique among seen.
func (c *stateChecker) id(label, field, id string, seen map[string]bool) {
	if u, err := uuid.Parse(id); err != nil || u.String() != id {
		c.add(label, "%s %q is not a UUID in canonical form", field, id)
	}
	if seen[id] {
		c.add(label, "%s %q appears more than once", field, id)
	}
	seen[id] = true
}

func (c *stateChecker) times(label string, created, updated time.Time) {
	c.required(label, "created_at", created)
	c.required(label, "updated_at", updated)
}

// required checks a time that must be given, and in the storable range.
func (c *stateChecker) required(label, field string, t time.Time) {
	if t.IsZero() {
		c.add(label, "%s is required", field)
		return
	}
	c.optional(label, field, &t)
}

// optional checks a time that may be absent.
func (c *stateChecker) optional(label, field string, t *time.Time) {
	if t != nil && !entity.StorableTime(*t) {
		c.add(label, "%s %s", field, entity.StorableTimeRule)
	}
}

// ref checks that a reference names something that exists.
func (c *stateChecker) ref(label, field, id string, known map[string]bool, what string) {
	if !known[id] {
		c.add(label, "%s %q refers to no %s", field, id, what)
	}
}

// checkState lists every rule a state breaks: identifiers, names, e-mails,
// uniqueness and references. Restore refuses a state with any issue; the
// health check reports the issues of the stored state.
func checkState(st state) []string {
	c := &stateChecker{}
	configIDs, configNames := map[string]bool{}, map[string]bool{}
	for i, cfg := range st.configs {
		label := fmt.Sprintf("configs[%d] %q", i, cfg.Name)
		c.id(label, "mcp_config_id", cfg.ID, configIDs)
		if p := entity.NameProblem(cfg.Name); p != "" {
			c.add(label, "mcp_config_name %s", p)
		} else if configNames[cfg.Name] {
			c.add(label, "another configuration has the same name")
		}
		configNames[cfg.Name] = true
		c.times(label, cfg.CreatedAt, cfg.UpdatedAt)
		servers := map[string]bool{}
		for j, srv := range cfg.servers {
			slabel := fmt.Sprintf("%s servers[%d]", label, j)
			for _, issue := range catalog.CheckServer(srv) {
				c.add(slabel, "%s", issue)
			}
			if servers[srv.Name] {
				c.add(slabel, "server %q appears more than once", srv.Name)
			}
			servers[srv.Name] = true
			c.times(slabel, srv.CreatedAt, srv.UpdatedAt)
		}
	}
	userIDs, emails := map[string]bool{}, map[string]bool{}
	for i, u := range st.users {
		label := fmt.Sprintf("users[%d] %q", i, u.Email)
		c.id(label, "user_id", u.ID, userIDs)
		if clean, err := entity.CleanEmail("email", u.Email); err != nil {
			c.add(label, "%s", messageOf(err))
		} else if clean != u.Email {
			c.add(label, "email is not stored in canonical form (trimmed, lowercase)")
		}
		if folded := strings.ToLower(strings.TrimSpace(u.Email)); emails[folded] {
			c.add(label, "another user has the same email (emails are unique case-insensitively)")
		} else {
			emails[folded] = true
		}
		c.times(label, u.CreatedAt, u.UpdatedAt)
	}
	projectIDs, projectNames := map[string]bool{}, map[string]bool{}
	for i, p := range st.projects {
		label := fmt.Sprintf("projects[%d] %q", i, p.Name)
		c.id(label, "project_id", p.ID, projectIDs)
		if prob := entity.NameProblem(p.Name); prob != "" {
			c.add(label, "project_name %s", prob)
		} else if projectNames[p.Name] {
			c.add(label, "another project has the same name")
		}
		projectNames[p.Name] = true
		if p.ConfigID != "" {
			c.ref(label, "mcp_config_id", p.ConfigID, configIDs, "configuration")
		}
		c.times(label, p.CreatedAt, p.UpdatedAt)
	}
	members := map[[2]string]bool{}
	for i, m := range st.memberships {
		label := fmt.Sprintf("memberships[%d] (project %q, user %q)", i, m.ProjectID, m.UserID)
		c.ref(label, "project_id", m.ProjectID, projectIDs, "project")
		c.ref(label, "user_id", m.UserID, userIDs, "user")
		if members[[2]string{m.ProjectID, m.UserID}] {
			c.add(label, "the user is listed twice as a member of the project")
		}
		members[[2]string{m.ProjectID, m.UserID}] = true
		c.required(label, "created_at", m.CreatedAt)
	}
	checkKeys(c, st.keys, userIDs, projectIDs)
	checkSettings(c, st.settings)
	return c.issues
}

func checkKeys(c *stateChecker, keys []models.APIKey, userIDs, projectIDs map[string]bool) {
	keyIDs, hashes := map[string]bool{}, map[string]bool{}
	for i, k := range keys {
		label := fmt.Sprintf("api_keys[%d] %q", i, k.ID)
		c.id(label, "key_id", k.ID, keyIDs)
		for _, h := range []struct{ field, value string }{{"hash", k.Hash}, {"previous_hash", k.PreviousHash}} {
			if h.value == "" && h.field == "previous_hash" {
				continue
			}
			if !hashPattern.MatchString(h.value) {
				c.add(label, "%s must be 64 lowercase hexadecimal characters (SHA-256)", h.field)
			} else if hashes[h.value] {
				c.add(label, "%s is also the hash of another key", h.field)
			}
			hashes[h.value] = true
		}
		if n := utf8.RuneCountInString(k.Last4); n == 0 || n > 4 {
			c.add(label, "last4 must be 1 to 4 characters")
		}
		switch {
		case k.DisabledReason != "" && k.DisabledReason != models.DisabledWeakSecret:
			c.add(label, "disabled_reason must be %q or absent", models.DisabledWeakSecret)
		case k.DisabledReason != "" && !k.Disabled:
			c.add(label, "disabled_reason is given but the key is not disabled")
		}
		c.ref(label, "user_id", k.UserID, userIDs, "user")
		c.ref(label, "project_id", k.ProjectID, projectIDs, "project")
		c.required(label, "created_at", k.CreatedAt)
		for _, t := range []struct {
			field string
			at    *time.Time
		}{{"disabled_at", k.DisabledAt}, {"enabled_at", k.EnabledAt}, {"expires_at", k.ExpiresAt},
			{"last_used_at", k.LastUsedAt}, {"previous_expires_at", k.PreviousExpiresAt}, {"rotated_at", k.RotatedAt}} {
			c.optional(label, t.field, t.at)
		}
	}
}

func checkSettings(c *stateChecker, settings []models.Setting) {
	seen := map[string]bool{}
	for i, s := range settings {
		label := fmt.Sprintf("settings[%d] %q", i, s.Key)
		if p := entity.NameProblem(s.Key); p != "" {
			c.add(label, "key %s", p)
		}
		if seen[s.Key] {
			c.add(label, "key appears more than once")
		}
		seen[s.Key] = true
		c.required(label, "updated_at", s.UpdatedAt)
		var v any
		if err := json.Unmarshal([]byte(s.Value), &v); err != nil {
			c.add(label, "value is required and must be JSON")
			continue
		}
		switch s.Key {
		case SettingEnkryptAPIKey:
			if key, ok := v.(string); !ok || strings.TrimSpace(key) == "" {
				c.add(label, "value must be a non-empty string")
			}
		case SettingTelemetry:
			if _, err := parseTelemetry([]byte(s.Value)); err != nil {
				c.add(label, "value %s", messageOf(err))
			}
		case SettingPlugins, SettingCommonConfig:
			if _, ok := v.(map[string]any); !ok {
				c.add(label, "value must be an object")
			}
		}
	}
}

// messageOf is the client-safe message of a domain error.
func messageOf(err error) string {
	var e *errs.Error
	if errors.As(err, &e) {
		return e.Message
	}
	return err.Error()
}
