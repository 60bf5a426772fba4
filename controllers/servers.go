package controllers

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/services/catalog"
)

// ListServers godoc
//
//	@Summary	List the servers of a configuration
//	@ID			listServers
//	@Tags		servers
//	@Produce	json
//	@Security	AdminKey
//	@Param		config	path		string	true	"configuration id or name"
//	@Param		limit	query		int		false	"page size"
//	@Param		offset	query		int		false	"entries to skip"
//	@Success	200		{object}	models.Envelope{data=[]models.ServerListItem}
//	@Header		200		{integer}	X-Total-Count	"total number of servers"
//	@Failure	400		{object}	models.ErrorResponse
//	@Failure	401		{object}	models.ErrorResponse
//	@Failure	404		{object}	models.ErrorResponse
//	@Failure	503		{object}	models.ErrorResponse	"timeout: the request did not complete within its time limit (the store is busy); retry after Retry-After"
//	@Router		/api/v1/configs/{config}/servers [get]
func (h *ConfigController) ListServers(c *gin.Context) {
	servers, err := h.svc.ListServers(c.Request.Context(), c.Param("config"))
	replyPage(h.errorWriter, c, err, "Servers retrieved successfully", models.Items(servers, models.NewServerListItem))
}

// AddServer godoc
//
//	@Summary		Add a server to a configuration
//	@ID				addServer
//	@Description	server_name and server_command are required; server names are unique within a configuration. oauth_config (optional) is the original system's object; responses mask its secrets.
//	@Tags			servers
//	@Accept			json
//	@Produce		json
//	@Security		AdminKey
//	@Param			config	path		string					true	"configuration id or name"
//	@Param			body	body		models.AddServerRequest	true	"the server"
//	@Success		201		{object}	models.Envelope{data=models.ServerObject}
//	@Failure		400		{object}	models.ErrorResponse
//	@Failure		401		{object}	models.ErrorResponse
//	@Failure		403		{object}	models.ErrorResponse	"forbidden: the role of the admin key does not permit the operation"
//	@Failure		404		{object}	models.ErrorResponse
//	@Failure		409		{object}	models.ErrorResponse
//	@Failure		413		{object}	models.ErrorResponse
//	@Failure		503		{object}	models.ErrorResponse	"timeout: the request did not complete within its time limit (the store is busy); retry after Retry-After"
//	@Router			/api/v1/configs/{config}/servers [post]
func (h *ConfigController) AddServer(c *gin.Context) {
	var req models.AddServerRequest
	if !h.bind(c, &req) {
		return
	}
	srv, err := h.svc.AddServer(c.Request.Context(), c.Param("config"), req.Server())
	h.reply(c, err, http.StatusCreated, "Server added successfully", models.NewServerObject(srv))
}

// RemoveAllServers godoc
//
//	@Summary	Remove every server of a configuration
//	@ID			removeAllServers
//	@Tags		servers
//	@Produce	json
//	@Security	AdminKey
//	@Param		config	path		string	true	"configuration id or name"
//	@Success	200		{object}	models.Envelope{data=models.DeletedData}
//	@Failure	401		{object}	models.ErrorResponse
//	@Failure	403		{object}	models.ErrorResponse	"forbidden: the role of the admin key does not permit the operation"
//	@Failure	404		{object}	models.ErrorResponse
//	@Failure	503		{object}	models.ErrorResponse	"timeout: the request did not complete within its time limit (the store is busy); retry after Retry-After"
//	@Router		/api/v1/configs/{config}/servers [delete]
func (h *ConfigController) RemoveAllServers(c *gin.Context) {
	n, err := h.svc.RemoveAllServers(c.Request.Context(), c.Param("config"))
	h.reply(c, err, http.StatusOK, "All servers removed successfully", models.DeletedData{Deleted: n})
}

