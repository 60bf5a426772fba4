package timed

import (
	"context"
	"time"

	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/repositories"
)

type configs struct {
	next repositories.ConfigRepository
	observer
}

func (r configs) Create(ctx context.Context, configs ...models.Config) (err error) {
	defer r.observe("configs.create", time.Now(), &err)
	return r.next.Create(ctx, configs...)
}

func (r configs) Resolve(ctx context.Context, idOrName string) (_ models.Config, err error) {
	defer r.observe("configs.resolve", time.Now(), &err)
	return r.next.Resolve(ctx, idOrName)
}

func (r configs) List(ctx context.Context, page repositories.Page) (_ []models.ConfigSummary, _ int, err error) {
	defer r.observe("configs.list", time.Now(), &err)
	return r.next.List(ctx, page)
}

func (r configs) Search(ctx context.Context, term string) (_ []models.ConfigSearchHit, err error) {
	defer r.observe("configs.search", time.Now(), &err)
	return r.next.Search(ctx, term)
}

func (r configs) Rename(ctx context.Context, id, name string, at time.Time) (err error) {
	defer r.observe("configs.rename", time.Now(), &err)
	return r.next.Rename(ctx, id, name, at)
}

func (r configs) Touch(ctx context.Context, id string, at time.Time) (err error) {
	defer r.observe("configs.touch", time.Now(), &err)
	return r.next.Touch(ctx, id, at)
}

func (r configs) Delete(ctx context.Context, id string) (err error) {
	defer r.observe("configs.delete", time.Now(), &err)
	return r.next.Delete(ctx, id)
}

func (r configs) Count(ctx context.Context) (_ int, err error) {
	defer r.observe("configs.count", time.Now(), &err)
	return r.next.Count(ctx)
}

type servers struct {
	next repositories.ServerRepository
	observer
}

func (r servers) List(ctx context.Context, configID string) (_ []models.Server, err error) {
	defer r.observe("servers.list", time.Now(), &err)
	return r.next.List(ctx, configID)
}

func (r servers) Get(ctx context.Context, configID, name string) (_ models.Server, err error) {
	defer r.observe("servers.get", time.Now(), &err)
	return r.next.Get(ctx, configID, name)
}

func (r servers) Create(ctx context.Context, configID string, servers ...models.Server) (err error) {
	defer r.observe("servers.create", time.Now(), &err)
	return r.next.Create(ctx, configID, servers...)
}

func (r servers) Update(ctx context.Context, configID string, s models.Server) (err error) {
	defer r.observe("servers.update", time.Now(), &err)
	return r.next.Update(ctx, configID, s)
}

func (r servers) Delete(ctx context.Context, configID, name string) (err error) {
	defer r.observe("servers.delete", time.Now(), &err)
	return r.next.Delete(ctx, configID, name)
}

func (r servers) DeleteAll(ctx context.Context, configID string) (err error) {
	defer r.observe("servers.delete_all", time.Now(), &err)
	return r.next.DeleteAll(ctx, configID)
}

type projects struct {
	next repositories.ProjectRepository
	observer
}

func (r projects) Create(ctx context.Context, projects ...models.Project) (err error) {
	defer r.observe("projects.create", time.Now(), &err)
	return r.next.Create(ctx, projects...)
}

func (r projects) Resolve(ctx context.Context, idOrName string) (_ models.Project, err error) {
	defer r.observe("projects.resolve", time.Now(), &err)
	return r.next.Resolve(ctx, idOrName)
}

func (r projects) Get(ctx context.Context, id string) (_ models.Project, err error) {
	defer r.observe("projects.get", time.Now(), &err)
	return r.next.Get(ctx, id)
}

func (r projects) List(ctx context.Context, page repositories.Page) (_ []models.Project, _ int, err error) {
	defer r.observe("projects.list", time.Now(), &err)
	return r.next.List(ctx, page)
}

func (r projects) ListByConfig(ctx context.Context, configID string) (_ []models.Project, err error) {
	defer r.observe("projects.list_by_config", time.Now(), &err)
	return r.next.ListByConfig(ctx, configID)
}

