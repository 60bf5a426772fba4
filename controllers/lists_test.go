package controllers_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/securemcp/gateway/controllers"
	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/repositories"
	"github.com/securemcp/gateway/services/access"
	"github.com/securemcp/gateway/services/entity"
)

// seedManyKeys gives one user n keys in project "p" (and users
// "u<i>@example.com" one key each when perUser), straight into the store.
func (h *harness) seedManyKeys(n int, perUser bool) {
	h.t.Helper()
	ctx := context.Background()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	p := models.Project{ID: "30000000-0000-4000-8000-000000000001", Name: "p", CreatedAt: now, UpdatedAt: now}
	owner := models.User{ID: "10000000-0000-4000-8000-000000000000", Email: "owner@example.com", CreatedAt: now, UpdatedAt: now}
	users := []models.User{owner}
	members := []models.Membership{{ProjectID: p.ID, UserID: owner.ID, CreatedAt: now}}
	keys := make([]models.APIKey, n)
	for i := range n {
		userID := owner.ID
		if perUser {
			u := models.User{ID: fmt.Sprintf("10000000-0000-4000-8000-%012d", i+1), Email: fmt.Sprintf("u%d@example.com", i+1), CreatedAt: now, UpdatedAt: now}
			users = append(users, u)
			members = append(members, models.Membership{ProjectID: p.ID, UserID: u.ID, CreatedAt: now})
			userID = u.ID
		}
		keys[i] = models.APIKey{ID: fmt.Sprintf("20000000-0000-4000-8000-%012d", i), Hash: fmt.Sprintf("%064d", i), Last4: "abcd",
			UserID: userID, ProjectID: p.ID, CreatedAt: now.Add(time.Duration(i) * time.Second)}
	}
	require.NoError(h.t, h.store.InTx(ctx, func(tx repositories.Repos) error {
		return errors.Join(tx.Projects().Create(ctx, p), tx.Users().Create(ctx, users...), tx.Memberships().Add(ctx, members...),
			tx.APIKeys().Create(ctx, keys...))
	}))
}

func keyIDs(items []map[string]any) []string {
	ids := make([]string, len(items))
	for i, item := range items {
		ids[i], _ = item["key_id"].(string)
	}
	return ids
}

// A user with many keys shows the first 100, how many there are, and the page
// of their key listing that continues; that listing pages and streams.
func TestUserDetailBoundsItsKeys(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.seedManyKeys(2*entity.ListBatch+30, false)
	n := 2*entity.ListBatch + 30

	d := h.must(http.StatusOK, h.do("GET", "/api/v1/users/owner@example.com", nil)).data()
	embedded, _ := d["api_keys"].([]any)
	assert.Len(t, embedded, access.MaxEmbeddedKeys)
	assert.EqualValues(t, n, d["api_keys_total"])
	next, _ := d["api_keys_next"].(string)
	assert.Equal(t, "/api/v1/users/10000000-0000-4000-8000-000000000000/api-keys?offset=100&limit=100", next)

	page := h.must(http.StatusOK, h.do("GET", next, nil))
	assert.Equal(t, fmt.Sprint(n), page.Header.Get("X-Total-Count"))
	assert.Equal(t, "20000000-0000-4000-8000-000000000100", keyIDs(page.list())[0])
	assert.Len(t, page.list(), 100)

	all := h.must(http.StatusOK, h.do("GET", "/api/v1/users/owner@example.com/api-keys", nil))
	assert.Len(t, all.list(), n, "without a limit, the whole list")
	assert.Equal(t, fmt.Sprint(n), all.Header.Get("X-Total-Count"))
	ids := keyIDs(all.list())
	for i, id := range ids {
		require.Equal(t, fmt.Sprintf("20000000-0000-4000-8000-%012d", i), id, "in creation order across batches")
	}
	tail := h.must(http.StatusOK, h.do("GET", "/api/v1/users/owner@example.com/api-keys?offset=1020&limit=100", nil))
	assert.Equal(t, ids[1020:], keyIDs(tail.list()))
	none := h.must(http.StatusOK, h.do("GET", "/api/v1/users/owner@example.com/api-keys?project_identifier=p&offset=5000", nil))
	assert.Equal(t, []any{}, none.Body["data"])

	h.seedUser("few@example.com")
	few := h.must(http.StatusOK, h.do("GET", "/api/v1/users/few@example.com", nil)).data()
	assert.EqualValues(t, 0, few["api_keys_total"])
	assert.NotContains(t, few, "api_keys_next", "a user whose keys are all shown has no next page")
}

// failingStore fails key batches from the given call on.
type failingStore struct {
	repositories.Store
	from  int32
	calls *atomic.Int32
}

func (s failingStore) APIKeys() repositories.APIKeyRepository {
	return failingKeys{APIKeyRepository: s.Store.APIKeys(), s: s}
}

type failingKeys struct {
	repositories.APIKeyRepository
	s failingStore
}

