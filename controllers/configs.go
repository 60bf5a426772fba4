package controllers

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/services/catalog"
)

// ConfigController serves the configuration routes.
type ConfigController struct {
	errorWriter
	svc *catalog.ConfigService
}

// NewConfigController wires a ConfigController.
func NewConfigController(w errorWriter, svc *catalog.ConfigService) *ConfigController {
	return &ConfigController{errorWriter: w, svc: svc}
}

func (h *ConfigController) register(g *gin.RouterGroup) {
	g.GET("/configs", h.List)
	g.POST("/configs", h.Create)
	g.POST("/configs/copy", h.Copy)
	g.POST("/configs/import", h.Import)
	g.POST("/configs/search", h.Search)
	g.GET("/configs/:config", h.Get)
	g.DELETE("/configs/:config", h.Delete)
	g.PUT("/configs/:config/rename", h.Rename)
	g.GET("/configs/:config/projects", h.Projects)
	g.POST("/configs/:config/validate", h.Validate)
	g.POST("/configs/:config/export", h.Export)
	g.GET("/configs/:config/servers", h.ListServers)
	g.POST("/configs/:config/servers", h.AddServer)
	g.DELETE("/configs/:config/servers", h.RemoveAllServers)
	g.GET("/configs/:config/servers/:server", h.GetServer)
	g.PUT("/configs/:config/servers/:server", h.UpdateServer)
	g.DELETE("/configs/:config/servers/:server", h.RemoveServer)
	g.PUT("/configs/:config/servers/:server/input-guardrails", h.SetInputPolicy)
	g.PUT("/configs/:config/servers/:server/output-guardrails", h.SetOutputPolicy)
	g.PUT("/configs/:config/servers/:server/guardrails", h.SetPolicies)
	g.POST("/configs/:config/servers/:server/tools/approve", h.ApproveTools)
}

