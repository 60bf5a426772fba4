package controllers_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/securemcp/gateway/repositories/storetest"
)

// BenchmarkGetUser measures GET /api/v1/users/{user} (by email) through the
// full router and middleware on SQLite with 10, 1,000 and 100,000 users, each
// a member of one project holding one key.
func BenchmarkGetUser(b *testing.B) {
	for _, n := range []int{10, 1000, 100_000} {
		b.Run(fmt.Sprintf("users=%d", n), func(b *testing.B) {
			h := newHarness(b)
			start := time.Now()
			pop, err := storetest.Populate(context.Background(), h.store, n)
			if err != nil {
				b.Fatal(err)
			}
			b.Logf("seeded %d users, memberships and keys in %v", n, time.Since(start).Round(time.Millisecond))
			reqs := make([]*http.Request, 0, 16)
			for i := range min(16, n) {
				req := httptest.NewRequest("GET", "/api/v1/users/"+pop.Emails[i*n/min(16, n)], nil)
				req.Header.Set("Authorization", "Bearer "+testAdminKey)
				reqs = append(reqs, req)
			}
			b.ReportAllocs()
			b.ResetTimer()
			i := 0
			for b.Loop() {
				rec := httptest.NewRecorder()
				h.router.ServeHTTP(rec, reqs[i%len(reqs)])
				if rec.Code != http.StatusOK {
					b.Fatalf("status %d: %s", rec.Code, rec.Body)
				}
				i++
			}
		})
	}
}
