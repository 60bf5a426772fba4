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
	"GET /api/v1/audit":                                             "audit list",
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
	"POST /api/v1/configs/:config/servers/:server/discover":         "config discover-server",
	"GET /api/v1/gateway/status":                                    "system gateway-status",
	"POST /api/v1/configs/:config/servers/:server/tools/approve":    "config approve-tools",
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
	"GET /api/v1/admin-keys":                                        "admin-key list",
	"POST /api/v1/admin-keys":                                       "admin-key create",
	"GET /api/v1/admin-keys/:admin_key":                             "admin-key get",
	"DELETE /api/v1/admin-keys/:admin_key":                          "admin-key delete",
}

// TestEveryRouteHasACommand keeps the two shells in step: a management route
// without a CLI command, or a mapping to a command that does not exist, fails.
func TestEveryRouteHasACommand(t *testing.T) {
	t.Parallel()
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
		assert.Equal(t, controllers.Actions[route], commandAction(cmd), "%s and %s record their writes under one action", route, line)
		assert.Empty(t, cmd.Commands(), "%s is a command, not a group", line)
	}
	for route := range cliOf {
		assert.True(t, seen[route], "%s is not a route any more", route)
	}
}

// originalCLI is every command of the original Python CLI with its flags
// (src/secure_mcp_gateway/cli.py, the argparse tree), which scripts written
// for it use. Left out: the global --docker and --docker-image (run the
// command in the original's container image), and `install --client`, which
// comes with the MCP gateway.
var originalCLI = map[string][]string{
	"generate-config":                        {"--overwrite"},
	"config list":                            nil,
	"config add":                             {"--config-name"},
	"config copy":                            {"--source-config", "--target-config"},
	"config rename":                          {"--config-name", "--config-id", "--new-name"},
	"config list-projects":                   {"--config-name", "--config-id"},
	"config list-servers":                    {"--config-name", "--config-id"},
	"config get-server":                      {"--config-name", "--config-id", "--server-name"},
	"config update-server":                   {"--config-name", "--config-id", "--server-name", "--server-command", "--args", "--env", "--tools", "--description"},
	"config add-server":                      {"--config-name", "--config-id", "--server-name", "--server-command", "--args", "--env", "--tools", "--description", "--input-guardrails-policy", "--output-guardrails-policy"},
	"config get":                             {"--config-name", "--config-id"},
	"config remove-server":                   {"--config-name", "--config-id", "--server-name"},
	"config remove-all-servers":              {"--config-name", "--config-id"},
	"config remove":                          {"--config-name", "--config-id"},
	"config validate":                        {"--config-name", "--config-id"},
	"config export":                          {"--config-name", "--config-id", "--output-file"},
	"config import":                          {"--input-file", "--config-name"},
	"config search":                          {"--search-term"},
	"config update-server-input-guardrails":  {"--config-name", "--config-id", "--server-name", "--policy-file", "--policy"},
	"config update-server-output-guardrails": {"--config-name", "--config-id", "--server-name", "--policy-file", "--policy"},
	"config update-server-guardrails":        {"--config-name", "--config-id", "--server-name", "--input-policy-file", "--input-policy", "--output-policy-file", "--output-policy"},
	"config set-enkrypt-api-key":             {"--api-key"},
	"config get-enkrypt-api-key":             nil,
	"config configure-telemetry":             {"--enabled", "--url", "--insecure"},
	"project list":                           nil,
	"project create":                         {"--project-name"},
	"project assign-config":                  {"--project-name", "--project-id", "--config-name", "--config-id"},
	"project unassign-config":                {"--project-name", "--project-id"},
	"project get-config":                     {"--project-name", "--project-id"},
	"project list-users":                     {"--project-name", "--project-id"},
	"project add-user":                       {"--project-name", "--project-id", "--user-id", "--email"},
	"project remove-user":                    {"--project-name", "--project-id", "--user-id", "--email"},
	"project remove-all-users":               {"--project-name", "--project-id"},
	"project get":                            {"--project-name", "--project-id"},
	"project remove":                         {"--project-name", "--project-id"},
	"project export":                         {"--project-name", "--project-id", "--output-file"},
	"project search":                         {"--search-term"},
	"user list":                              nil,
	"user create":                            {"--email"},
	"user update":                            {"--user-id", "--email", "--new-email"},
	"user get":                               {"--user-id", "--email"},
	"user list-projects":                     {"--user-id", "--email"},
	"user delete":                            {"--user-id", "--email", "--force"},
	"user generate-api-key":                  {"--user-id", "--email", "--project-name", "--project-id"},
	"user get-api-key":                       {"--api-key"},
	"user rotate-api-key":                    {"--api-key"},
	"user disable-api-key":                   {"--api-key"},
	"user enable-api-key":                    {"--api-key"},
	"user delete-api-key":                    {"--api-key"},
	"user delete-all-api-keys":               {"--user-id", "--email"},
	"user list-api-keys":                     {"--user-id", "--email", "--project-name", "--project-id"},
	"user list-all-api-keys":                 nil,
	"user search":                            {"--search-term"},
	"system health-check":                    nil,
	"system backup":                          {"--output-file"},
	"system restore":                         {"--input-file"},
	"system reset":                           {"--confirm"},
	"system start-api":                       {"--host", "--port", "--reload"},
	"system stop-api":                        {"--port", "--force"},
}

// TestTheOriginalsCommandsExist keeps the original's command lines working:
// each of its commands exists here, with each of its flags, and its boolean
// flags take a value as the next argument as its own do (--enabled false).
func TestTheOriginalsCommandsExist(t *testing.T) {
	t.Parallel()
	root := newRootCmd(io.Discard, io.Discard)
	for line, flags := range originalCLI {
		cmd, rest, err := root.Find(strings.Fields(line))
		if !assert.NoError(t, err, line) || !assert.Equal(t, "secure-mcp-gateway "+line, cmd.CommandPath(), line) {
			continue
		}
		assert.Empty(t, rest, line)
		assert.True(t, cmd.Runnable() && !cmd.HasSubCommands(), "%s is a command", line)
		for _, flag := range flags {
			f := cmd.Flags().Lookup(strings.TrimPrefix(flag, "--"))
			if assert.NotNil(t, f, "%s %s", line, flag) && f.Value.Type() == "bool" {
				assert.IsType(t, new(boolValue), f.Value, "%s %s takes true or false as the next argument", line, flag)
			}
		}
	}
}
