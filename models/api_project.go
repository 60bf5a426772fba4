package models

import "time"

// ConfigRef names a configuration briefly.
type ConfigRef struct {
	MCPConfigID   string `json:"mcp_config_id" example:"3f2c7a4e-8a6b-4c1e-9d2f-1b5e6c7d8e9f"`
	MCPConfigName string `json:"mcp_config_name" example:"my-config"`
}

// NewConfigRef returns the reference to a configuration, or nil for no id.
func NewConfigRef(id, name string) *ConfigRef {
	if id == "" {
		return nil
	}
	return &ConfigRef{MCPConfigID: id, MCPConfigName: name}
}

// CreateProjectRequest is the body of POST /projects.
type CreateProjectRequest struct {
	ProjectName string `json:"project_name" example:"my-project" validate:"required"`
}

// ProjectCreated is the payload of a project creation or deletion.
type ProjectCreated struct {
	ProjectID   string `json:"project_id" example:"5f0c3a52-7f3c-4c39-9a59-2a4f1d3b8e11"`
	ProjectName string `json:"project_name" example:"my-project"`
}

// ProjectListItem is one entry of GET /projects and POST /projects/search.
type ProjectListItem struct {
	ProjectID   string     `json:"project_id" example:"5f0c3a52-7f3c-4c39-9a59-2a4f1d3b8e11"`
	ProjectName string     `json:"project_name" example:"my-project"`
	MCPConfig   *ConfigRef `json:"mcp_config" extensions:"x-nullable"`
	Users       int        `json:"users" example:"3"`
	APIKeys     int        `json:"api_keys" example:"2"`
	CreatedAt   time.Time  `json:"created_at" format:"date-time" example:"2026-01-01T00:00:00Z"`
}

// NewProjectListItem converts a project summary to its API form.
func NewProjectListItem(s ProjectSummary) ProjectListItem {
	return ProjectListItem{ProjectID: s.ID, ProjectName: s.Name, MCPConfig: NewConfigRef(s.ConfigID, s.ConfigName),
		Users: s.Users, APIKeys: s.APIKeys, CreatedAt: s.CreatedAt}
}

// ProjectUserItem is a member as GET /projects/{project} lists it.
type ProjectUserItem struct {
	UserID    string    `json:"user_id" example:"9b2d8c1e-4f5a-4b6c-8d7e-0a1b2c3d4e5f"`
	Email     string    `json:"email" example:"alice@example.com"`
	CreatedAt time.Time `json:"created_at" format:"date-time" example:"2026-01-01T00:00:00Z"`
	AddedAt   time.Time `json:"added_at" format:"date-time" example:"2026-01-02T00:00:00Z"`
}

// NewProjectUserItem converts a member to its API form.
func NewProjectUserItem(m Member) ProjectUserItem {
	return ProjectUserItem{UserID: m.ID, Email: m.Email, CreatedAt: m.CreatedAt, AddedAt: m.AddedAt}
}

// ProjectMemberItem is one entry of GET /projects/{project}/users.
type ProjectMemberItem struct {
	UserID    string    `json:"user_id" example:"9b2d8c1e-4f5a-4b6c-8d7e-0a1b2c3d4e5f"`
	Email     string    `json:"email" example:"alice@example.com"`
	APIKeys   int       `json:"api_keys" example:"1"`
	CreatedAt time.Time `json:"created_at" format:"date-time" example:"2026-01-01T00:00:00Z"`
	AddedAt   time.Time `json:"added_at" format:"date-time" example:"2026-01-02T00:00:00Z"`
}

// ProjectDetailResponse is a project with its configuration and members.
type ProjectDetailResponse struct {
	ProjectID   string            `json:"project_id" example:"5f0c3a52-7f3c-4c39-9a59-2a4f1d3b8e11"`
	ProjectName string            `json:"project_name" example:"my-project"`
	MCPConfig   *ConfigRef        `json:"mcp_config" extensions:"x-nullable"`
	Users       []ProjectUserItem `json:"users"`
	APIKeys     int               `json:"api_keys" example:"2"`
	CreatedAt   time.Time         `json:"created_at" format:"date-time" example:"2026-01-01T00:00:00Z"`
	UpdatedAt   time.Time         `json:"updated_at" format:"date-time" example:"2026-01-01T00:00:00Z"`
}

// AssignConfigRequest is the body of POST /projects/{project}/assign-config.
type AssignConfigRequest struct {
	ConfigName string `json:"config_name" example:"my-config"`
	ConfigID   string `json:"config_id" example:"3f2c7a4e-8a6b-4c1e-9d2f-1b5e6c7d8e9f"`
}

