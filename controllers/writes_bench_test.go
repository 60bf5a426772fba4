package controllers_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/securemcp/gateway/repositories/sqlstore/sqltest"
)

// BenchmarkAdminWrites measures admin writes through the full router and
// middleware on each backend: creating a user (one row) and replacing a
// server's environment (a read, a row rewritten and the configuration
// touched). Every write is committed before its answer; with the audit
// trail, its record is committed in the same transaction.
func BenchmarkAdminWrites(b *testing.B) {
	for _, backend := range sqltest.Backends() {
		b.Run(backend.Name+"/create_user", func(b *testing.B) {
			h := newHarnessOn(b, backend.Open, nil, nil)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				benchWrite(b, h, http.MethodPost, "/api/v1/users", fmt.Sprintf(`{"email":"user%d@example.com"}`, i), http.StatusCreated)
				i++
			}
		})
		// Sixteen clients at once: on PostgreSQL writers of one instance run
		// side by side on the pool's connections, save for what serializes
		// them (the audit chain's head).
		b.Run(backend.Name+"/create_user_16_clients", func(b *testing.B) {
			h := newHarnessOn(b, backend.Open, nil, nil)
			b.ReportAllocs()
			var n atomic.Int64
			b.SetParallelism(8)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					benchWrite(b, h, http.MethodPost, "/api/v1/users", fmt.Sprintf(`{"email":"user%d@example.com"}`, n.Add(1)), http.StatusCreated)
				}
			})
		})
		b.Run(backend.Name+"/update_server", func(b *testing.B) {
			h := newHarnessOn(b, backend.Open, nil, nil)
			benchWrite(b, h, http.MethodPost, "/api/v1/configs", `{"config_name":"c"}`, http.StatusCreated)
			benchWrite(b, h, http.MethodPost, "/api/v1/configs/c/servers", `{"server_name":"s","server_command":"npx"}`, http.StatusCreated)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				benchWrite(b, h, http.MethodPut, "/api/v1/configs/c/servers/s", fmt.Sprintf(`{"env":{"TOKEN":"secret-%d"}}`, i), http.StatusOK)
				i++
			}
		})
	}
}

func benchWrite(b *testing.B, h *harness, method, path, body string, want int) {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+testAdminKey)
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.router.ServeHTTP(rec, req)
	if rec.Code != want {
		b.Errorf("%s %s: status %d: %s", method, path, rec.Code, rec.Body) // Errorf: RunParallel goroutines must not stop the benchmark
	}
}
