// Package bench measures the hot paths of the gateway at 10, 1,000 and
// 100,000 users (each a project member holding a key), on SQLite and, when
// SMG_TEST_DATABASE_URL is set, on PostgreSQL, through the same stack as the
// server: store → read cache → services → the full router and middleware
// (except the key check, a service call: see hotPaths).
//
//	go test -run '^$' -bench . -benchmem ./bench/
//	SMG_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test?sslmode=disable go test -run '^$' -bench . -benchmem ./bench/
//
// The same suite runs its cheapest sizes as tests, so that it keeps working.
package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"go.uber.org/zap"

	"github.com/securemcp/gateway/controllers"
	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/repositories/cached"
	"github.com/securemcp/gateway/repositories/sqlstore/sqltest"
	"github.com/securemcp/gateway/repositories/storetest"
	"github.com/securemcp/gateway/sealing"
	"github.com/securemcp/gateway/services"
	"github.com/securemcp/gateway/services/confine"
	"github.com/securemcp/gateway/services/entity"
)

const adminKey = "bench-admin-key-0123456789abcdef0123456789abcdef"

type staticKey string

func (k staticKey) AdminKey() string { return string(k) }

// stack is one populated gateway in process.
type stack struct {
	router   http.Handler
	svc      *services.Services
	pop      storetest.Population
	configID string
	secrets  []string
	emails   []string
}

// newStack opens a store of the backend, fills it with n users in one
// transaction, and wires the gateway over it as the server does.
func newStack(tb testing.TB, backend sqltest.Backend, n int) *stack {
	tb.Helper()
	ctx := context.Background()
	raw := backend.Open(tb)
	start := time.Now()
	pop, err := storetest.Populate(ctx, raw, n)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Logf("%s: seeded %d users, memberships and keys in %v", backend.Name, n, time.Since(start).Round(time.Millisecond))
	store, err := cached.Wrap(raw, cached.DefaultTTL, time.Now)
	if err != nil {
		tb.Fatal(err)
	}
	files, err := confine.NewDataDir(filepath.Join(tb.TempDir(), "data"))
	if err != nil {
		tb.Fatal(err)
	}
	svc := services.New(store, files, entity.SystemClock, sealing.NewEphemeralSealer())
	tb.Cleanup(func() { _ = svc.Close() })
	gin.SetMode(gin.ReleaseMode)
	s := &stack{svc: svc, pop: pop, router: controllers.NewHandler(controllers.Deps{
		Log: zap.NewNop(), AdminKeys: staticKey(adminKey), CORSOrigins: []string{"*"}, MaxBodyBytes: 1 << 20,
		Version: "bench", ConfigPath: "/etc/gateway.json", Services: svc,
	})}
	c := s.must(tb, http.StatusCreated, "POST", "/api/v1/configs", `{"config_name": "hot"}`)
	s.configID = string(c[bytes.Index(c, []byte(`"config_id":"`))+13:][:36])
	for _, name := range []string{"github", "slack", "git", "fetch", "memory"} {
		s.must(tb, http.StatusCreated, "POST", "/api/v1/configs/hot/servers", fmt.Sprintf(
			`{"server_name": %q, "server_command": "npx", "args": ["-y", "@modelcontextprotocol/server-%s"], "env": {"TOKEN": "x"}, "description": "the %s server"}`, name, name, name))
	}
	// Real keys and lookups spread over the whole table.
	for i := range min(16, n) {
		email := pop.Emails[i*n/min(16, n)]
		s.emails = append(s.emails, email)
		k, err := svc.APIKeys.Generate(ctx, email, "", pop.Project, "")
		if err != nil {
			tb.Fatal(err)
		}
		s.secrets = append(s.secrets, k.Secret)
	}
	return s
}

// serve runs one request through the router.
func (s *stack) serve(method, path, body string) *httptest.ResponseRecorder {
	var req *http.Request
	if body == "" {
		req = httptest.NewRequest(method, path, nil)
	} else {
		req = httptest.NewRequest(method, path, bytes.NewBufferString(body))
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+adminKey)
	rec := httptest.NewRecorder()
	s.router.ServeHTTP(rec, req)
	return rec
}

func (s *stack) must(tb testing.TB, status int, method, path, body string) []byte {
	tb.Helper()
	rec := s.serve(method, path, body)
	if rec.Code != status {
		tb.Fatalf("%s %s: status %d, want %d: %s", method, path, rec.Code, status, rec.Body)
	}
	return rec.Body.Bytes()
}

