package controllers

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/services/system"
)

// SettingsController serves the runtime settings.
type SettingsController struct {
	errorWriter
	svc *system.SettingsService
}

// NewSettingsController wires a SettingsController.
func NewSettingsController(w errorWriter, svc *system.SettingsService) *SettingsController {
	return &SettingsController{errorWriter: w, svc: svc}
}

func (h *SettingsController) register(g *gin.RouterGroup) {
	g.GET("/settings", h.List)
	g.GET("/settings/enkrypt-api-key", h.GetEnkryptAPIKey)
	g.PUT("/settings/enkrypt-api-key", h.SetEnkryptAPIKey)
	g.PUT("/settings/telemetry", h.SetTelemetry)
}

// List godoc
//
//	@Summary		List settings
//	@ID				listSettings
//	@Description	Every stored setting, and telemetry's default when it is not set, with every secret masked.
//	@Tags			settings
//	@Produce		json
//	@Security		AdminKey
//	@Success		200	{object}	models.Envelope{data=[]models.SettingItem}
//	@Failure		401	{object}	models.ErrorResponse
//	@Failure		500	{object}	models.ErrorResponse
//	@Failure		503	{object}	models.ErrorResponse	"timeout: the request did not complete within its time limit (the store is busy); retry after Retry-After"
//	@Router			/api/v1/settings [get]
func (h *SettingsController) List(c *gin.Context) {
	views, err := h.svc.List(c.Request.Context())
	h.reply(c, err, http.StatusOK, "Settings retrieved successfully", models.Items(views, models.NewSettingItem))
}

// GetEnkryptAPIKey godoc
//
//	@Summary		Show the guardrails provider key, masked
//	@ID				getEnkryptAPIKey
//	@Description	enkrypt_api_key is masked (at most its last four characters), or null when no key is set.
//	@Tags			settings
//	@Produce		json
//	@Security		AdminKey
//	@Success		200	{object}	models.Envelope{data=models.EnkryptAPIKeyData}
//	@Failure		401	{object}	models.ErrorResponse
//	@Failure		500	{object}	models.ErrorResponse
//	@Failure		503	{object}	models.ErrorResponse	"timeout: the request did not complete within its time limit (the store is busy); retry after Retry-After"
//	@Router			/api/v1/settings/enkrypt-api-key [get]
func (h *SettingsController) GetEnkryptAPIKey(c *gin.Context) {
	st, err := h.svc.EnkryptAPIKey(c.Request.Context())
	h.reply(c, err, http.StatusOK, "Enkrypt API key retrieved successfully", models.NewEnkryptAPIKeyData(st))
}

// SetEnkryptAPIKey godoc
//
//	@Summary	Store the guardrails provider key
//	@ID			setEnkryptAPIKey
//	@Tags		settings
//	@Accept		json
//	@Produce	json
//	@Security	AdminKey
//	@Param		body	body		models.EnkryptAPIKeyRequest	true	"the provider key"
//	@Success	200		{object}	models.Envelope{data=models.EnkryptAPIKeyData}
//	@Failure	400		{object}	models.ErrorResponse
//	@Failure	401		{object}	models.ErrorResponse
//	@Failure	403		{object}	models.ErrorResponse	"forbidden: the role of the admin key does not permit the operation"
//	@Failure	413		{object}	models.ErrorResponse
//	@Failure	500		{object}	models.ErrorResponse
//	@Failure	503		{object}	models.ErrorResponse	"timeout: the request did not complete within its time limit (the store is busy); retry after Retry-After"
//	@Router		/api/v1/settings/enkrypt-api-key [put]
func (h *SettingsController) SetEnkryptAPIKey(c *gin.Context) {
	var req models.EnkryptAPIKeyRequest
	if !h.bind(c, &req) {
		return
	}
	st, err := h.svc.SetEnkryptAPIKey(c.Request.Context(), req.APIKey)
	h.reply(c, err, http.StatusOK, "Enkrypt API key updated successfully", models.NewEnkryptAPIKeyData(st))
}

// SetTelemetry godoc
//
//	@Summary		Change the telemetry settings
//	@ID				updateTelemetry
//	@Description	Any of enabled, url (an http or https URL) and insecure; at least one. A present field replaces the stored value. Returns the settings in effect.
//	@Tags			settings
//	@Accept			json
//	@Produce		json
//	@Security		AdminKey
//	@Param			body	body		models.TelemetryRequest	true	"fields to change"
//	@Success		200		{object}	models.Envelope{data=models.TelemetrySettings}
//	@Failure		400		{object}	models.ErrorResponse
//	@Failure		401		{object}	models.ErrorResponse
//	@Failure		403		{object}	models.ErrorResponse	"forbidden: the role of the admin key does not permit the operation"
//	@Failure		413		{object}	models.ErrorResponse
//	@Failure		500		{object}	models.ErrorResponse
//	@Failure		503		{object}	models.ErrorResponse	"timeout: the request did not complete within its time limit (the store is busy); retry after Retry-After"
//	@Router			/api/v1/settings/telemetry [put]
func (h *SettingsController) SetTelemetry(c *gin.Context) {
	var req models.TelemetryRequest
	if !h.bind(c, &req) {
		return
	}
	t, err := h.svc.UpdateTelemetry(c.Request.Context(), system.TelemetryPatch{Enabled: req.Enabled, URL: req.URL, Insecure: req.Insecure})
	h.reply(c, err, http.StatusOK, "Telemetry settings updated successfully", t)
}
