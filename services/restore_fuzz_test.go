package services_test

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/repositories/sqlstore/sqltest"
	"github.com/securemcp/gateway/sealing"
	"github.com/securemcp/gateway/services"
	"github.com/securemcp/gateway/services/confine"
	"github.com/securemcp/gateway/services/entity"
	"github.com/securemcp/gateway/services/errs"
	"github.com/securemcp/gateway/services/system"
)

// FuzzRestoreDocument restores any bytes: a document is either refused as
// invalid, changing nothing, or restored into a state the deep health check
// finds sound. Never a panic, never an internal error.
func FuzzRestoreDocument(f *testing.F) {
	ctx := context.Background()
	files, err := confine.NewDataDir(filepath.Join(f.TempDir(), "data"))
	if err != nil {
		f.Fatal(err)
	}
	svc := services.New(sqltest.NewSQLite(f), files, entity.SystemClock, sealing.NewEphemeralSealer())
	f.Cleanup(func() { _ = svc.Close() })
	steps := []func() error{
		func() error { _, err := svc.Configs.Create(ctx, "fz-config"); return err },
		func() error {
			_, err := svc.Configs.AddServer(ctx, "fz-config", models.Server{Name: "github", Command: "npx", Args: []string{"-y"}, Env: map[string]string{"A": "b"}})
			return err
		},
		func() error { _, err := svc.Projects.Create(ctx, "fz-project"); return err },
		func() error { _, _, err := svc.Projects.AssignConfig(ctx, "fz-project", "", "fz-config"); return err },
		func() error { _, err := svc.Users.Create(ctx, "fz@example.com"); return err },
		func() error { _, err := svc.Projects.AddMember(ctx, "fz-project", "", "fz@example.com"); return err },
		func() error { _, err := svc.APIKeys.Generate(ctx, "fz@example.com", "", "fz-project", ""); return err },
		func() error { _, err := svc.Settings.SetEnkryptAPIKey(ctx, "provider-key-0123456789"); return err },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			f.Fatal(err)
		}
	}
	if _, err := svc.System.Backup(ctx, "seed.json", false); err != nil {
		f.Fatal(err)
	}
	backup, err := os.ReadFile(filepath.Join(files.Root(), "seed.json"))
	if err != nil {
		f.Fatal(err)
	}
	seeds := [][]byte{backup}
	// The original system's files: a real one, its generate-config output and
	// its example (keys too weak to keep, oauth_config).
	for _, name := range []string{"enkrypt_mcp_config.json", "enkrypt_generate_config.json", "example_enkrypt_mcp_config.json"} {
		original, err := os.ReadFile(filepath.Join("..", "testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, original)
	}
	for _, seed := range append(seeds, []byte(`{}`), []byte(`[]`), []byte(`{"format": "secure-mcp-gateway-backup"}`), []byte(`{"mcp_configs": {}}`), []byte("\xff")) {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		before, err := svc.System.Health(ctx, system.HealthIntegrity)
		if err != nil {
			t.Fatal(err)
		}
		_, err = svc.System.RestoreData(ctx, "input_file", doc)
		after, herr := svc.System.Health(ctx, system.HealthIntegrity)
		if herr != nil {
			t.Fatal(herr)
		}
		if err != nil {
			if kind := errs.KindOf(err); kind != errs.KindInvalid {
				t.Fatalf("restore of %q failed with kind %v: %v", doc, kind, err)
			}
			if !reflect.DeepEqual(before.Statistics, after.Statistics) {
				t.Fatalf("a refused restore changed the state: %+v → %+v", before.Statistics, after.Statistics)
			}
			return
		}
		if !after.Healthy {
			t.Fatalf("restore of %q left an unsound state: %v", doc, after.Issues)
		}
	})
}
