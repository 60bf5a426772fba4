package sqlstore_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/repositories/sqlstore/sqltest"
)

// The benchmarks run on every available backend:
//
//	go test -run '^$' -bench . -benchmem ./repositories/sqlstore/
//	SMG_TEST_DATABASE_URL=postgres://... go test -run '^$' -bench . -benchmem ./repositories/sqlstore/

// BenchmarkConfigResolve resolves a configuration by name among 100.
func BenchmarkConfigResolve(b *testing.B) {
	for _, backend := range sqltest.Backends() {
		b.Run(backend.Name, func(b *testing.B) {
			s := backend.Open(b)
			ctx := context.Background()
			now := time.Now()
			for i := range 100 {
				c := models.Config{ID: fmt.Sprintf("id-%03d", i), Name: fmt.Sprintf("config-%03d", i), CreatedAt: now, UpdatedAt: now}
				if err := s.Configs().Create(ctx, c); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if _, err := s.Configs().Resolve(ctx, "config-042"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkConfigSearch searches 1,000 configurations of two servers each by a
// term that matches one of them: every name passes through lower().
func BenchmarkConfigSearch(b *testing.B) {
	for _, backend := range sqltest.Backends() {
		b.Run(backend.Name, func(b *testing.B) {
			s := backend.Open(b)
			ctx := context.Background()
			now := time.Now()
			for i := range 1000 {
				c := models.Config{ID: fmt.Sprintf("id-%04d", i), Name: fmt.Sprintf("Équipe-%04d", i), CreatedAt: now, UpdatedAt: now}
				if err := s.Configs().Create(ctx, c); err != nil {
					b.Fatal(err)
				}
				for j := range 2 {
					server := models.Server{Name: fmt.Sprintf("server-%d", j), Command: "run", CreatedAt: now, UpdatedAt: now}
					if err := s.Servers().Create(ctx, c.ID, server); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				hits, err := s.Configs().Search(ctx, "ÉQUIPE-0042")
				if err != nil || len(hits) != 1 {
					b.Fatal(len(hits), err)
				}
			}
		})
	}
}

// BenchmarkUserCreate inserts one user per iteration, committed.
func BenchmarkUserCreate(b *testing.B) {
	for _, backend := range sqltest.Backends() {
		b.Run(backend.Name, func(b *testing.B) {
			s := backend.Open(b)
			ctx := context.Background()
			now := time.Now()
			i := 0
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				i++
				u := models.User{ID: fmt.Sprintf("user-%d", i), Email: fmt.Sprintf("user%d@example.com", i), CreatedAt: now, UpdatedAt: now}
				if err := s.Users().Create(ctx, u); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
