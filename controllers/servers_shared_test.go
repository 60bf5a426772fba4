package controllers_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
)

// shared_process is set on creation, changed by a partial update, and kept by
// export, import, backup and restore.
func TestServerSharedProcess(t *testing.T) {
	t.Parallel()
	onEveryBackend(t, func(t *testing.T, h *harness) {
		h.seedConfig("cfg")
		base := "/api/v1/configs/cfg/servers"
		added := h.must(http.StatusCreated, h.do("POST", base, map[string]any{
			"server_name": "time", "server_command": "uvx", "args": []string{"mcp-server-time"}, "shared_process": true}))
		assert.Equal(t, true, added.data()["shared_process"])
		plain := h.must(http.StatusCreated, h.do("POST", base, map[string]any{"server_name": "own", "server_command": "npx"}))
		assert.Equal(t, false, plain.data()["shared_process"], "each user has their own process by default")

		h.must(http.StatusBadRequest, h.do("PUT", base+"/own", map[string]any{"shared_process": "yes"}))
		updated := h.must(http.StatusOK, h.do("PUT", base+"/own", map[string]any{"shared_process": true}))
		assert.Equal(t, true, updated.data()["shared_process"])
		updated = h.must(http.StatusOK, h.do("PUT", base+"/own", map[string]any{"description": "kept"}))
		assert.Equal(t, true, updated.data()["shared_process"], "an absent field keeps the stored value")

		h.must(http.StatusOK, h.do("POST", "/api/v1/configs/cfg/export", map[string]string{"output_file": "cfg.json"}))
		h.must(http.StatusCreated, h.do("POST", "/api/v1/configs/import", map[string]string{"config_name": "again", "input_file": "cfg.json"}))
		copied := h.must(http.StatusOK, h.do("GET", "/api/v1/configs/again/servers/time", nil))
		assert.Equal(t, true, copied.data()["shared_process"], "export and import keep it")

		h.must(http.StatusOK, h.do("POST", "/api/v1/system/backup", map[string]string{"output_file": "b.json"}))
		h.must(http.StatusOK, h.do("PUT", base+"/time", map[string]any{"shared_process": false}))
		h.must(http.StatusOK, h.do("POST", "/api/v1/system/restore", map[string]string{"input_file": "b.json"}))
		restored := h.must(http.StatusOK, h.do("GET", base+"/time", nil))
		assert.Equal(t, true, restored.data()["shared_process"], "backup and restore keep it")
	})
}
