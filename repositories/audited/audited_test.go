package audited_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/securemcp/gateway/audit"
	"github.com/securemcp/gateway/internal/actor"
	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/repositories"
	"github.com/securemcp/gateway/repositories/audited"
	"github.com/securemcp/gateway/repositories/sqlstore/sqltest"
	"github.com/securemcp/gateway/repositories/storetest"
)

var clock = func() time.Time { return time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC) }

// The decorator changes no behaviour of the store it wraps.
func TestConformance(t *testing.T) {
	t.Parallel()
	for _, b := range sqltest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			storetest.Run(t, func(t *testing.T) repositories.Store { return audited.Wrap(b.Open(t), clock) })
		})
	}
}

func records(t *testing.T, s repositories.Store) []audit.Record {
	t.Helper()
	recs, err := s.Audit().Scan(context.Background(), 0, 1000)
	require.NoError(t, err)
	return recs
}

func details(t *testing.T, r audit.Record) audit.WriteDetails {
	t.Helper()
	var d audit.WriteDetails
	require.NoError(t, json.Unmarshal(r.Details, &d))
	return d
}

func paths(d audit.WriteDetails) []string {
	var out []string
	for _, c := range d.Changes {
		out = append(out, c.Path)
	}
	return out
}

func verified(t *testing.T, s repositories.Store) {
	t.Helper()
	head, err := s.Audit().Head(context.Background())
	require.NoError(t, err)
	rep, err := audit.Verify(context.Background(), audit.NewSlice(records(t, s)), audit.VerifyOptions{Head: &head})
	require.NoError(t, err)
	assert.True(t, rep.OK(), "%+v", rep.Problem)
}

func TestWritesAreRecordedWithTheirActorAndDifference(t *testing.T) {
	for _, b := range sqltest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			s := audited.Wrap(b.Open(t), clock)
			ctx := actor.WithAction(actor.With(context.Background(), actor.Actor{Kind: actor.CLI, ID: "alice", RequestID: "req-1"}), "user.create")
			u := models.User{ID: "u1", Email: "a@example.com", CreatedAt: clock(), UpdatedAt: clock()}
			require.NoError(t, s.Users().Create(ctx, u))
			recs := records(t, s)
			require.Len(t, recs, 1)
			r := recs[0]
			assert.Equal(t, audit.Actor{Kind: audit.ActorCLI, ID: "alice"}, r.Actor)
			assert.Equal(t, "user.create", r.Action)
			assert.Equal(t, audit.Entity{Kind: "user", ID: "u1", Name: "a@example.com"}, r.Entity)
			assert.Equal(t, audit.OutcomeSuccess, r.Outcome)
			assert.Equal(t, "req-1", r.RequestID)
			assert.Equal(t, clock(), r.Time)
			assert.Contains(t, paths(details(t, r)), "/user/u1/Email")

			// An update records before and after, in the write's transaction.
			ctx = actor.WithAction(ctx, "user.update")
			require.NoError(t, s.InTx(ctx, func(tx repositories.Repos) error {
				return tx.Users().UpdateEmail(ctx, "u1", "b@example.com", clock())
			}))
			recs = records(t, s)
			require.Len(t, recs, 2)
			d := details(t, recs[1])
			require.Equal(t, []string{"/user/u1/Email"}, paths(d))
			assert.JSONEq(t, `"a@example.com"`, string(d.Changes[0].Before))
			assert.JSONEq(t, `"b@example.com"`, string(d.Changes[0].After))
			verified(t, s)
		})
	}
}

