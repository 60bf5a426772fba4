package controllers_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
)

// The API names a field of a structured field problem by its JSON name, as
// the request spelled it (the CLI names the same problem by its flag).
func TestFieldProblemsNameTheJSONField(t *testing.T) {
	h := newHarness(t)
	for _, tc := range []struct{ path, body, detail string }{
		{"/api/v1/configs", `{"config_name": "a/b"}`, "config_name must not contain '/'"},
		{"/api/v1/projects", `{"project_name": ".."}`, `project_name must not be "." or ".."`},
		{"/api/v1/users", `{"email": "not-an-email"}`, "email must be a single valid e-mail address"},
	} {
		res := h.do("POST", tc.path, tc.body)
		assert.Equal(t, http.StatusBadRequest, res.Code, tc.path)
		assert.Equal(t, "invalid", res.Body["error"], tc.path)
		assert.Equal(t, tc.detail, res.Body["detail"], tc.path)
	}
}
