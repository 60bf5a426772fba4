package controllers_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// Ids are lower-case UUIDs; some tools print them upper-cased, and such an id
// still finds its entity in paths and in id fields.
func TestUpperCaseIdsFindTheirEntities(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	configID := h.seedConfig("cfg", "github")
	projectID := h.seedProject("p", "cfg")
	userID := h.seedUser("alice@example.com")
	h.seedMember("p", "alice@example.com")
	keyID, _ := h.seedKey("alice@example.com", "p")

	for path, idField := range map[string][2]string{
		"/api/v1/configs/" + strings.ToUpper(configID):   {"mcp_config_id", configID},
		"/api/v1/projects/" + strings.ToUpper(projectID): {"project_id", projectID},
		"/api/v1/users/" + strings.ToUpper(userID):       {"user_id", userID},
		"/api/v1/api-keys/" + strings.ToUpper(keyID):     {"key_id", keyID},
	} {
		res := h.must(http.StatusOK, h.do("GET", path, nil))
		assert.Equal(t, idField[1], res.data()[idField[0]], path)
	}
	res := h.must(http.StatusOK, h.do("POST", "/api/v1/projects/p/assign-config", map[string]any{"config_id": strings.ToUpper(configID)}))
	assert.Equal(t, configID, res.data()["mcp_config"].(map[string]any)["mcp_config_id"])
	h.must(http.StatusCreated, h.do("POST", "/api/v1/users/"+strings.ToUpper(userID)+"/api-keys", map[string]any{"project_id": strings.ToUpper(projectID)}))
	assertError(t, h.do("GET", "/api/v1/configs/"+strings.ToUpper(h.seedConfig("other")[:35])+"X", nil), 404, "not_found", "not found")
}
