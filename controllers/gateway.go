package controllers

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/securemcp/gateway/gateway"
	"github.com/securemcp/gateway/models"
)

// GatewayAdmin is what the admin API asks of the data plane.
type GatewayAdmin interface {
	Status(ctx context.Context) (gateway.Status, error)
	Discover(ctx context.Context, config, server string) (gateway.Discovery, error)
}

// GatewayController serves the admin routes of the MCP gateway.
type GatewayController struct {
	errs  errorWriter
	admin GatewayAdmin
}

// NewGatewayController builds the controller.
func NewGatewayController(w errorWriter, admin GatewayAdmin) *GatewayController {
	return &GatewayController{errs: w, admin: admin}
}

func (h *GatewayController) register(api *gin.RouterGroup) {
	api.GET("/gateway/status", h.Status)
	api.POST("/configs/:config/servers/:server/discover", h.Discover)
}

// Status godoc
//
//	@Summary		This instance's MCP gateway and its upstream processes
//	@Description	Processes per server and user: state, pid, uptime, restarts, calls in flight, last error. Each instance has its own processes. pending_tool_changes lists, for every configuration, the tool definitions the gateway hides until an admin approves them, with what differs.
//	@ID				getGatewayStatus
//	@Tags			gateway
//	@Produce		json
//	@Security		AdminKey
//	@Success		200	{object}	models.Envelope{data=models.GatewayStatus}
//	@Failure		401	{object}	models.ErrorResponse
//	@Router			/api/v1/gateway/status [get]
func (h *GatewayController) Status(c *gin.Context) {
	st, err := h.admin.Status(c.Request.Context())
	if err != nil {
		h.errs.fail(c, err)
		return
	}
	data := models.GatewayStatus{Serving: st.Serving, Address: st.Address, Stateful: st.Stateful, ToolMode: string(st.Mode),
		Processes: make([]models.GatewayProcess, 0, len(st.Processes)), PendingToolChanges: st.PendingTools}
	for _, p := range st.Processes {
		data.Processes = append(data.Processes, models.NewGatewayProcess(p.Server, p.ConfigID, p.UserID, p.ProjectID, string(p.State),
			p.PID, p.StartedAt, p.Uptime, p.Restarts, p.InFlight, p.LastError, p.LastErrorAt, p.Stderr, p.RetryAfter))
	}
	ok(c, http.StatusOK, "Gateway status retrieved successfully", data)
}

// Discover godoc
//
//	@Summary		Start a server and list its tools
//	@Description	Starts the server in a throwaway process (its own environment only), lists its tools and stops it, for an admin checking a server before users reach it. A server that cannot start is reported with ok false, its error and the end of its stderr.
//	@ID				discoverServerTools
//	@Tags			gateway
//	@Produce		json
//	@Security		AdminKey
//	@Param			config	path		string	true	"configuration id or name"
//	@Param			server	path		string	true	"server name"
//	@Success		200		{object}	models.Envelope{data=models.DiscoveryResult}
//	@Failure		401		{object}	models.ErrorResponse
//	@Failure		403		{object}	models.ErrorResponse	"forbidden: the role of the admin key does not permit the operation"
//	@Failure		404		{object}	models.ErrorResponse
//	@Router			/api/v1/configs/{config}/servers/{server}/discover [post]
func (h *GatewayController) Discover(c *gin.Context) {
	d, err := h.admin.Discover(c.Request.Context(), c.Param("config"), c.Param("server"))
	if err != nil {
		h.errs.fail(c, err)
		return
	}
	res := d.Result()
	message := "Server tools discovered successfully"
	if !res.OK {
		message = "Server could not be started"
	}
	ok(c, http.StatusOK, message, res)
}
