package audited

import (
	"context"
	"time"

	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/repositories"
)

// Entity kinds as records name them.
const (
	kindConfig     = "config"
	kindServer     = "server"
	kindProject    = "project"
	kindUser       = "user"
	kindMembership = "membership"
	kindAPIKey     = "api_key"
	kindSetting    = "setting"
)

func serverID(configID, name string) string        { return configID + "/" + name }
func membershipID(projectID, userID string) string { return projectID + "/" + userID }

type configs struct {
	repositories.ConfigRepository
	r repos
}

func (c configs) Create(ctx context.Context, cs ...models.Config) error {
	return c.r.write(ctx, func(tx repos) error {
		if err := tx.next.Configs().Create(ctx, cs...); err != nil {
			return err
		}
		for _, x := range cs {
			tx.rec.note(kindConfig, x.ID, x.Name, nil, x)
		}
		return nil
	})
}

// update notes a change of one configuration made by op; apply gives the
// value after it (the write's arguments say what it changed: reading the
// row again would cost every write a query).
func (c configs) update(ctx context.Context, id string, op func(tx repos) error, apply func(*models.Config)) error {
	return c.r.write(ctx, func(tx repos) error {
		before, err := tx.next.Configs().Resolve(ctx, id)
		if err != nil {
			return op(tx) // the write reports what is wrong
		}
		if err := op(tx); err != nil {
			return err
		}
		after := before
		apply(&after)
		tx.rec.note(kindConfig, id, after.Name, before, after)
		return nil
	})
}

func (c configs) Rename(ctx context.Context, id, name string, at time.Time) error {
	return c.update(ctx, id, func(tx repos) error { return tx.next.Configs().Rename(ctx, id, name, at) },
		func(x *models.Config) { x.Name, x.UpdatedAt = name, at })
}

func (c configs) Touch(ctx context.Context, id string, at time.Time) error {
	return c.update(ctx, id, func(tx repos) error { return tx.next.Configs().Touch(ctx, id, at) },
		func(x *models.Config) { x.UpdatedAt = at })
}

func (c configs) Delete(ctx context.Context, id string) error {
	return c.r.write(ctx, func(tx repos) error {
		before, err := orNil(tx.next.Configs().Resolve(ctx, id))
		if err != nil {
			return err
		}
		if err := tx.next.Configs().Delete(ctx, id); err != nil {
			return err
		}
		name := ""
		if b, ok := before.(models.Config); ok {
			name = b.Name
		}
		tx.rec.note(kindConfig, id, name, before, nil)
		return nil
	})
}

func (c configs) DeleteAll(ctx context.Context) error {
	return c.r.deleteAll(ctx, kindConfig, func(n *models.StoreCounts) *int { return &n.Configs },
		func(tx repos) error { return tx.next.Configs().DeleteAll(ctx) })
}

type servers struct {
	repositories.ServerRepository
	r repos
}

func (s servers) Create(ctx context.Context, configID string, ss ...models.Server) error {
	return s.r.write(ctx, func(tx repos) error {
		if err := tx.next.Servers().Create(ctx, configID, ss...); err != nil {
			return err
		}
		for _, x := range ss {
			tx.rec.note(kindServer, serverID(configID, x.Name), x.Name, nil, x)
		}
		return nil
	})
}

func (s servers) Update(ctx context.Context, configID string, x models.Server) error {
	return s.r.write(ctx, func(tx repos) error {
		before, err := orNil(tx.next.Servers().Get(ctx, configID, x.Name))
		if err != nil {
			return err
		}
		if err := tx.next.Servers().Update(ctx, configID, x); err != nil {
			return err
		}
		// Update replaces every stored field: x is the row now.
		tx.rec.note(kindServer, serverID(configID, x.Name), x.Name, before, x)
		return nil
	})
}

func (s servers) Delete(ctx context.Context, configID, name string) error {
	return s.r.write(ctx, func(tx repos) error {
		before, err := orNil(tx.next.Servers().Get(ctx, configID, name))
		if err != nil {
			return err
		}
		if err := tx.next.Servers().Delete(ctx, configID, name); err != nil {
			return err
		}
		tx.rec.note(kindServer, serverID(configID, name), name, before, nil)
		return nil
	})
}

func (s servers) DeleteAll(ctx context.Context, configID string) error {
	return s.r.write(ctx, func(tx repos) error {
		before, err := tx.next.Servers().List(ctx, configID)
		if err != nil {
			return err
		}
		if err := tx.next.Servers().DeleteAll(ctx, configID); err != nil {
			return err
		}
		for _, x := range before {
			tx.rec.note(kindServer, serverID(configID, x.Name), x.Name, x, nil)
		}
		return nil
	})
}

