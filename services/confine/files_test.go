package confine_test

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/securemcp/gateway/services/confine"
	"github.com/securemcp/gateway/services/errs"
)

func TestDataDirConfinesNames(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	d, err := confine.NewDataDir(filepath.Join(root, "data"))
	require.NoError(t, err)
	outside := filepath.Join(root, "outside")
	require.NoError(t, os.Mkdir(outside, 0o700))
	require.NoError(t, os.Symlink(outside, filepath.Join(d.Root(), "link")))
	require.NoError(t, os.WriteFile(filepath.Join(outside, "secret.json"), []byte(`{}`), 0o600))
	require.NoError(t, os.Symlink(filepath.Join(outside, "secret.json"), filepath.Join(d.Root(), "file-link.json")))

	for _, name := range []string{"", "/etc/passwd", "../x", "a/../../x", "a/../x.json", "link/secret.json", "link/new/x.json", "file-link.json", "nul\x00.json", "new\nline.json", "bad\xff.json"} {
		_, err := d.Resolve("output_file", name)
		assert.Error(t, err, "%q must be refused", name)
		assert.Equal(t, errs.KindInvalid, errs.KindOf(err), name)
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
	assert.Equal(t, errs.KindInvalid, errs.KindOf(err), "a document over the limit is refused")
	assert.ErrorContains(t, err, "larger than 3 bytes")
	_, err = d.ReadFile("input_file", "sub", 1<<20)
	assert.Equal(t, errs.KindInvalid, errs.KindOf(err), "a directory is not a document")
	_, err = d.ReadFile("input_file", "missing.json", 1<<20)
	assert.Equal(t, errs.KindNotFound, errs.KindOf(err))
	for name, detail := range map[string]string{
		strings.Repeat("x", 300):  "too long",
		"sub/dir/out.json/x.json": "passes through a file",
	} {
		_, err = d.ReadFile("input_file", name, 1<<20)
		assert.Equal(t, errs.KindInvalid, errs.KindOf(err), "%s: %v", name, err)
		assert.ErrorContains(t, err, detail)
	}
	entries, err := os.ReadDir(filepath.Join(d.Root(), "sub", "dir"))
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no temporary file is left behind")
}

func TestDataDirNeverReplacesTheGatewaysOwnFiles(t *testing.T) {
	t.Parallel()
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
	d, err := confine.NewDataDir(linked, configPath, db, db+"-wal")
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
		assert.Equal(t, errs.KindInvalid, errs.KindOf(err), "%s: %v", name, err)
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

// ownLayout is the default layout: the data directory holds the config file
// and the store with its journals. It returns the directory and the protected
// paths.
func ownLayout(t *testing.T) (string, []string) {
	t.Helper()
	root := t.TempDir()
	configPath, db := filepath.Join(root, "enkrypt_mcp_config.json"), filepath.Join(root, "gateway.db")
	for _, p := range []string{configPath, db, db + "-wal", db + "-shm"} {
		require.NoError(t, os.WriteFile(p, []byte("own "+filepath.Base(p)), 0o600))
	}
	require.NoError(t, os.Link(db, filepath.Join(root, "hard-link.db")))
	require.NoError(t, os.Symlink("gateway.db-wal", filepath.Join(root, "wal-link")))
	require.NoError(t, os.WriteFile(filepath.Join(root, "doc.json"), []byte("{}"), 0o600))
	// The pid files are protected as a directory: the files it holds, under
	// any spelling, are the gateway's.
	pids := filepath.Join(root, "gateway.pids")
	require.NoError(t, os.Mkdir(pids, 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(pids, "api-8001.pid"), []byte(`{"pid":1,"port":8001}`), 0o600))
	require.NoError(t, os.Link(filepath.Join(pids, "api-8001.pid"), filepath.Join(root, "pid-link.json")))
	require.NoError(t, os.Symlink("gateway.pids/api-8001.pid", filepath.Join(root, "pid-symlink.json")))
	return root, []string{configPath, db, db + "-wal", db + "-shm", db + "-journal", pids}
}

// ownNames are spellings of the gateway's own files: names, other cases,
// hard links and symbolic links.
var ownNames = []string{"gateway.db", "gateway.db-wal", "gateway.db-shm", "./gateway.db-shm", "GATEWAY.DB-WAL",
	"Enkrypt_MCP_Config.json", "hard-link.db", "wal-link", "sub/../gateway.db",
	"gateway.pids", "gateway.pids/api-8001.pid", "Gateway.Pids/api-8001.pid", "gateway.pids/api-9000.pid",
	"pid-link.json", "pid-symlink.json"}

// A read of the store's own files is refused before the file is opened:
// opening and closing a file SQLite holds open in the same process drops its
// locks, and the write-ahead log can then be deleted under a live server.
func TestDataDirNeverReadsTheGatewaysOwnFiles(t *testing.T) {
	t.Parallel()
	root, own := ownLayout(t)
	d, err := confine.NewDataDir(root, own...)
	require.NoError(t, err)
	for _, name := range ownNames {
		_, err := d.ReadFile("input_file", name, 1<<20)
		require.Error(t, err, name)
		assert.Equal(t, errs.KindInvalid, errs.KindOf(err), "%s: %v", name, err)
		assert.NotContains(t, err.Error(), "own ", "%s: the content is never read", name)
		assert.Error(t, d.Check("output_file", name), name)
	}
	got, err := d.ReadFile("input_file", "doc.json", 10)
	require.NoError(t, err)
	assert.Equal(t, "{}", string(got))
}

func TestLocalFilesResolveAgainstTheCurrentDirectoryAndRefuseOwnFiles(t *testing.T) {
	root, own := ownLayout(t)
	files, err := confine.NewLocalFiles(own...)
	require.NoError(t, err)
	t.Chdir(root)
	for _, name := range append(ownNames, filepath.Join(root, "gateway.db-wal")) {
		_, err := files.ReadFile("input_file", name, 1<<20)
		assert.Equal(t, errs.KindInvalid, errs.KindOf(err), "%s: %v", name, err)
		_, err = files.WriteFile("output_file", name, []byte("x"))
		assert.Equal(t, errs.KindInvalid, errs.KindOf(err), "%s: %v", name, err)
	}
	path, err := files.WriteFile("output_file", "exports/x.json", []byte("data"))
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(root, "exports", "x.json"), path, "relative to the current directory")
	info, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
	elsewhere := filepath.Join(t.TempDir(), "deep", "backup.json")
	path, err = files.WriteFile("output_file", elsewhere, []byte("abs"))
	require.NoError(t, err)
	assert.Equal(t, elsewhere, path, "an absolute path is the local user's to choose")
	got, err := files.ReadFile("input_file", "../"+filepath.Base(root)+"/exports/x.json", 100)
	require.NoError(t, err)
	assert.Equal(t, "data", string(got))
	_, err = files.ReadFile("input_file", "missing.json", 100)
	assert.Equal(t, errs.KindNotFound, errs.KindOf(err))
}

// A FIFO is never opened (an open would wait for a writer forever).
func TestReadRefusesAFIFOWithoutBlocking(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	require.NoError(t, syscall.Mkfifo(filepath.Join(root, "pipe.json"), 0o600))
	d, err := confine.NewDataDir(root)
	require.NoError(t, err)
	local, err := confine.NewLocalFiles()
	require.NoError(t, err)
	done := make(chan error, 2)
	go func() {
		_, err := d.ReadFile("input_file", "pipe.json", 100)
		done <- err
		_, err = local.ReadFile("input_file", filepath.Join(root, "pipe.json"), 100)
		done <- err
	}()
	for range 2 {
		select {
		case err := <-done:
			assert.Equal(t, errs.KindInvalid, errs.KindOf(err), "%v", err)
			assert.ErrorContains(t, err, "not a regular file")
		case <-time.After(10 * time.Second):
			t.Fatal("reading a FIFO blocked")
		}
	}
}

// A name the file system refuses leaves no directory behind.
func TestTooLongNameLeavesNoDirectory(t *testing.T) {
	t.Parallel()
	d, err := confine.NewDataDir(t.TempDir())
	require.NoError(t, err)
	_, err = d.WriteFile("output_file", "a/b/"+strings.Repeat("x", 256), []byte("{}"))
	assert.Equal(t, errs.KindInvalid, errs.KindOf(err))
	assert.ErrorContains(t, err, "too long")
	entries, err := os.ReadDir(d.Root())
	require.NoError(t, err)
	assert.Empty(t, entries)
}
