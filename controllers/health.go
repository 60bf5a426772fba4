package controllers

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/securemcp/gateway/models"
)

// HealthController answers the public liveness probe.
type HealthController struct {
	data models.HealthData
}

// Health godoc
//
//	@Summary		Liveness probe
//	@ID				getHealth
//	@Description	Public (no authentication): the server version and the path of its config file.
//	@Tags			health
//	@Produce		json
//	@Success		200	{object}	models.Envelope{data=models.HealthData}
//	@Router			/health [get]
func (h *HealthController) Health(c *gin.Context) {
	ok(c, http.StatusOK, "API server is healthy", h.data)
}
