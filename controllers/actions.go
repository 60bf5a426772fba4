package controllers

import (
	"github.com/gin-gonic/gin"

	"github.com/securemcp/gateway/internal/actor"
	"github.com/securemcp/gateway/middleware"
)

// Actions names the operation of every management route, as audit records
// name it: the CLI command offering the same operation, dotted
// ("config add-server" is config.add_server), so that one operation has one
// name whichever shell ran it. Only writes are recorded; reads are named too,
// so that a route never lacks a name.
var Actions = map[string]string{
	"GET /api/v1/admin-keys":                                        "admin_key.list",
	"POST /api/v1/admin-keys":                                       "admin_key.create",
	"GET /api/v1/admin-keys/:admin_key":                             "admin_key.get",
	"DELETE /api/v1/admin-keys/:admin_key":                          "admin_key.delete",
	"GET /api/v1/audit":                                             "audit.list",
	"GET /api/v1/configs":                                           "config.list",
	"POST /api/v1/configs":                                          "config.add",
	"POST /api/v1/configs/copy":                                     "config.copy",
	"POST /api/v1/configs/import":                                   "config.import",
	"POST /api/v1/configs/search":                                   "config.search",
	"GET /api/v1/configs/:config":                                   "config.get",
	"DELETE /api/v1/configs/:config":                                "config.remove",
	"PUT /api/v1/configs/:config/rename":                            "config.rename",
	"GET /api/v1/configs/:config/projects":                          "config.list_projects",
	"POST /api/v1/configs/:config/validate":                         "config.validate",
	"POST /api/v1/configs/:config/export":                           "config.export",
	"GET /api/v1/configs/:config/servers":                           "config.list_servers",
	"POST /api/v1/configs/:config/servers":                          "config.add_server",
	"DELETE /api/v1/configs/:config/servers":                        "config.remove_all_servers",
	"GET /api/v1/configs/:config/servers/:server":                   "config.get_server",
	"PUT /api/v1/configs/:config/servers/:server":                   "config.update_server",
	"DELETE /api/v1/configs/:config/servers/:server":                "config.remove_server",
	"PUT /api/v1/configs/:config/servers/:server/input-guardrails":  "config.update_server_input_guardrails",
	"PUT /api/v1/configs/:config/servers/:server/output-guardrails": "config.update_server_output_guardrails",
	"PUT /api/v1/configs/:config/servers/:server/guardrails":        "config.update_server_guardrails",
	"POST /api/v1/configs/:config/servers/:server/discover":         "config.discover_server",
	"GET /api/v1/gateway/status":                                    "system.gateway_status",
	"POST /api/v1/configs/:config/servers/:server/tools/approve":    "config.approve_tools",
	"GET /api/v1/projects":                                          "project.list",
	"POST /api/v1/projects":                                         "project.create",
	"POST /api/v1/projects/search":                                  "project.search",
	"GET /api/v1/projects/:project":                                 "project.get",
	"DELETE /api/v1/projects/:project":                              "project.remove",
	"POST /api/v1/projects/:project/assign-config":                  "project.assign_config",
	"POST /api/v1/projects/:project/unassign-config":                "project.unassign_config",
	"GET /api/v1/projects/:project/config":                          "project.get_config",
	"GET /api/v1/projects/:project/users":                           "project.list_users",
	"POST /api/v1/projects/:project/users":                          "project.add_user",
	"DELETE /api/v1/projects/:project/users":                        "project.remove_all_users",
	"DELETE /api/v1/projects/:project/users/:user":                  "project.remove_user",
	"POST /api/v1/projects/:project/export":                         "project.export",
	"GET /api/v1/users":                                             "user.list",
	"POST /api/v1/users":                                            "user.create",
	"POST /api/v1/users/search":                                     "user.search",
	"GET /api/v1/users/:user":                                       "user.get",
	"PUT /api/v1/users/:user":                                       "user.update",
	"DELETE /api/v1/users/:user":                                    "user.delete",
	"GET /api/v1/users/:user/projects":                              "user.list_projects",
	"POST /api/v1/users/:user/api-keys":                             "user.generate_api_key",
	"GET /api/v1/users/:user/api-keys":                              "user.list_api_keys",
	"DELETE /api/v1/users/:user/api-keys":                           "user.delete_all_api_keys",
	"GET /api/v1/api-keys":                                          "user.list_all_api_keys",
	"POST /api/v1/api-keys/rotate":                                  "user.rotate_api_key",
	"GET /api/v1/api-keys/:api_key":                                 "user.get_api_key",
	"DELETE /api/v1/api-keys/:api_key":                              "user.delete_api_key",
	"POST /api/v1/api-keys/:api_key/disable":                        "user.disable_api_key",
	"POST /api/v1/api-keys/:api_key/enable":                         "user.enable_api_key",
	"GET /api/v1/system/health":                                     "system.health_check",
	"POST /api/v1/system/backup":                                    "system.backup",
	"POST /api/v1/system/restore":                                   "system.restore",
	"POST /api/v1/system/reset":                                     "system.reset",
	"GET /api/v1/settings":                                          "settings.list",
	"GET /api/v1/settings/enkrypt-api-key":                          "settings.get_enkrypt_api_key",
	"PUT /api/v1/settings/enkrypt-api-key":                          "settings.set_enkrypt_api_key",
	"PUT /api/v1/settings/telemetry":                                "settings.update_telemetry",
}

// nameAction puts the route's action in the request's context, for the
// audit records of the writes it makes.
func nameAction(c *gin.Context) {
	if a, ok := Actions[middleware.RouteOf(c)]; ok {
		c.Request = c.Request.WithContext(actor.WithAction(c.Request.Context(), a))
	}
	c.Next()
}
