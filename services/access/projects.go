// Package access holds who may use the gateway: projects and their members,
// users, their API keys, and the verification of a key on every gateway
// request (with the batched recording of its use).
package access

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/repositories"
	"github.com/securemcp/gateway/services/catalog"
	"github.com/securemcp/gateway/services/confine"
	"github.com/securemcp/gateway/services/entity"
	"github.com/securemcp/gateway/services/errs"
	"github.com/securemcp/gateway/services/sealed"
)

// ProjectService manages projects, their configuration and their members.
type ProjectService struct {
	store   repositories.Store
	files   confine.Files
	now     entity.Clock
	secrets sealed.Secrets
}

// NewProjectService wires a ProjectService.
func NewProjectService(store repositories.Store, files confine.Files, now entity.Clock, secrets sealed.Secrets) *ProjectService {
	return &ProjectService{store: store, files: files, now: now, secrets: secrets}
}

// ProjectDetail is a project with its configuration (nil when none), members
// and key count.
type ProjectDetail struct {
	models.Project
	Config  *models.Config
	Members []models.Member
	APIKeys int
}

// Membership names a project and one of its users.
type Membership struct {
	Project models.Project
	User    models.User
	// Keys counts the user's keys in the project: after a removal, the keys
	// that stopped verifying.
	Keys int
}

func resolveProject(ctx context.Context, r repositories.Repos, ident string) (models.Project, error) {
	p, err := entity.Lookup(ctx, ident, r.Projects().Resolve)
	return p, entity.StoreErr(err, fmt.Sprintf("project %q not found", ident), "")
}

func projectNameTaken(name string) string {
	return fmt.Sprintf("a project named %q already exists", name)
}

// Create adds a project without configuration or members.
func (s *ProjectService) Create(ctx context.Context, name string) (models.Project, error) {
	name, err := entity.CleanEntityName("project_name", name)
	if err != nil {
		return models.Project{}, err
	}
	now := s.now()
	p := models.Project{ID: entity.NewID(), Name: name, CreatedAt: now, UpdatedAt: now}
	return p, entity.StoreErr(s.store.Projects().Create(ctx, p), "", projectNameTaken(name))
}

// List returns projects in creation order with their counts and the total.
func (s *ProjectService) List(ctx context.Context, page repositories.Page) ([]models.ProjectSummary, int, error) {
	list, total, err := s.store.Projects().Summaries(ctx, page)
	return list, total, entity.StoreErr(err, "", "")
}

// Search finds projects whose name or any member's email contains term, ignoring case.
func (s *ProjectService) Search(ctx context.Context, term string) ([]models.ProjectSummary, error) {
	if err := entity.CheckSearchTerm(term); err != nil {
		return nil, err
	}
	hits, err := s.store.Projects().Search(ctx, term)
	return hits, entity.StoreErr(err, "", "")
}

// configOf reads the configuration with the given id ("" for none). It is read
// after the project or key that names it, so a concurrent unassign and delete
// can remove it in between; the answer is then the state after that change:
// no configuration, rather than a storage failure.
func configOf(ctx context.Context, r repositories.Repos, id string) (*models.Config, error) {
	if id == "" {
		return nil, nil
	}
	c, err := r.Configs().Resolve(ctx, id)
	if errors.Is(err, repositories.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, entity.StoreErr(err, "", "")
	}
	return &c, nil
}

// Get returns a project with its configuration, members and key count.
func (s *ProjectService) Get(ctx context.Context, ident string) (ProjectDetail, error) {
	p, err := resolveProject(ctx, s.store, ident)
	if err != nil {
		return ProjectDetail{}, err
	}
	d := ProjectDetail{Project: p}
	if d.Config, err = configOf(ctx, s.store, p.ConfigID); err != nil {
		return ProjectDetail{}, err
	}
	if d.Members, err = s.store.Memberships().Members(ctx, p.ID); err != nil {
		return ProjectDetail{}, entity.StoreErr(err, "", "")
	}
	d.APIKeys, err = s.store.APIKeys().CountByProject(ctx, p.ID)
	return d, entity.StoreErr(err, "", "")
}

