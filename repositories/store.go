// Package repositories declares the storage contract of the gateway. Backends
// (the embedded SQLite store and PostgreSQL) live in sub-packages and must pass
// the conformance suite in storetest.
//
// The decorators in timed and cached wrap every repository method; their
// pass-through code is generated from the interfaces below (after changing
// one, run `go generate ./repositories/...` or `make generate`).
package repositories

//go:generate go run ./internal/wrapgen

import (
	"context"
	"errors"
	"time"

	"github.com/securemcp/gateway/models"
)

// Sentinel errors every backend translates its driver errors into.
var (
	// ErrNotFound means that no row matched.
	ErrNotFound = errors.New("not found")
	// ErrConflict means that a uniqueness constraint was violated.
	ErrConflict = errors.New("conflict")
	// ErrReferenced means that a row is still referenced by another (foreign key).
	ErrReferenced = errors.New("still referenced")
	// ErrUnstorable means that a text holds what the database cannot store
	// (PostgreSQL refuses NUL characters and invalid UTF-8).
	ErrUnstorable = errors.New("text the database cannot store")
)

// Page restricts a listing. Limit 0 means no limit.
type Page struct {
	Limit  int
	Offset int
}

// Bounds is the part [start, end) of a whole list of n items that the page
// selects, for lists loaded whole rather than paged by the database.
func (p Page) Bounds(n int) (start, end int) {
	start, end = min(max(p.Offset, 0), n), n
	if p.Limit > 0 {
		end = start + min(p.Limit, n-start) // no start+limit: a huge limit would overflow
	}
	return start, end
}

// Cursor is a position in a listing in creation order: a batch read returns
// the cursor of its last item, and the next batch starts after it. The zero
// Cursor is the start. Reading a long list batch by batch holds no connection
// and no snapshot between batches: an item created meanwhile appears at the
// end, one deleted before its batch is left out, and none appears twice.
type Cursor int64

// Repos is the set of repositories, bound either to the store or to one transaction.
type Repos interface {
	Configs() ConfigRepository
	Servers() ServerRepository
	Projects() ProjectRepository
	Users() UserRepository
	Memberships() MembershipRepository
	APIKeys() APIKeyRepository
	Settings() SettingsRepository
	Integrity() IntegrityRepository
	AdminKeys() AdminKeyRepository
	Audit() AuditRepository
}

// Store is a storage backend.
type Store interface {
	Repos
	// InTx runs fn in one transaction: every write of fn commits durably together or
	// not at all. Backends retry fn on serialization failures, so fn must not have
	// side effects outside the store. After a write inside fn fails (conflict,
	// reference), fn must return an error rather than go on writing: PostgreSQL
	// aborts the whole transaction at the first failed statement.
	InTx(ctx context.Context, fn func(tx Repos) error) error
	// ReadSnapshot runs fn on one consistent, read-only view of the store: it
	// sees no write committed after its first read, and neither blocks writers
	// nor makes them retry (a whole-store read for a backup or a health check
	// takes seconds at scale). Writes inside fn fail.
	ReadSnapshot(ctx context.Context, fn func(r Repos) error) error
	// Ping checks that the store answers a query on the gateway's tables
	// (one cheap round trip, bounded by ctx): the readiness probe and the
	// first step of the health report.
	Ping(ctx context.Context) error
	// Backend names the engine ("sqlite" or "postgres").
	Backend() string
	Close() error
}

// ConfigRepository stores configurations.
type ConfigRepository interface {
	// Create inserts configurations in their order, all or none, as
	// Users().Create does.
	Create(ctx context.Context, configs ...models.Config) error
	// Resolve finds a configuration by id, else by exact name.
	Resolve(ctx context.Context, idOrName string) (models.Config, error)
	List(ctx context.Context, page Page) ([]models.ConfigSummary, int, error)
	Search(ctx context.Context, term string) ([]models.ConfigSearchHit, error)
	Rename(ctx context.Context, id, name string, at time.Time) error
	Touch(ctx context.Context, id string, at time.Time) error
	Delete(ctx context.Context, id string) error
	Count(ctx context.Context) (int, error)
	// DeleteAll removes every row (restore and reset); dependent rows must be gone first.
	DeleteAll(ctx context.Context) error
}

