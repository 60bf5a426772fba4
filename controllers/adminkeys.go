package controllers

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/services/access"
)

// AdminKeyController serves the named admin keys. Every route needs the
// admin role (RouteAccess).
type AdminKeyController struct {
	errorWriter
	svc *access.AdminKeyService
}

// NewAdminKeyController wires an AdminKeyController.
func NewAdminKeyController(w errorWriter, svc *access.AdminKeyService) *AdminKeyController {
	return &AdminKeyController{errorWriter: w, svc: svc}
}

func (h *AdminKeyController) register(g *gin.RouterGroup) {
	g.POST("/admin-keys", h.Create)
	g.GET("/admin-keys", h.List)
	g.GET("/admin-keys/:admin_key", h.Get)
	g.DELETE("/admin-keys/:admin_key", h.Delete)
}

func newAdminKeyItem(v access.AdminKeyView) models.AdminKeyItem {
	return models.NewAdminKeyItem(v.AdminKey, v.Masked, v.Expired)
}

// Create godoc
//
//	@Summary		Create a named admin key
//	@ID				createAdminKey
//	@Description	A credential of this API beside the bootstrap admin key of the configuration file, with a role: admin (everything), operator (everything but admin keys, settings, restore and reset) or viewer (reads only, every secret masked). The secret (prefix smgadm_, 256 random bits) is in this response only: it is stored hashed. Optional expiry: expires_at (RFC 3339, in the future) or expires_in_seconds, not both. Admin role only.
//	@Tags			admin-keys
//	@Accept			json
//	@Produce		json
//	@Security		AdminKey
//	@Param			body	body		models.CreateAdminKeyRequest	true	"name, role and optional expiry"
//	@Success		201		{object}	models.Envelope{data=models.AdminKeyIssued}
//	@Failure		400		{object}	models.ErrorResponse
//	@Failure		401		{object}	models.ErrorResponse
//	@Failure		403		{object}	models.ErrorResponse	"forbidden: the role of the admin key does not permit the operation"
//	@Failure		409		{object}	models.ErrorResponse	"an admin key of that name exists"
//	@Failure		413		{object}	models.ErrorResponse
//	@Failure		500		{object}	models.ErrorResponse
//	@Failure		503		{object}	models.ErrorResponse	"timeout: the request did not complete within its time limit (the store is busy); retry after Retry-After"
//	@Router			/api/v1/admin-keys [post]
func (h *AdminKeyController) Create(c *gin.Context) {
	var req models.CreateAdminKeyRequest
	if !h.bind(c, &req) {
		return
	}
	in := access.NewAdminKey{Name: req.Name, Role: req.Role, ExpiresAt: req.ExpiresAt, ExpiresIn: secondsOf(req.ExpiresInSeconds)}
	k, err := h.svc.Create(c.Request.Context(), in)
	data := models.AdminKeyIssued{AdminKeyItem: models.NewAdminKeyItem(k.Key, access.AdminKeyPrefix+"…"+k.Key.Last4, false), APIKey: k.Secret}
	h.reply(c, err, http.StatusCreated, "Admin key created successfully; store it now, it will not be shown again", data)
}

// secondsOf converts a count of seconds, saturating where a Duration ends
// (the service refuses an expiry that far anyway).
func secondsOf(n int64) time.Duration {
	const most = int64(1<<63-1) / int64(time.Second)
	return time.Duration(max(min(n, most), -most)) * time.Second
}

// List godoc
//
//	@Summary		List the named admin keys, masked
//	@ID				listAdminKeys
//	@Description	Named admin keys in creation order, masked (never the secret); the bootstrap key of the configuration file is not listed. The total is in X-Total-Count. Admin role only.
//	@Tags			admin-keys
//	@Produce		json
//	@Security		AdminKey
//	@Param			limit	query		int	false	"page size"
//	@Param			offset	query		int	false	"entries to skip"
//	@Success		200		{object}	models.Envelope{data=[]models.AdminKeyItem}
//	@Header			200		{integer}	X-Total-Count	"total number of admin keys"
//	@Failure		400		{object}	models.ErrorResponse
//	@Failure		401		{object}	models.ErrorResponse
//	@Failure		403		{object}	models.ErrorResponse	"forbidden: the role of the admin key does not permit the operation"
//	@Failure		500		{object}	models.ErrorResponse
//	@Failure		503		{object}	models.ErrorResponse	"timeout: the request did not complete within its time limit (the store is busy); retry after Retry-After"
//	@Router			/api/v1/admin-keys [get]
func (h *AdminKeyController) List(c *gin.Context) {
	page, err := pageOf(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	keys, total, err := h.svc.List(c.Request.Context(), page)
	if err != nil {
		h.fail(c, err)
		return
	}
	items := make([]models.AdminKeyItem, len(keys))
	for i, k := range keys {
		items[i] = newAdminKeyItem(k)
	}
	list(c, "Admin keys retrieved successfully", items, total)
}

// Get godoc
//
//	@Summary		Get one named admin key, masked
//	@ID				getAdminKey
//	@Description	Admin role only.
//	@Tags			admin-keys
//	@Produce		json
//	@Security		AdminKey
//	@Param			admin_key	path		string	true	"admin key id or name (never the secret)"
//	@Success		200			{object}	models.Envelope{data=models.AdminKeyItem}
//	@Failure		400			{object}	models.ErrorResponse
//	@Failure		401			{object}	models.ErrorResponse
//	@Failure		403			{object}	models.ErrorResponse	"forbidden: the role of the admin key does not permit the operation"
//	@Failure		404			{object}	models.ErrorResponse
//	@Failure		500			{object}	models.ErrorResponse
//	@Failure		503			{object}	models.ErrorResponse	"timeout: the request did not complete within its time limit (the store is busy); retry after Retry-After"
//	@Router			/api/v1/admin-keys/{admin_key} [get]
func (h *AdminKeyController) Get(c *gin.Context) {
	k, err := h.svc.Get(c.Request.Context(), c.Param("admin_key"))
	h.reply(c, err, http.StatusOK, "Admin key retrieved successfully", newAdminKeyItem(k))
}

// Delete godoc
//
//	@Summary		Delete (revoke) a named admin key
//	@ID				deleteAdminKey
//	@Description	The key is refused from its next request on, on every instance. The bootstrap key of the configuration file is no named key and cannot be deleted here. Admin role only.
//	@Tags			admin-keys
//	@Produce		json
//	@Security		AdminKey
//	@Param			admin_key	path		string	true	"admin key id or name (never the secret)"
//	@Success		200			{object}	models.Envelope{data=models.AdminKeyItem}
//	@Failure		400			{object}	models.ErrorResponse
//	@Failure		401			{object}	models.ErrorResponse
//	@Failure		403			{object}	models.ErrorResponse	"forbidden: the role of the admin key does not permit the operation"
//	@Failure		404			{object}	models.ErrorResponse
//	@Failure		500			{object}	models.ErrorResponse
//	@Failure		503			{object}	models.ErrorResponse	"timeout: the request did not complete within its time limit (the store is busy); retry after Retry-After"
//	@Router			/api/v1/admin-keys/{admin_key} [delete]
func (h *AdminKeyController) Delete(c *gin.Context) {
	k, err := h.svc.Delete(c.Request.Context(), c.Param("admin_key"))
	h.reply(c, err, http.StatusOK, "Admin key deleted successfully", newAdminKeyItem(k))
}