// Delete removes a project and its memberships; refused while API keys reference it.
func (s *ProjectService) Delete(ctx context.Context, ident string) (models.Project, error) {
	var p models.Project
	err := s.store.InTx(ctx, func(tx repositories.Repos) error {
		var err error
		if p, err = resolveProject(ctx, tx, ident); err != nil {
			return err
		}
		keys, err := tx.APIKeys().CountByProject(ctx, p.ID)
		if err != nil {
			return entity.StoreErr(err, "", "")
		}
		if keys > 0 {
			return errs.Conflict("project %q is referenced by %d API key(s); delete them first", p.Name, keys)
		}
		return entity.StoreErr(tx.Projects().Delete(ctx, p.ID), "", fmt.Sprintf("project %q is still referenced", p.Name))
	})
	return p, err
}

// AssignConfig gives a project the configuration named by configID or
// configName (at least one; if both, they must name the same configuration).
func (s *ProjectService) AssignConfig(ctx context.Context, ident, configID, configName string) (models.Project, models.Config, error) {
	if configID == "" && configName == "" {
		return models.Project{}, models.Config{}, errs.Invalid("config_name or config_id is required")
	}
	var p models.Project
	var c models.Config
	err := s.store.InTx(ctx, func(tx repositories.Repos) error {
		var err error
		if p, err = resolveProject(ctx, tx, ident); err != nil {
			return err
		}
		if c, err = resolveConfigByFields(ctx, tx, configID, configName); err != nil {
			return err
		}
		p.ConfigID, p.UpdatedAt = c.ID, s.now()
		return entity.StoreErr(tx.Projects().SetConfig(ctx, p.ID, c.ID, p.UpdatedAt), "", "")
	})
	return p, c, err
}

// resolveConfigByFields finds the configuration named by an id field and/or a name field.
func resolveConfigByFields(ctx context.Context, r repositories.Repos, id, name string) (models.Config, error) {
	ident := id
	if ident == "" {
		ident = name
	}
	c, err := catalog.ResolveConfig(ctx, r, ident)
	switch {
	case err != nil:
		return c, err
	case id != "" && !strings.EqualFold(c.ID, id): // found by name, or not at all
		return c, errs.NotFound("configuration id %q not found", id)
	case id != "" && name != "" && c.Name != name:
		return c, errs.Invalid("config_id and config_name name different configurations")
	}
	return c, nil
}

// UnassignConfig removes a project's configuration; its keys stop verifying
// until another is assigned. Unassigning when none is assigned is a no-op.
func (s *ProjectService) UnassignConfig(ctx context.Context, ident string) (models.Project, error) {
	var p models.Project
	err := s.store.InTx(ctx, func(tx repositories.Repos) error {
		var err error
		if p, err = resolveProject(ctx, tx, ident); err != nil || p.ConfigID == "" {
			return err
		}
		p.ConfigID, p.UpdatedAt = "", s.now()
		return entity.StoreErr(tx.Projects().SetConfig(ctx, p.ID, "", p.UpdatedAt), "", "")
	})
	return p, err
}

// Config returns the configuration assigned to a project, with its servers.
func (s *ProjectService) Config(ctx context.Context, ident string) (catalog.ConfigDetail, error) {
	p, err := resolveProject(ctx, s.store, ident)
	if err != nil {
		return catalog.ConfigDetail{}, err
	}
	c, err := configOf(ctx, s.store, p.ConfigID)
	if err != nil {
		return catalog.ConfigDetail{}, err
	}
	if c == nil {
		return catalog.ConfigDetail{}, errs.NotFound("project %q has no configuration assigned", p.Name)
	}
	d := catalog.ConfigDetail{Config: *c}
	servers, err := s.store.Servers().List(ctx, c.ID)
	d.Servers = catalog.ForReaders(ctx, s.secrets.PublicServers(c.ID, servers))
	return d, entity.StoreErr(err, "", "")
}

// Members lists the users of a project in the order they joined.
func (s *ProjectService) Members(ctx context.Context, ident string) ([]models.Member, error) {
	p, err := resolveProject(ctx, s.store, ident)
	if err != nil {
		return nil, err
	}
	members, err := s.store.Memberships().Members(ctx, p.ID)
	return members, entity.StoreErr(err, "", "")
}

// AddMember adds the user named by userID or email (at least one; if both,
// they must name the same user) to a project.
func (s *ProjectService) AddMember(ctx context.Context, ident, userID, email string) (Membership, error) {
	if userID == "" && email == "" {
		return Membership{}, errs.Invalid("user_id or email is required")
	}
	if email != "" {
		var err error
		if email, err = entity.CleanEmail("email", email); err != nil {
			return Membership{}, err
		}
	}
	var m Membership
	err := s.store.InTx(ctx, func(tx repositories.Repos) error {
		var err error
		if m.Project, err = resolveProject(ctx, tx, ident); err != nil {
			return err
		}
		if m.User, err = resolveUserByFields(ctx, tx, userID, email); err != nil {
			return err
		}
		err = tx.Memberships().Add(ctx, models.Membership{ProjectID: m.Project.ID, UserID: m.User.ID, CreatedAt: s.now()})
		return entity.StoreErr(err, "", fmt.Sprintf("user %q is already a member of project %q", m.User.Email, m.Project.Name))
	})
	return m, err
}