func (r failingKeys) InfoBatch(ctx context.Context, f repositories.APIKeyFilter, after repositories.Cursor, skip, limit int) ([]models.APIKeyInfo, repositories.Cursor, error) {
	if r.s.calls.Add(1) >= r.s.from {
		return nil, after, errors.New("disk gone")
	}
	return r.APIKeyRepository.InfoBatch(ctx, f, after, skip, limit)
}

// A list that fails before anything was sent is an error envelope; one that
// fails after its start is cut, never sent as if it were whole.
func TestListFailingMidwayIsCut(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		from int32
	}{{"at once", 1}, {"midway", 3}} {
		t.Run(tc.name, func(t *testing.T) {
			calls := &atomic.Int32{}
			h := newHarnessWith(t, func(s repositories.Store) repositories.Store {
				return failingStore{Store: s, from: tc.from, calls: calls}
			}, nil)
			h.seedManyKeys(3*entity.ListBatch, true)
			srv := httptest.NewServer(h.router)
			defer srv.Close()
			req, err := http.NewRequest("GET", srv.URL+"/api/v1/api-keys", nil)
			require.NoError(t, err)
			req.Header.Set("Authorization", "Bearer "+testAdminKey)
			res, err := srv.Client().Do(req)
			require.NoError(t, err)
			defer res.Body.Close()
			raw, readErr := io.ReadAll(res.Body)
			if tc.from == 1 {
				require.NoError(t, readErr)
				assert.Equal(t, http.StatusInternalServerError, res.StatusCode)
				var body map[string]any
				require.NoError(t, json.Unmarshal(raw, &body))
				assert.Equal(t, "internal_error", body["error"])
				return
			}
			assert.Equal(t, http.StatusOK, res.StatusCode)
			assert.Error(t, readErr, "the connection is cut: the client cannot mistake the list for a whole one")
			assert.False(t, json.Valid(raw))
		})
	}
}

// blockingStore holds every key batch until release closes or the
// request's time runs out, once started has been told; expired is told when
// a batch was let go by its request's time limit.
type blockingStore struct {
	repositories.Store
	started chan struct{}
	release chan struct{}
	expired chan struct{}
}

func (s blockingStore) APIKeys() repositories.APIKeyRepository {
	return blockingKeys{APIKeyRepository: s.Store.APIKeys(), s: s}
}

type blockingKeys struct {
	repositories.APIKeyRepository
	s blockingStore
}

func (r blockingKeys) InfoBatch(ctx context.Context, f repositories.APIKeyFilter, after repositories.Cursor, skip, limit int) ([]models.APIKeyInfo, repositories.Cursor, error) {
	if limit == entity.ListBatch {
		select {
		case r.s.started <- struct{}{}:
		default:
		}
		select {
		case <-r.s.release:
		case <-ctx.Done(): // the request's own limit: the read then fails as a real one would
			select {
			case r.s.expired <- struct{}{}:
			default:
			}
		}
	}
	return r.APIKeyRepository.InfoBatch(ctx, f, after, skip, limit)
}

// Whole lists take turns: beyond the allowed number, one waits, within its
// time limit; a small page never waits.
func TestWholeListsTakeTurns(t *testing.T) {
	store := blockingStore{started: make(chan struct{}, 1), release: make(chan struct{}), expired: make(chan struct{}, 1)}
	h := newHarnessWith(t, func(s repositories.Store) repositories.Store { store.Store = s; return store },
		func(d *controllers.Deps) { d.ConcurrentListings = 1; d.LongOperationTimeout = 300 * time.Millisecond })
	h.seedManyKeys(10, true)
	srv := httptest.NewServer(h.router)
	defer srv.Close()
	first := make(chan int, 1)
	go func() {
		req, _ := http.NewRequest("GET", srv.URL+"/api/v1/api-keys", nil)
		req.Header.Set("Authorization", "Bearer "+testAdminKey)
		res, err := srv.Client().Do(req)
		if err != nil {
			first <- 0
			return
		}
		_ = res.Body.Close()
		first <- res.StatusCode
	}()
	<-store.started
	h.must(http.StatusOK, h.do("GET", "/api/v1/api-keys?limit=5", nil))
	// The first list holds the only turn until release: the second waits
	// for it until its time limit ends.
	res := h.do("GET", "/api/v1/api-keys", nil)
	assertError(t, res, http.StatusServiceUnavailable, "timeout")
	assert.Equal(t, "5", res.Header.Get("Retry-After"))
	// The first request's limit ended before the second's, but each limit
	// ends on a goroutine of its own: wait until the first has seen its own.
	<-store.expired
	close(store.release)
	assert.Equal(t, http.StatusServiceUnavailable, <-first, "held past its own time limit, the first says so too")
	all := h.must(http.StatusOK, h.do("GET", "/api/v1/api-keys", nil))
	assert.Len(t, all.list(), 10, "the turn was given back")
}
