package controllers

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/services/access"
)

// UserController serves the user routes (their key routes are in APIKeyController).
type UserController struct {
	errorWriter
	svc   *access.UserService
	lists listGate
}

// NewUserController wires a UserController; lists bounds the whole lists it
// writes at once.
func NewUserController(w errorWriter, svc *access.UserService, lists listGate) *UserController {
	return &UserController{errorWriter: w, svc: svc, lists: lists}
}

func (h *UserController) register(g *gin.RouterGroup) {
	g.GET("/users", h.List)
	g.POST("/users", h.Create)
	g.POST("/users/search", h.Search)
	g.GET("/users/:user", h.Get)
	g.PUT("/users/:user", h.Update)
	g.DELETE("/users/:user", h.Delete)
	g.GET("/users/:user/projects", h.Projects)
}

// List godoc
//
//	@Summary		List users
//	@ID				listUsers
//	@Description	Users in creation order with their projects and key counts. The total is in X-Total-Count. Without a limit the whole list is sent, written as it is read from the store (memory stays flat whatever its length); at most one such list per two cores is written at once, and others wait their turn (a whole list may take up to 30 minutes). X-Total-Count is counted as the list starts; an entity created or deleted while it is written may or may not appear.
//	@Tags			users
//	@Produce		json
//	@Security		AdminKey
//	@Param			limit	query		int	false	"page size"
//	@Param			offset	query		int	false	"entries to skip"
//	@Success		200		{object}	models.Envelope{data=[]models.UserListItem}
//	@Header			200		{integer}	X-Total-Count	"total number of users"
//	@Failure		400		{object}	models.ErrorResponse
//	@Failure		401		{object}	models.ErrorResponse
//	@Failure		500		{object}	models.ErrorResponse
//	@Failure		503		{object}	models.ErrorResponse	"timeout: the request did not complete within its time limit (the store is busy); retry after Retry-After"
//	@Router			/api/v1/users [get]
func (h *UserController) List(c *gin.Context) {
	page, err := pageOf(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	users, err := h.svc.List(c.Request.Context(), page)
	if err != nil {
		h.fail(c, err)
		return
	}
	streamList(h.errorWriter, h.lists, c, "Users retrieved successfully", users, models.NewUserListItem)
}

// Create godoc
//
//	@Summary		Create a user
//	@ID				createUser
//	@Description	The email must be one valid address; it is stored lowercased and is unique ignoring case.
//	@Tags			users
//	@Accept			json
//	@Produce		json
//	@Security		AdminKey
//	@Param			body	body		models.CreateUserRequest	true	"new user"
//	@Success		201		{object}	models.Envelope{data=models.UserCreated}
//	@Failure		400		{object}	models.ErrorResponse
//	@Failure		401		{object}	models.ErrorResponse
//	@Failure		403		{object}	models.ErrorResponse	"forbidden: the role of the admin key does not permit the operation"
//	@Failure		409		{object}	models.ErrorResponse
//	@Failure		413		{object}	models.ErrorResponse
//	@Failure		500		{object}	models.ErrorResponse
//	@Failure		503		{object}	models.ErrorResponse	"timeout: the request did not complete within its time limit (the store is busy); retry after Retry-After"
//	@Router			/api/v1/users [post]
func (h *UserController) Create(c *gin.Context) {
	var req models.CreateUserRequest
	if !h.bind(c, &req) {
		return
	}
	u, err := h.svc.Create(c.Request.Context(), req.Email)
	h.reply(c, err, http.StatusCreated, "User created successfully", models.NewUserCreated(u))
}

// Search godoc
//
//	@Summary		Search users
//	@ID				searchUsers
//	@Description	Case-insensitive substring match on the email or the name of any of the user's projects.
//	@Tags			users
//	@Accept			json
//	@Produce		json
//	@Security		AdminKey
//	@Param			body	body		models.SearchRequest	true	"search term"
//	@Param			limit	query		int						false	"page size"
//	@Param			offset	query		int						false	"entries to skip"
//	@Success		200		{object}	models.Envelope{data=[]models.UserListItem}
//	@Header			200		{integer}	X-Total-Count	"total number of hits"
//	@Failure		400		{object}	models.ErrorResponse
//	@Failure		401		{object}	models.ErrorResponse
//	@Failure		413		{object}	models.ErrorResponse
//	@Failure		500		{object}	models.ErrorResponse
//	@Failure		503		{object}	models.ErrorResponse	"timeout: the request did not complete within its time limit (the store is busy); retry after Retry-After"
//	@Router			/api/v1/users/search [post]
func (h *UserController) Search(c *gin.Context) {
	var req models.SearchRequest
	if !h.bind(c, &req) {
		return
	}
	hits, err := h.svc.Search(c.Request.Context(), req.SearchTerm)
	replyPage(h.errorWriter, c, err, "Users found", models.Items(hits, models.NewUserListItem))
}

// Get godoc
//
//	@Summary		Get a user with their projects and masked keys
//	@ID				getUser
//	@Description	The user's projects, and their first 100 keys in creation order: api_keys_total says how many there are, and when there are more, api_keys_next is the page of GET /api/v1/users/{user}/api-keys that continues the list.
//	@Tags			users
//	@Produce		json
//	@Security		AdminKey
//	@Param			user	path		string	true	"user id or email (case-insensitive)"
//	@Success		200		{object}	models.Envelope{data=models.UserDetailResponse}
//	@Failure		401		{object}	models.ErrorResponse
//	@Failure		404		{object}	models.ErrorResponse
//	@Failure		500		{object}	models.ErrorResponse
//	@Failure		503		{object}	models.ErrorResponse	"timeout: the request did not complete within its time limit (the store is busy); retry after Retry-After"
//	@Router			/api/v1/users/{user} [get]
func (h *UserController) Get(c *gin.Context) {
	d, err := h.svc.Get(c.Request.Context(), c.Param("user"))
	h.reply(c, err, http.StatusOK, "User retrieved successfully", models.NewUserDetailResponse(d.User, d.Projects, models.Items(d.APIKeys, newAPIKeyItem), d.APIKeysTotal))
}

// Update godoc
//
//	@Summary		Change a user's email
//	@ID				updateUser
//	@Description	Setting the current email is a no-op; 409 if another user has it (ignoring case).
//	@Tags			users
//	@Accept			json
//	@Produce		json
//	@Security		AdminKey
//	@Param			user	path		string						true	"user id or email (case-insensitive)"
//	@Param			body	body		models.UpdateUserRequest	true	"new email"
//	@Success		200		{object}	models.Envelope{data=models.UserCreated}
//	@Failure		400		{object}	models.ErrorResponse
//	@Failure		401		{object}	models.ErrorResponse
//	@Failure		403		{object}	models.ErrorResponse	"forbidden: the role of the admin key does not permit the operation"
//	@Failure		404		{object}	models.ErrorResponse
//	@Failure		409		{object}	models.ErrorResponse
//	@Failure		413		{object}	models.ErrorResponse
//	@Failure		500		{object}	models.ErrorResponse
//	@Failure		503		{object}	models.ErrorResponse	"timeout: the request did not complete within its time limit (the store is busy); retry after Retry-After"
//	@Router			/api/v1/users/{user} [put]
func (h *UserController) Update(c *gin.Context) {
	var req models.UpdateUserRequest
	if !h.bind(c, &req) {
		return
	}
	u, err := h.svc.UpdateEmail(c.Request.Context(), c.Param("user"), req.NewEmail)
	h.reply(c, err, http.StatusOK, "User updated successfully", models.NewUserCreated(u))
}

// Delete godoc
//
//	@Summary		Delete a user
//	@ID				deleteUser
//	@Description	Refused with 409 while the user has API keys or project memberships, unless the body is {"force": true}: then keys, memberships and user are removed in one transaction.
//	@Tags			users
//	@Accept			json
//	@Produce		json
//	@Security		AdminKey
//	@Param			user	path		string						true	"user id or email (case-insensitive)"
//	@Param			body	body		models.DeleteUserRequest	false	"force the deletion"
//	@Success		200		{object}	models.Envelope{data=models.UserDeleted}
//	@Failure		400		{object}	models.ErrorResponse
//	@Failure		401		{object}	models.ErrorResponse
//	@Failure		403		{object}	models.ErrorResponse	"forbidden: the role of the admin key does not permit the operation"
//	@Failure		404		{object}	models.ErrorResponse
//	@Failure		409		{object}	models.ErrorResponse
//	@Failure		413		{object}	models.ErrorResponse
//	@Failure		500		{object}	models.ErrorResponse
//	@Failure		503		{object}	models.ErrorResponse	"timeout: the request did not complete within its time limit (the store is busy); retry after Retry-After"
//	@Router			/api/v1/users/{user} [delete]
func (h *UserController) Delete(c *gin.Context) {
	var req models.DeleteUserRequest
	if !h.bind(c, &req) {
		return
	}
	d, err := h.svc.Delete(c.Request.Context(), c.Param("user"), req.Force)
	h.reply(c, err, http.StatusOK, "User deleted successfully", models.NewUserDeleted(d.User, d.APIKeys, d.Memberships))
}

// Projects godoc
//
//	@Summary	List the projects of a user
//	@ID			listUserProjects
//	@Tags		users
//	@Produce	json
//	@Security	AdminKey
//	@Param		user	path		string	true	"user id or email (case-insensitive)"
//	@Param		limit	query		int		false	"page size"
//	@Param		offset	query		int		false	"entries to skip"
//	@Success	200		{object}	models.Envelope{data=[]models.UserProjectItem}
//	@Header		200		{integer}	X-Total-Count	"total number of projects"
//	@Failure	400		{object}	models.ErrorResponse
//	@Failure	401		{object}	models.ErrorResponse
//	@Failure	404		{object}	models.ErrorResponse
//	@Failure	500		{object}	models.ErrorResponse
//	@Failure	503		{object}	models.ErrorResponse	"timeout: the request did not complete within its time limit (the store is busy); retry after Retry-After"
//	@Router		/api/v1/users/{user}/projects [get]
func (h *UserController) Projects(c *gin.Context) {
	projects, err := h.svc.Projects(c.Request.Context(), c.Param("user"))
	replyPage(h.errorWriter, c, err, "User projects retrieved successfully", models.Items(projects, models.NewUserProjectItem))
}
