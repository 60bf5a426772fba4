package bench

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/securemcp/gateway/repositories/sqlstore/sqltest"
	"github.com/securemcp/gateway/repositories/storetest"
	"github.com/securemcp/gateway/sealing"
	"github.com/securemcp/gateway/services/confine"
	"github.com/securemcp/gateway/services/sealed"
	"github.com/securemcp/gateway/services/system"
)

// BenchmarkHealthAndReset measures the whole-store operations that count and
// delete with set-based statements instead of loading the store: the health
// report (counts only, and with the integrity queries) and a reset (each
// reset is of a freshly populated store; the population is not timed).
func BenchmarkHealthAndReset(b *testing.B) {
	ctx := context.Background()
	for _, backend := range sqltest.Backends() {
		for _, n := range []int{1000, 100_000} {
			b.Run(fmt.Sprintf("%s/users=%d", backend.Name, n), func(b *testing.B) {
				store := backend.Open(b)
				files, err := confine.NewDataDir(filepath.Join(b.TempDir(), "data"))
				if err != nil {
					b.Fatal(err)
				}
				sys := system.NewSystemService(store, files, time.Now, sealed.New(sealing.NewEphemeralSealer()))
				populate := func() {
					if _, err := storetest.Populate(ctx, store, n); err != nil {
						b.Fatal(err)
					}
				}
				populate()
				for _, scope := range []struct {
					name  string
					scope system.HealthScope
				}{{"health", system.HealthCounts}, {"health-integrity", system.HealthIntegrity}} {
					b.Run(scope.name, func(b *testing.B) {
						for b.Loop() {
							report, err := sys.Health(ctx, scope.scope)
							if err != nil || report.Statistics.TotalUsers != n {
								b.Fatalf("health: %+v, %v", report.Statistics, err)
							}
						}
					})
				}
				b.Run("reset", func(b *testing.B) {
					for i := 0; b.Loop(); i++ {
						if i > 0 {
							b.StopTimer()
							populate()
							b.StartTimer()
						}
						res, err := sys.Reset(ctx, true)
						if err != nil || res.Deleted.Users != n {
							b.Fatalf("reset: %+v, %v", res.Deleted, err)
						}
					}
				})
			})
		}
	}
}