func (r projects) SetConfig(ctx context.Context, id, configID string, at time.Time) (err error) {
	defer r.observe("projects.set_config", time.Now(), &err)
	return r.next.SetConfig(ctx, id, configID, at)
}

func (r projects) Delete(ctx context.Context, id string) (err error) {
	defer r.observe("projects.delete", time.Now(), &err)
	return r.next.Delete(ctx, id)
}

func (r projects) Count(ctx context.Context) (_ int, err error) {
	defer r.observe("projects.count", time.Now(), &err)
	return r.next.Count(ctx)
}

type users struct {
	next repositories.UserRepository
	observer
}

func (r users) Create(ctx context.Context, users ...models.User) (err error) {
	defer r.observe("users.create", time.Now(), &err)
	return r.next.Create(ctx, users...)
}

func (r users) Resolve(ctx context.Context, idOrEmail string) (_ models.User, err error) {
	defer r.observe("users.resolve", time.Now(), &err)
	return r.next.Resolve(ctx, idOrEmail)
}

func (r users) Get(ctx context.Context, id string) (_ models.User, err error) {
	defer r.observe("users.get", time.Now(), &err)
	return r.next.Get(ctx, id)
}

func (r users) List(ctx context.Context, page repositories.Page) (_ []models.User, _ int, err error) {
	defer r.observe("users.list", time.Now(), &err)
	return r.next.List(ctx, page)
}

func (r users) UpdateEmail(ctx context.Context, id, email string, at time.Time) (err error) {
	defer r.observe("users.update_email", time.Now(), &err)
	return r.next.UpdateEmail(ctx, id, email, at)
}

func (r users) Delete(ctx context.Context, id string) (err error) {
	defer r.observe("users.delete", time.Now(), &err)
	return r.next.Delete(ctx, id)
}

func (r users) Count(ctx context.Context) (_ int, err error) {
	defer r.observe("users.count", time.Now(), &err)
	return r.next.Count(ctx)
}

type memberships struct {
	next repositories.MembershipRepository
	observer
}

func (r memberships) Add(ctx context.Context, ms ...models.Membership) (err error) {
	defer r.observe("memberships.add", time.Now(), &err)
	return r.next.Add(ctx, ms...)
}

func (r memberships) Exists(ctx context.Context, projectID, userID string) (_ bool, err error) {
	defer r.observe("memberships.exists", time.Now(), &err)
	return r.next.Exists(ctx, projectID, userID)
}

func (r memberships) ListByProject(ctx context.Context, projectID string) (_ []models.Membership, err error) {
	defer r.observe("memberships.list_by_project", time.Now(), &err)
	return r.next.ListByProject(ctx, projectID)
}

func (r memberships) ListByUser(ctx context.Context, userID string) (_ []models.Membership, err error) {
	defer r.observe("memberships.list_by_user", time.Now(), &err)
	return r.next.ListByUser(ctx, userID)
}

func (r memberships) Remove(ctx context.Context, projectID, userID string) (err error) {
	defer r.observe("memberships.remove", time.Now(), &err)
	return r.next.Remove(ctx, projectID, userID)
}

func (r memberships) RemoveAllOfProject(ctx context.Context, projectID string) (err error) {
	defer r.observe("memberships.remove_all_of_project", time.Now(), &err)
	return r.next.RemoveAllOfProject(ctx, projectID)
}

func (r memberships) RemoveAllOfUser(ctx context.Context, userID string) (err error) {
	defer r.observe("memberships.remove_all_of_user", time.Now(), &err)
	return r.next.RemoveAllOfUser(ctx, userID)
}

type apiKeys struct {
	next repositories.APIKeyRepository
	observer
}

func (r apiKeys) Create(ctx context.Context, keys ...models.APIKey) (err error) {
	defer r.observe("api_keys.create", time.Now(), &err)
	return r.next.Create(ctx, keys...)
}

