package atomicfile_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/securemcp/gateway/internal/atomicfile"
)

func TestWriteNewCreatesAPrivateFileAndLeavesNoTemporary(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "secret.key")
	require.NoError(t, atomicfile.WriteNew(path, []byte("first")))
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "first", string(got))
	info, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 1)
}

func TestWriteNewNeverReplacesAFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "secret.key")
	require.NoError(t, os.WriteFile(path, []byte("kept"), 0o600))
	err := atomicfile.WriteNew(path, []byte("other"))
	require.Error(t, err)
	assert.True(t, errors.Is(err, fs.ErrExist), "%v", err)
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "kept", string(got))
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 1, "the temporary file is removed")
}

func TestWriteNewLetsExactlyOneOfConcurrentWritersWin(t *testing.T) {
	path := filepath.Join(t.TempDir(), "secret.key")
	const writers = 8
	errs := make([]error, writers)
	var wg sync.WaitGroup
	for i := range writers {
		wg.Go(func() { errs[i] = atomicfile.WriteNew(path, []byte{byte('a' + i)}) })
	}
	wg.Wait()
	won := -1
	for i, err := range errs {
		if err == nil {
			require.Equal(t, -1, won, "two writers both created the file")
			won = i
			continue
		}
		assert.True(t, errors.Is(err, fs.ErrExist), "%v", err)
	}
	require.NotEqual(t, -1, won)
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, string([]byte{byte('a' + won)}), string(got), "the file holds the winner's data")
}

func TestWriteNewIntoAMissingDirectoryFails(t *testing.T) {
	assert.Error(t, atomicfile.WriteNew(filepath.Join(t.TempDir(), "missing", "secret.key"), []byte("x")))
}
