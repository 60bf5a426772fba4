package system

import (
	"context"
	"sort"

	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/repositories"
	"github.com/securemcp/gateway/services/entity"
)

// state is the whole content of the store in creation order: what backup
// writes, restore replaces and the health check inspects.
type state struct {
	configs     []configState
	projects    []models.Project
	users       []models.User
	memberships []models.Membership
	keys        []models.APIKey
	settings    []models.Setting
}

// configState is a configuration with its servers.
type configState struct {
	models.Config
	servers []models.Server
}

// readState reads everything through r; called inside one transaction it is a
// consistent snapshot.
func readState(ctx context.Context, r repositories.Repos) (state, error) {
	var st state
	configs, _, err := r.Configs().List(ctx, repositories.Page{})
	if err != nil {
		return st, entity.StoreErr(err, "", "")
	}
	for _, c := range configs {
		servers, err := r.Servers().List(ctx, c.ID)
		if err != nil {
			return st, entity.StoreErr(err, "", "")
		}
		st.configs = append(st.configs, configState{Config: c.Config, servers: servers})
	}
	if st.projects, _, err = r.Projects().List(ctx, repositories.Page{}); err != nil {
		return st, entity.StoreErr(err, "", "")
	}
	if st.users, _, err = r.Users().List(ctx, repositories.Page{}); err != nil {
		return st, entity.StoreErr(err, "", "")
	}
	if st.memberships, err = r.Memberships().List(ctx); err != nil {
		return st, entity.StoreErr(err, "", "")
	}
	if st.keys, _, err = r.APIKeys().List(ctx, repositories.Page{}); err != nil {
		return st, entity.StoreErr(err, "", "")
	}
	if st.settings, err = r.Settings().List(ctx); err != nil {
		return st, entity.StoreErr(err, "", "")
	}
	return st, nil
}

// wipe deletes everything, dependents first (inside a transaction).
func wipe(ctx context.Context, tx repositories.Repos) error {
	for _, del := range []func(context.Context) error{
		tx.APIKeys().DeleteAll, tx.Memberships().DeleteAll, tx.Projects().DeleteAll,
		tx.Users().DeleteAll, tx.Configs().DeleteAll, tx.Settings().DeleteAll,
	} {
		if err := del(ctx); err != nil {
			return entity.StoreErr(err, "", "")
		}
	}
	return nil
}

// insertState writes a checked state into an empty store (inside a transaction),
// each list in its order so that creation order survives, in multi-row
// statements: one per list (and one per configuration for its servers),
// however many rows.
func insertState(ctx context.Context, tx repositories.Repos, st state) error {
	configs := make([]models.Config, len(st.configs))
	for i, c := range st.configs {
		configs[i] = c.Config
	}
	if err := tx.Configs().Create(ctx, configs...); err != nil {
		return entity.StoreErr(err, "", "")
	}
	for _, c := range st.configs {
		if err := tx.Servers().Create(ctx, c.ID, c.servers...); err != nil {
			return entity.StoreErr(err, "", "")
		}
	}
	if err := tx.Users().Create(ctx, st.users...); err != nil {
		return entity.StoreErr(err, "", "")
	}
	if err := tx.Projects().Create(ctx, st.projects...); err != nil {
		return entity.StoreErr(err, "", "")
	}
	// Memberships are grouped by project in documents; re-inserting them by time
	// restores the global order that per-user listings show.
	members := append([]models.Membership(nil), st.memberships...)
	sort.SliceStable(members, func(i, j int) bool { return members[i].CreatedAt.Before(members[j].CreatedAt) })
	if err := tx.Memberships().Add(ctx, members...); err != nil {
		return entity.StoreErr(err, "", "")
	}
	if err := tx.APIKeys().Create(ctx, st.keys...); err != nil {
		return entity.StoreErr(err, "", "")
	}
	for _, s := range st.settings {
		if err := tx.Settings().Put(ctx, s); err != nil {
			return entity.StoreErr(err, "", "")
		}
	}
	return nil
}

// empty reports whether the store holds no entity and no setting.
func (st state) empty() bool {
	return len(st.configs)+len(st.projects)+len(st.users)+len(st.keys)+len(st.settings) == 0
}

func (st state) counts() models.BackupCounts {
	n := models.BackupCounts{Configs: len(st.configs), Projects: len(st.projects), Users: len(st.users),
		Memberships: len(st.memberships), APIKeys: len(st.keys), Settings: len(st.settings)}
	for _, c := range st.configs {
		n.Servers += len(c.servers)
	}
	return n
}
