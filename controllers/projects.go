package controllers

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/services/access"
)

// ProjectController serves the project routes.
type ProjectController struct {
	errorWriter
	svc *access.ProjectService
}

// NewProjectController wires a ProjectController.
func NewProjectController(w errorWriter, svc *access.ProjectService) *ProjectController {
	return &ProjectController{errorWriter: w, svc: svc}
}

func (h *ProjectController) register(g *gin.RouterGroup) {
	g.GET("/projects", h.List)
	g.POST("/projects", h.Create)
	g.POST("/projects/search", h.Search)
	g.GET("/projects/:project", h.Get)
	g.DELETE("/projects/:project", h.Delete)
	g.POST("/projects/:project/assign-config", h.AssignConfig)
	g.POST("/projects/:project/unassign-config", h.UnassignConfig)
	g.GET("/projects/:project/config", h.Config)
	g.GET("/projects/:project/users", h.Members)
	g.POST("/projects/:project/users", h.AddMember)
	g.DELETE("/projects/:project/users", h.RemoveAllMembers)
	g.DELETE("/projects/:project/users/:user", h.RemoveMember)
	g.POST("/projects/:project/export", h.Export)
}

// List godoc
//
//	@Summary		List projects
//	@ID				listProjects
//	@Description	Projects in creation order with their configuration, member and key counts. The total is in X-Total-Count.
//	@Tags			projects
//	@Produce		json
//	@Security		AdminKey
//	@Param			limit	query		int	false	"page size"
//	@Param			offset	query		int	false	"entries to skip"
//	@Success		200		{object}	models.Envelope{data=[]models.ProjectListItem}
//	@Header			200		{integer}	X-Total-Count	"total number of projects"
//	@Failure		400		{object}	models.ErrorResponse
//	@Failure		401		{object}	models.ErrorResponse
//	@Failure		500		{object}	models.ErrorResponse
//	@Failure		503		{object}	models.ErrorResponse	"timeout: the request did not complete within its time limit (the store is busy); retry after Retry-After"
//	@Router			/api/v1/projects [get]
func (h *ProjectController) List(c *gin.Context) {
	page, err := pageOf(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	projects, total, err := h.svc.List(c.Request.Context(), page)
	if err != nil {
		h.fail(c, err)
		return
	}
	list(c, "Projects retrieved successfully", models.Items(projects, models.NewProjectListItem), total)
}

// Create godoc
//
//	@Summary	Create a project
//	@ID			createProject
//	@Tags		projects
//	@Accept		json
//	@Produce	json
//	@Security	AdminKey
//	@Param		body	body		models.CreateProjectRequest	true	"new project"
//	@Success	201		{object}	models.Envelope{data=models.ProjectCreated}
//	@Failure	400		{object}	models.ErrorResponse
//	@Failure	401		{object}	models.ErrorResponse
//	@Failure	403		{object}	models.ErrorResponse	"forbidden: the role of the admin key does not permit the operation"
//	@Failure	409		{object}	models.ErrorResponse
//	@Failure	413		{object}	models.ErrorResponse
//	@Failure	500		{object}	models.ErrorResponse
//	@Failure	503		{object}	models.ErrorResponse	"timeout: the request did not complete within its time limit (the store is busy); retry after Retry-After"
//	@Router		/api/v1/projects [post]
func (h *ProjectController) Create(c *gin.Context) {
	var req models.CreateProjectRequest
	if !h.bind(c, &req) {
		return
	}
	p, err := h.svc.Create(c.Request.Context(), req.ProjectName)
	h.reply(c, err, http.StatusCreated, "Project created successfully", models.NewProjectCreated(p))
}

// Search godoc
//
//	@Summary		Search projects
//	@ID				searchProjects
//	@Description	Case-insensitive substring match on the project name or any member's email.
//	@Tags			projects
//	@Accept			json
//	@Produce		json
//	@Security		AdminKey
//	@Param			body	body		models.SearchRequest	true	"search term"
//	@Param			limit	query		int						false	"page size"
//	@Param			offset	query		int						false	"entries to skip"
//	@Success		200		{object}	models.Envelope{data=[]models.ProjectListItem}
//	@Header			200		{integer}	X-Total-Count	"total number of hits"
//	@Failure		400		{object}	models.ErrorResponse
//	@Failure		401		{object}	models.ErrorResponse
//	@Failure		413		{object}	models.ErrorResponse
//	@Failure		500		{object}	models.ErrorResponse
//	@Failure		503		{object}	models.ErrorResponse	"timeout: the request did not complete within its time limit (the store is busy); retry after Retry-After"
//	@Router			/api/v1/projects/search [post]
func (h *ProjectController) Search(c *gin.Context) {
	var req models.SearchRequest
	if !h.bind(c, &req) {
		return
	}
	hits, err := h.svc.Search(c.Request.Context(), req.SearchTerm)
	replyPage(h.errorWriter, c, err, "Projects found", models.Items(hits, models.NewProjectListItem))
}

// Get godoc
//
//	@Summary	Get a project with its configuration and members
//	@ID			getProject
//	@Tags		projects
//	@Produce	json
//	@Security	AdminKey
//	@Param		project	path		string	true	"project id or name"
//	@Success	200		{object}	models.Envelope{data=models.ProjectDetailResponse}
//	@Failure	401		{object}	models.ErrorResponse
//	@Failure	404		{object}	models.ErrorResponse
//	@Failure	500		{object}	models.ErrorResponse
//	@Failure	503		{object}	models.ErrorResponse	"timeout: the request did not complete within its time limit (the store is busy); retry after Retry-After"
//	@Router		/api/v1/projects/{project} [get]
func (h *ProjectController) Get(c *gin.Context) {
	d, err := h.svc.Get(c.Request.Context(), c.Param("project"))
	h.reply(c, err, http.StatusOK, "Project retrieved successfully", models.NewProjectDetailResponse(d.Project, d.Config, d.Members, d.APIKeys))
}

// Delete godoc
//
//	@Summary		Delete a project
//	@ID				deleteProject
//	@Description	Removes the project and its memberships. Refused with 409 while API keys reference it.
//	@Tags			projects
//	@Produce		json
//	@Security		AdminKey
//	@Param			project	path		string	true	"project id or name"
//	@Success		200		{object}	models.Envelope{data=models.ProjectCreated}
//	@Failure		401		{object}	models.ErrorResponse
//	@Failure		403		{object}	models.ErrorResponse	"forbidden: the role of the admin key does not permit the operation"
//	@Failure		404		{object}	models.ErrorResponse
//	@Failure		409		{object}	models.ErrorResponse
//	@Failure		500		{object}	models.ErrorResponse
//	@Failure		503		{object}	models.ErrorResponse	"timeout: the request did not complete within its time limit (the store is busy); retry after Retry-After"
//	@Router			/api/v1/projects/{project} [delete]
func (h *ProjectController) Delete(c *gin.Context) {
	p, err := h.svc.Delete(c.Request.Context(), c.Param("project"))
	h.reply(c, err, http.StatusOK, "Project deleted successfully", models.NewProjectCreated(p))
}

// AssignConfig godoc
//
//	@Summary		Assign a configuration to a project
//	@ID				assignProjectConfig
//	@Description	config_name or config_id (at least one; if both, they must name the same configuration). Replaces any configuration assigned before.
//	@Tags			projects
//	@Accept			json
//	@Produce		json
//	@Security		AdminKey
//	@Param			project	path		string						true	"project id or name"
//	@Param			body	body		models.AssignConfigRequest	true	"the configuration"
//	@Success		200		{object}	models.Envelope{data=models.ProjectConfigData}
//	@Failure		400		{object}	models.ErrorResponse
//	@Failure		401		{object}	models.ErrorResponse
//	@Failure		403		{object}	models.ErrorResponse	"forbidden: the role of the admin key does not permit the operation"
//	@Failure		404		{object}	models.ErrorResponse
//	@Failure		413		{object}	models.ErrorResponse
//	@Failure		500		{object}	models.ErrorResponse
//	@Failure		503		{object}	models.ErrorResponse	"timeout: the request did not complete within its time limit (the store is busy); retry after Retry-After"
//	@Router			/api/v1/projects/{project}/assign-config [post]
func (h *ProjectController) AssignConfig(c *gin.Context) {
	var req models.AssignConfigRequest
	if !h.bind(c, &req) {
		return
	}
	p, cfg, err := h.svc.AssignConfig(c.Request.Context(), c.Param("project"), req.ConfigID, req.ConfigName)
	h.reply(c, err, http.StatusOK, "Configuration assigned to project", models.NewProjectConfigData(p, cfg))
}

// UnassignConfig godoc
//
//	@Summary		Unassign the configuration of a project
//	@ID				unassignProjectConfig
//	@Description	The project's keys stop verifying until a configuration is assigned again. A no-op when none is assigned.
//	@Tags			projects
//	@Produce		json
//	@Security		AdminKey
//	@Param			project	path		string	true	"project id or name"
//	@Success		200		{object}	models.Envelope{data=models.ProjectConfigData}
//	@Failure		401		{object}	models.ErrorResponse
//	@Failure		403		{object}	models.ErrorResponse	"forbidden: the role of the admin key does not permit the operation"
//	@Failure		404		{object}	models.ErrorResponse
//	@Failure		500		{object}	models.ErrorResponse
//	@Failure		503		{object}	models.ErrorResponse	"timeout: the request did not complete within its time limit (the store is busy); retry after Retry-After"
//	@Router			/api/v1/projects/{project}/unassign-config [post]
func (h *ProjectController) UnassignConfig(c *gin.Context) {
	p, err := h.svc.UnassignConfig(c.Request.Context(), c.Param("project"))
	h.reply(c, err, http.StatusOK, "Configuration unassigned from project", models.NewProjectConfigData(p, models.Config{}))
}

// Config godoc
//
//	@Summary	Get the configuration assigned to a project
//	@ID			getProjectConfig
//	@Tags		projects
//	@Produce	json
//	@Security	AdminKey
//	@Param		project	path		string	true	"project id or name"
//	@Success	200		{object}	models.Envelope{data=models.ConfigDetailResponse}
//	@Failure	401		{object}	models.ErrorResponse
//	@Failure	404		{object}	models.ErrorResponse	"unknown project, or no configuration assigned"
//	@Failure	500		{object}	models.ErrorResponse
//	@Failure	503		{object}	models.ErrorResponse	"timeout: the request did not complete within its time limit (the store is busy); retry after Retry-After"
//	@Router		/api/v1/projects/{project}/config [get]
func (h *ProjectController) Config(c *gin.Context) {
	d, err := h.svc.Config(c.Request.Context(), c.Param("project"))
	h.reply(c, err, http.StatusOK, "Project configuration retrieved successfully", models.NewConfigDetailResponse(d.Config, d.Servers))
}

// Members godoc
//
//	@Summary	List the users of a project
//	@ID			listProjectUsers
//	@Tags		projects
//	@Produce	json
//	@Security	AdminKey
//	@Param		project	path		string	true	"project id or name"
//	@Param		limit	query		int		false	"page size"
//	@Param		offset	query		int		false	"entries to skip"
//	@Success	200		{object}	models.Envelope{data=[]models.ProjectMemberItem}
//	@Header		200		{integer}	X-Total-Count	"total number of members"
//	@Failure	400		{object}	models.ErrorResponse
//	@Failure	401		{object}	models.ErrorResponse
//	@Failure	404		{object}	models.ErrorResponse
//	@Failure	500		{object}	models.ErrorResponse
//	@Failure	503		{object}	models.ErrorResponse	"timeout: the request did not complete within its time limit (the store is busy); retry after Retry-After"
//	@Router		/api/v1/projects/{project}/users [get]
func (h *ProjectController) Members(c *gin.Context) {
	members, err := h.svc.Members(c.Request.Context(), c.Param("project"))
	replyPage(h.errorWriter, c, err, "Project users retrieved successfully", models.Items(members, models.NewProjectMemberItem))
}

// AddMember godoc
//
//	@Summary		Add a user to a project
//	@ID				addProjectUser
//	@Description	user_id or email (at least one; if both, they must name the same user). 409 if the user is already a member.
//	@Tags			projects
//	@Accept			json
//	@Produce		json
//	@Security		AdminKey
//	@Param			project	path		string					true	"project id or name"
//	@Param			body	body		models.AddMemberRequest	true	"the user"
//	@Success		201		{object}	models.Envelope{data=models.MembershipData}
//	@Failure		400		{object}	models.ErrorResponse
//	@Failure		401		{object}	models.ErrorResponse
//	@Failure		403		{object}	models.ErrorResponse	"forbidden: the role of the admin key does not permit the operation"
//	@Failure		404		{object}	models.ErrorResponse
//	@Failure		409		{object}	models.ErrorResponse
//	@Failure		413		{object}	models.ErrorResponse
//	@Failure		500		{object}	models.ErrorResponse
//	@Failure		503		{object}	models.ErrorResponse	"timeout: the request did not complete within its time limit (the store is busy); retry after Retry-After"
//	@Router			/api/v1/projects/{project}/users [post]
func (h *ProjectController) AddMember(c *gin.Context) {
	var req models.AddMemberRequest
	if !h.bind(c, &req) {
		return
	}
	m, err := h.svc.AddMember(c.Request.Context(), c.Param("project"), req.UserID, req.Email)
	h.reply(c, err, http.StatusCreated, "User added to project", models.NewMembershipData(m.Project, m.User))
}

// RemoveAllMembers godoc
//
//	@Summary		Remove every user from a project
//	@ID				removeAllProjectUsers
//	@Description	Their keys for the project stay but stop verifying.
//	@Tags			projects
//	@Produce		json
//	@Security		AdminKey
//	@Param			project	path		string	true	"project id or name"
//	@Success		200		{object}	models.Envelope{data=models.MembersRemovedData}
//	@Failure		401		{object}	models.ErrorResponse
//	@Failure		403		{object}	models.ErrorResponse	"forbidden: the role of the admin key does not permit the operation"
//	@Failure		404		{object}	models.ErrorResponse
//	@Failure		500		{object}	models.ErrorResponse
//	@Failure		503		{object}	models.ErrorResponse	"timeout: the request did not complete within its time limit (the store is busy); retry after Retry-After"
//	@Router			/api/v1/projects/{project}/users [delete]
func (h *ProjectController) RemoveAllMembers(c *gin.Context) {
	p, n, err := h.svc.RemoveAllMembers(c.Request.Context(), c.Param("project"))
	h.reply(c, err, http.StatusOK, "Users removed from project", models.NewMembersRemovedData(p, n))
}

// RemoveMember godoc
//
//	@Summary		Remove a user from a project
//	@ID				removeProjectUser
//	@Description	The user's keys for the project stay but stop verifying (their status says why); inactive_api_keys counts them.
//	@Tags			projects
//	@Produce		json
//	@Security		AdminKey
//	@Param			project	path		string	true	"project id or name"
//	@Param			user	path		string	true	"user id or email"
//	@Success		200		{object}	models.Envelope{data=models.MemberRemovedData}
//	@Failure		401		{object}	models.ErrorResponse
//	@Failure		403		{object}	models.ErrorResponse	"forbidden: the role of the admin key does not permit the operation"
//	@Failure		404		{object}	models.ErrorResponse	"unknown project or user, or not a member"
//	@Failure		500		{object}	models.ErrorResponse
//	@Failure		503		{object}	models.ErrorResponse	"timeout: the request did not complete within its time limit (the store is busy); retry after Retry-After"
//	@Router			/api/v1/projects/{project}/users/{user} [delete]
func (h *ProjectController) RemoveMember(c *gin.Context) {
	m, err := h.svc.RemoveMember(c.Request.Context(), c.Param("project"), c.Param("user"))
	h.reply(c, err, http.StatusOK, "User removed from project", models.MemberRemovedData{MembershipData: models.NewMembershipData(m.Project, m.User), InactiveAPIKeys: m.Keys})
}

// Export godoc
//
//	@Summary		Export a project
//	@ID				exportProject
//	@Description	Writes {project_id, exported_at, project, config, users} to output_file inside the data directory (atomically, mode 0600) and returns the same document. A long operation: it may take minutes on a large store, and the answer waits for its outcome (up to 30 minutes; other routes answer 503 after 25 s).
//	@Tags			projects
//	@Accept			json
//	@Produce		json
//	@Security		AdminKey
//	@Param			project	path		string				true	"project id or name"
//	@Param			body	body		models.FileRequest	true	"file name inside the data directory"
//	@Success		200		{object}	models.Envelope{data=models.ProjectExport}
//	@Failure		400		{object}	models.ErrorResponse
//	@Failure		401		{object}	models.ErrorResponse
//	@Failure		403		{object}	models.ErrorResponse	"forbidden: the role of the admin key does not permit the operation"
//	@Failure		404		{object}	models.ErrorResponse
//	@Failure		413		{object}	models.ErrorResponse
//	@Failure		500		{object}	models.ErrorResponse
//	@Failure		503		{object}	models.ErrorResponse	"timeout: the request did not complete within its time limit (the store is busy); retry after Retry-After"
//	@Router			/api/v1/projects/{project}/export [post]
func (h *ProjectController) Export(c *gin.Context) {
	var req models.FileRequest
	if !h.bind(c, &req) {
		return
	}
	res, err := h.svc.Export(c.Request.Context(), c.Param("project"), req.OutputFile)
	h.reply(c, err, http.StatusOK, "Project exported to "+req.OutputFile, res.Document)
}