// hotPaths are the measured operations; each returns an error when an answer
// is wrong, so that a broken path is never timed as a fast one. All but the
// first go through the router with its middleware (the request log writes to
// a no-op logger). The first is the key check of APIKeyService.Verify alone,
// without HTTP or logging: the management API has no route that verifies a
// gateway key; the data plane's benchmarks (gateway_test.go) measure it
// inside a real MCP request.
var hotPaths = []struct {
	name string
	op   func(ctx context.Context, s *stack, i int) error
}{
	{"verify-key-service-call", func(ctx context.Context, s *stack, i int) error {
		_, err := s.svc.APIKeys.Verify(ctx, s.secrets[i%len(s.secrets)])
		return err
	}},
	{"get-config", func(_ context.Context, s *stack, _ int) error {
		return expect(s.serve("GET", "/api/v1/configs/"+s.configID, ""), http.StatusOK)
	}},
	{"get-user", func(_ context.Context, s *stack, i int) error {
		return expect(s.serve("GET", "/api/v1/users/"+s.emails[i%len(s.emails)], ""), http.StatusOK)
	}},
	{"list-users-page", func(_ context.Context, s *stack, _ int) error {
		return expect(s.serve("GET", "/api/v1/users?limit=50&offset=0", ""), http.StatusOK)
	}},
	{"create-user", func(_ context.Context, s *stack, i int) error {
		return expect(s.serve("POST", "/api/v1/users", fmt.Sprintf(`{"email": "new-%d-%d@bench.example.com"}`, time.Now().UnixNano(), i)), http.StatusCreated)
	}},
}

func expect(rec *httptest.ResponseRecorder, status int) error {
	if rec.Code != status {
		return fmt.Errorf("status %d, want %d: %s", rec.Code, status, rec.Body)
	}
	return nil
}

// BenchmarkHotPaths runs every hot path on every backend and size, and the
// creation again with parallel clients (its throughput with concurrency).
func BenchmarkHotPaths(b *testing.B) {
	ctx := context.Background()
	for _, backend := range sqltest.Backends() {
		for _, n := range []int{10, 1000, 100_000} {
			b.Run(fmt.Sprintf("%s/users=%d", backend.Name, n), func(b *testing.B) {
				s := newStack(b, backend, n)
				for _, hp := range hotPaths {
					b.Run(hp.name, func(b *testing.B) {
						b.ReportAllocs()
						i := 0
						for b.Loop() {
							if err := hp.op(ctx, s, i); err != nil {
								b.Fatal(err)
							}
							i++
						}
					})
				}
				b.Run("create-user-parallel", func(b *testing.B) {
					var seq atomic.Int64
					b.ReportAllocs()
					b.SetParallelism(8)
					b.RunParallel(func(pb *testing.PB) {
						for pb.Next() {
							if err := hotPaths[len(hotPaths)-1].op(ctx, s, int(seq.Add(1))); err != nil {
								b.Error(err)
								return
							}
						}
					})
				})
			})
		}
	}
}

// TestHotPathsWork runs each hot path once per backend on a small population,
// so that the benchmarks cannot rot unnoticed.
func TestHotPathsWork(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, backend := range sqltest.Backends() {
		t.Run(backend.Name, func(t *testing.T) {
			s := newStack(t, backend, 10)
			for _, hp := range hotPaths {
				for i := range 3 {
					if err := hp.op(ctx, s, i); err != nil {
						t.Fatalf("%s: %v", hp.name, err)
					}
				}
			}
		})
	}
}

// BenchmarkBareGinReference is the ceiling of get-config: a bare Gin engine
// answering the same route with the same body (decoded from the gateway's own
// answer), without middleware, authentication or store.
func BenchmarkBareGinReference(b *testing.B) {
	s := newStack(b, sqltest.Backends()[0], 10)
	var env struct {
		Data models.ConfigDetailResponse `json:"data"`
	}
	if err := json.Unmarshal(s.must(b, http.StatusOK, "GET", "/api/v1/configs/"+s.configID, ""), &env); err != nil {
		b.Fatal(err)
	}
	r := gin.New()
	r.GET("/api/v1/configs/:config", func(c *gin.Context) {
		c.JSON(http.StatusOK, models.Envelope{Message: "Configuration retrieved successfully", Data: env.Data, Timestamp: time.Now().UTC()})
	})
	req := httptest.NewRequest("GET", "/api/v1/configs/"+s.configID, nil)
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		r.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatal(rec.Code)
		}
	}
}

// BenchmarkBackupRestore measures a full backup and a full restore (every
// user, membership and key replaced in one transaction) of the populations.
func BenchmarkBackupRestore(b *testing.B) {
	ctx := context.Background()
	for _, backend := range sqltest.Backends() {
		for _, n := range []int{1000, 100_000} {
			b.Run(fmt.Sprintf("%s/users=%d", backend.Name, n), func(b *testing.B) {
				s := newStack(b, backend, n)
				b.Run("backup", func(b *testing.B) {
					for b.Loop() {
						if _, err := s.svc.System.Backup(ctx, "bench-backup.json", false); err != nil {
							b.Fatal(err)
						}
					}
				})
				b.Run("restore", func(b *testing.B) {
					for b.Loop() {
						res, err := s.svc.System.Restore(ctx, "input_file", "bench-backup.json")
						if err != nil {
							b.Fatal(err)
						}
						if res.Counts.Users != n || res.Counts.APIKeys < n {
							b.Fatalf("restored %+v, want %d users and keys", res.Counts, n)
						}
					}
				})
			})
		}
	}
}
