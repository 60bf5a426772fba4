package services_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/securemcp/gateway/services"
)

func TestCleanName(t *testing.T) {
	for _, tc := range []struct{ in, want, err string }{
		{"  my-config ", "my-config", ""},
		{"名前", "名前", ""},
		{strings.Repeat("é", 128), strings.Repeat("é", 128), ""},
		{strings.Repeat("x", 129), "", "at most 128"},
		{"", "", "required"},
		{" \t ", "", "required"},
		{"a/b", "", "'/'"},
		{"a\nb", "", "control"},
		{"a\x00b", "", "control"},
		{"bad\xffutf8", "", "UTF-8"},
		{".", "", `"." or ".."`},
		{" .. ", "", `"." or ".."`},
		{"...", "...", ""},
		{"2f0a7c4e-8a6b-4c1e-9d2f-1b5e6c7d8e9f", "", "form of an id"},
		{"2F0A7C4E-8A6B-4C1E-9D2F-1B5E6C7D8E9F", "", "form of an id"},
		{"2f0a7c4e-8a6b-4c1e-9d2f-1b5e6c7d8e9", "2f0a7c4e-8a6b-4c1e-9d2f-1b5e6c7d8e9", ""},
	} {
		got, err := services.CleanEntityName("config_name", tc.in)
		if tc.err == "" {
			require.NoError(t, err, tc.in)
			assert.Equal(t, tc.want, got)
			continue
		}
		require.Error(t, err, tc.in)
		assert.Equal(t, services.KindInvalid, services.KindOf(err))
		assert.Contains(t, err.Error(), "config_name")
		assert.Contains(t, err.Error(), tc.err)
	}
}

func TestCleanEmail(t *testing.T) {
	for in, want := range map[string]string{
		"Alice@Example.COM":            "alice@example.com",
		"  bob@example.org ":           "bob@example.org",
		"first.last+tag@sub.io":        "first.last+tag@sub.io",
		"":                             "",
		"not-an-email":                 "",
		"a@b":                          "",
		"Alice <alice@example.com>":    "",
		"a@example.com, b@example.com": "",
		"a@@example.com":               "",
	} {
		got, err := services.CleanEmail("email", in)
		if want == "" {
			assert.Error(t, err, in)
			assert.Equal(t, services.KindInvalid, services.KindOf(err), in)
			continue
		}
		require.NoError(t, err, in)
		assert.Equal(t, want, got)
	}
}

func TestDataDirConfinesNames(t *testing.T) {
	root := t.TempDir()
	d, err := services.NewDataDir(filepath.Join(root, "data"))
	require.NoError(t, err)
	outside := filepath.Join(root, "outside")
	require.NoError(t, os.Mkdir(outside, 0o700))
	require.NoError(t, os.Symlink(outside, filepath.Join(d.Root(), "link")))
	require.NoError(t, os.WriteFile(filepath.Join(outside, "secret.json"), []byte(`{}`), 0o600))
	require.NoError(t, os.Symlink(filepath.Join(outside, "secret.json"), filepath.Join(d.Root(), "file-link.json")))

	for _, name := range []string{"", "/etc/passwd", "../x", "a/../../x", "a/../x.json", "link/secret.json", "link/new/x.json", "file-link.json", "nul\x00.json", "new\nline.json", "bad\xff.json"} {
		_, err := d.Resolve("output_file", name)
		assert.Error(t, err, "%q must be refused", name)
		assert.Equal(t, services.KindInvalid, services.KindOf(err), name)
	}
	path, err := d.WriteFile("output_file", "sub/dir/out.json", []byte("data"))
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(d.Root(), "sub", "dir", "out.json"), path)
	info, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
	got, err := d.ReadFile("input_file", "sub/dir/out.json", 4)
	require.NoError(t, err)
	assert.Equal(t, "data", string(got))
	_, err = d.ReadFile("input_file", "sub/dir/out.json", 3)
	assert.Equal(t, services.KindInvalid, services.KindOf(err), "a document over the limit is refused")
	assert.ErrorContains(t, err, "larger than 3 bytes")
	_, err = d.ReadFile("input_file", "sub", 1<<20)
	assert.Equal(t, services.KindInvalid, services.KindOf(err), "a directory is not a document")
	_, err = d.ReadFile("input_file", "missing.json", 1<<20)
	assert.Equal(t, services.KindNotFound, services.KindOf(err))
	for name, detail := range map[string]string{
		strings.Repeat("x", 300):  "too long",
		"sub/dir/out.json/x.json": "passes through a file",
	} {
		_, err = d.ReadFile("input_file", name, 1<<20)
		assert.Equal(t, services.KindInvalid, services.KindOf(err), "%s: %v", name, err)
		assert.ErrorContains(t, err, detail)
	}
	entries, err := os.ReadDir(filepath.Join(d.Root(), "sub", "dir"))
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no temporary file is left behind")
}

