package e2e

import (
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/securemcp/gateway/docs"
)

// TestBinaryServesDocs: the real server wires the documentation routes, with
// no key, and every asset the pages reference loads from the binary itself.
func TestBinaryServesDocs(t *testing.T) {
	t.Parallel()
	s := startServer(t, t.TempDir())
	fetch := func(path string) (*http.Response, string) {
		t.Helper()
		res, err := http.Get(s.base + path)
		require.NoError(t, err)
		defer res.Body.Close()
		body, err := io.ReadAll(res.Body)
		require.NoError(t, err)
		return res, string(body)
	}

	res, body := fetch("/openapi.json")
	require.Equal(t, http.StatusOK, res.StatusCode)
	assert.Equal(t, "application/json", res.Header.Get("Content-Type"))
	assert.Equal(t, string(docs.OpenAPI()), body)

	ref := regexp.MustCompile(`(?:src|href)="([^"]+)"`)
	for page, base := range map[string]string{"/docs": "/docs/", "/redoc": "/"} {
		res, body := fetch(page)
		require.Equal(t, http.StatusOK, res.StatusCode, page)
		assert.Contains(t, res.Header.Get("Content-Type"), "text/html", page)
		assets := 0
		for _, m := range ref.FindAllStringSubmatch(body, -1) {
			asset := m[1]
			if asset == base {
				continue // the base element
			}
			if !strings.HasPrefix(asset, "/") {
				asset = base + strings.TrimPrefix(asset, "./")
			}
			res, content := fetch(asset)
			assert.Equal(t, http.StatusOK, res.StatusCode, "%s references %s", page, asset)
			assert.NotEmpty(t, content, asset)
			assets++
		}
		assert.Positive(t, assets, page)
	}

	res, _ = fetch("/docs/")
	assert.Equal(t, http.StatusOK, res.StatusCode, "/docs/ redirects to the UI")
	assert.Equal(t, "/docs", res.Request.URL.Path)
}
