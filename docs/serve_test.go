package docs_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"

	"github.com/securemcp/gateway/controllers"
	"github.com/securemcp/gateway/docs"
	"github.com/securemcp/gateway/repositories/sqlstore/sqltest"
	"github.com/securemcp/gateway/sealing"
	"github.com/securemcp/gateway/services"
	"github.com/securemcp/gateway/services/confine"
	"github.com/securemcp/gateway/services/entity"
)

// newRouter is the server's real router, documentation routes included.
func newRouter(t *testing.T) *gin.Engine {
	t.Helper()
	gin.SetMode(gin.TestMode)
	files, err := confine.NewDataDir(t.TempDir())
	require.NoError(t, err)
	return controllers.NewRouter(controllers.Deps{
		Log: zap.NewNop(), AdminKeys: staticKey("test-admin-key"), MaxBodyBytes: 1 << 20, Version: "test",
		Services: services.New(sqltest.NewSQLite(t), files, entity.SystemClock, sealing.NewEphemeralSealer()), Docs: docs.Register,
	})
}

type staticKey string

func (k staticKey) AdminKey() string { return string(k) }

// get sends an unauthenticated GET: the documentation needs no key.
func get(r http.Handler, path string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec
}

func TestOpenAPIDocumentIsValidOpenAPI3(t *testing.T) {
	rec := get(newRouter(t), "/openapi.json")
	require.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, "application/json", rec.Header().Get("Content-Type"))
	assert.Equal(t, docs.OpenAPI(), rec.Body.Bytes())

	doc, err := openapi3.NewLoader().LoadFromData(rec.Body.Bytes())
	require.NoError(t, err)
	require.NoError(t, doc.Validate(context.Background()))
	assert.True(t, strings.HasPrefix(doc.OpenAPI, "3."), "version %q", doc.OpenAPI)
	assert.Equal(t, "Secure MCP Gateway management API", doc.Info.Title)
	admin := doc.Components.SecuritySchemes["AdminKey"]
	require.NotNil(t, admin)
	assert.Equal(t, "http", admin.Value.Type)
	assert.Equal(t, "bearer", admin.Value.Scheme)
}

// TestOpenAPIDocumentsEveryRoute: the document lists exactly the routes the
// engine serves under /api/v1 and the probes (/health, /readyz), in both
// directions.
func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	router := newRouter(t)
	param := regexp.MustCompile(`:([^/]+)`)
	var served []string
	for _, r := range router.Routes() {
		if r.Path == "/health" || r.Path == "/readyz" || strings.HasPrefix(r.Path, "/api/v1/") {
			served = append(served, r.Method+" "+param.ReplaceAllString(r.Path, "{$1}"))
		}
	}
	doc, err := openapi3.NewLoader().LoadFromData(docs.OpenAPI())
	require.NoError(t, err)
	var documented []string
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			documented = append(documented, method+" "+path)
		}
	}
	slices.Sort(served)
	slices.Sort(documented)
	assert.NotEmpty(t, served)
	t.Logf("%d routes served, %d documented", len(served), len(documented))
	for _, route := range served {
		assert.Contains(t, documented, route, "served but not documented: annotate the handler and run make docs")
	}
	for _, route := range documented {
		assert.Contains(t, served, route, "documented but not served: fix the @Router annotation and run make docs")
	}
}