func TestDataDirNeverReplacesTheGatewaysOwnFiles(t *testing.T) {
	root := t.TempDir()
	configPath, db := filepath.Join(root, "enkrypt_mcp_config.json"), filepath.Join(root, "gateway.db")
	require.NoError(t, os.WriteFile(configPath, []byte(`{"admin_apikey":"k"}`), 0o600))
	require.NoError(t, os.WriteFile(db, []byte("SQLite format 3"), 0o600))
	require.NoError(t, os.Link(db, filepath.Join(root, "hard-link.db")))
	require.NoError(t, os.Mkdir(filepath.Join(root, "exports"), 0o700))
	// The data directory is reached through a symbolic link: the protected
	// files are still recognised under the other spelling.
	linked := filepath.Join(t.TempDir(), "data")
	require.NoError(t, os.Symlink(root, linked))
	d, err := services.NewDataDir(linked, configPath, db, db+"-wal")
	require.NoError(t, err)

	for name, detail := range map[string]string{
		"enkrypt_mcp_config.json":        "keeps for itself",
		"gateway.db":                     "keeps for itself",
		"exports/../gateway.db":          "without '..'",
		"gateway.db-wal":                 "keeps for itself",
		"hard-link.db":                   "keeps for itself",
		"exports":                        "is a directory",
		"exports/":                       "not a directory",
		"new/":                           "not a directory",
		strings.Repeat("x", 300):         "too long",
		"enkrypt_mcp_config.json/x.json": "keeps for itself",
		"gateway.db-wal/x.json":          "keeps for itself",
		"gateway.db-wal/a/b":             "keeps for itself",
		"hard-link.db/x.json":            "passes through a file",
	} {
		_, err := d.WriteFile("output_file", name, []byte("{}"))
		require.Error(t, err, name)
		assert.Equal(t, services.KindInvalid, services.KindOf(err), "%s: %v", name, err)
		assert.ErrorContains(t, err, detail, name)
	}
	got, err := os.ReadFile(configPath)
	require.NoError(t, err)
	assert.JSONEq(t, `{"admin_apikey":"k"}`, string(got), "the config file is untouched")
	got, err = os.ReadFile(db)
	require.NoError(t, err)
	assert.Equal(t, "SQLite format 3", string(got), "the database is untouched")
	_, err = os.Stat(db + "-wal")
	assert.ErrorIs(t, err, os.ErrNotExist, "no journal, and no directory in its place, was made up")
	_, err = d.WriteFile("output_file", "gateway.db.json", []byte("{}"))
	assert.NoError(t, err, "a similar name is fine")
	_, err = d.WriteFile("output_file", "gateway.db-walnut/x.json", []byte("{}"))
	assert.NoError(t, err, "so is a directory whose name merely begins like a protected one")
	_, err = d.WriteFile("output_file", strings.Repeat("y", 255), []byte("{}"))
	assert.NoError(t, err, "a name as long as the file system allows is written")
}
