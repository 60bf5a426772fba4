// Every repository method is listed, so that the compiler asks for any new
// one: reads pass through, writes invalidate the cache (see cached.go).

package cached

import (
	"context"
	"time"

	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/repositories"
)

type configs struct {
	next repositories.ConfigRepository
	c    *cache
	inTx bool
}

func (r configs) Create(ctx context.Context, configs ...models.Config) error {
	defer r.c.invalidate()
	return r.next.Create(ctx, configs...)
}

func (r configs) List(ctx context.Context, page repositories.Page) ([]models.ConfigSummary, int, error) {
	return r.next.List(ctx, page)
}

func (r configs) Search(ctx context.Context, term string) ([]models.ConfigSearchHit, error) {
	return r.next.Search(ctx, term)
}

func (r configs) Rename(ctx context.Context, id, name string, at time.Time) error {
	defer r.c.invalidate()
	return r.next.Rename(ctx, id, name, at)
}

func (r configs) Touch(ctx context.Context, id string, at time.Time) error {
	defer r.c.invalidate()
	return r.next.Touch(ctx, id, at)
}

func (r configs) Delete(ctx context.Context, id string) error {
	defer r.c.invalidate()
	return r.next.Delete(ctx, id)
}

func (r configs) Count(ctx context.Context) (int, error) {
	return r.next.Count(ctx)
}

func (r configs) DeleteAll(ctx context.Context) error {
	defer r.c.invalidate()
	return r.next.DeleteAll(ctx)
}

type servers struct {
	next repositories.ServerRepository
	c    *cache
	inTx bool
}

func (r servers) Get(ctx context.Context, configID, name string) (models.Server, error) {
	return r.next.Get(ctx, configID, name)
}

func (r servers) Create(ctx context.Context, configID string, servers ...models.Server) error {
	defer r.c.invalidate()
	return r.next.Create(ctx, configID, servers...)
}

func (r servers) Update(ctx context.Context, configID string, s models.Server) error {
	defer r.c.invalidate()
	return r.next.Update(ctx, configID, s)
}

func (r servers) Delete(ctx context.Context, configID, name string) error {
	defer r.c.invalidate()
	return r.next.Delete(ctx, configID, name)
}

func (r servers) DeleteAll(ctx context.Context, configID string) error {
	defer r.c.invalidate()
	return r.next.DeleteAll(ctx, configID)
}

type projects struct {
	next repositories.ProjectRepository
	c    *cache
}

func (r projects) Create(ctx context.Context, projects ...models.Project) error {
	defer r.c.invalidate()
	return r.next.Create(ctx, projects...)
}

func (r projects) Resolve(ctx context.Context, idOrName string) (models.Project, error) {
	return r.next.Resolve(ctx, idOrName)
}

func (r projects) Get(ctx context.Context, id string) (models.Project, error) {
	return r.next.Get(ctx, id)
}

func (r projects) List(ctx context.Context, page repositories.Page) ([]models.Project, int, error) {
	return r.next.List(ctx, page)
}

func (r projects) ListByConfig(ctx context.Context, configID string) ([]models.Project, error) {
	return r.next.ListByConfig(ctx, configID)
}

func (r projects) Summaries(ctx context.Context, page repositories.Page) ([]models.ProjectSummary, int, error) {
	return r.next.Summaries(ctx, page)
}

func (r projects) Search(ctx context.Context, term string) ([]models.ProjectSummary, error) {
	return r.next.Search(ctx, term)
}

func (r projects) SetConfig(ctx context.Context, id, configID string, at time.Time) error {
	defer r.c.invalidate()
	return r.next.SetConfig(ctx, id, configID, at)
}

func (r projects) Delete(ctx context.Context, id string) error {
	defer r.c.invalidate()
	return r.next.Delete(ctx, id)
}

func (r projects) Count(ctx context.Context) (int, error) {
	return r.next.Count(ctx)
}

func (r projects) DeleteAll(ctx context.Context) error {
	defer r.c.invalidate()
	return r.next.DeleteAll(ctx)
}

type users struct {
	next repositories.UserRepository
	c    *cache
}

func (r users) Create(ctx context.Context, users ...models.User) error {
	defer r.c.invalidate()
	return r.next.Create(ctx, users...)
}

func (r users) Resolve(ctx context.Context, idOrEmail string) (models.User, error) {
	return r.next.Resolve(ctx, idOrEmail)
}

func (r users) Get(ctx context.Context, id string) (models.User, error) {
	return r.next.Get(ctx, id)
}

func (r users) List(ctx context.Context, page repositories.Page) ([]models.User, int, error) {
	return r.next.List(ctx, page)
}

func (r users) Summaries(ctx context.Context, page repositories.Page) ([]models.UserSummary, int, error) {
	return r.next.Summaries(ctx, page)
}

func (r users) SummaryBatch(ctx context.Context, after repositories.Cursor, skip, limit int) ([]models.UserSummary, repositories.Cursor, error) {
	return r.next.SummaryBatch(ctx, after, skip, limit)
}

func (r users) Search(ctx context.Context, term string) ([]models.UserSummary, error) {
	return r.next.Search(ctx, term)
}

func (r users) UpdateEmail(ctx context.Context, id, email string, at time.Time) error {
	defer r.c.invalidate()
	return r.next.UpdateEmail(ctx, id, email, at)
}

func (r users) Delete(ctx context.Context, id string) error {
	defer r.c.invalidate()
	return r.next.Delete(ctx, id)
}

func (r users) Count(ctx context.Context) (int, error) {
	return r.next.Count(ctx)
}

