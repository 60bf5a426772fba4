package services_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/repositories"
	"github.com/securemcp/gateway/repositories/sqlstore/sqltest"
	"github.com/securemcp/gateway/services/access"
	"github.com/securemcp/gateway/services/entity"
	"github.com/securemcp/gateway/services/errs"
)

// seedKeys gives n users a membership and a key each, in one transaction.
func seedKeys(t *testing.T, store repositories.Store, n int) {
	t.Helper()
	ctx := context.Background()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	p := models.Project{ID: "30000000-0000-4000-8000-000000000001", Name: "p", CreatedAt: now, UpdatedAt: now}
	users := make([]models.User, n)
	members := make([]models.Membership, n)
	keys := make([]models.APIKey, n)
	for i := range n {
		users[i] = models.User{ID: fmt.Sprintf("10000000-0000-4000-8000-%012d", i), Email: fmt.Sprintf("u%d@example.com", i), CreatedAt: now, UpdatedAt: now}
		members[i] = models.Membership{ProjectID: p.ID, UserID: users[i].ID, CreatedAt: now}
		keys[i] = models.APIKey{ID: fmt.Sprintf("20000000-0000-4000-8000-%012d", i), Hash: fmt.Sprintf("%064d", i), Last4: "abcd",
			UserID: users[i].ID, ProjectID: p.ID, CreatedAt: now}
	}
	require.NoError(t, store.InTx(ctx, func(tx repositories.Repos) error {
		return errors.Join(tx.Projects().Create(ctx, p), tx.Users().Create(ctx, users...), tx.Memberships().Add(ctx, members...),
			tx.APIKeys().Create(ctx, keys...))
	}))
}

// Listings read batch by batch and give exactly the page asked for, however
// it falls across batches.
func TestListingsWalkEveryBatch(t *testing.T) {
	t.Parallel()
	for _, b := range sqltest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			svc, store := newCoreOn(t, b.Open)
			ctx := context.Background()
			n := 2*entity.ListBatch + 7
			seedKeys(t, store, n)
			for _, tc := range []struct {
				page        repositories.Page
				first, want int
			}{
				{repositories.Page{}, 0, n},
				{repositories.Page{Offset: entity.ListBatch - 1, Limit: 3}, entity.ListBatch - 1, 3},
				{repositories.Page{Offset: 5, Limit: entity.ListBatch + 10}, 5, entity.ListBatch + 10},
				{repositories.Page{Offset: n - 2}, n - 2, 2},
				{repositories.Page{Offset: n + 5}, 0, 0},
				{repositories.Page{Limit: 1 << 62}, 0, n},
			} {
				keys, err := svc.APIKeys.List(ctx, tc.page)
				require.NoError(t, err)
				assert.Equal(t, n, keys.Total)
				got, err := keys.Collect(ctx)
				require.NoError(t, err)
				require.Len(t, got, tc.want, "%+v", tc.page)
				for i, v := range got {
					require.Equal(t, fmt.Sprintf("20000000-0000-4000-8000-%012d", tc.first+i), v.ID, "%+v: item %d", tc.page, i)
				}
				users, err := svc.Users.List(ctx, tc.page)
				require.NoError(t, err)
				assert.Equal(t, n, users.Total)
				all, err := users.Collect(ctx)
				require.NoError(t, err)
				require.Len(t, all, tc.want)
				if tc.want > 0 {
					assert.Equal(t, fmt.Sprintf("u%d@example.com", tc.first), all[0].Email)
					assert.Len(t, all[0].Projects, 1)
					assert.Equal(t, 1, all[0].APIKeys)
				}
			}
			mine, err := svc.APIKeys.ListOfUser(ctx, "u3@example.com", "p", repositories.Page{})
			require.NoError(t, err)
			assert.Equal(t, 1, mine.Total)
			_, err = svc.APIKeys.ListOfUser(ctx, "nobody@example.com", "", repositories.Page{})
			assert.Equal(t, errs.KindNotFound, errs.KindOf(err))

			stop := errors.New("stop")
			seen := 0
			keys, err := svc.APIKeys.List(ctx, repositories.Page{})
			require.NoError(t, err)
			err = keys.Each(ctx, func(access.KeyView) error {
				if seen++; seen == 3 {
					return stop
				}
				return nil
			})
			assert.ErrorIs(t, err, stop, "a consumer's error ends the walk")
			assert.Equal(t, 3, seen)
		})
	}
}
