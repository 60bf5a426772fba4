package models

import (
	"fmt"
	"net/url"
	"time"
)

// CreateUserRequest is the body of POST /users.
type CreateUserRequest struct {
	Email string `json:"email" example:"alice@example.com" validate:"required"`
}

// UserCreated is the payload of a user creation or update.
type UserCreated struct {
	UserID string `json:"user_id" example:"9b2d8c1e-4f5a-4b6c-8d7e-0a1b2c3d4e5f"`
	Email  string `json:"email" example:"alice@example.com"`
}

// UpdateUserRequest is the body of PUT /users/{user}.
type UpdateUserRequest struct {
	NewEmail string `json:"new_email" example:"alice@example.org" validate:"required"`
}

// DeleteUserRequest is the optional body of DELETE /users/{user}.
type DeleteUserRequest struct {
	Force bool `json:"force" example:"false"`
}

// UserDeleted reports a deleted user and what went with them.
type UserDeleted struct {
	UserID             string `json:"user_id" example:"9b2d8c1e-4f5a-4b6c-8d7e-0a1b2c3d4e5f"`
	Email              string `json:"email" example:"alice@example.com"`
	DeletedAPIKeys     int    `json:"deleted_api_keys" example:"0"`
	DeletedMemberships int    `json:"deleted_memberships" example:"0"`
}

// UserListItem is one entry of GET /users and POST /users/search.
type UserListItem struct {
	UserID    string       `json:"user_id" example:"9b2d8c1e-4f5a-4b6c-8d7e-0a1b2c3d4e5f"`
	Email     string       `json:"email" example:"alice@example.com"`
	CreatedAt time.Time    `json:"created_at" format:"date-time" example:"2026-01-01T00:00:00Z"`
	Projects  []ProjectRef `json:"projects"`
	APIKeys   int          `json:"api_keys" example:"1"`
}

// NewUserListItem converts a user summary to its API form.
func NewUserListItem(s UserSummary) UserListItem {
	return UserListItem{UserID: s.ID, Email: s.Email, CreatedAt: s.CreatedAt, Projects: s.Projects, APIKeys: s.APIKeys}
}

// UserProjectItem is one project of a user.
type UserProjectItem struct {
	ProjectID   string     `json:"project_id" example:"5f0c3a52-7f3c-4c39-9a59-2a4f1d3b8e11"`
	ProjectName string     `json:"project_name" example:"my-project"`
	MCPConfig   *ConfigRef `json:"mcp_config" extensions:"x-nullable"`
	APIKeys     int        `json:"api_keys" example:"1"`
	AddedAt     time.Time  `json:"added_at" format:"date-time" example:"2026-01-02T00:00:00Z"`
}

// NewUserProjectItem converts a user's project to its API form.
func NewUserProjectItem(p UserProject) UserProjectItem {
	return UserProjectItem{ProjectID: p.ID, ProjectName: p.Name, MCPConfig: NewConfigRef(p.ConfigID, p.ConfigName),
		APIKeys: p.APIKeys, AddedAt: p.AddedAt}
}

// UserDetailResponse is a user with their projects and masked keys.
type UserDetailResponse struct {
	UserID    string            `json:"user_id" example:"9b2d8c1e-4f5a-4b6c-8d7e-0a1b2c3d4e5f"`
	Email     string            `json:"email" example:"alice@example.com"`
	CreatedAt time.Time         `json:"created_at" format:"date-time" example:"2026-01-01T00:00:00Z"`
	UpdatedAt time.Time         `json:"updated_at" format:"date-time" example:"2026-01-01T00:00:00Z"`
	Projects  []UserProjectItem `json:"projects"`
	// APIKeys are the user's first keys in creation order, at most 100.
	APIKeys []APIKeyItem `json:"api_keys"`
	// APIKeysTotal is how many keys the user has.
	APIKeysTotal int `json:"api_keys_total" example:"1"`
	// APIKeysNext, when api_keys does not hold them all, is the page of the
	// key listing that continues it.
	APIKeysNext string `json:"api_keys_next,omitempty" example:"/api/v1/users/9b2d8c1e-4f5a-4b6c-8d7e-0a1b2c3d4e5f/api-keys?offset=100&limit=100"`
}

// NewUserCreated names a user that was created or updated.
func NewUserCreated(u User) UserCreated {
	return UserCreated{UserID: u.ID, Email: u.Email}
}

// NewUserDetailResponse converts a user, their projects and the first of
// their (masked) keys, of total, to their API form.
func NewUserDetailResponse(u User, projects []UserProject, keys []APIKeyItem, total int) UserDetailResponse {
	r := UserDetailResponse{UserID: u.ID, Email: u.Email, CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt,
		Projects: Items(projects, NewUserProjectItem), APIKeys: keys, APIKeysTotal: total}
	if total > len(keys) {
		r.APIKeysNext = fmt.Sprintf("/api/v1/users/%s/api-keys?offset=%d&limit=%d", url.PathEscape(u.ID), len(keys), len(keys))
	}
	return r
}

// NewUserDeleted reports a deleted user with the keys and memberships that went with them.
func NewUserDeleted(u User, apiKeys, memberships int) UserDeleted {
	return UserDeleted{UserID: u.ID, Email: u.Email, DeletedAPIKeys: apiKeys, DeletedMemberships: memberships}
}