// GetServer godoc
//
//	@Summary	Get one server of a configuration
//	@ID			getServer
//	@Tags		servers
//	@Produce	json
//	@Security	AdminKey
//	@Param		config	path		string	true	"configuration id or name"
//	@Param		server	path		string	true	"server name"
//	@Success	200		{object}	models.Envelope{data=models.ServerObject}
//	@Failure	401		{object}	models.ErrorResponse
//	@Failure	404		{object}	models.ErrorResponse
//	@Failure	503		{object}	models.ErrorResponse	"timeout: the request did not complete within its time limit (the store is busy); retry after Retry-After"
//	@Router		/api/v1/configs/{config}/servers/{server} [get]
func (h *ConfigController) GetServer(c *gin.Context) {
	srv, err := h.svc.GetServer(c.Request.Context(), c.Param("config"), c.Param("server"))
	h.reply(c, err, http.StatusOK, "Server retrieved successfully", models.NewServerObject(srv))
}

// UpdateServer godoc
//
//	@Summary		Update a server
//	@ID				updateServer
//	@Description	Partial update: each field present in the body replaces the stored value, empty values included; absent (or null) fields keep theirs. oauth_config {} removes the server's OAuth configuration; its members sent back masked as a response showed them ("****" and the last four characters) keep their stored values.
//	@Tags			servers
//	@Accept			json
//	@Produce		json
//	@Security		AdminKey
//	@Param			config	path		string						true	"configuration id or name"
//	@Param			server	path		string						true	"server name"
//	@Param			body	body		models.UpdateServerRequest	true	"fields to replace"
//	@Success		200		{object}	models.Envelope{data=models.ServerObject}
//	@Failure		400		{object}	models.ErrorResponse
//	@Failure		401		{object}	models.ErrorResponse
//	@Failure		403		{object}	models.ErrorResponse	"forbidden: the role of the admin key does not permit the operation"
//	@Failure		404		{object}	models.ErrorResponse
//	@Failure		413		{object}	models.ErrorResponse
//	@Failure		503		{object}	models.ErrorResponse	"timeout: the request did not complete within its time limit (the store is busy); retry after Retry-After"
//	@Router			/api/v1/configs/{config}/servers/{server} [put]
func (h *ConfigController) UpdateServer(c *gin.Context) {
	var req models.UpdateServerRequest
	if !h.bind(c, &req) {
		return
	}
	patch := catalog.ServerPatch{Command: req.ServerCommand, Description: req.Description, Args: (*[]string)(req.Args),
		Env: (*map[string]string)(req.Env), Tools: (*map[string]any)(req.Tools), SharedProcess: req.SharedProcess,
		OAuthConfig: (*map[string]any)(req.OAuthConfig)}
	srv, err := h.svc.UpdateServer(c.Request.Context(), c.Param("config"), c.Param("server"), patch)
	h.reply(c, err, http.StatusOK, "Server updated successfully", models.NewServerObject(srv))
}

// RemoveServer godoc
//
//	@Summary	Remove one server of a configuration
//	@ID			removeServer
//	@Tags		servers
//	@Produce	json
//	@Security	AdminKey
//	@Param		config	path		string	true	"configuration id or name"
//	@Param		server	path		string	true	"server name"
//	@Success	200		{object}	models.Envelope{data=models.DeletedData}
//	@Failure	401		{object}	models.ErrorResponse
//	@Failure	403		{object}	models.ErrorResponse	"forbidden: the role of the admin key does not permit the operation"
//	@Failure	404		{object}	models.ErrorResponse
//	@Failure	503		{object}	models.ErrorResponse	"timeout: the request did not complete within its time limit (the store is busy); retry after Retry-After"
//	@Router		/api/v1/configs/{config}/servers/{server} [delete]
func (h *ConfigController) RemoveServer(c *gin.Context) {
	err := h.svc.RemoveServer(c.Request.Context(), c.Param("config"), c.Param("server"))
	h.reply(c, err, http.StatusOK, "Server removed successfully", models.DeletedData{Deleted: 1})
}

