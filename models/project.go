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

// ProjectSummary is a project with the name of its configuration and its counts.
type ProjectSummary struct {
	Project
	ConfigName string // empty when no configuration is assigned
	Users      int
	APIKeys    int
}

// Member is a user of a project with the number of their keys in it.
type Member struct {
	User
	AddedAt time.Time
	APIKeys int
}

// UserProject is a project seen from one of its members.
type UserProject struct {
	ProjectRef
	ConfigID   string
	ConfigName string
	AddedAt    time.Time
	APIKeys    int // the member's keys in this project
}

// UserSummary is a user with their projects and key count.
type UserSummary struct {
	User
	Projects []ProjectRef
	APIKeys  int
}
