package controllers

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/services/access"
)

// APIKeyController serves the API key routes, those under a user included.
type APIKeyController struct {
	errorWriter
	svc   *access.APIKeyService
	lists listGate
}

// NewAPIKeyController wires an APIKeyController; lists bounds the whole
// lists it writes at once.
func NewAPIKeyController(w errorWriter, svc *access.APIKeyService, lists listGate) *APIKeyController {
	return &APIKeyController{errorWriter: w, svc: svc, lists: lists}
}

func (h *APIKeyController) register(g *gin.RouterGroup) {
	g.POST("/users/:user/api-keys", h.Generate)
	g.GET("/users/:user/api-keys", h.ListOfUser)
	g.DELETE("/users/:user/api-keys", h.DeleteAllOfUser)
	g.GET("/api-keys", h.List)
	g.POST("/api-keys/rotate", h.Rotate)
	g.GET("/api-keys/:api_key", h.Get)
	g.DELETE("/api-keys/:api_key", h.Delete)
	g.POST("/api-keys/:api_key/disable", h.Disable)
	g.POST("/api-keys/:api_key/enable", h.Enable)
}

func newAPIKeyItem(v access.KeyView) models.APIKeyItem {
	return models.NewAPIKeyItem(v.APIKeyInfo, v.Masked, string(v.Inactive))
}

// Generate godoc
//
//	@Summary		Generate an API key for a user
//	@ID				generateAPIKey
//	@Description	The user must be a member of the project (project_name or project_id; if both, the same project). The secret is in this response only: it is stored hashed. Optional expires_at (RFC 3339) must be in the future.
//	@Tags			api-keys
//	@Accept			json
//	@Produce		json
//	@Security		AdminKey
//	@Param			user	path		string						true	"user id or email (case-insensitive)"
//	@Param			body	body		models.GenerateKeyRequest	true	"project and optional expiry"
//	@Success		201		{object}	models.Envelope{data=models.KeyIssued}
//	@Failure		400		{object}	models.ErrorResponse
//	@Failure		401		{object}	models.ErrorResponse
//	@Failure		403		{object}	models.ErrorResponse	"forbidden: the role of the admin key does not permit the operation"
//	@Failure		404		{object}	models.ErrorResponse
//	@Failure		409		{object}	models.ErrorResponse	"the user is not a member of the project"
//	@Failure		413		{object}	models.ErrorResponse
//	@Failure		500		{object}	models.ErrorResponse
//	@Failure		503		{object}	models.ErrorResponse	"timeout: the request did not complete within its time limit (the store is busy); retry after Retry-After"
//	@Router			/api/v1/users/{user}/api-keys [post]
func (h *APIKeyController) Generate(c *gin.Context) {
	var req models.GenerateKeyRequest
	if !h.bind(c, &req) {
		return
	}
	k, err := h.svc.Generate(c.Request.Context(), c.Param("user"), req.ProjectID, req.ProjectName, req.ExpiresAt)
	h.reply(c, err, http.StatusCreated, "API key generated successfully; store it now, it will not be shown again", models.NewKeyIssued(k.Secret, k.Key))
}