// SetInputPolicy godoc
//
//	@Summary	Replace the input guardrails policy of a server
//	@ID			setInputGuardrails
//	@Tags		guardrails
//	@Accept		json
//	@Produce	json
//	@Security	AdminKey
//	@Param		config	path		string					true	"configuration id or name"
//	@Param		server	path		string					true	"server name"
//	@Param		body	body		models.PolicyRequest	true	"policy, or policy_file inside the data directory"
//	@Success	200		{object}	models.Envelope{data=models.ServerObject}
//	@Failure	400		{object}	models.ErrorResponse
//	@Failure	401		{object}	models.ErrorResponse
//	@Failure	403		{object}	models.ErrorResponse	"forbidden: the role of the admin key does not permit the operation"
//	@Failure	404		{object}	models.ErrorResponse
//	@Failure	413		{object}	models.ErrorResponse
//	@Failure	503		{object}	models.ErrorResponse	"timeout: the request did not complete within its time limit (the store is busy); retry after Retry-After"
//	@Router		/api/v1/configs/{config}/servers/{server}/input-guardrails [put]
func (h *ConfigController) SetInputPolicy(c *gin.Context) {
	var req models.PolicyRequest
	if !h.bind(c, &req) {
		return
	}
	h.setPolicies(c, "Input guardrails policy updated", catalog.InputPolicyUpdate(req.Policy, req.PolicyFile))
}

// SetOutputPolicy godoc
//
//	@Summary	Replace the output guardrails policy of a server
//	@ID			setOutputGuardrails
//	@Tags		guardrails
//	@Accept		json
//	@Produce	json
//	@Security	AdminKey
//	@Param		config	path		string					true	"configuration id or name"
//	@Param		server	path		string					true	"server name"
//	@Param		body	body		models.PolicyRequest	true	"policy, or policy_file inside the data directory"
//	@Success	200		{object}	models.Envelope{data=models.ServerObject}
//	@Failure	400		{object}	models.ErrorResponse
//	@Failure	401		{object}	models.ErrorResponse
//	@Failure	403		{object}	models.ErrorResponse	"forbidden: the role of the admin key does not permit the operation"
//	@Failure	404		{object}	models.ErrorResponse
//	@Failure	413		{object}	models.ErrorResponse
//	@Failure	503		{object}	models.ErrorResponse	"timeout: the request did not complete within its time limit (the store is busy); retry after Retry-After"
//	@Router		/api/v1/configs/{config}/servers/{server}/output-guardrails [put]
func (h *ConfigController) SetOutputPolicy(c *gin.Context) {
	var req models.PolicyRequest
	if !h.bind(c, &req) {
		return
	}
	h.setPolicies(c, "Output guardrails policy updated", catalog.OutputPolicyUpdate(req.Policy, req.PolicyFile))
}

// SetPolicies godoc
//
//	@Summary		Replace guardrails policies of a server
//	@ID				setGuardrails
//	@Description	At least one of input_policy, input_policy_file, output_policy, output_policy_file.
//	@Tags			guardrails
//	@Accept			json
//	@Produce		json
//	@Security		AdminKey
//	@Param			config	path		string						true	"configuration id or name"
//	@Param			server	path		string						true	"server name"
//	@Param			body	body		models.GuardrailsRequest	true	"policies"
//	@Success		200		{object}	models.Envelope{data=models.ServerObject}
//	@Failure		400		{object}	models.ErrorResponse
//	@Failure		401		{object}	models.ErrorResponse
//	@Failure		403		{object}	models.ErrorResponse	"forbidden: the role of the admin key does not permit the operation"
//	@Failure		404		{object}	models.ErrorResponse
//	@Failure		413		{object}	models.ErrorResponse
//	@Failure		503		{object}	models.ErrorResponse	"timeout: the request did not complete within its time limit (the store is busy); retry after Retry-After"
//	@Router			/api/v1/configs/{config}/servers/{server}/guardrails [put]
func (h *ConfigController) SetPolicies(c *gin.Context) {
	var req models.GuardrailsRequest
	if !h.bind(c, &req) {
		return
	}
	h.setPolicies(c, "Guardrails policies updated", catalog.PolicyUpdate{Input: req.InputPolicy, InputFile: req.InputPolicyFile,
		Output: req.OutputPolicy, OutputFile: req.OutputPolicyFile})
}

func (h *ConfigController) setPolicies(c *gin.Context, message string, u catalog.PolicyUpdate) {
	srv, err := h.svc.SetPolicies(c.Request.Context(), c.Param("config"), c.Param("server"), u)
	h.reply(c, err, http.StatusOK, message, models.NewServerObject(srv))
}
