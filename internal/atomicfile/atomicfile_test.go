package atomicfile_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/securemcp/gateway/internal/atomicfile"
)

func TestWriteReplacesThePrivateFileAndLeavesNoTemporary(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "doc.json")
	require.NoError(t, os.WriteFile(path, []byte("old"), 0o644))
	require.NoError(t, atomicfile.Write(path, []byte("new")))
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "new", string(got))
	info, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm(), "even over a file that was readable by others")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 1)
}

func TestWriteIntoAMissingDirectoryFailsAndLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	assert.Error(t, atomicfile.Write(filepath.Join(dir, "missing", "doc.json"), []byte("x")))
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Empty(t, entries)
}

func TestMkdirAllCreatesPrivateDirectoriesAndRefusesAFileInTheWay(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "a", "b", "c")
	require.NoError(t, atomicfile.MkdirAll(dir, 0o700))
	for _, d := range []string{filepath.Join(root, "a"), filepath.Join(root, "a", "b"), dir} {
		info, err := os.Stat(d)
		require.NoError(t, err)
		assert.True(t, info.IsDir())
		assert.Equal(t, os.FileMode(0o700), info.Mode().Perm(), d)
	}
	require.NoError(t, atomicfile.MkdirAll(dir, 0o700), "an existing directory is fine")
	require.NoError(t, os.WriteFile(filepath.Join(root, "file"), nil, 0o600))
	assert.Error(t, atomicfile.MkdirAll(filepath.Join(root, "file", "sub"), 0o700))
}

func TestWriteInStaysInsideItsRootAndRemoveCreatedUndoesDirectories(t *testing.T) {
	base := t.TempDir()
	outside := filepath.Join(base, "outside")
	require.NoError(t, os.Mkdir(outside, 0o700))
	dir := filepath.Join(base, "root")
	require.NoError(t, os.Mkdir(dir, 0o700))
	require.NoError(t, os.Symlink(outside, filepath.Join(dir, "link")))
	root, err := os.OpenRoot(dir)
	require.NoError(t, err)
	defer root.Close()

	assert.Error(t, atomicfile.WriteIn(root, "link/x.json", []byte("x")), "a link leading out is not followed")
	entries, err := os.ReadDir(outside)
	require.NoError(t, err)
	assert.Empty(t, entries, "nothing was written outside the root")

	created, err := atomicfile.MkdirAllIn(root, filepath.Join("a", "b"), 0o700)
	require.NoError(t, err)
	assert.Equal(t, []string{"a", filepath.Join("a", "b")}, created)
	require.NoError(t, atomicfile.WriteIn(root, filepath.Join("a", "b", "doc.json"), []byte("doc")))
	got, err := os.ReadFile(filepath.Join(dir, "a", "b", "doc.json"))
	require.NoError(t, err)
	assert.Equal(t, "doc", string(got))

	created, err = atomicfile.MkdirAllIn(root, filepath.Join("c", "d"), 0o700)
	require.NoError(t, err)
	atomicfile.RemoveCreated(root, created)
	_, err = os.Stat(filepath.Join(dir, "c"))
	assert.ErrorIs(t, err, os.ErrNotExist, "the directories made for a failed write are gone")
}