func (r apiKeys) Get(ctx context.Context, id string) (_ models.APIKey, err error) {
	defer r.observe("api_keys.get", time.Now(), &err)
	return r.next.Get(ctx, id)
}

func (r apiKeys) GetByHash(ctx context.Context, hash string) (_ models.APIKey, err error) {
	defer r.observe("api_keys.get_by_hash", time.Now(), &err)
	return r.next.GetByHash(ctx, hash)
}

func (r apiKeys) List(ctx context.Context, page repositories.Page) (_ []models.APIKey, _ int, err error) {
	defer r.observe("api_keys.list", time.Now(), &err)
	return r.next.List(ctx, page)
}

func (r apiKeys) ListByUser(ctx context.Context, userID string) (_ []models.APIKey, err error) {
	defer r.observe("api_keys.list_by_user", time.Now(), &err)
	return r.next.ListByUser(ctx, userID)
}

func (r apiKeys) CountByProject(ctx context.Context, projectID string) (_ int, err error) {
	defer r.observe("api_keys.count_by_project", time.Now(), &err)
	return r.next.CountByProject(ctx, projectID)
}

func (r apiKeys) Update(ctx context.Context, k models.APIKey) (err error) {
	defer r.observe("api_keys.update", time.Now(), &err)
	return r.next.Update(ctx, k)
}

func (r apiKeys) TouchLastUsed(ctx context.Context, lastUsed map[string]time.Time) (err error) {
	defer r.observe("api_keys.touch_last_used", time.Now(), &err)
	return r.next.TouchLastUsed(ctx, lastUsed)
}

func (r apiKeys) Delete(ctx context.Context, id string) (err error) {
	defer r.observe("api_keys.delete", time.Now(), &err)
	return r.next.Delete(ctx, id)
}

func (r apiKeys) DeleteAllOfUser(ctx context.Context, userID string) (err error) {
	defer r.observe("api_keys.delete_all_of_user", time.Now(), &err)
	return r.next.DeleteAllOfUser(ctx, userID)
}

func (r apiKeys) Count(ctx context.Context) (total, disabled int, err error) {
	defer r.observe("api_keys.count", time.Now(), &err)
	return r.next.Count(ctx)
}

type settings struct {
	next repositories.SettingsRepository
	observer
}

func (r settings) Put(ctx context.Context, s models.Setting) (err error) {
	defer r.observe("settings.put", time.Now(), &err)
	return r.next.Put(ctx, s)
}

func (r settings) Get(ctx context.Context, key string) (_ models.Setting, err error) {
	defer r.observe("settings.get", time.Now(), &err)
	return r.next.Get(ctx, key)
}

func (r settings) List(ctx context.Context) (_ []models.Setting, err error) {
	defer r.observe("settings.list", time.Now(), &err)
	return r.next.List(ctx)
}

func (r settings) DeleteAll(ctx context.Context) (err error) {
	defer r.observe("settings.delete_all", time.Now(), &err)
	return r.next.DeleteAll(ctx)
}

func (r configs) DeleteAll(ctx context.Context) (err error) {
	defer r.observe("configs.delete_all", time.Now(), &err)
	return r.next.DeleteAll(ctx)
}

func (r projects) DeleteAll(ctx context.Context) (err error) {
	defer r.observe("projects.delete_all", time.Now(), &err)
	return r.next.DeleteAll(ctx)
}

func (r users) DeleteAll(ctx context.Context) (err error) {
	defer r.observe("users.delete_all", time.Now(), &err)
	return r.next.DeleteAll(ctx)
}

func (r memberships) List(ctx context.Context) (_ []models.Membership, err error) {
	defer r.observe("memberships.list", time.Now(), &err)
	return r.next.List(ctx)
}

func (r memberships) DeleteAll(ctx context.Context) (err error) {
	defer r.observe("memberships.delete_all", time.Now(), &err)
	return r.next.DeleteAll(ctx)
}

func (r apiKeys) DeleteAll(ctx context.Context) (err error) {
	defer r.observe("api_keys.delete_all", time.Now(), &err)
	return r.next.DeleteAll(ctx)
}
