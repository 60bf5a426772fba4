package audited

import (
	"context"
	"time"

	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/repositories"
)

const kindAdminKey = "admin_key"

// AdminKeys records who created and deleted named admin keys.
func (r repos) AdminKeys() repositories.AdminKeyRepository {
	return adminKeys{r.next.AdminKeys(), r}
}

type adminKeys struct {
	repositories.AdminKeyRepository
	r repos
}

// recorded is what a record shows of a key: never its hash, which would let
// anyone who reads the trail test guesses offline.
func recorded(k models.AdminKey) models.AdminKey {
	k.Hash = ""
	return k
}

func (k adminKeys) Create(ctx context.Context, x models.AdminKey) error {
	return k.r.write(ctx, func(tx repos) error {
		if err := tx.next.AdminKeys().Create(ctx, x); err != nil {
			return err
		}
		tx.rec.note(kindAdminKey, x.ID, x.Name, nil, recorded(x))
		return nil
	})
}

func (k adminKeys) Delete(ctx context.Context, id string) error {
	return k.r.write(ctx, func(tx repos) error {
		before, err := tx.next.AdminKeys().Resolve(ctx, id)
		if err != nil {
			return err
		}
		if err := tx.next.AdminKeys().Delete(ctx, id); err != nil {
			return err
		}
		tx.rec.note(kindAdminKey, id, before.Name, recorded(before), nil)
		return nil
	})
}

// TouchLastUsed passes through unrecorded: it is when a key was used, not a
// change anyone made.
func (k adminKeys) TouchLastUsed(ctx context.Context, lastUsed map[string]time.Time) error {
	return k.AdminKeyRepository.TouchLastUsed(ctx, lastUsed)
}
