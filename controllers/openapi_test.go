package controllers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/stretchr/testify/require"

	"github.com/securemcp/gateway/docs"
)

// apiContract is the served OpenAPI document with a router over its
// operations, loaded once for every test.
type apiContract struct {
	doc    *openapi3.T
	router routers.Router
}

var loadContract = sync.OnceValues(func() (*apiContract, error) {
	doc, err := openapi3.NewLoader().LoadFromData(docs.OpenAPI())
	if err != nil {
		return nil, err
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, err
	}
	// Requests of the harness have no scheme and host: match on paths only.
	doc.Servers = nil
	forbidUndocumentedFields(doc)
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, err
	}
	return &apiContract{doc: doc, router: router}, nil
})

// forbidUndocumentedFields makes every object schema with properties (but no
// additionalProperties of its own, as maps have) reject other fields, so that
// a response of another type than the documented one fails even when the
// fields they share match. The document as served stays open to additions.
func forbidUndocumentedFields(doc *openapi3.T) {
	seen := map[*openapi3.Schema]bool{}
	var visit func(ref *openapi3.SchemaRef)
	visit = func(ref *openapi3.SchemaRef) {
		if ref == nil || ref.Value == nil || seen[ref.Value] {
			return
		}
		s := ref.Value
		seen[s] = true
		if len(s.Properties) > 0 && s.AdditionalProperties.Has == nil && s.AdditionalProperties.Schema == nil {
			closed := false
			s.AdditionalProperties.Has = &closed
		}
		for _, p := range s.Properties {
			visit(p)
		}
		for _, group := range []openapi3.SchemaRefs{s.AllOf, s.AnyOf, s.OneOf} {
			for _, member := range group {
				visit(member)
			}
		}
		visit(s.Items)
		visit(s.AdditionalProperties.Schema)
	}
	for _, ref := range doc.Components.Schemas {
		visit(ref)
	}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			for _, res := range op.Responses.Map() {
				for _, media := range res.Value.Content {
					visit(media.Schema)
				}
			}
		}
	}
}

// documented reports whether a path belongs to the documented API.
func documented(path string) bool {
	return path == "/health" || path == "/readyz" || path == "/api/v1" || strings.HasPrefix(path, "/api/v1/")
}

// checkContract fails the test unless the response to req is the one the
// OpenAPI document describes for its route and status: an undocumented route
// or status, or a body or header that does not match its schema, is a
// failure. Requests that match no route must get the error envelope with 404
// or 405. This makes every test through the harness a test of the docs.
func (h *harness) checkContract(req *http.Request, res response) {
	h.t.Helper()
	if _, bench := h.t.(*testing.B); bench || !documented(req.URL.Path) {
		return
	}
	if req.Method == http.MethodOptions {
		return // CORS preflight, answered by the middleware before any route
	}
	if req.Method == http.MethodHead {
		// HEAD is answered as GET (HTTP's rule, not a route of its own): the
		// answer must be the GET's, whose body the server then drops.
		req = req.Clone(req.Context())
		req.Method = http.MethodGet
	}
	contract, err := loadContract()
	require.NoError(h.t, err, "the embedded OpenAPI document must load; run make docs")

	route, params, err := contract.router.FindRoute(req)
	if err != nil {
		if !errors.Is(err, routers.ErrPathNotFound) && !errors.Is(err, routers.ErrMethodNotAllowed) {
			require.NoError(h.t, err, "routing %s %s in the OpenAPI document", req.Method, req.URL.Path)
		}
		require.Containsf(h.t, []int{http.StatusNotFound, http.StatusMethodNotAllowed}, res.Code,
			"%s %s answered %d but is not in the OpenAPI document (annotate the handler and run make docs); body: %s",
			req.Method, req.URL.Path, res.Code, res.Raw)
		var body any
		require.NoError(h.t, json.Unmarshal(res.Raw, &body), "body: %s", res.Raw)
		require.NoError(h.t, contract.doc.Components.Schemas["models.ErrorResponse"].Value.VisitJSON(body),
			"%s %s: the error envelope does not match models.ErrorResponse; body: %s", req.Method, req.URL.Path, res.Raw)
		return
	}
	input := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request: req, PathParams: params, Route: route,
			Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc},
		},
		Status:  res.Code,
		Header:  res.Header,
		Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	input.SetBodyBytes(bytes.Clone(res.Raw))
	err = openapi3filter.ValidateResponse(context.Background(), input)
	require.NoErrorf(h.t, err, "%s %s answered %d, which does not match its OpenAPI documentation (%s); fix the annotation or the response and run make docs; body: %s",
		req.Method, req.URL.Path, res.Code, route.Path, res.Raw)
	if res.Header.Get("X-Total-Count") != "" {
		_, ok := route.Operation.Responses.Status(res.Code).Value.Headers["X-Total-Count"]
		require.Truef(h.t, ok, "%s %s answered %d with X-Total-Count, which its documentation does not declare (add @Header %d {integer} X-Total-Count and run make docs)",
			req.Method, req.URL.Path, res.Code, res.Code)
	}
}
