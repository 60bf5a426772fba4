// Package catalog holds the configuration catalog: MCP configurations, their
// servers and guardrails policies, their validation, export and import as
// documents, and the approval of the tools their servers offer.
package catalog

import (
	"context"
	"fmt"

	"github.com/securemcp/gateway/guardrails"
	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/repositories"
	"github.com/securemcp/gateway/services/confine"
	"github.com/securemcp/gateway/services/entity"
	"github.com/securemcp/gateway/services/errs"
	"github.com/securemcp/gateway/services/sealed"
)

// ConfigService manages MCP configurations and their servers.
type ConfigService struct {
	store repositories.Store
	files confine.Files
	now   entity.Clock
	// policies checks guardrails policies at validation: the built-in local
	// provider, which reports the detectors it cannot evaluate.
	policies guardrails.Provider
	secrets  sealed.Secrets
}

// NewConfigService wires a ConfigService.
func NewConfigService(store repositories.Store, files confine.Files, now entity.Clock, secrets sealed.Secrets) *ConfigService {
	return &ConfigService{store: store, files: files, now: now, policies: guardrails.NewLocalProvider(), secrets: secrets}
}

// ConfigDetail is a configuration with its servers.
type ConfigDetail struct {
	models.Config
	Servers []models.Server
}

func ResolveConfig(ctx context.Context, r repositories.Repos, ident string) (models.Config, error) {
	c, err := entity.Lookup(ctx, ident, r.Configs().Resolve)
	return c, entity.StoreErr(err, fmt.Sprintf("configuration %q not found", ident), "")
}

func configNameTaken(name string) string {
	return fmt.Sprintf("a configuration named %q already exists", name)
}

// List returns configurations in creation order with the total count.
func (s *ConfigService) List(ctx context.Context, page repositories.Page) ([]models.ConfigSummary, int, error) {
	list, total, err := s.store.Configs().List(ctx, page)
	return list, total, entity.StoreErr(err, "", "")
}

// Create adds an empty configuration.
func (s *ConfigService) Create(ctx context.Context, name string) (models.Config, error) {
	name, err := entity.CleanEntityName("config_name", name)
	if err != nil {
		return models.Config{}, err
	}
	now := s.now()
	c := models.Config{ID: entity.NewID(), Name: name, CreatedAt: now, UpdatedAt: now}
	return c, entity.StoreErr(s.store.Configs().Create(ctx, c), "", configNameTaken(name))
}

// Get returns a configuration with its servers, their secrets masked.
func (s *ConfigService) Get(ctx context.Context, ident string) (ConfigDetail, error) {
	d, err := s.detail(ctx, ident)
	d.Servers = ForReaders(ctx, s.secrets.PublicServers(d.ID, d.Servers))
	return d, err
}

// detail returns a configuration with its servers as stored.
func (s *ConfigService) detail(ctx context.Context, ident string) (ConfigDetail, error) {
	c, err := ResolveConfig(ctx, s.store, ident)
	if err != nil {
		return ConfigDetail{}, err
	}
	servers, err := s.store.Servers().List(ctx, c.ID)
	return ConfigDetail{Config: c, Servers: servers}, entity.StoreErr(err, "", "")
}

// Copy creates target as a copy of source, servers included, in one transaction.
func (s *ConfigService) Copy(ctx context.Context, source, target string) (models.Config, error) {
	if source == "" {
		return models.Config{}, errs.Invalid("source_config is required")
	}
	target, err := entity.CleanEntityName("target_config", target)
	if err != nil {
		return models.Config{}, err
	}
	now := s.now()
	c := models.Config{ID: entity.NewID(), Name: target, CreatedAt: now, UpdatedAt: now}
	err = s.store.InTx(ctx, func(tx repositories.Repos) error {
		src, err := ResolveConfig(ctx, tx, source)
		if err != nil {
			return err
		}
		servers, err := tx.Servers().List(ctx, src.ID)
		if err != nil {
			return entity.StoreErr(err, "", "")
		}
		// The copies' secrets are sealed for their new place.
		for i, srv := range servers {
			if servers[i], err = s.secrets.MoveServer(src.ID, c.ID, srv); err != nil {
				return err
			}
		}
		return createWithServers(ctx, tx, c, servers)
	})
	return c, err
}

// createWithServers inserts a configuration and its servers (inside a transaction).
func createWithServers(ctx context.Context, tx repositories.Repos, c models.Config, servers []models.Server) error {
	if err := tx.Configs().Create(ctx, c); err != nil {
		return entity.StoreErr(err, "", configNameTaken(c.Name))
	}
	for _, srv := range servers {
		srv.CreatedAt, srv.UpdatedAt = c.CreatedAt, c.UpdatedAt
		if err := tx.Servers().Create(ctx, c.ID, srv); err != nil {
			return entity.StoreErr(err, "", fmt.Sprintf("server %q appears twice", srv.Name))
		}
	}
	return nil
}

// Rename gives a configuration a new unique name; its own name is a no-op.
func (s *ConfigService) Rename(ctx context.Context, ident, newName string) (models.Config, error) {
	newName, err := entity.CleanEntityName("new_name", newName)
	if err != nil {
		return models.Config{}, err
	}
	var c models.Config
	err = s.store.InTx(ctx, func(tx repositories.Repos) error {
		if c, err = ResolveConfig(ctx, tx, ident); err != nil || c.Name == newName {
			return err
		}
		c.Name, c.UpdatedAt = newName, s.now()
		return entity.StoreErr(tx.Configs().Rename(ctx, c.ID, c.Name, c.UpdatedAt), "", configNameTaken(newName))
	})
	return c, err
}

// Delete removes a configuration and its servers; refused while a project uses it.
func (s *ConfigService) Delete(ctx context.Context, ident string) (models.Config, error) {
	var c models.Config
	err := s.store.InTx(ctx, func(tx repositories.Repos) error {
		var err error
		if c, err = ResolveConfig(ctx, tx, ident); err != nil {
			return err
		}
		projects, err := tx.Projects().ListByConfig(ctx, c.ID)
		if err != nil {
			return entity.StoreErr(err, "", "")
		}
		if len(projects) > 0 {
			return errs.Conflict("configuration %q is used by %d project(s); unassign it first", c.Name, len(projects))
		}
		return entity.StoreErr(tx.Configs().Delete(ctx, c.ID), "", fmt.Sprintf("configuration %q is still in use", c.Name))
	})
	return c, err
}

// Projects lists the projects using a configuration with their member counts.
func (s *ConfigService) Projects(ctx context.Context, ident string) ([]models.ProjectUsage, error) {
	c, err := ResolveConfig(ctx, s.store, ident)
	if err != nil {
		return nil, err
	}
	projects, err := s.store.Projects().ListByConfig(ctx, c.ID)
	if err != nil {
		return nil, entity.StoreErr(err, "", "")
	}
	out := make([]models.ProjectUsage, 0, len(projects))
	for _, p := range projects {
		members, err := s.store.Memberships().ListByProject(ctx, p.ID)
		if err != nil {
			return nil, entity.StoreErr(err, "", "")
		}
		out = append(out, models.ProjectUsage{ProjectRef: models.ProjectRef{ID: p.ID, Name: p.Name}, Users: len(members)})
	}
	return out, nil
}

// Search finds configurations whose name or any server name contains term,
// case-insensitively.
func (s *ConfigService) Search(ctx context.Context, term string) ([]models.ConfigSearchHit, error) {
	if err := entity.CheckSearchTerm(term); err != nil {
		return nil, err
	}
	hits, err := s.store.Configs().Search(ctx, term)
	return hits, entity.StoreErr(err, "", "")
}
