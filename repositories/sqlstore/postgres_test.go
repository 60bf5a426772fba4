package sqlstore_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/securemcp/gateway/repositories"
	"github.com/securemcp/gateway/repositories/sqlstore"
	"github.com/securemcp/gateway/repositories/sqlstore/sqltest"
	"github.com/securemcp/gateway/repositories/storetest"
)

func TestPostgresConformance(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) repositories.Store { return sqltest.NewPostgres(t) })
}

// Instances started at once on an empty schema serialise their migrations on
// the advisory lock: every one opens, and the schema is migrated once.
func TestPostgresConcurrentStartsMigrateOnce(t *testing.T) {
	t.Parallel()
	u := sqltest.NewPostgresURL(t)
	const n = 4
	stores := make([]*sqlstore.Store, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { stores[i], errs[i] = sqlstore.OpenPostgres(context.Background(), u) })
	}
	wg.Wait()
	for i := range n {
		require.NoError(t, errs[i])
		t.Cleanup(func() { _ = stores[i].Close() })
	}
	for _, s := range stores {
		assert.Equal(t, "postgres", s.Backend())
		require.NoError(t, s.Ping(context.Background()))
		n, err := s.Configs().Count(context.Background())
		require.NoError(t, err)
		assert.Zero(t, n)
	}
}

// The password of a database URL appears in no error.
func TestPostgresErrorsHidePassword(t *testing.T) {
	t.Parallel()
	for name, u := range map[string]string{
		"unreachable": "postgres://gateway:s3cret-pw@127.0.0.1:1/gateway?sslmode=disable&connect_timeout=2",
		"malformed":   "postgres://gateway:s3cret-pw@127.0.0.1:notaport/gateway",
		"bad option":  "postgres://gateway:s3cret-pw@127.0.0.1/gateway?sslmode=sometimes",
	} {
		t.Run(name, func(t *testing.T) {
			s, err := sqlstore.OpenPostgres(context.Background(), u)
			require.Error(t, err)
			assert.Nil(t, s)
			assert.NotContains(t, err.Error(), "s3cret-pw")
			assert.True(t, strings.Contains(err.Error(), "database url") || strings.Contains(err.Error(), "postgres"), err.Error())
		})
	}
}