// ListOfUser godoc
//
//	@Summary		List a user's API keys, masked
//	@ID				listUserAPIKeys
//	@Description	The user's keys in creation order; the total is in X-Total-Count. Without a limit the whole list is sent, written as it is read from the store (memory stays flat whatever its length); at most one such list per two cores is written at once, and others wait their turn (a whole list may take up to 30 minutes). X-Total-Count is counted as the list starts; an entity created or deleted while it is written may or may not appear.
//	@Tags			api-keys
//	@Produce		json
//	@Security		AdminKey
//	@Param			user				path		string	true	"user id or email (case-insensitive)"
//	@Param			project_identifier	query		string	false	"only the keys of this project (id or name)"
//	@Param			limit				query		int		false	"page size"
//	@Param			offset				query		int		false	"entries to skip"
//	@Success		200					{object}	models.Envelope{data=[]models.APIKeyItem}
//	@Header			200					{integer}	X-Total-Count	"total number of keys"
//	@Failure		400					{object}	models.ErrorResponse
//	@Failure		401					{object}	models.ErrorResponse
//	@Failure		404					{object}	models.ErrorResponse
//	@Failure		500					{object}	models.ErrorResponse
//	@Failure		503					{object}	models.ErrorResponse	"timeout: the request did not complete within its time limit (the store is busy); retry after Retry-After"
//	@Router			/api/v1/users/{user}/api-keys [get]
func (h *APIKeyController) ListOfUser(c *gin.Context) {
	page, err := pageOf(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	keys, err := h.svc.ListOfUser(c.Request.Context(), c.Param("user"), c.Query("project_identifier"), page)
	if err != nil {
		h.fail(c, err)
		return
	}
	streamList(h.errorWriter, h.lists, c, "API keys retrieved successfully", keys, newAPIKeyItem)
}

// DeleteAllOfUser godoc
//
//	@Summary	Delete every API key of a user
//	@ID			deleteUserAPIKeys
//	@Tags		api-keys
//	@Produce	json
//	@Security	AdminKey
//	@Param		user	path		string	true	"user id or email (case-insensitive)"
//	@Success	200		{object}	models.Envelope{data=models.KeysDeleted}
//	@Failure	401		{object}	models.ErrorResponse
//	@Failure	403		{object}	models.ErrorResponse	"forbidden: the role of the admin key does not permit the operation"
//	@Failure	404		{object}	models.ErrorResponse
//	@Failure	500		{object}	models.ErrorResponse
//	@Failure	503		{object}	models.ErrorResponse	"timeout: the request did not complete within its time limit (the store is busy); retry after Retry-After"
//	@Router		/api/v1/users/{user}/api-keys [delete]
func (h *APIKeyController) DeleteAllOfUser(c *gin.Context) {
	u, n, err := h.svc.DeleteAllOfUser(c.Request.Context(), c.Param("user"))
	h.reply(c, err, http.StatusOK, "API keys deleted successfully", models.NewKeysDeleted(u, n))
}

// List godoc
//
//	@Summary		List every API key, masked
//	@ID				listAPIKeys
//	@Description	Keys in creation order with their user and project; status says whether each verifies and, if not, why. The total is in X-Total-Count. Without a limit the whole list is sent, written as it is read from the store (memory stays flat whatever its length); at most one such list per two cores is written at once, and others wait their turn (a whole list may take up to 30 minutes). X-Total-Count is counted as the list starts; an entity created or deleted while it is written may or may not appear.
//	@Tags			api-keys
//	@Produce		json
//	@Security		AdminKey
//	@Param			limit	query		int	false	"page size"
//	@Param			offset	query		int	false	"entries to skip"
//	@Success		200		{object}	models.Envelope{data=[]models.APIKeyItem}
//	@Header			200		{integer}	X-Total-Count	"total number of keys"
//	@Failure		400		{object}	models.ErrorResponse
//	@Failure		401		{object}	models.ErrorResponse
//	@Failure		500		{object}	models.ErrorResponse
//	@Failure		503		{object}	models.ErrorResponse	"timeout: the request did not complete within its time limit (the store is busy); retry after Retry-After"
//	@Router			/api/v1/api-keys [get]
func (h *APIKeyController) List(c *gin.Context) {
	page, err := pageOf(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	keys, err := h.svc.List(c.Request.Context(), page)
	if err != nil {
		h.fail(c, err)
		return
	}
	streamList(h.errorWriter, h.lists, c, "API keys retrieved successfully", keys, newAPIKeyItem)
}

// Get godoc
//
//	@Summary	Get one API key, masked, with its project's configuration
//	@ID			getAPIKey
//	@Tags		api-keys
//	@Produce	json
//	@Security	AdminKey
//	@Param		api_key	path		string	true	"key id or secret"
//	@Success	200		{object}	models.Envelope{data=models.APIKeyDetail}
//	@Failure	400		{object}	models.ErrorResponse	"a malformed secret"
//	@Failure	401		{object}	models.ErrorResponse
//	@Failure	404		{object}	models.ErrorResponse
//	@Failure	500		{object}	models.ErrorResponse
//	@Failure	503		{object}	models.ErrorResponse	"timeout: the request did not complete within its time limit (the store is busy); retry after Retry-After"
//	@Router		/api/v1/api-keys/{api_key} [get]
func (h *APIKeyController) Get(c *gin.Context) {
	d, err := h.svc.Get(c.Request.Context(), c.Param("api_key"))
	h.reply(c, err, http.StatusOK, "API key retrieved successfully", models.NewAPIKeyDetail(newAPIKeyItem(d.KeyView), d.Config))
}

// Rotate godoc
//
//	@Summary		Rotate an API key
//	@ID				rotateAPIKey
//	@Description	Gives the key (id or secret) a new secret, shown in this response only. The old secret stops verifying at once, or after grace_period_seconds (at most 604800). The key keeps its id and disabled state; a key imported without its secret (weak_secret) gets one, and may then be enabled.
//	@Tags			api-keys
//	@Accept			json
//	@Produce		json
//	@Security		AdminKey
//	@Param			body	body		models.RotateKeyRequest	true	"key and optional grace period"
//	@Success		200		{object}	models.Envelope{data=models.KeyRotated}
//	@Failure		400		{object}	models.ErrorResponse
//	@Failure		401		{object}	models.ErrorResponse
//	@Failure		403		{object}	models.ErrorResponse	"forbidden: the role of the admin key does not permit the operation"
//	@Failure		404		{object}	models.ErrorResponse
//	@Failure		413		{object}	models.ErrorResponse
//	@Failure		500		{object}	models.ErrorResponse
//	@Failure		503		{object}	models.ErrorResponse	"timeout: the request did not complete within its time limit (the store is busy); retry after Retry-After"
//	@Router			/api/v1/api-keys/rotate [post]
func (h *APIKeyController) Rotate(c *gin.Context) {
	var req models.RotateKeyRequest
	if !h.bind(c, &req) {
		return
	}
	k, err := h.svc.Rotate(c.Request.Context(), req.APIKey, req.GracePeriodSeconds)
	h.reply(c, err, http.StatusOK, "API key rotated successfully; store the new key now, it will not be shown again", models.NewKeyRotated(k.Secret, k.Key))
}

// Disable godoc
//
//	@Summary	Disable an API key
//	@ID			disableAPIKey
//	@Tags		api-keys
//	@Produce	json
//	@Security	AdminKey
//	@Param		api_key	path		string	true	"key id or secret"
//	@Success	200		{object}	models.Envelope{data=models.APIKeyItem}
//	@Failure	400		{object}	models.ErrorResponse	"a malformed secret"
//	@Failure	401		{object}	models.ErrorResponse
//	@Failure	403		{object}	models.ErrorResponse	"forbidden: the role of the admin key does not permit the operation"
//	@Failure	404		{object}	models.ErrorResponse
//	@Failure	500		{object}	models.ErrorResponse
//	@Failure	503		{object}	models.ErrorResponse	"timeout: the request did not complete within its time limit (the store is busy); retry after Retry-After"
//	@Router		/api/v1/api-keys/{api_key}/disable [post]
func (h *APIKeyController) Disable(c *gin.Context) {
	v, err := h.svc.Disable(c.Request.Context(), c.Param("api_key"))
	h.reply(c, err, http.StatusOK, "API key disabled", newAPIKeyItem(v))
}

// Enable godoc
//
//	@Summary		Enable an API key
//	@ID				enableAPIKey
//	@Description	A key imported from the original system without its secret (inactive_reason weak_secret) has no secret to verify with: rotate it first (409 until then).
//	@Tags			api-keys
//	@Produce		json
//	@Security		AdminKey
//	@Param			api_key	path		string	true	"key id or secret"
//	@Success		200		{object}	models.Envelope{data=models.APIKeyItem}
//	@Failure		400		{object}	models.ErrorResponse	"a malformed secret"
//	@Failure		401		{object}	models.ErrorResponse
//	@Failure		403		{object}	models.ErrorResponse	"forbidden: the role of the admin key does not permit the operation"
//	@Failure		404		{object}	models.ErrorResponse
//	@Failure		409		{object}	models.ErrorResponse	"a key imported without its secret"
//	@Failure		500		{object}	models.ErrorResponse
//	@Failure		503		{object}	models.ErrorResponse	"timeout: the request did not complete within its time limit (the store is busy); retry after Retry-After"
//	@Router			/api/v1/api-keys/{api_key}/enable [post]
func (h *APIKeyController) Enable(c *gin.Context) {
	v, err := h.svc.Enable(c.Request.Context(), c.Param("api_key"))
	h.reply(c, err, http.StatusOK, "API key enabled", newAPIKeyItem(v))
}

// Delete godoc
//
//	@Summary	Delete an API key
//	@ID			deleteAPIKey
//	@Tags		api-keys
//	@Produce	json
//	@Security	AdminKey
//	@Param		api_key	path		string	true	"key id or secret"
//	@Success	200		{object}	models.Envelope{data=models.APIKeyItem}
//	@Failure	400		{object}	models.ErrorResponse	"a malformed secret"
//	@Failure	401		{object}	models.ErrorResponse
//	@Failure	403		{object}	models.ErrorResponse	"forbidden: the role of the admin key does not permit the operation"
//	@Failure	404		{object}	models.ErrorResponse
//	@Failure	500		{object}	models.ErrorResponse
//	@Failure	503		{object}	models.ErrorResponse	"timeout: the request did not complete within its time limit (the store is busy); retry after Retry-After"
//	@Router		/api/v1/api-keys/{api_key} [delete]
func (h *APIKeyController) Delete(c *gin.Context) {
	v, err := h.svc.Delete(c.Request.Context(), c.Param("api_key"))
	h.reply(c, err, http.StatusOK, "API key deleted", newAPIKeyItem(v))
}