func TestNoRecordWithoutItsChangeNorChangeWithoutItsRecord(t *testing.T) {
	for _, b := range sqltest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			s := audited.Wrap(b.Open(t), clock)
			ctx := context.Background()
			require.NoError(t, s.Users().Create(ctx, models.User{ID: "u1", Email: "a@example.com"}))
			// A refused write: no change, no record.
			err := s.Users().Create(ctx, models.User{ID: "u2", Email: "a@example.com"})
			require.ErrorIs(t, err, repositories.ErrConflict)
			// A transaction that fails after writing: neither.
			boom := errors.New("boom")
			err = s.InTx(ctx, func(tx repositories.Repos) error {
				require.NoError(t, tx.Users().Create(ctx, models.User{ID: "u3", Email: "c@example.com"}))
				return boom
			})
			require.ErrorIs(t, err, boom)
			_, err = s.Users().Get(ctx, "u3")
			assert.ErrorIs(t, err, repositories.ErrNotFound)
			recs := records(t, s)
			require.Len(t, recs, 1)
			assert.Equal(t, "user.create", recs[0].Action, "the product's own write is named after what it did")
			assert.Equal(t, audit.ActorSystem, recs[0].Actor.Kind)
			// A reader sees no record.
			_, err = s.Users().Get(ctx, "u1")
			require.NoError(t, err)
			assert.Len(t, records(t, s), 1)
			verified(t, s)
		})
	}
}

func TestOneRecordPerTransactionAboutTheEntityTheActionNames(t *testing.T) {
	s := audited.Wrap(sqltest.NewSQLite(t), clock)
	ctx := context.Background()
	require.NoError(t, s.Configs().Create(ctx, models.Config{ID: "c1", Name: "cfg"}))
	require.NoError(t, s.Projects().Create(ctx, models.Project{ID: "p1", Name: "proj"}))
	require.NoError(t, s.Users().Create(ctx, models.User{ID: "u1", Email: "a@example.com"}))
	require.NoError(t, s.Memberships().Add(ctx, models.Membership{ProjectID: "p1", UserID: "u1"}))
	require.NoError(t, s.APIKeys().Create(ctx, models.APIKey{ID: "k1", Hash: "h1", UserID: "u1", ProjectID: "p1"}))
	before := len(records(t, s))

	ctx = actor.WithAction(actor.With(ctx, actor.Actor{Kind: actor.Root}), "user.delete")
	require.NoError(t, s.InTx(ctx, func(tx repositories.Repos) error {
		if err := tx.APIKeys().DeleteAllOfUser(ctx, "u1"); err != nil {
			return err
		}
		if err := tx.Memberships().RemoveAllOfUser(ctx, "u1"); err != nil {
			return err
		}
		return tx.Users().Delete(ctx, "u1")
	}))
	recs := records(t, s)
	require.Len(t, recs, before+1)
	r := recs[len(recs)-1]
	assert.Equal(t, audit.Entity{Kind: "user", ID: "u1", Name: "a@example.com"}, r.Entity)
	assert.Equal(t, audit.ActorRootKey, r.Actor.Kind)
	p := paths(details(t, r))
	assert.Contains(t, p, "/api_key/k1/ID")
	assert.Contains(t, p, "/membership/p1~1u1/UserID")
	assert.Contains(t, p, "/user/u1/Email")
	assert.NotContains(t, string(r.Details), `"h1"`, "a key's hash is masked")
	verified(t, s)
}

func TestSecretsAreMaskedInTheDifference(t *testing.T) {
	s := audited.Wrap(sqltest.NewSQLite(t), clock)
	ctx := context.Background()
	require.NoError(t, s.Configs().Create(ctx, models.Config{ID: "c1", Name: "cfg"}))
	srv := models.Server{Name: "gh", Command: "npx", Args: []string{"--token", "plain-secret-argument"},
		Env:         map[string]string{"GITHUB_TOKEN": "ghp_secretsecretsecret1234"},
		OAuthConfig: models.JSONObject{"OAUTH_CLIENT_SECRET": "oauth-secret-value-9876"}}.Normalize()
	require.NoError(t, s.Servers().Create(ctx, "c1", srv))
	srv.Env["GITHUB_TOKEN"] = "ghp_othersecretsecret5678"
	require.NoError(t, s.Servers().Update(ctx, "c1", srv))
	require.NoError(t, s.Settings().Put(ctx, models.Setting{Key: "enkrypt_api_key", Value: `"provider-secret-value-4321"`}))
	all := ""
	for _, r := range records(t, s) {
		all += string(r.Details)
	}
	for _, secret := range []string{"ghp_secretsecretsecret1234", "ghp_othersecretsecret5678", "plain-secret-argument", "oauth-secret-value-9876", "provider-secret-value-4321"} {
		assert.NotContains(t, all, secret)
	}
	assert.Contains(t, all, "/server/c1~1gh/Env/GITHUB_TOKEN", "the change is named, its value masked")
}

