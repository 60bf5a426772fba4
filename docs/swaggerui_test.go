package docs

import (
	"context"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSwaggerAssetsAreReadOnlyFiles(t *testing.T) {
	ctx := context.Background()
	fsys := newSwaggerFS()
	f, err := fsys.OpenFile(ctx, "/swagger-ui-bundle.js", os.O_RDONLY, 0)
	require.NoError(t, err)
	head := make([]byte, 16)
	_, err = io.ReadFull(f, head)
	require.NoError(t, err)
	_, err = f.Write([]byte("x"))
	assert.ErrorIs(t, err, errReadOnly)
	require.NoError(t, f.Close())
	for _, flag := range []int{os.O_RDWR, os.O_WRONLY, os.O_CREATE, os.O_TRUNC | os.O_RDONLY, os.O_APPEND} {
		_, err := fsys.OpenFile(ctx, "/swagger-ui.css", flag, 0o644)
		assert.ErrorIs(t, err, errReadOnly, "flag %#x", flag)
	}
	assert.ErrorIs(t, fsys.Mkdir(ctx, "/d", 0o755), errReadOnly)
	assert.ErrorIs(t, fsys.RemoveAll(ctx, "/index.css"), errReadOnly)
	assert.ErrorIs(t, fsys.Rename(ctx, "/index.css", "/x.css"), errReadOnly)
	_, err = fsys.Stat(ctx, "/../docs/openapi.json")
	assert.Error(t, err, "nothing outside the assets")
	info, err := fsys.Stat(ctx, "/index.css")
	require.NoError(t, err)
	assert.Positive(t, info.Size())
}

// TestNoAssetsAreLoadedAtStart: swaggo/files copies all of Swagger UI into
// memory when the process starts (some 25 MB of resident memory); the
// server must not link it.
func TestNoAssetsAreLoadedAtStart(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "../cmd/secure-mcp-gateway").CombinedOutput()
	require.NoError(t, err, "%s", out)
	assert.NotContains(t, strings.Fields(string(out)), "github.com/swaggo/files")
}
