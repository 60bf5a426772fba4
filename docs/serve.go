// Package docs holds the generated API documentation and serves it: the
// OpenAPI 3 document at /openapi.json, Swagger UI at /docs and ReDoc at /redoc.
// Every asset is embedded in the binary, so the pages work with no internet.
//
// openapi.json and swagger.json are generated from the annotations of the
// controllers; regenerate them with `make docs`.
package docs

//go:generate go run ./gen -out .

import (
	"bytes"
	_ "embed"
	"net/http"

	"github.com/gin-gonic/gin"
	ginSwagger "github.com/swaggo/gin-swagger"
	"golang.org/x/net/webdav"

	"github.com/securemcp/gateway/middleware"
)

var (
	//go:embed openapi.json
	openAPI []byte

	//go:embed redoc/redoc.standalone.js
	redocJS []byte
)

// OpenAPI returns the OpenAPI 3 document of the management API.
func OpenAPI() []byte { return bytes.Clone(openAPI) }

// Paths of the documentation routes.
const (
	openAPIPath = "/openapi.json"
	swaggerPath = "/docs"
	redocPath   = "/redoc"
	redocJSPath = "/redoc/redoc.standalone.js"
)

// assetCache lets browsers keep the vendored bundles (over 1 MB each), which
// change only with the binary; the pages and the document are not cached.
const assetCache = "public, max-age=86400"

// Register adds the documentation routes; they need no authentication.
func Register(r *gin.Engine) {
	r.GET(openAPIPath, func(c *gin.Context) {
		c.Data(http.StatusOK, "application/json", openAPI)
	})

	// The admin key typed into Authorize is not persisted in the browser.
	assets := newSwaggerFS()
	swagger := ginSwagger.CustomWrapHandler(&ginSwagger.Config{
		URL: openAPIPath, Title: "Secure MCP Gateway management API - Swagger UI",
		DocExpansion: "list", DefaultModelsExpandDepth: 1, DeepLinking: true, PersistAuthorization: false,
	}, &webdav.Handler{FileSystem: assets, LockSystem: webdav.NewMemLS()})
	index := swaggerIndex(swagger)
	r.GET(swaggerPath, func(c *gin.Context) {
		c.Data(http.StatusOK, "text/html; charset=utf-8", index)
	})
	r.GET(swaggerPath+"/*asset", func(c *gin.Context) {
		switch c.Param("asset") {
		case "/", "/index.html":
			// gin-swagger answers 404 on the bare directory: the UI lives at /docs.
			c.Redirect(http.StatusMovedPermanently, swaggerPath)
		case "/doc.json":
			// gin-swagger's own document slot (Swagger 2.0 through swag's registry) is unused.
			c.Redirect(http.StatusMovedPermanently, openAPIPath)
		case "/swagger-initializer.js":
			// gin-swagger writes it from the configuration above.
			c.Header("Cache-Control", assetCache)
			swagger(c)
		default:
			if _, err := assets.Stat(c.Request.Context(), c.Param("asset")); err != nil {
				middleware.NoRoute(c) // the API's 404 envelope, not gin-swagger's plain text
				return
			}
			c.Header("Cache-Control", assetCache)
			swagger(c)
		}
	})

	r.GET(redocPath, func(c *gin.Context) {
		// The bundle shows Redocly's logo from its CDN; the policy keeps every
		// image, font and fetch on this server.
		c.Header("Content-Security-Policy", redocPolicy)
		c.Data(http.StatusOK, "text/html; charset=utf-8", redocPage)
	})
	r.GET(redocJSPath, func(c *gin.Context) {
		c.Header("Cache-Control", assetCache)
		c.Data(http.StatusOK, "application/javascript", redocJS)
	})
}

// swaggerIndex renders gin-swagger's index page once, through a throwaway
// engine. Its asset links are relative ("./swagger-ui.css"), written for
// /docs/index.html; a base element makes them resolve under /docs/ when the
// page is served at /docs. This first request also fixes the prefix
// gin-swagger strips from asset paths ("/docs/").
func swaggerIndex(swagger gin.HandlerFunc) []byte {
	render := gin.New()
	render.GET(swaggerPath+"/*asset", swagger)
	page := &pageWriter{header: http.Header{}}
	req, _ := http.NewRequest(http.MethodGet, swaggerPath+"/index.html", nil) // a constant URL: no error
	req.RequestURI = req.URL.RequestURI()                                     // what gin-swagger matches on
	render.ServeHTTP(page, req)
	return bytes.Replace(page.body.Bytes(), []byte("<head>"), []byte(`<head>
  <base href="`+swaggerPath+`/">`), 1)
}

// pageWriter keeps a rendered page in memory.
type pageWriter struct {
	header http.Header
	body   bytes.Buffer
}

func (w *pageWriter) Header() http.Header         { return w.header }
func (w *pageWriter) Write(b []byte) (int, error) { return w.body.Write(b) }
func (w *pageWriter) WriteHeader(int)             {}

// redocPolicy is the Content-Security-Policy of the ReDoc page.
const redocPolicy = "img-src 'self' data:; font-src 'self' data:; connect-src 'self'"

// redocPage loads the embedded ReDoc bundle and points it at the document.
// Unlike ReDoc's sample page it links no web fonts: the browser's own are used.
var redocPage = []byte(`<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Secure MCP Gateway management API - ReDoc</title>
  <style>body { margin: 0; padding: 0; }</style>
</head>
<body>
  <redoc spec-url="` + openAPIPath + `"></redoc>
  <script src="` + redocJSPath + `"></script>
</body>
</html>
`)