// ServerRepository stores the servers of configurations, in creation order.
type ServerRepository interface {
	List(ctx context.Context, configID string) ([]models.Server, error)
	Get(ctx context.Context, configID, name string) (models.Server, error)
	// Create inserts servers of one configuration in their order, as Users().Create does.
	Create(ctx context.Context, configID string, servers ...models.Server) error
	// Update replaces every stored field of the named server.
	Update(ctx context.Context, configID string, s models.Server) error
	Delete(ctx context.Context, configID, name string) error
	DeleteAll(ctx context.Context, configID string) error
}

// ProjectRepository stores projects.
type ProjectRepository interface {
	// Create inserts projects in their order, as Users().Create does.
	Create(ctx context.Context, projects ...models.Project) error
	// Resolve finds a project by id, else by exact name.
	Resolve(ctx context.Context, idOrName string) (models.Project, error)
	Get(ctx context.Context, id string) (models.Project, error)
	List(ctx context.Context, page Page) ([]models.Project, int, error)
	ListByConfig(ctx context.Context, configID string) ([]models.Project, error)
	// Summaries lists projects with their configuration name, member and key counts.
	Summaries(ctx context.Context, page Page) ([]models.ProjectSummary, int, error)
	// Search finds projects whose name or any member's email contains term, ignoring case.
	Search(ctx context.Context, term string) ([]models.ProjectSummary, error)
	// SetConfig assigns a configuration; an empty configID unassigns.
	SetConfig(ctx context.Context, id, configID string, at time.Time) error
	Delete(ctx context.Context, id string) error
	Count(ctx context.Context) (int, error)
	// DeleteAll removes every row (restore and reset); dependent rows must be gone first.
	DeleteAll(ctx context.Context) error
}

// UserRepository stores users.
type UserRepository interface {
	// Create inserts users in their order, all or none (many at once in a
	// transaction is how restore stays fast at scale).
	Create(ctx context.Context, users ...models.User) error
	// Resolve finds a user by id, else by email (case-insensitive).
	Resolve(ctx context.Context, idOrEmail string) (models.User, error)
	Get(ctx context.Context, id string) (models.User, error)
	List(ctx context.Context, page Page) ([]models.User, int, error)
	// Summaries lists users with their projects and key counts.
	Summaries(ctx context.Context, page Page) ([]models.UserSummary, int, error)
	// SummaryBatch reads, in creation order, at most limit users after the
	// cursor, skipping the first skip of them, as Summaries does, and returns
	// the cursor of the last.
	SummaryBatch(ctx context.Context, after Cursor, skip, limit int) ([]models.UserSummary, Cursor, error)
	// Search finds users whose email or any project's name contains term, ignoring case.
	Search(ctx context.Context, term string) ([]models.UserSummary, error)
	UpdateEmail(ctx context.Context, id, email string, at time.Time) error
	Delete(ctx context.Context, id string) error
	Count(ctx context.Context) (int, error)
	// DeleteAll removes every row (restore and reset); dependent rows must be gone first.
	DeleteAll(ctx context.Context) error
}

// MembershipRepository stores which users belong to which projects.
type MembershipRepository interface {
	// Add inserts memberships in their order, as Users().Create does.
	Add(ctx context.Context, ms ...models.Membership) error
	Exists(ctx context.Context, projectID, userID string) (bool, error)
	ListByProject(ctx context.Context, projectID string) ([]models.Membership, error)
	ListByUser(ctx context.Context, userID string) ([]models.Membership, error)
	// Members lists the users of a project, in the order they joined, with their key counts in it.
	Members(ctx context.Context, projectID string) ([]models.Member, error)
	// ProjectsOf lists the projects of a user, in the order they joined.
	ProjectsOf(ctx context.Context, userID string) ([]models.UserProject, error)
	Remove(ctx context.Context, projectID, userID string) error
	RemoveAllOfProject(ctx context.Context, projectID string) error
	RemoveAllOfUser(ctx context.Context, userID string) error
	// List returns every membership in creation order (backup, integrity checks).
	List(ctx context.Context) ([]models.Membership, error)
	DeleteAll(ctx context.Context) error
}

