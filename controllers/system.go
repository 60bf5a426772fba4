package controllers

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/services/errs"
	"github.com/securemcp/gateway/services/system"
)

// SystemController serves health, backup, restore and reset.
type SystemController struct {
	errorWriter
	svc       *system.SystemService
	version   string
	startedAt time.Time
}

// NewSystemController wires a SystemController; version and startedAt feed the
// health report.
func NewSystemController(w errorWriter, svc *system.SystemService, version string, startedAt time.Time) *SystemController {
	return &SystemController{errorWriter: w, svc: svc, version: version, startedAt: startedAt}
}

func (h *SystemController) register(g *gin.RouterGroup) {
	g.GET("/system/health", h.Health)
	g.POST("/system/backup", h.Backup)
	g.POST("/system/restore", h.Restore)
	g.POST("/system/reset", h.Reset)
}

// Health godoc
//
//	@Summary		Deep health check
//	@ID				getSystemHealth
//	@Description	Pings the store and counts its entities (COUNT queries, never a load of the store): cheap enough to poll. With integrity=true it also checks integrity with set-based queries in one read-only snapshot, which read whole tables (seconds at 100,000 users): dangling references and e-mails that are not canonical or equal but for case are issues; names equal but for case and keys that cannot authenticate are warnings (at most 20 of each kind). The status is "unhealthy" when issues were found; 503 only when the store does not answer. A long operation: it may take minutes on a large store, and the answer waits for its outcome (up to 30 minutes; other routes answer 503 after 25 s).
//	@Tags			system
//	@Produce		json
//	@Security		AdminKey
//	@Param			integrity	query		bool	false	"also run the integrity queries"
//	@Success		200			{object}	models.Envelope{data=models.SystemHealthData}
//	@Failure		400			{object}	models.ErrorResponse
//	@Failure		401			{object}	models.ErrorResponse
//	@Failure		500			{object}	models.ErrorResponse
//	@Failure		503			{object}	models.ErrorResponse
//	@Router			/api/v1/system/health [get]
func (h *SystemController) Health(c *gin.Context) {
	scope := system.HealthCounts
	if raw, given := c.GetQuery("integrity"); given {
		deep, err := strconv.ParseBool(raw)
		if err != nil {
			h.fail(c, errs.Invalid("query parameter integrity must be true or false"))
			return
		}
		if deep {
			scope = system.HealthIntegrity
		}
	}
	r, err := h.svc.Health(c.Request.Context(), scope)
	data := models.NewSystemHealthData(r, h.version, h.startedAt)
	h.reply(c, err, http.StatusOK, data.Message(), data)
}

// Backup godoc
//
//	@Summary		Back up everything
//	@ID				backupSystem
//	@Description	Writes a consistent snapshot of every configuration, project, user, API key record (hashes, never secrets) and setting as one JSON document (named admin keys are credentials of this API, not state: they are never in a backup), atomically with mode 0600, to a file of the data directory. Env values, oauth_config and settings secrets are in it sealed with the store's secret key (a restore needs the same key); with include_secrets they are written in clear, and the answer says so (secrets_included, warning). A long operation: it may take minutes on a large store, and the answer waits for its outcome (up to 30 minutes; other routes answer 503 after 25 s).
//	@Tags			system
//	@Accept			json
//	@Produce		json
//	@Security		AdminKey
//	@Param			body	body		models.BackupRequest	true	"file name inside the data directory"
//	@Success		200		{object}	models.Envelope{data=models.BackupData}
//	@Failure		400		{object}	models.ErrorResponse
//	@Failure		401		{object}	models.ErrorResponse
//	@Failure		403		{object}	models.ErrorResponse	"forbidden: the role of the admin key does not permit the operation"
//	@Failure		413		{object}	models.ErrorResponse
//	@Failure		500		{object}	models.ErrorResponse
//	@Failure		503		{object}	models.ErrorResponse	"timeout: the request did not complete within its time limit (the store is busy); retry after Retry-After"
//	@Router			/api/v1/system/backup [post]
func (h *SystemController) Backup(c *gin.Context) {
	var req models.BackupRequest
	if !h.bind(c, &req) {
		return
	}
	r, err := h.svc.Backup(c.Request.Context(), req.OutputFile, req.IncludeSecrets)
	h.reply(c, err, http.StatusOK, "Backup written successfully", models.NewBackupData(r))
}

