package main

import (
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"

	"github.com/securemcp/gateway/controllers"
	"github.com/securemcp/gateway/services"
)

// cliOf maps every management route to the command offering the same
// operation. The commands themselves are tested through the binary (e2e).
var cliOf = map[string]string{
	"GET /api/v1/configs":                                           "config list",
	"POST /api/v1/configs":                                          "config add",
	"POST /api/v1/configs/copy":                                     "config copy",
	"POST /api/v1/configs/import":                                   "config import",
	"POST /api/v1/configs/search":                                   "config search",
	"GET /api/v1/configs/:config":                                   "config get",
	"DELETE /api/v1/configs/:config":                                "config remove",
	"PUT /api/v1/configs/:config/rename":                            "config rename",
	"GET /api/v1/configs/:config/projects":                          "config list-projects",
	"POST /api/v1/configs/:config/validate":                         "config validate",
	"POST /api/v1/configs/:config/export":                           "config export",
	"GET /api/v1/configs/:config/servers":                           "config list-servers",
	"POST /api/v1/configs/:config/servers":                          "config add-server",
	"DELETE /api/v1/configs/:config/servers":                        "config remove-all-servers",
	"GET /api/v1/configs/:config/servers/:server":                   "config get-server",
	"PUT /api/v1/configs/:config/servers/:server":                   "config update-server",
	"DELETE /api/v1/configs/:config/servers/:server":                "config remove-server",
	"PUT /api/v1/configs/:config/servers/:server/input-guardrails":  "config update-server-input-guardrails",
	"PUT /api/v1/configs/:config/servers/:server/output-guardrails": "config update-server-output-guardrails",
	"PUT /api/v1/configs/:config/servers/:server/guardrails":        "config update-server-guardrails",
	"GET /api/v1/projects":                                          "project list",
	"POST /api/v1/projects":                                         "project create",
	"POST /api/v1/projects/search":                                  "project search",
	"GET /api/v1/projects/:project":                                 "project get",
	"DELETE /api/v1/projects/:project":                              "project remove",
	"POST /api/v1/projects/:project/assign-config":                  "project assign-config",
	"POST /api/v1/projects/:project/unassign-config":                "project unassign-config",
	"GET /api/v1/projects/:project/config":                          "project get-config",
	"GET /api/v1/projects/:project/users":                           "project list-users",
	"POST /api/v1/projects/:project/users":                          "project add-user",
	"DELETE /api/v1/projects/:project/users":                        "project remove-all-users",
	"DELETE /api/v1/projects/:project/users/:user":                  "project remove-user",
	"POST /api/v1/projects/:project/export":                         "project export",
	"GET /api/v1/users":                                             "user list",
	"POST /api/v1/users":                                            "user create",
	"POST /api/v1/users/search":                                     "user search",
	"GET /api/v1/users/:user":                                       "user get",
	"PUT /api/v1/users/:user":                                       "user update",
	"DELETE /api/v1/users/:user":                                    "user delete",
	"GET /api/v1/users/:user/projects":                              "user list-projects",
	"POST /api/v1/users/:user/api-keys":                             "user generate-api-key",
	"GET /api/v1/users/:user/api-keys":                              "user list-api-keys",
	"DELETE /api/v1/users/:user/api-keys":                           "user delete-all-api-keys",
	"GET /api/v1/api-keys":                                          "user list-all-api-keys",
	"POST /api/v1/api-keys/rotate":                                  "user rotate-api-key",
	"GET /api/v1/api-keys/:api_key":                                 "user get-api-key",
	"DELETE /api/v1/api-keys/:api_key":                              "user delete-api-key",
	"POST /api/v1/api-keys/:api_key/disable":                        "user disable-api-key",
	"POST /api/v1/api-keys/:api_key/enable":                         "user enable-api-key",
	"GET /api/v1/system/health":                                     "system health-check",
	"POST /api/v1/system/backup":                                    "system backup",
	"POST /api/v1/system/restore":                                   "system restore",
	"POST /api/v1/system/reset":                                     "system reset",
	"GET /api/v1/settings":                                          "settings list",
	"GET /api/v1/settings/enkrypt-api-key":                          "settings get-enkrypt-api-key",
	"PUT /api/v1/settings/enkrypt-api-key":                          "settings set-enkrypt-api-key",
	"PUT /api/v1/settings/telemetry":                                "settings update-telemetry",
}

// TestEveryRouteHasACommand keeps the two shells in step: a management route
// without a CLI command, or a mapping to a command that does not exist, fails.
func TestEveryRouteHasACommand(t *testing.T) {
	router := controllers.NewRouter(controllers.Deps{Log: zap.NewNop(), Services: &services.Services{}})
	root := newRootCmd(io.Discard, io.Discard)
	seen := map[string]bool{}
	for _, r := range router.Routes() {
		if !strings.HasPrefix(r.Path, "/api/v1/") {
			continue // /health, docs and metrics belong to the server
		}
		route := r.Method + " " + r.Path
		line, ok := cliOf[route]
		if !assert.True(t, ok, "route %s has no CLI command", route) {
			continue
		}
		seen[route] = true
		cmd, rest, err := root.Find(strings.Fields(line))
		require.NoError(t, err, line)
		assert.Empty(t, rest, line)
		assert.Equal(t, "secure-mcp-gateway "+line, cmd.CommandPath(), "%s is a command", line)
		assert.Empty(t, cmd.Commands(), "%s is a command, not a group", line)
	}
	for route := range cliOf {
		assert.True(t, seen[route], "%s is not a route any more", route)
	}
}