// APIKeyFilter restricts a key listing; empty fields match every key.
type APIKeyFilter struct {
	UserID    string
	ProjectID string
}

// APIKeyRepository stores API key records (hashes, never secrets).
type APIKeyRepository interface {
	// Create inserts key records in their order, as Users().Create does.
	Create(ctx context.Context, keys ...models.APIKey) error
	Get(ctx context.Context, id string) (models.APIKey, error)
	// GetByHash finds the key whose current hash, or else whose previous hash,
	// equals hash; whether a previous hash's grace period is over is the
	// caller's rule (it compares PreviousExpiresAt with its clock).
	GetByHash(ctx context.Context, hash string) (models.APIKey, error)
	// GetPrincipal finds a key as GetByHash does and, in the same round trip,
	// its user, project, membership and the project's configuration.
	GetPrincipal(ctx context.Context, hash string) (models.KeyPrincipal, error)
	List(ctx context.Context, page Page) ([]models.APIKey, int, error)
	ListByUser(ctx context.Context, userID string) ([]models.APIKey, error)
	// ListInfo lists the keys matching f with the names of their user and project.
	ListInfo(ctx context.Context, f APIKeyFilter, page Page) ([]models.APIKeyInfo, int, error)
	// InfoBatch reads, in creation order, at most limit keys matching f after
	// the cursor, skipping the first skip of them (a page's offset), with the
	// names of their user and project, and returns the cursor of the last.
	InfoBatch(ctx context.Context, f APIKeyFilter, after Cursor, skip, limit int) ([]models.APIKeyInfo, Cursor, error)
	// CountInfo counts the keys matching f.
	CountInfo(ctx context.Context, f APIKeyFilter) (int, error)
	// GetInfo returns one key with the names of its user and project.
	GetInfo(ctx context.Context, id string) (models.APIKeyInfo, error)
	CountByProject(ctx context.Context, projectID string) (int, error)
	// Update replaces the mutable fields of the key record.
	Update(ctx context.Context, k models.APIKey) error
	// TouchLastUsed records last use times in one batch.
	TouchLastUsed(ctx context.Context, lastUsed map[string]time.Time) error
	Delete(ctx context.Context, id string) error
	DeleteAllOfUser(ctx context.Context, userID string) error
	Count(ctx context.Context) (total, disabled int, err error)
	DeleteAll(ctx context.Context) error
}

// AdminKeyRepository stores named admin keys (hashes, never secrets). They are
// credentials of the management API, not state of the gateway: backups,
// restores and resets leave them alone.
type AdminKeyRepository interface {
	// Create inserts one key; ErrConflict when its name or hash is taken.
	Create(ctx context.Context, k models.AdminKey) error
	// Resolve finds a key by id, else by exact name.
	Resolve(ctx context.Context, idOrName string) (models.AdminKey, error)
	// GetByHash finds the key whose hash equals hash, on a unique index.
	GetByHash(ctx context.Context, hash string) (models.AdminKey, error)
	// List returns a page of the keys in creation order, and their total.
	List(ctx context.Context, page Page) ([]models.AdminKey, int, error)
	// TouchLastUsed records last use times in one batch, only ever moving
	// them forward.
	TouchLastUsed(ctx context.Context, lastUsed map[string]time.Time) error
	Delete(ctx context.Context, id string) error
}

// SettingsRepository stores runtime settings as JSON values.
type SettingsRepository interface {
	Put(ctx context.Context, s models.Setting) error
	Get(ctx context.Context, key string) (models.Setting, error)
	List(ctx context.Context) ([]models.Setting, error)
	DeleteAll(ctx context.Context) error
}

// IntegrityRepository answers questions about the whole store with set-based
// statements (COUNT, joins, GROUP BY), never by loading it: the health report
// asks them whenever it is polled, and reset and import ask inside their write
// transactions, which must stay short.
type IntegrityRepository interface {
	// Counts counts the rows of every kind in one statement.
	Counts(ctx context.Context) (models.StoreCounts, error)
	// Findings lists the rows that break a rule of the gateway, at most limit
	// (> 0) in each list of the result.
	Findings(ctx context.Context, limit int) (models.IntegrityFindings, error)
}
