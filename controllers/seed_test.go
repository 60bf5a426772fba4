package controllers_test

import (
	"net/http"
)

// seedUser creates a user through the API and returns its id.
func (h *harness) seedUser(email string) string {
	h.t.Helper()
	res := h.must(http.StatusCreated, h.do("POST", "/api/v1/users", map[string]any{"email": email}))
	return res.data()["user_id"].(string)
}

// userID returns the id of the user with this email.
func (h *harness) userID(email string) string {
	h.t.Helper()
	return h.must(http.StatusOK, h.do("GET", "/api/v1/users/"+email, nil)).data()["user_id"].(string)
}

// seedKey generates a key of a member for a project and returns its id and secret.
func (h *harness) seedKey(email, project string) (id, secret string) {
	h.t.Helper()
	res := h.must(http.StatusCreated, h.do("POST", "/api/v1/users/"+email+"/api-keys", map[string]any{"project_name": project}))
	return res.data()["key_id"].(string), res.data()["api_key"].(string)
}