// Restore godoc
//
//	@Summary		Restore everything
//	@ID				restoreSystem
//	@Description	Replaces the whole state with a backup document, or with a config file of the original system (its plaintext keys are hashed on the way in). Admin role only. The document is validated completely first: any problem is a 400 listing every issue, and nothing changes. The replacement is one transaction; named admin keys are not part of the state and stay as they are. A long operation: it may take minutes on a large store, and the answer waits for its outcome (up to 30 minutes; other routes answer 503 after 25 s).
//	@Tags			system
//	@Accept			json
//	@Produce		json
//	@Security		AdminKey
//	@Param			body	body		models.RestoreRequest	true	"file name inside the data directory (input_file, or its alias backup_file)"
//	@Success		200		{object}	models.Envelope{data=models.RestoreData}
//	@Failure		400		{object}	models.ErrorResponse
//	@Failure		401		{object}	models.ErrorResponse
//	@Failure		403		{object}	models.ErrorResponse	"forbidden: the role of the admin key does not permit the operation"
//	@Failure		404		{object}	models.ErrorResponse
//	@Failure		413		{object}	models.ErrorResponse
//	@Failure		500		{object}	models.ErrorResponse
//	@Failure		503		{object}	models.ErrorResponse	"timeout: the request did not complete within its time limit (the store is busy); retry after Retry-After"
//	@Router			/api/v1/system/restore [post]
func (h *SystemController) Restore(c *gin.Context) {
	var req models.RestoreRequest
	if !h.bind(c, &req) {
		return
	}
	field, file := "input_file", req.InputFile
	switch {
	case req.InputFile == "" && req.BackupFile == "":
		h.fail(c, errs.Invalid("input_file or backup_file is required"))
		return
	case req.BackupFile != "" && req.InputFile != "" && req.BackupFile != req.InputFile:
		h.fail(c, errs.Invalid("give either input_file or backup_file, not both"))
		return
	case req.InputFile == "" && req.BackupFile != "":
		field, file = "backup_file", req.BackupFile
	}
	r, err := h.svc.Restore(c.Request.Context(), field, file)
	h.reply(c, err, http.StatusOK, "State restored successfully", models.NewRestoreData(r))
}

// Reset godoc
//
//	@Summary		Reset everything
//	@ID				resetSystem
//	@Description	Deletes every configuration, project, user, API key and setting (settings return to their defaults). Requires {"confirm": true}. The admin key lives in the config file and stays valid, as do the named admin keys. Admin role only. A long operation: it may take minutes on a large store, and the answer waits for its outcome (up to 30 minutes; other routes answer 503 after 25 s).
//	@Tags			system
//	@Accept			json
//	@Produce		json
//	@Security		AdminKey
//	@Param			body	body		models.ResetRequest	true	"confirmation"
//	@Success		200		{object}	models.Envelope{data=models.ResetData}
//	@Failure		400		{object}	models.ErrorResponse
//	@Failure		401		{object}	models.ErrorResponse
//	@Failure		403		{object}	models.ErrorResponse	"forbidden: the role of the admin key does not permit the operation"
//	@Failure		413		{object}	models.ErrorResponse
//	@Failure		500		{object}	models.ErrorResponse
//	@Failure		503		{object}	models.ErrorResponse	"timeout: the request did not complete within its time limit (the store is busy); retry after Retry-After"
//	@Router			/api/v1/system/reset [post]
func (h *SystemController) Reset(c *gin.Context) {
	var req models.ResetRequest
	if !h.bind(c, &req) {
		return
	}
	r, err := h.svc.Reset(c.Request.Context(), req.Confirm)
	h.reply(c, err, http.StatusOK, "System reset successfully", models.ResetData{Deleted: r.Deleted})
}

// startTime is when the router was built unless the caller says otherwise.
func startTime(t time.Time) time.Time {
	if t.IsZero() {
		return time.Now().UTC()
	}
	return t
}
