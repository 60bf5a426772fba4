package services_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/securemcp/gateway/repositories/sqlstore/sqltest"
	"github.com/securemcp/gateway/services/access"
	"github.com/securemcp/gateway/services/entity"
)

// BenchmarkAdminKeyVerify measures AdminKeyService.Verify, the lookup every
// request of a named admin key costs, on each available backend with 100
// keys, and the refusal of a malformed key (no lookup).
func BenchmarkAdminKeyVerify(b *testing.B) {
	for _, backend := range sqltest.Backends() {
		b.Run(backend.Name, func(b *testing.B) {
			ctx := context.Background()
			svc := access.NewAdminKeyService(backend.Open(b), entity.SystemClock)
			b.Cleanup(func() { _ = svc.Close() })
			secrets := make([]string, 0, 100)
			for i := range 100 {
				k, err := svc.Create(ctx, access.NewAdminKey{Name: fmt.Sprintf("key-%d", i), Role: "operator"})
				if err != nil {
					b.Fatal(err)
				}
				secrets = append(secrets, k.Secret)
			}
			b.Run("valid", func(b *testing.B) {
				b.ReportAllocs()
				i := 0
				for b.Loop() {
					if _, err := svc.Verify(ctx, secrets[i%len(secrets)]); err != nil {
						b.Fatal(err)
					}
					i++
				}
			})
			b.Run("malformed", func(b *testing.B) {
				bad := "smgadm_" + strings.Repeat("A", 49)
				b.ReportAllocs()
				for b.Loop() {
					if _, err := svc.Verify(ctx, bad); err == nil {
						b.Fatal("a malformed key verified")
					}
				}
			})
		})
	}
}