func TestBulkWritesAreCountedNotListed(t *testing.T) {
	s := audited.Wrap(sqltest.NewSQLite(t), clock)
	ctx := context.Background()
	var us []models.User
	for i := 0; i < 250; i++ {
		us = append(us, models.User{ID: "u" + strings.Repeat("x", i%5) + string(rune('a'+i%26)) + time.Duration(i).String(), Email: time.Duration(i).String() + "@example.com"})
	}
	require.NoError(t, s.Users().Create(ctx, us...))
	require.NoError(t, s.Users().DeleteAll(ctx))
	recs := records(t, s)
	require.Len(t, recs, 2)
	assert.Positive(t, details(t, recs[0]).Omitted)
	d := details(t, recs[1])
	require.Len(t, d.Changes, 1)
	assert.Equal(t, "/user/*/count", d.Changes[0].Path)
	assert.JSONEq(t, `250`, string(d.Changes[0].Before))
	assert.Equal(t, audit.Entity{Kind: "user"}, recs[1].Entity)
}

// readOnly are the repository methods that write nothing; every other
// method of the contract must be declared by the decorator (a promoted one
// would write unrecorded).
var readOnly = []string{
	"Resolve", "Get", "List", "Search", "Count", "Summaries", "SummaryBatch", "ListByConfig", "Exists",
	"ListByProject", "ListByUser", "Members", "ProjectsOf", "GetByHash", "GetPrincipal", "ListInfo",
	"InfoBatch", "CountInfo", "GetInfo", "CountByProject",
}

func TestEveryWriteMethodIsRecorded(t *testing.T) {
	contract := interfaceMethods(t, filepath.Join("..", "store.go"))
	declared := declaredMethods(t, ".")
	wrappers := map[string]string{"ConfigRepository": "configs", "ServerRepository": "servers",
		"ProjectRepository": "projects", "UserRepository": "users", "MembershipRepository": "memberships",
		"APIKeyRepository": "apiKeys", "SettingsRepository": "settings", "AdminKeyRepository": "adminKeys"}
	passThrough := map[string]string{"IntegrityRepository": "it only reads", "Repos": "accessors", "Store": "the store"}
	for iface, methods := range contract {
		if _, ok := passThrough[iface]; ok {
			continue
		}
		w, ok := wrappers[iface]
		if !assert.True(t, ok, "%s has no recording wrapper", iface) {
			continue
		}
		for _, m := range methods {
			if slices.Contains(readOnly, m) {
				continue
			}
			assert.True(t, declared[w+"."+m], "%s.%s writes but is not recorded by %s", iface, m, w)
		}
	}
	accessors := declared
	for _, m := range contract["Repos"] {
		assert.True(t, accessors["repos."+m], "Repos.%s is not wrapped", m)
	}
}

func interfaceMethods(t *testing.T, path string) map[string][]string {
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
	require.NoError(t, err)
	out := map[string][]string{}
	ast.Inspect(f, func(n ast.Node) bool {
		ts, ok := n.(*ast.TypeSpec)
		if !ok {
			return true
		}
		it, ok := ts.Type.(*ast.InterfaceType)
		if !ok {
			return true
		}
		for _, m := range it.Methods.List {
			for _, name := range m.Names {
				out[ts.Name.Name] = append(out[ts.Name.Name], name.Name)
			}
		}
		return true
	})
	return out
}

func declaredMethods(t *testing.T, dir string) map[string]bool {
	paths, err := filepath.Glob(filepath.Join(dir, "*.go"))
	require.NoError(t, err)
	out := map[string]bool{}
	for _, path := range paths {
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
		require.NoError(t, err)
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Recv == nil {
				continue
			}
			typ := fd.Recv.List[0].Type
			if st, ok := typ.(*ast.StarExpr); ok {
				typ = st.X
			}
			if id, ok := typ.(*ast.Ident); ok {
				out[id.Name+"."+fd.Name.Name] = true
			}
		}
	}
	return out
}

