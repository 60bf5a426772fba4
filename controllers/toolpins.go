package controllers

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/securemcp/gateway/models"
)

// ApproveTools godoc
//
//	@Summary		Approve a server's changed or new tool definitions
//	@ID				approveServerTools
//	@Description	The gateway pins each tool's definition when it first discovers a server, and hides a tool whose definition changes (or a new tool) until it is approved here. tools names the tools to approve; absent or empty, every pending definition is approved. The server's pending_tool_changes show what differs.
//	@Tags			servers
//	@Accept			json
//	@Produce		json
//	@Security		AdminKey
//	@Param			config	path		string						true	"configuration id or name"
//	@Param			server	path		string						true	"server name"
//	@Param			body	body		models.ApproveToolsRequest	false	"the tools to approve"
//	@Success		200		{object}	models.Envelope{data=models.ServerObject}
//	@Failure		400		{object}	models.ErrorResponse
//	@Failure		401		{object}	models.ErrorResponse
//	@Failure		403		{object}	models.ErrorResponse	"forbidden: the role of the admin key does not permit the operation"
//	@Failure		404		{object}	models.ErrorResponse	"no such configuration, server, or pending tool"
//	@Failure		409		{object}	models.ErrorResponse	"nothing waits for approval"
//	@Failure		503		{object}	models.ErrorResponse	"timeout: the request did not complete within its time limit (the store is busy); retry after Retry-After"
//	@Router			/api/v1/configs/{config}/servers/{server}/tools/approve [post]
func (h *ConfigController) ApproveTools(c *gin.Context) {
	var req models.ApproveToolsRequest
	if !h.bind(c, &req) {
		return
	}
	srv, err := h.svc.ApproveTools(c.Request.Context(), c.Param("config"), c.Param("server"), req.Tools)
	h.reply(c, err, http.StatusOK, "Tool definitions approved", models.NewServerObject(srv))
}
