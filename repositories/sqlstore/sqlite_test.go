package sqlstore_test

import (
	"testing"

	"github.com/securemcp/gateway/repositories"
	"github.com/securemcp/gateway/repositories/sqlstore/sqltest"
	"github.com/securemcp/gateway/repositories/storetest"
)

func TestSQLiteConformance(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) repositories.Store { return sqltest.NewSQLite(t) })
}
