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
