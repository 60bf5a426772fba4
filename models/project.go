package models

import "time"

// Project groups users under one configuration.
type Project struct {
	ID        string
	Name      string
	ConfigID  string // empty when no configuration is assigned
	CreatedAt time.Time
	UpdatedAt time.Time
}

// User is a person who may hold API keys in the projects they belong to.
type User struct {
	ID        string
	Email     string // always lowercase
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Membership says that a user belongs to a project.
type Membership struct {
	ProjectID string
	UserID    string
	CreatedAt time.Time
}
