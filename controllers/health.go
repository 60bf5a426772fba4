package controllers

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/services/system"
)

// HealthController answers the public probes: liveness, which only says that
// the process serves HTTP, and readiness, which asks the store.
type HealthController struct {
	errorWriter
	data models.HealthData
	svc  *system.SystemService
}

// Health godoc
//
//	@Summary		Liveness probe
//	@ID				getHealth
//	@Description	Public (no authentication) and cheap: it touches no store, so a slow database never makes an orchestrator restart a process that serves. Gives the server version and the path of its config file.
//	@Tags			health
//	@Produce		json
//	@Success		200	{object}	models.Envelope{data=models.HealthData}
//	@Router			/health [get]
func (h *HealthController) Health(c *gin.Context) {
	ok(c, http.StatusOK, "API server is healthy", h.data)
}

// Ready godoc
//
//	@Summary		Readiness probe
//	@ID				getReadiness
//	@Description	Public (no authentication): 200 when the store answers a query within 2 seconds, else 503, so that a load balancer sends requests only to an instance that can serve them. One cheap round trip to the database; nothing is counted or read.
//	@Tags			health
//	@Produce		json
//	@Success		200	{object}	models.Envelope{data=models.ReadyData}
//	@Failure		503	{object}	models.ErrorResponse
//	@Router			/readyz [get]
func (h *HealthController) Ready(c *gin.Context) {
	err := h.svc.Ready(c.Request.Context())
	h.reply(c, err, http.StatusOK, "API server is ready", models.ReadyData{Store: h.svc.Backend()})
}