// RemoveMember removes a user from a project. The user's keys for the project
// stay but stop verifying; Keys says how many.
func (s *ProjectService) RemoveMember(ctx context.Context, ident, userIdent string) (Membership, error) {
	var m Membership
	err := s.store.InTx(ctx, func(tx repositories.Repos) error {
		var err error
		if m.Project, err = resolveProject(ctx, tx, ident); err != nil {
			return err
		}
		if m.User, err = resolveUser(ctx, tx, userIdent); err != nil {
			return err
		}
		err = tx.Memberships().Remove(ctx, m.Project.ID, m.User.ID)
		if err = entity.StoreErr(err, fmt.Sprintf("user %q is not a member of project %q", m.User.Email, m.Project.Name), ""); err != nil {
			return err
		}
		keys, _, err := tx.APIKeys().ListInfo(ctx, repositories.APIKeyFilter{UserID: m.User.ID, ProjectID: m.Project.ID}, repositories.Page{})
		m.Keys = len(keys)
		return entity.StoreErr(err, "", "")
	})
	return m, err
}

// RemoveAllMembers empties a project and returns how many members it had.
func (s *ProjectService) RemoveAllMembers(ctx context.Context, ident string) (models.Project, int, error) {
	var p models.Project
	var n int
	err := s.store.InTx(ctx, func(tx repositories.Repos) error {
		var err error
		if p, err = resolveProject(ctx, tx, ident); err != nil {
			return err
		}
		members, err := tx.Memberships().ListByProject(ctx, p.ID)
		if err != nil {
			return entity.StoreErr(err, "", "")
		}
		n = len(members)
		return entity.StoreErr(tx.Memberships().RemoveAllOfProject(ctx, p.ID), "", "")
	})
	return p, n, err
}

// ProjectExportResult is an exported project and where it was written.
type ProjectExportResult struct {
	Document models.ProjectExport
	Path     string
}

// Export writes a project document (project, configuration, members) into the
// data directory and returns it; as for a configuration's export, the file
// holds the servers as stored (secrets sealed) and the document returned masks
// their secrets.
func (s *ProjectService) Export(ctx context.Context, ident, outputFile string) (ProjectExportResult, error) {
	if err := s.files.Check("output_file", outputFile); err != nil {
		return ProjectExportResult{}, err
	}
	d, err := s.Get(ctx, ident)
	if err != nil {
		return ProjectExportResult{}, err
	}
	doc := models.ProjectExport{ProjectID: d.ID, ExportedAt: s.now(),
		Project: models.ProjectDocument{ProjectID: d.ID, ProjectName: d.Name, CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt},
		Users:   make([]models.ProjectUserItem, 0, len(d.Members))}
	var public *models.ConfigDocument // the servers as the response shows them
	if d.Config != nil {
		servers, err := s.store.Servers().List(ctx, d.Config.ID)
		if err != nil {
			return ProjectExportResult{}, entity.StoreErr(err, "", "")
		}
		doc.Project.MCPConfigID = d.Config.ID
		doc.Config = &models.ConfigDocument{MCPConfigName: d.Config.Name, MCPConfig: make([]models.ServerSpec, 0, len(servers))}
		public = &models.ConfigDocument{MCPConfigName: d.Config.Name, MCPConfig: make([]models.ServerSpec, 0, len(servers))}
		for _, srv := range servers {
			doc.Config.MCPConfig = append(doc.Config.MCPConfig, models.NewServerSpec(srv))
			public.MCPConfig = append(public.MCPConfig, models.NewServerSpec(s.secrets.PublicServer(d.Config.ID, srv)))
		}
	}
	for _, m := range d.Members {
		doc.Users = append(doc.Users, models.NewProjectUserItem(m))
	}
	data, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return ProjectExportResult{}, &errs.Error{Kind: errs.KindInternal, Message: "cannot encode export", Err: err}
	}
	path, err := s.files.WriteFile("output_file", outputFile, append(data, '\n'))
	doc.Config = public
	return ProjectExportResult{Document: doc, Path: path}, err
}