// List godoc
//
//	@Summary		List configurations
//	@ID				listConfigs
//	@Description	Configurations in creation order with their server count and the projects using them. The total is in X-Total-Count.
//	@Tags			configs
//	@Produce		json
//	@Security		AdminKey
//	@Param			limit	query		int	false	"page size"
//	@Param			offset	query		int	false	"entries to skip"
//	@Success		200		{object}	models.Envelope{data=[]models.ConfigListItem}
//	@Header			200		{integer}	X-Total-Count	"total number of configurations"
//	@Failure		400		{object}	models.ErrorResponse
//	@Failure		401		{object}	models.ErrorResponse
//	@Failure		500		{object}	models.ErrorResponse
//	@Failure		503		{object}	models.ErrorResponse	"timeout: the request did not complete within its time limit (the store is busy); retry after Retry-After"
//	@Router			/api/v1/configs [get]
func (h *ConfigController) List(c *gin.Context) {
	page, err := pageOf(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	configs, total, err := h.svc.List(c.Request.Context(), page)
	if err != nil {
		h.fail(c, err)
		return
	}
	list(c, "Configurations retrieved successfully", models.Items(configs, models.NewConfigListItem), total)
}

// Create godoc
//
//	@Summary	Create a configuration
//	@ID			createConfig
//	@Tags		configs
//	@Accept		json
//	@Produce	json
//	@Security	AdminKey
//	@Param		body	body		models.CreateConfigRequest	true	"new configuration"
//	@Success	201		{object}	models.Envelope{data=models.ConfigCreated}
//	@Failure	400		{object}	models.ErrorResponse
//	@Failure	401		{object}	models.ErrorResponse
//	@Failure	403		{object}	models.ErrorResponse	"forbidden: the role of the admin key does not permit the operation"
//	@Failure	409		{object}	models.ErrorResponse
//	@Failure	413		{object}	models.ErrorResponse
//	@Failure	503		{object}	models.ErrorResponse	"timeout: the request did not complete within its time limit (the store is busy); retry after Retry-After"
//	@Router		/api/v1/configs [post]
func (h *ConfigController) Create(c *gin.Context) {
	var req models.CreateConfigRequest
	if !h.bind(c, &req) {
		return
	}
	cfg, err := h.svc.Create(c.Request.Context(), req.ConfigName)
	h.reply(c, err, http.StatusCreated, "Configuration created successfully", models.NewConfigCreated(cfg))
}

// Copy godoc
//
//	@Summary	Copy a configuration
//	@ID			copyConfig
//	@Tags		configs
//	@Accept		json
//	@Produce	json
//	@Security	AdminKey
//	@Param		body	body		models.CopyConfigRequest	true	"source (id or name) and new name"
//	@Success	201		{object}	models.Envelope{data=models.ConfigCreated}
//	@Failure	400		{object}	models.ErrorResponse
//	@Failure	401		{object}	models.ErrorResponse
//	@Failure	403		{object}	models.ErrorResponse	"forbidden: the role of the admin key does not permit the operation"
//	@Failure	404		{object}	models.ErrorResponse
//	@Failure	409		{object}	models.ErrorResponse
//	@Failure	413		{object}	models.ErrorResponse
//	@Failure	503		{object}	models.ErrorResponse	"timeout: the request did not complete within its time limit (the store is busy); retry after Retry-After"
//	@Router		/api/v1/configs/copy [post]
func (h *ConfigController) Copy(c *gin.Context) {
	var req models.CopyConfigRequest
	if !h.bind(c, &req) {
		return
	}
	cfg, err := h.svc.Copy(c.Request.Context(), req.SourceConfig, req.TargetConfig)
	h.reply(c, err, http.StatusCreated, "Configuration copied successfully", models.NewConfigCreated(cfg))
}

// Rename godoc
//
//	@Summary	Rename a configuration
//	@ID			renameConfig
//	@Tags		configs
//	@Accept		json
//	@Produce	json
//	@Security	AdminKey
//	@Param		config	path		string						true	"configuration id or name"
//	@Param		body	body		models.RenameConfigRequest	true	"new name"
//	@Success	200		{object}	models.Envelope{data=models.ConfigCreated}
//	@Failure	400		{object}	models.ErrorResponse
//	@Failure	401		{object}	models.ErrorResponse
//	@Failure	403		{object}	models.ErrorResponse	"forbidden: the role of the admin key does not permit the operation"
//	@Failure	404		{object}	models.ErrorResponse
//	@Failure	409		{object}	models.ErrorResponse
//	@Failure	413		{object}	models.ErrorResponse
//	@Failure	503		{object}	models.ErrorResponse	"timeout: the request did not complete within its time limit (the store is busy); retry after Retry-After"
//	@Router		/api/v1/configs/{config}/rename [put]
func (h *ConfigController) Rename(c *gin.Context) {
	var req models.RenameConfigRequest
	if !h.bind(c, &req) {
		return
	}
	cfg, err := h.svc.Rename(c.Request.Context(), c.Param("config"), req.NewName)
	h.reply(c, err, http.StatusOK, "Configuration renamed successfully", models.NewConfigCreated(cfg))
}

// Get godoc
//
//	@Summary	Get a configuration with its servers
//	@ID			getConfig
//	@Tags		configs
//	@Produce	json
//	@Security	AdminKey
//	@Param		config	path		string	true	"configuration id or name"
//	@Success	200		{object}	models.Envelope{data=models.ConfigDetailResponse}
//	@Failure	401		{object}	models.ErrorResponse
//	@Failure	404		{object}	models.ErrorResponse
//	@Failure	503		{object}	models.ErrorResponse	"timeout: the request did not complete within its time limit (the store is busy); retry after Retry-After"
//	@Router		/api/v1/configs/{config} [get]
func (h *ConfigController) Get(c *gin.Context) {
	d, err := h.svc.Get(c.Request.Context(), c.Param("config"))
	h.reply(c, err, http.StatusOK, "Configuration retrieved successfully", models.NewConfigDetailResponse(d.Config, d.Servers))
}

// Delete godoc
//
//	@Summary		Delete a configuration
//	@ID				deleteConfig
//	@Description	Refused with 409 while any project uses the configuration.
//	@Tags			configs
//	@Produce		json
//	@Security		AdminKey
//	@Param			config	path		string	true	"configuration id or name"
//	@Success		200		{object}	models.Envelope{data=models.ConfigCreated}
//	@Failure		401		{object}	models.ErrorResponse
//	@Failure		403		{object}	models.ErrorResponse	"forbidden: the role of the admin key does not permit the operation"
//	@Failure		404		{object}	models.ErrorResponse
//	@Failure		409		{object}	models.ErrorResponse
//	@Failure		503		{object}	models.ErrorResponse	"timeout: the request did not complete within its time limit (the store is busy); retry after Retry-After"
//	@Router			/api/v1/configs/{config} [delete]
func (h *ConfigController) Delete(c *gin.Context) {
	cfg, err := h.svc.Delete(c.Request.Context(), c.Param("config"))
	h.reply(c, err, http.StatusOK, "Configuration deleted successfully", models.NewConfigCreated(cfg))
}

// Projects godoc
//
//	@Summary	List the projects using a configuration
//	@ID			listConfigProjects
//	@Tags		configs
//	@Produce	json
//	@Security	AdminKey
//	@Param		config	path		string	true	"configuration id or name"
//	@Param		limit	query		int		false	"page size"
//	@Param		offset	query		int		false	"entries to skip"
//	@Success	200		{object}	models.Envelope{data=[]models.ConfigProjectItem}
//	@Header		200		{integer}	X-Total-Count	"total number of projects"
//	@Failure	400		{object}	models.ErrorResponse
//	@Failure	401		{object}	models.ErrorResponse
//	@Failure	404		{object}	models.ErrorResponse
//	@Failure	503		{object}	models.ErrorResponse	"timeout: the request did not complete within its time limit (the store is busy); retry after Retry-After"
//	@Router		/api/v1/configs/{config}/projects [get]
func (h *ConfigController) Projects(c *gin.Context) {
	usage, err := h.svc.Projects(c.Request.Context(), c.Param("config"))
	replyPage(h.errorWriter, c, err, "Projects retrieved successfully", models.Items(usage, models.NewConfigProjectItem))
}

// Validate godoc
//
//	@Summary		Validate a configuration
//	@ID				validateConfig
//	@Description	200 with valid=true, or 400 whose issues list every problem found.
//	@Tags			configs
//	@Produce		json
//	@Security		AdminKey
//	@Param			config	path		string	true	"configuration id or name"
//	@Success		200		{object}	models.Envelope{data=models.ValidationResult}
//	@Failure		400		{object}	models.ErrorResponse
//	@Failure		401		{object}	models.ErrorResponse
//	@Failure		404		{object}	models.ErrorResponse
//	@Failure		503		{object}	models.ErrorResponse	"timeout: the request did not complete within its time limit (the store is busy); retry after Retry-After"
//	@Router			/api/v1/configs/{config}/validate [post]
func (h *ConfigController) Validate(c *gin.Context) {
	res, err := h.svc.Validate(c.Request.Context(), c.Param("config"))
	h.reply(c, err, http.StatusOK, "Configuration is valid", res)
}

// Export godoc
//
//	@Summary		Export a configuration
//	@ID				exportConfig
//	@Description	Writes {mcp_config_id, exported_at, config} to output_file inside the data directory (atomically, mode 0600) and returns the same document.
//	@Tags			configs
//	@Accept			json
//	@Produce		json
//	@Security		AdminKey
//	@Param			config	path		string				true	"configuration id or name"
//	@Param			body	body		models.FileRequest	true	"file name inside the data directory"
//	@Success		200		{object}	models.Envelope{data=models.ConfigExport}
//	@Failure		400		{object}	models.ErrorResponse
//	@Failure		401		{object}	models.ErrorResponse
//	@Failure		403		{object}	models.ErrorResponse	"forbidden: the role of the admin key does not permit the operation"
//	@Failure		404		{object}	models.ErrorResponse
//	@Failure		413		{object}	models.ErrorResponse
//	@Failure		500		{object}	models.ErrorResponse
//	@Failure		503		{object}	models.ErrorResponse	"timeout: the request did not complete within its time limit (the store is busy); retry after Retry-After"
//	@Router			/api/v1/configs/{config}/export [post]
func (h *ConfigController) Export(c *gin.Context) {
	var req models.FileRequest
	if !h.bind(c, &req) {
		return
	}
	res, err := h.svc.Export(c.Request.Context(), c.Param("config"), req.OutputFile)
	h.reply(c, err, http.StatusOK, "Configuration exported to "+req.OutputFile, res.Document)
}

// Import godoc
//
//	@Summary		Import a configuration
//	@ID				importConfig
//	@Description	Creates config_name from an exported document, read from input_file (inside the data directory) or given inline as config. The whole document is validated first. A long operation: it may take minutes on a large store, and the answer waits for its outcome (up to 30 minutes; other routes answer 503 after 25 s).
//	@Tags			configs
//	@Accept			json
//	@Produce		json
//	@Security		AdminKey
//	@Param			body	body		models.ImportConfigRequest	true	"name and document"
//	@Success		201		{object}	models.Envelope{data=models.ConfigCreated}
//	@Failure		400		{object}	models.ErrorResponse
//	@Failure		401		{object}	models.ErrorResponse
//	@Failure		403		{object}	models.ErrorResponse	"forbidden: the role of the admin key does not permit the operation"
//	@Failure		404		{object}	models.ErrorResponse
//	@Failure		409		{object}	models.ErrorResponse
//	@Failure		413		{object}	models.ErrorResponse
//	@Failure		503		{object}	models.ErrorResponse	"timeout: the request did not complete within its time limit (the store is busy); retry after Retry-After"
//	@Router			/api/v1/configs/import [post]
func (h *ConfigController) Import(c *gin.Context) {
	var req models.ImportConfigRequest
	if !h.bind(c, &req) {
		return
	}
	cfg, err := h.svc.Import(c.Request.Context(), req.ConfigName, req.InputFile, req.Config)
	h.reply(c, err, http.StatusCreated, "Configuration imported successfully", models.NewConfigCreated(cfg))
}

// Search godoc
//
//	@Summary		Search configurations
//	@ID				searchConfigs
//	@Description	Case-insensitive substring match on the configuration name or any server name.
//	@Tags			configs
//	@Accept			json
//	@Produce		json
//	@Security		AdminKey
//	@Param			body	body		models.SearchRequest	true	"search term"
//	@Param			limit	query		int						false	"page size"
//	@Param			offset	query		int						false	"entries to skip"
//	@Success		200		{object}	models.Envelope{data=[]models.ConfigSearchItem}
//	@Header			200		{integer}	X-Total-Count	"total number of hits"
//	@Failure		400		{object}	models.ErrorResponse
//	@Failure		401		{object}	models.ErrorResponse
//	@Failure		413		{object}	models.ErrorResponse
//	@Failure		503		{object}	models.ErrorResponse	"timeout: the request did not complete within its time limit (the store is busy); retry after Retry-After"
//	@Router			/api/v1/configs/search [post]
func (h *ConfigController) Search(c *gin.Context) {
	var req models.SearchRequest
	if !h.bind(c, &req) {
		return
	}
	hits, err := h.svc.Search(c.Request.Context(), req.SearchTerm)
	replyPage(h.errorWriter, c, err, "Search completed", models.Items(hits, models.NewConfigSearchItem))
}