func TestSwaggerUI(t *testing.T) {
	router := newRouter(t)
	rec := get(router, "/docs")
	require.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, "text/html; charset=utf-8", rec.Header().Get("Content-Type"))
	page := rec.Body.String()
	assert.Contains(t, page, `<base href="/docs/">`)
	assert.Contains(t, page, "<title>Secure MCP Gateway management API - Swagger UI</title>")
	assertNoExternalURL(t, page)

	assets := referencedAssets(t, page, "/docs/")
	assert.Subset(t, assets, []string{"/docs/swagger-ui.css", "/docs/swagger-ui-bundle.js",
		"/docs/swagger-ui-standalone-preset.js", "/docs/swagger-initializer.js", "/docs/index.css"})
	for _, asset := range assets {
		rec := get(router, asset)
		assert.Equal(t, http.StatusOK, rec.Code, asset)
		assert.Positive(t, rec.Body.Len(), asset)
	}
	init := get(router, "/docs/swagger-initializer.js").Body.String()
	assert.Contains(t, init, `url: "/openapi.json"`)
	assert.Contains(t, init, "validatorUrl: null", "no call to the online validator")
	assert.Contains(t, init, "persistAuthorization: false", "the admin key is not kept in the browser")
	assert.Contains(t, get(router, "/docs/swagger-ui-bundle.js").Header().Get("Content-Type"), "javascript")
	assert.Contains(t, get(router, "/docs/swagger-ui.css").Header().Get("Content-Type"), "text/css")

	for _, path := range []string{"/docs/", "/docs/index.html"} {
		rec := get(router, path)
		assert.Equal(t, http.StatusMovedPermanently, rec.Code, path)
		assert.Equal(t, "/docs", rec.Header().Get("Location"), path)
	}
	rec = get(router, "/docs/doc.json")
	assert.Equal(t, http.StatusMovedPermanently, rec.Code)
	assert.Equal(t, "/openapi.json", rec.Header().Get("Location"))
	assert.Equal(t, "public, max-age=86400", get(router, "/docs/swagger-ui-bundle.js").Header().Get("Cache-Control"))
	assert.Equal(t, "no-store", get(router, "/docs").Header().Get("Cache-Control"), "the page itself is not cached")
	for _, path := range []string{"/docs/missing.js", "/docs/../openapi.json.map", "/docs/index.html.bak"} {
		rec := get(router, path)
		assert.Equal(t, http.StatusNotFound, rec.Code, path)
		assert.Contains(t, rec.Body.String(), `"error":"not_found"`, path)
	}
}

func TestReDoc(t *testing.T) {
	router := newRouter(t)
	rec := get(router, "/redoc")
	require.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, "text/html; charset=utf-8", rec.Header().Get("Content-Type"))
	assert.Contains(t, rec.Header().Get("Content-Security-Policy"), "img-src 'self'")
	page := rec.Body.String()
	assert.Contains(t, page, `spec-url="/openapi.json"`)
	assertNoExternalURL(t, page)

	assets := referencedAssets(t, page, "/")
	assert.Equal(t, []string{"/redoc/redoc.standalone.js"}, assets)
	js := get(router, "/redoc/redoc.standalone.js")
	require.Equal(t, http.StatusOK, js.Code)
	assert.Equal(t, "application/javascript", js.Header().Get("Content-Type"))
	assert.Greater(t, js.Body.Len(), 1_000_000, "the whole standalone bundle")
	assert.Equal(t, "public, max-age=86400", js.Header().Get("Cache-Control"))
	assert.Contains(t, js.Body.String()[:1000], "redoc.standalone.js.LICENSE.txt")
}

// TestDocsNeedNoKey: the documentation routes are outside the admin API.
func TestDocsNeedNoKey(t *testing.T) {
	router := newRouter(t)
	for _, path := range []string{"/openapi.json", "/docs", "/docs/swagger-ui-bundle.js", "/redoc", "/redoc/redoc.standalone.js"} {
		assert.Equal(t, http.StatusOK, get(router, path).Code, path)
	}
	assert.Equal(t, http.StatusUnauthorized, get(router, "/api/v1/configs").Code, "while the API needs the key")
}

var assetRef = regexp.MustCompile(`(?:src|href)="([^"]+)"`)

// referencedAssets lists the scripts, styles and icons a page loads,
// resolved against base (the page's base URL).
func referencedAssets(t *testing.T, page, base string) []string {
	t.Helper()
	var assets []string
	for _, m := range assetRef.FindAllStringSubmatch(page, -1) {
		ref := m[1]
		if ref == base && strings.Contains(page, `<base href="`+base+`">`) {
			continue // the base element itself
		}
		switch {
		case strings.HasPrefix(ref, "/"):
		case strings.HasPrefix(ref, "./"):
			ref = base + strings.TrimPrefix(ref, "./")
		default:
			ref = base + ref
		}
		assets = append(assets, ref)
	}
	require.NotEmpty(t, assets)
	return assets
}

// assertNoExternalURL: the pages work offline, so they name no other host
// (the SVG namespaces are identifiers, not requests).
func assertNoExternalURL(t *testing.T, page string) {
	t.Helper()
	for _, m := range regexp.MustCompile(`(?:https?:)?//[a-zA-Z0-9.-]+`).FindAllString(page, -1) {
		assert.Contains(t, []string{"http://www.w3.org"}, m, "external URL in the page")
	}
}
