package controllers_test

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// seedForPaths gives the harness one entity of each kind that paths name, and
// returns the value of each path parameter.
func (h *harness) seedForPaths() map[string]string {
	h.t.Helper()
	h.seedConfig("path-config", "path-server")
	h.seedProject("path-project", "path-config")
	h.must(http.StatusCreated, h.do("POST", "/api/v1/users", map[string]any{"email": "path-user@example.com"}))
	h.seedMember("path-project", "path-user@example.com")
	key := h.must(http.StatusCreated, h.do("POST", "/api/v1/users/path-user@example.com/api-keys", map[string]any{"project_name": "path-project"}))
	return map[string]string{"config": "path-config", "server": "path-server", "project": "path-project",
		"user": "path-user@example.com", "api_key": key.data()["key_id"].(string)}
}

// missingAlone matches the detail of a 400 about one field that must be
// given ("email is required"); "a or b is required" names alternatives.
var missingAlone = regexp.MustCompile(`^([a-z_]+) is required`)

// TestDocumentedRequiredFieldsMatchTheAPI holds the required lists of the
// OpenAPI document (generated clients make those fields mandatory) to what
// the API does, on every route with a JSON body:
//   - a body with only the required fields (their examples) is never refused
//     for lacking another single field: the API requires no field the
//     document leaves optional;
//   - without any one of them, the answer is a 400 naming it: every listed
//     field is required indeed.
func TestDocumentedRequiredFieldsMatchTheAPI(t *testing.T) {
	t.Parallel()
	contract, err := loadContract()
	require.NoError(t, err)
	checked := 0
	for _, path := range slices.Sorted(func(yield func(string) bool) {
		for p := range contract.doc.Paths.Map() {
			if !yield(p) {
				return
			}
		}
	}) {
		for method, op := range contract.doc.Paths.Value(path).Operations() {
			if op.RequestBody == nil {
				continue
			}
			schema := op.RequestBody.Value.Content.Get("application/json").Schema.Value
			checked++
			t.Run(op.OperationID, func(t *testing.T) {
				h := newHarness(t)
				params := h.seedForPaths()
				url := path
				for name, value := range params {
					url = strings.ReplaceAll(url, "{"+name+"}", value)
				}
				require.NotContains(t, url, "{", "a path parameter without a seeded entity")
				body := map[string]any{}
				for _, name := range schema.Required {
					example := schema.Properties[name].Value.Example
					require.NotNil(t, example, "required field %s needs an example", name)
					body[name] = example
				}
				res := h.do(method, url, body)
				if res.Code == http.StatusBadRequest {
					detail, _ := res.Body["detail"].(string)
					if m := missingAlone.FindStringSubmatch(detail); m != nil {
						t.Errorf("%s %s refuses a body without %s, which its documentation leaves optional: tag the field validate:\"required\" and run make docs (body %v: %s)",
							method, path, m[1], body, res.Raw)
					}
				}
				for _, name := range schema.Required {
					without := map[string]any{}
					for k, v := range body {
						if k != name {
							without[k] = v
						}
					}
					assertError(t, h.do(method, url, without), http.StatusBadRequest, "invalid", name)
				}
			})
		}
	}
	assert.Greater(t, checked, 20, "routes with a body")
}

// TestRequiredFieldExamplesMatchTheirSchemas makes sure the test above sends what it means
// to: examples decode as JSON values of their schema's type.
func TestRequiredFieldExamplesMatchTheirSchemas(t *testing.T) {
	t.Parallel()
	contract, err := loadContract()
	require.NoError(t, err)
	for name, ref := range contract.doc.Components.Schemas {
		for _, field := range ref.Value.Required {
			prop := ref.Value.Properties[field].Value
			if prop.Example == nil {
				continue
			}
			assert.NoError(t, prop.VisitJSON(prop.Example, openapi3.MultiErrors()), fmt.Sprintf("%s.%s example", name, field))
		}
	}
}
