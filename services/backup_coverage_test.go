package services_test

import (
	"bytes"
	"context"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/securemcp/gateway/repositories"
)

// contents reads the whole content of one repository through the repository
// itself, not through the backup, as a slice.
type contents func(ctx context.Context, r repositories.Repos) (any, error)

// backedUp lists the repositories that backup writes, reset empties and
// restore gives back, each with how to read all it holds.
var backedUp = map[string]contents{
	"Configs": func(ctx context.Context, r repositories.Repos) (any, error) {
		list, _, err := r.Configs().List(ctx, repositories.Page{})
		return list, err
	},
	"Servers": func(ctx context.Context, r repositories.Repos) (any, error) {
		configs, _, err := r.Configs().List(ctx, repositories.Page{})
		if err != nil {
			return nil, err
		}
		var all []any
		for _, c := range configs {
			servers, err := r.Servers().List(ctx, c.ID)
			if err != nil {
				return nil, err
			}
			for _, s := range servers {
				all = append(all, []any{c.ID, s})
			}
		}
		return all, nil
	},
	"Projects": func(ctx context.Context, r repositories.Repos) (any, error) {
		list, _, err := r.Projects().List(ctx, repositories.Page{})
		return list, err
	},
	"Users": func(ctx context.Context, r repositories.Repos) (any, error) {
		list, _, err := r.Users().List(ctx, repositories.Page{})
		return list, err
	},
	"Memberships": func(ctx context.Context, r repositories.Repos) (any, error) {
		return r.Memberships().List(ctx)
	},
	"APIKeys": func(ctx context.Context, r repositories.Repos) (any, error) {
		list, _, err := r.APIKeys().List(ctx, repositories.Page{})
		return list, err
	},
	"Settings": func(ctx context.Context, r repositories.Repos) (any, error) {
		list, err := r.Settings().List(ctx)
		// A value comes back from a backup document indented as the document
		// is: the same JSON, other bytes.
		for i := range list {
			var buf bytes.Buffer
			if err := json.Compact(&buf, []byte(list[i].Value)); err != nil {
				return nil, err
			}
			list[i].Value = buf.String()
		}
		return list, err
	},
}

// notBackedUp lists the repositories that backup leaves out on purpose, and why.
var notBackedUp = map[string]string{
	// Integrity stores nothing: it answers questions about the tables of the
	// other repositories.
	"Integrity": "derived from the other repositories",
	// Named admin keys are credentials of the management API, not state of
	// the gateway: restoring another instance's backup must grant nobody
	// access, and the admins restoring or resetting keep theirs (as the
	// bootstrap key of the config file, never in a backup, stays valid).
	"AdminKeys": "credentials of the management API, kept across restore and reset",
	// Audit is append-only and chained: a restore must never replace or
	// rewind it (that would hide what was done before the restore, and fork
	// the chain other instances append to), and reset and restore are
	// themselves recorded in it. It is exported on its own (audit export),
	// verifiable without the store.
	"Audit": "append-only trail, exported and verified on its own; restore and reset are recorded in it, never undo it",
}

// TestBackupCoversEveryRepository fails for a repository of
// repositories.Repos that is neither backed up nor exempt: a new entity
// would otherwise be left out of backups without anyone noticing. Add it to
// the backup document (and to backedUp), or to notBackedUp with the reason.
// For each backed-up repository, a backup, a reset and a restore must give
// back what it held.
func TestBackupCoversEveryRepository(t *testing.T) {
	repos := reflect.TypeFor[repositories.Repos]()
	declared := map[string]bool{}
	for i := range repos.NumMethod() {
		name := repos.Method(i).Name
		declared[name] = true
		_, backed := backedUp[name]
		_, exempt := notBackedUp[name]
		switch {
		case backed && exempt:
			t.Errorf("repository %s is both backed up and exempt: choose one", name)
		case !backed && !exempt:
			t.Errorf("repository %s of repositories.Repos is not covered by backup and restore: add it to the backup document and to backedUp, or to notBackedUp with the reason", name)
		}
	}
	for _, list := range []map[string]bool{keys(backedUp), keys(notBackedUp)} {
		for name := range list {
			if !declared[name] {
				t.Errorf("%s is listed but repositories.Repos has no such repository: remove it", name)
			}
		}
	}

	onEverySystemBackend(t, func(t *testing.T, c systemCore) {
		ctx := context.Background()
		seedState(t, c)
		before := map[string]any{}
		for name, read := range backedUp {
			v, err := read(ctx, c.store)
			require.NoError(t, err, name)
			require.NotZero(t, reflect.ValueOf(v).Len(), "the seeded state has no %s: the round trip would prove nothing", name)
			before[name] = v
		}
		_, err := c.svc.System.Backup(ctx, "coverage.json", false)
		require.NoError(t, err)
		_, err = c.svc.System.Reset(ctx, true)
		require.NoError(t, err)
		for name, read := range backedUp {
			v, err := read(ctx, c.store)
			require.NoError(t, err, name)
			assert.Zero(t, reflect.ValueOf(v).Len(), "reset leaves %s", name)
		}
		_, err = c.svc.System.Restore(ctx, "input_file", "coverage.json")
		require.NoError(t, err)
		for name, read := range backedUp {
			v, err := read(ctx, c.store)
			require.NoError(t, err, name)
			assert.Equal(t, before[name], v, "backup and restore lose part of %s", name)
		}
	})
}

func keys[V any](m map[string]V) map[string]bool {
	out := make(map[string]bool, len(m))
	for k := range m {
		out[k] = true
	}
	return out
}
