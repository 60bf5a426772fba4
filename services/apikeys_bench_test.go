package services_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/securemcp/gateway/repositories/sqlstore/sqltest"
	"github.com/securemcp/gateway/repositories/storetest"
	"github.com/securemcp/gateway/sealing"
	"github.com/securemcp/gateway/services"
	"github.com/securemcp/gateway/services/confine"
	"github.com/securemcp/gateway/services/entity"
)

// BenchmarkVerify measures APIKeyService.Verify of valid keys on SQLite with
// 10, 1,000 and 100,000 users (each a member holding a key).
func BenchmarkVerify(b *testing.B) {
	for _, n := range []int{10, 1000, 100_000} {
		b.Run(fmt.Sprintf("users=%d", n), func(b *testing.B) {
			ctx := context.Background()
			store := sqltest.NewSQLite(b)
			start := time.Now()
			pop, err := storetest.Populate(ctx, store, n)
			if err != nil {
				b.Fatal(err)
			}
			b.Logf("seeded %d users, memberships and keys in %v", n, time.Since(start).Round(time.Millisecond))
			files, err := confine.NewDataDir(filepath.Join(b.TempDir(), "data"))
			if err != nil {
				b.Fatal(err)
			}
			svc := services.New(store, files, entity.SystemClock, sealing.NewEphemeralSealer())
			b.Cleanup(func() { _ = svc.Close() })
			// Real keys for users spread over the table.
			secrets := make([]string, 0, 16)
			for i := range min(16, n) {
				k, err := svc.APIKeys.Generate(ctx, pop.Emails[i*n/min(16, n)], "", pop.Project, "")
				if err != nil {
					b.Fatal(err)
				}
				secrets = append(secrets, k.Secret)
			}
			b.ReportAllocs()
			b.ResetTimer()
			i := 0
			for b.Loop() {
				if _, err := svc.APIKeys.Verify(ctx, secrets[i%len(secrets)]); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}