// Two instances on one database: each seals its records on the head it last
// appended at, which the other's writes make stale; the chain stays single
// and gap-free, sequentially and concurrently.
func TestInstancesSharingADatabaseMakeOneChain(t *testing.T) {
	for _, b := range sqltest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			one, two := b.OpenPair(t)
			stores := []*audited.Store{audited.Wrap(one, clock), audited.Wrap(two, clock)}
			ctx := context.Background()
			n := 0
			create := func(s *audited.Store) error {
				n++
				return s.Users().Create(ctx, models.User{ID: fmt.Sprintf("u%d", n), Email: fmt.Sprintf("u%d@example.com", n), CreatedAt: clock(), UpdatedAt: clock()})
			}
			for _, i := range []int{0, 0, 1, 0, 1, 1, 0} {
				require.NoError(t, create(stores[i]))
			}
			var mu sync.Mutex
			var wg sync.WaitGroup
			for w := range 4 {
				wg.Go(func() {
					for range 5 {
						mu.Lock()
						n++
						id := n
						mu.Unlock()
						u := models.User{ID: fmt.Sprintf("u%d", id), Email: fmt.Sprintf("u%d@example.com", id), CreatedAt: clock(), UpdatedAt: clock()}
						assert.NoError(t, stores[w%2].Users().Create(ctx, u))
					}
				})
			}
			wg.Wait()
			recs := records(t, one)
			require.Len(t, recs, 27, "one record per write")
			for i, r := range recs {
				require.Equal(t, int64(i+1), r.Seq)
			}
			verified(t, two)
		})
	}
}

// The value before of a write is the one the transaction read just before
// (no second query), unchanged by what the caller did to it, and never one
// the transaction has written since.
func TestValuesReadInTheTransactionAreTheValuesBefore(t *testing.T) {
	for _, b := range sqltest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			s := audited.Wrap(b.Open(t), clock)
			ctx := context.Background()
			later := clock().Add(time.Minute)
			c := models.Config{ID: "c1", Name: "one", CreatedAt: clock(), UpdatedAt: clock()}
			require.NoError(t, s.Configs().Create(ctx, c))
			require.NoError(t, s.Servers().Create(ctx, "c1", models.Server{Name: "s", Command: "npx", Args: []string{"old"}, CreatedAt: clock(), UpdatedAt: clock()}))

			require.NoError(t, s.InTx(ctx, func(tx repositories.Repos) error {
				cfg, err := tx.Configs().Resolve(ctx, "one")
				if err != nil {
					return err
				}
				srv, err := tx.Servers().Get(ctx, cfg.ID, "s")
				if err != nil {
					return err
				}
				srv.Args[0] = "new" // the slice read, changed in place
				if err := tx.Servers().Update(ctx, cfg.ID, srv); err != nil {
					return err
				}
				if err := tx.Configs().Rename(ctx, cfg.ID, "two", later); err != nil {
					return err
				}
				// Resolved before the rename: the touch's value before is
				// the renamed configuration, not the one read.
				return tx.Configs().Touch(ctx, cfg.ID, later.Add(time.Minute))
			}))
			recs := records(t, s)
			require.Len(t, recs, 3)
			d := details(t, recs[2])
			byPath := map[string][]audit.Change{}
			for _, ch := range d.Changes {
				byPath[ch.Path] = append(byPath[ch.Path], ch)
			}
			require.Len(t, byPath["/server/c1~1s/Args/0"], 1, "%v", paths(d))
			assert.JSONEq(t, `"old"`, string(byPath["/server/c1~1s/Args/0"][0].Before))
			assert.JSONEq(t, `"new"`, string(byPath["/server/c1~1s/Args/0"][0].After))
			require.Len(t, byPath["/config/c1/Name"], 1, "the rename only: %v", paths(d))
			touches := byPath["/config/c1/UpdatedAt"]
			require.Len(t, touches, 2, "%v", paths(d))
			renamedAt, err := json.Marshal(later)
			require.NoError(t, err)
			assert.JSONEq(t, string(renamedAt), string(touches[1].Before), "the touch starts from the rename")
			verified(t, s)
		})
	}
}