// ProjectConfigData is a project with the configuration it uses (null when none).
type ProjectConfigData struct {
	ProjectID   string     `json:"project_id" example:"5f0c3a52-7f3c-4c39-9a59-2a4f1d3b8e11"`
	ProjectName string     `json:"project_name" example:"my-project"`
	MCPConfig   *ConfigRef `json:"mcp_config" extensions:"x-nullable"`
}

// AddMemberRequest is the body of POST /projects/{project}/users.
type AddMemberRequest struct {
	UserID string `json:"user_id" example:"9b2d8c1e-4f5a-4b6c-8d7e-0a1b2c3d4e5f"`
	Email  string `json:"email" example:"alice@example.com"`
}

// MembershipData names a project and one of its users.
type MembershipData struct {
	ProjectID   string `json:"project_id" example:"5f0c3a52-7f3c-4c39-9a59-2a4f1d3b8e11"`
	ProjectName string `json:"project_name" example:"my-project"`
	UserID      string `json:"user_id" example:"9b2d8c1e-4f5a-4b6c-8d7e-0a1b2c3d4e5f"`
	Email       string `json:"email" example:"alice@example.com"`
}

// MemberRemovedData reports a removed member and how many of their keys
// stopped verifying (they stay, inactive).
type MemberRemovedData struct {
	MembershipData
	InactiveAPIKeys int `json:"inactive_api_keys" example:"1"`
}

// MembersRemovedData reports how many members a project lost.
type MembersRemovedData struct {
	ProjectID   string `json:"project_id" example:"5f0c3a52-7f3c-4c39-9a59-2a4f1d3b8e11"`
	ProjectName string `json:"project_name" example:"my-project"`
	Deleted     int    `json:"deleted" example:"3"`
}

// ProjectDocument is the project part of a project export.
type ProjectDocument struct {
	ProjectID   string    `json:"project_id" example:"5f0c3a52-7f3c-4c39-9a59-2a4f1d3b8e11"`
	ProjectName string    `json:"project_name" example:"my-project"`
	MCPConfigID string    `json:"mcp_config_id,omitempty" example:"3f2c7a4e-8a6b-4c1e-9d2f-1b5e6c7d8e9f"`
	CreatedAt   time.Time `json:"created_at" format:"date-time" example:"2026-01-01T00:00:00Z"`
	UpdatedAt   time.Time `json:"updated_at" format:"date-time" example:"2026-01-01T00:00:00Z"`
}

// ProjectExport is the document written by POST /projects/{project}/export.
// Config is null when the project has no configuration.
type ProjectExport struct {
	ProjectID  string            `json:"project_id" example:"5f0c3a52-7f3c-4c39-9a59-2a4f1d3b8e11"`
	ExportedAt time.Time         `json:"exported_at" format:"date-time" example:"2026-01-01T00:00:00Z"`
	Project    ProjectDocument   `json:"project"`
	Config     *ConfigDocument   `json:"config" extensions:"x-nullable"`
	Users      []ProjectUserItem `json:"users"`
}

// NewProjectCreated names a project that was created or deleted.
func NewProjectCreated(p Project) ProjectCreated {
	return ProjectCreated{ProjectID: p.ID, ProjectName: p.Name}
}

// NewProjectDetailResponse converts a project, its configuration (nil when
// none), its members and its key count to their API form.
func NewProjectDetailResponse(p Project, cfg *Config, members []Member, apiKeys int) ProjectDetailResponse {
	res := ProjectDetailResponse{ProjectID: p.ID, ProjectName: p.Name, APIKeys: apiKeys, CreatedAt: p.CreatedAt,
		UpdatedAt: p.UpdatedAt, Users: Items(members, NewProjectUserItem)}
	if cfg != nil {
		res.MCPConfig = NewConfigRef(cfg.ID, cfg.Name)
	}
	return res
}

// NewProjectConfigData names a project and its configuration (none for a zero Config).
func NewProjectConfigData(p Project, cfg Config) ProjectConfigData {
	return ProjectConfigData{ProjectID: p.ID, ProjectName: p.Name, MCPConfig: NewConfigRef(cfg.ID, cfg.Name)}
}

// NewProjectMemberItem converts a member to its entry in a project's user list.
func NewProjectMemberItem(m Member) ProjectMemberItem {
	return ProjectMemberItem{UserID: m.ID, Email: m.Email, APIKeys: m.APIKeys, CreatedAt: m.CreatedAt, AddedAt: m.AddedAt}
}

// NewMembershipData names a project and one of its users.
func NewMembershipData(p Project, u User) MembershipData {
	return MembershipData{ProjectID: p.ID, ProjectName: p.Name, UserID: u.ID, Email: u.Email}
}

// NewMembersRemovedData reports how many members a project lost.
func NewMembersRemovedData(p Project, n int) MembersRemovedData {
	return MembersRemovedData{ProjectID: p.ID, ProjectName: p.Name, Deleted: n}
}
