package timed

import (
	"context"
	"time"

	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/repositories"
)

type adminKeys struct {
	next repositories.AdminKeyRepository
	observer
}

func (r repos) AdminKeys() repositories.AdminKeyRepository {
	return adminKeys{r.next.AdminKeys(), r.observer}
}

func (r adminKeys) Create(ctx context.Context, k models.AdminKey) (err error) {
	defer r.observe("admin_keys.create", time.Now(), &err)
	return r.next.Create(ctx, k)
}

func (r adminKeys) Resolve(ctx context.Context, idOrName string) (_ models.AdminKey, err error) {
	defer r.observe("admin_keys.resolve", time.Now(), &err)
	return r.next.Resolve(ctx, idOrName)
}

func (r adminKeys) GetByHash(ctx context.Context, hash string) (_ models.AdminKey, err error) {
	defer r.observe("admin_keys.get_by_hash", time.Now(), &err)
	return r.next.GetByHash(ctx, hash)
}

func (r adminKeys) List(ctx context.Context, page repositories.Page) (_ []models.AdminKey, _ int, err error) {
	defer r.observe("admin_keys.list", time.Now(), &err)
	return r.next.List(ctx, page)
}

func (r adminKeys) TouchLastUsed(ctx context.Context, lastUsed map[string]time.Time) (err error) {
	defer r.observe("admin_keys.touch_last_used", time.Now(), &err)
	return r.next.TouchLastUsed(ctx, lastUsed)
}

func (r adminKeys) Delete(ctx context.Context, id string) (err error) {
	defer r.observe("admin_keys.delete", time.Now(), &err)
	return r.next.Delete(ctx, id)
}
