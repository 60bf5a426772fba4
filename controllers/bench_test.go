package controllers_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkGetConfig measures GET /api/v1/configs/{id} through the full router
// and middleware (auth included) on SQLite, for a configuration of 5 servers.
func BenchmarkGetConfig(b *testing.B) {
	h := newHarness(b)
	id := h.seedConfig("bench", "github", "slack", "git", "fetch", "memory")
	req := httptest.NewRequest("GET", "/api/v1/configs/"+id, nil)
	req.Header.Set("Authorization", "Bearer "+testAdminKey)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.router.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	}
}