func (r users) DeleteAll(ctx context.Context) error {
	defer r.c.invalidate()
	return r.next.DeleteAll(ctx)
}

type memberships struct {
	next repositories.MembershipRepository
	c    *cache
}

func (r memberships) Add(ctx context.Context, ms ...models.Membership) error {
	defer r.c.invalidate()
	return r.next.Add(ctx, ms...)
}

func (r memberships) Exists(ctx context.Context, projectID, userID string) (bool, error) {
	return r.next.Exists(ctx, projectID, userID)
}

func (r memberships) ListByProject(ctx context.Context, projectID string) ([]models.Membership, error) {
	return r.next.ListByProject(ctx, projectID)
}

func (r memberships) ListByUser(ctx context.Context, userID string) ([]models.Membership, error) {
	return r.next.ListByUser(ctx, userID)
}

func (r memberships) Members(ctx context.Context, projectID string) ([]models.Member, error) {
	return r.next.Members(ctx, projectID)
}

func (r memberships) ProjectsOf(ctx context.Context, userID string) ([]models.UserProject, error) {
	return r.next.ProjectsOf(ctx, userID)
}

func (r memberships) Remove(ctx context.Context, projectID, userID string) error {
	defer r.c.invalidate()
	return r.next.Remove(ctx, projectID, userID)
}

func (r memberships) RemoveAllOfProject(ctx context.Context, projectID string) error {
	defer r.c.invalidate()
	return r.next.RemoveAllOfProject(ctx, projectID)
}

func (r memberships) RemoveAllOfUser(ctx context.Context, userID string) error {
	defer r.c.invalidate()
	return r.next.RemoveAllOfUser(ctx, userID)
}

func (r memberships) List(ctx context.Context) ([]models.Membership, error) {
	return r.next.List(ctx)
}

func (r memberships) DeleteAll(ctx context.Context) error {
	defer r.c.invalidate()
	return r.next.DeleteAll(ctx)
}

type apiKeys struct {
	next repositories.APIKeyRepository
	c    *cache
}

func (r apiKeys) Create(ctx context.Context, keys ...models.APIKey) error {
	defer r.c.invalidate()
	return r.next.Create(ctx, keys...)
}

func (r apiKeys) Get(ctx context.Context, id string) (models.APIKey, error) {
	return r.next.Get(ctx, id)
}

func (r apiKeys) GetByHash(ctx context.Context, hash string) (models.APIKey, error) {
	return r.next.GetByHash(ctx, hash)
}

func (r apiKeys) List(ctx context.Context, page repositories.Page) ([]models.APIKey, int, error) {
	return r.next.List(ctx, page)
}

func (r apiKeys) ListByUser(ctx context.Context, userID string) ([]models.APIKey, error) {
	return r.next.ListByUser(ctx, userID)
}

func (r apiKeys) ListInfo(ctx context.Context, f repositories.APIKeyFilter, page repositories.Page) ([]models.APIKeyInfo, int, error) {
	return r.next.ListInfo(ctx, f, page)
}

func (r apiKeys) InfoBatch(ctx context.Context, f repositories.APIKeyFilter, after repositories.Cursor, skip, limit int) ([]models.APIKeyInfo, repositories.Cursor, error) {
	return r.next.InfoBatch(ctx, f, after, skip, limit)
}

func (r apiKeys) CountInfo(ctx context.Context, f repositories.APIKeyFilter) (int, error) {
	return r.next.CountInfo(ctx, f)
}

func (r apiKeys) GetInfo(ctx context.Context, id string) (models.APIKeyInfo, error) {
	return r.next.GetInfo(ctx, id)
}

// GetPrincipal is never cached: whether a key verifies must be current.
func (r apiKeys) GetPrincipal(ctx context.Context, hash string) (models.KeyPrincipal, error) {
	return r.next.GetPrincipal(ctx, hash)
}

func (r apiKeys) CountByProject(ctx context.Context, projectID string) (int, error) {
	return r.next.CountByProject(ctx, projectID)
}

func (r apiKeys) Update(ctx context.Context, k models.APIKey) error {
	defer r.c.invalidate()
	return r.next.Update(ctx, k)
}

// TouchLastUsed keeps the cache: no entry holds a key's last use.
func (r apiKeys) TouchLastUsed(ctx context.Context, lastUsed map[string]time.Time) error {
	return r.next.TouchLastUsed(ctx, lastUsed)
}

func (r apiKeys) Delete(ctx context.Context, id string) error {
	defer r.c.invalidate()
	return r.next.Delete(ctx, id)
}

func (r apiKeys) DeleteAllOfUser(ctx context.Context, userID string) error {
	defer r.c.invalidate()
	return r.next.DeleteAllOfUser(ctx, userID)
}

func (r apiKeys) Count(ctx context.Context) (total, disabled int, err error) {
	return r.next.Count(ctx)
}

func (r apiKeys) DeleteAll(ctx context.Context) error {
	defer r.c.invalidate()
	return r.next.DeleteAll(ctx)
}

type settings struct {
	next repositories.SettingsRepository
	c    *cache
}

func (r settings) Put(ctx context.Context, s models.Setting) error {
	defer r.c.invalidate()
	return r.next.Put(ctx, s)
}

func (r settings) Get(ctx context.Context, key string) (models.Setting, error) {
	return r.next.Get(ctx, key)
}

func (r settings) List(ctx context.Context) ([]models.Setting, error) {
	return r.next.List(ctx)
}

func (r settings) DeleteAll(ctx context.Context) error {
	defer r.c.invalidate()
	return r.next.DeleteAll(ctx)
}