type projects struct {
	repositories.ProjectRepository
	r repos
}

func (p projects) Create(ctx context.Context, ps ...models.Project) error {
	return p.r.write(ctx, func(tx repos) error {
		if err := tx.next.Projects().Create(ctx, ps...); err != nil {
			return err
		}
		for _, x := range ps {
			tx.rec.note(kindProject, x.ID, x.Name, nil, x)
		}
		return nil
	})
}

func (p projects) SetConfig(ctx context.Context, id, configID string, at time.Time) error {
	return p.r.write(ctx, func(tx repos) error {
		before, err := orNil(tx.next.Projects().Get(ctx, id))
		if err != nil {
			return err
		}
		if err := tx.next.Projects().SetConfig(ctx, id, configID, at); err != nil {
			return err
		}
		after, _ := before.(models.Project) // found: SetConfig would have failed
		after.ConfigID, after.UpdatedAt = configID, at
		tx.rec.note(kindProject, id, after.Name, before, after)
		return nil
	})
}

func (p projects) Delete(ctx context.Context, id string) error {
	return p.r.write(ctx, func(tx repos) error {
		before, err := orNil(tx.next.Projects().Get(ctx, id))
		if err != nil {
			return err
		}
		if err := tx.next.Projects().Delete(ctx, id); err != nil {
			return err
		}
		name := ""
		if b, ok := before.(models.Project); ok {
			name = b.Name
		}
		tx.rec.note(kindProject, id, name, before, nil)
		return nil
	})
}

func (p projects) DeleteAll(ctx context.Context) error {
	return p.r.deleteAll(ctx, kindProject, func(n *models.StoreCounts) *int { return &n.Projects },
		func(tx repos) error { return tx.next.Projects().DeleteAll(ctx) })
}

type users struct {
	repositories.UserRepository
	r repos
}

func (u users) Create(ctx context.Context, us ...models.User) error {
	return u.r.write(ctx, func(tx repos) error {
		if err := tx.next.Users().Create(ctx, us...); err != nil {
			return err
		}
		for _, x := range us {
			tx.rec.note(kindUser, x.ID, x.Email, nil, x)
		}
		return nil
	})
}

func (u users) UpdateEmail(ctx context.Context, id, email string, at time.Time) error {
	return u.r.write(ctx, func(tx repos) error {
		before, err := orNil(tx.next.Users().Get(ctx, id))
		if err != nil {
			return err
		}
		if err := tx.next.Users().UpdateEmail(ctx, id, email, at); err != nil {
			return err
		}
		after, _ := before.(models.User) // found: UpdateEmail would have failed
		after.Email, after.UpdatedAt = email, at
		tx.rec.note(kindUser, id, after.Email, before, after)
		return nil
	})
}

func (u users) Delete(ctx context.Context, id string) error {
	return u.r.write(ctx, func(tx repos) error {
		before, err := orNil(tx.next.Users().Get(ctx, id))
		if err != nil {
			return err
		}
		if err := tx.next.Users().Delete(ctx, id); err != nil {
			return err
		}
		email := ""
		if b, ok := before.(models.User); ok {
			email = b.Email
		}
		tx.rec.note(kindUser, id, email, before, nil)
		return nil
	})
}

func (u users) DeleteAll(ctx context.Context) error {
	return u.r.deleteAll(ctx, kindUser, func(n *models.StoreCounts) *int { return &n.Users },
		func(tx repos) error { return tx.next.Users().DeleteAll(ctx) })
}

type memberships struct {
	repositories.MembershipRepository
	r repos
}

func (m memberships) Add(ctx context.Context, ms ...models.Membership) error {
	return m.r.write(ctx, func(tx repos) error {
		if err := tx.next.Memberships().Add(ctx, ms...); err != nil {
			return err
		}
		for _, x := range ms {
			tx.rec.note(kindMembership, membershipID(x.ProjectID, x.UserID), "", nil, x)
		}
		return nil
	})
}

func (m memberships) Remove(ctx context.Context, projectID, userID string) error {
	return m.r.write(ctx, func(tx repos) error {
		if err := tx.next.Memberships().Remove(ctx, projectID, userID); err != nil {
			return err
		}
		tx.rec.note(kindMembership, membershipID(projectID, userID), "", models.Membership{ProjectID: projectID, UserID: userID}, nil)
		return nil
	})
}

// removeListed removes the memberships list returns, noting each.
func (m memberships) removeListed(ctx context.Context, list func(tx repos) ([]models.Membership, error), op func(tx repos) error) error {
	return m.r.write(ctx, func(tx repos) error {
		before, err := list(tx)
		if err != nil {
			return err
		}
		if err := op(tx); err != nil {
			return err
		}
		for _, x := range before {
			tx.rec.note(kindMembership, membershipID(x.ProjectID, x.UserID), "", x, nil)
		}
		return nil
	})
}

func (m memberships) RemoveAllOfProject(ctx context.Context, projectID string) error {
	return m.removeListed(ctx,
		func(tx repos) ([]models.Membership, error) {
			return tx.next.Memberships().ListByProject(ctx, projectID)
		},
		func(tx repos) error { return tx.next.Memberships().RemoveAllOfProject(ctx, projectID) })
}

func (m memberships) RemoveAllOfUser(ctx context.Context, userID string) error {
	return m.removeListed(ctx,
		func(tx repos) ([]models.Membership, error) { return tx.next.Memberships().ListByUser(ctx, userID) },
		func(tx repos) error { return tx.next.Memberships().RemoveAllOfUser(ctx, userID) })
}

func (m memberships) DeleteAll(ctx context.Context) error {
	return m.r.deleteAll(ctx, kindMembership, func(n *models.StoreCounts) *int { return &n.Memberships },
		func(tx repos) error { return tx.next.Memberships().DeleteAll(ctx) })
}

type apiKeys struct {
	repositories.APIKeyRepository
	r repos
}

func (k apiKeys) Create(ctx context.Context, ks ...models.APIKey) error {
	return k.r.write(ctx, func(tx repos) error {
		if err := tx.next.APIKeys().Create(ctx, ks...); err != nil {
			return err
		}
		for _, x := range ks {
			tx.rec.note(kindAPIKey, x.ID, "", nil, x)
		}
		return nil
	})
}

func (k apiKeys) Update(ctx context.Context, x models.APIKey) error {
	return k.r.write(ctx, func(tx repos) error {
		before, err := orNil(tx.next.APIKeys().Get(ctx, x.ID))
		if err != nil {
			return err
		}
		if err := tx.next.APIKeys().Update(ctx, x); err != nil {
			return err
		}
		after, err := tx.next.APIKeys().Get(ctx, x.ID)
		if err != nil {
			return err
		}
		tx.rec.note(kindAPIKey, x.ID, "", before, after)
		return nil
	})
}

// TouchLastUsed passes through unrecorded: it is when keys were used (the
// tool calls' own records say so), not a change anyone made.
func (k apiKeys) TouchLastUsed(ctx context.Context, lastUsed map[string]time.Time) error {
	return k.APIKeyRepository.TouchLastUsed(ctx, lastUsed)
}

func (k apiKeys) Delete(ctx context.Context, id string) error {
	return k.r.write(ctx, func(tx repos) error {
		before, err := orNil(tx.next.APIKeys().Get(ctx, id))
		if err != nil {
			return err
		}
		if err := tx.next.APIKeys().Delete(ctx, id); err != nil {
			return err
		}
		tx.rec.note(kindAPIKey, id, "", before, nil)
		return nil
	})
}

func (k apiKeys) DeleteAllOfUser(ctx context.Context, userID string) error {
	return k.r.write(ctx, func(tx repos) error {
		before, err := tx.next.APIKeys().ListByUser(ctx, userID)
		if err != nil {
			return err
		}
		if err := tx.next.APIKeys().DeleteAllOfUser(ctx, userID); err != nil {
			return err
		}
		for _, x := range before {
			tx.rec.note(kindAPIKey, x.ID, "", x, nil)
		}
		return nil
	})
}

func (k apiKeys) DeleteAll(ctx context.Context) error {
	return k.r.deleteAll(ctx, kindAPIKey, func(n *models.StoreCounts) *int { return &n.APIKeys },
		func(tx repos) error { return tx.next.APIKeys().DeleteAll(ctx) })
}

type settings struct {
	repositories.SettingsRepository
	r repos
}

func (s settings) Put(ctx context.Context, x models.Setting) error {
	return s.r.write(ctx, func(tx repos) error {
		before, err := orNil(tx.next.Settings().Get(ctx, x.Key))
		if err != nil {
			return err
		}
		if err := tx.next.Settings().Put(ctx, x); err != nil {
			return err
		}
		tx.rec.note(kindSetting, x.Key, x.Key, before, x)
		return nil
	})
}

func (s settings) DeleteAll(ctx context.Context) error {
	return s.r.deleteAll(ctx, kindSetting, func(n *models.StoreCounts) *int { return &n.Settings },
		func(tx repos) error { return tx.next.Settings().DeleteAll(ctx) })
}
