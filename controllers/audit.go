package controllers

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/securemcp/gateway/audit"
	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/services/errs"
	"github.com/securemcp/gateway/services/trail"
)

// AuditController serves the audit trail.
type AuditController struct {
	errorWriter
	svc *trail.AuditService
}

// NewAuditController wires an AuditController.
func NewAuditController(w errorWriter, svc *trail.AuditService) *AuditController {
	return &AuditController{errorWriter: w, svc: svc}
}

func (h *AuditController) register(g *gin.RouterGroup) {
	g.GET("/audit", h.List)
}

// NextBeforeHeader carries the cursor of the next page of the audit trail.
const NextBeforeHeader = "X-Next-Before"

// List godoc
//
//	@Summary		List audit records
//	@ID				listAuditRecords
//	@Description	Records of the audit trail, newest first: every admin write (API and CLI) with its masked before/after difference; every refused admin request (a bad credential or a role refused, on any route; a write refused with 4xx) with outcome refused, and every write failed with 5xx with outcome error, their details {status, reason}; every gateway tool call and every refused gateway key (action gateway.authenticate); beyond 100 refusals in 10 s, one audit.refusals_aggregated record per 10 s with their counts; and retention checkpoints. Filters combine; from is inclusive, to exclusive. Paging is by seq: X-Next-Before is the before of the next page (0 after the last one) (records appended meanwhile never shift a page).
//	@Tags			audit
//	@Produce		json
//	@Security		AdminKey
//	@Param			from		query		string	false	"records at or after this time (RFC 3339)"
//	@Param			to			query		string	false	"records before this time (RFC 3339)"
//	@Param			actor_kind	query		string	false	"root_key, admin_key, cli, gateway_key, system or anonymous"
//	@Param			actor		query		string	false	"actor id: admin key id, CLI user, gateway key id"
//	@Param			action		query		string	false	"operation, e.g. user.create, config.add_server, tool.call, gateway.authenticate, audit.refusals_aggregated"
//	@Param			entity_kind	query		string	false	"entity kind, e.g. user, server, api_key, tool"
//	@Param			entity		query		string	false	"entity id"
//	@Param			outcome		query		string	false	"success, refused or error"
//	@Param			before		query		int		false	"only records with a smaller seq (the paging cursor)"
//	@Param			limit		query		int		false	"page size, 1 to 1000 (default 100)"
//	@Success		200			{object}	models.Envelope{data=[]models.AuditRecord}
//	@Header			200			{integer}	X-Next-Before	"before of the next page; 0 after the last page"
//	@Failure		400			{object}	models.ErrorResponse
//	@Failure		401			{object}	models.ErrorResponse
//	@Failure		500			{object}	models.ErrorResponse
//	@Failure		503			{object}	models.ErrorResponse	"timeout: the request did not complete within its time limit (the store is busy); retry after Retry-After"
//	@Router			/api/v1/audit [get]
func (h *AuditController) List(c *gin.Context) {
	q, err := auditQueryOf(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	recs, err := h.svc.List(c.Request.Context(), q)
	if err != nil {
		h.fail(c, err)
		return
	}
	limit := q.Limit
	if limit == 0 {
		limit = audit.DefaultLimit
	}
	next := int64(0)
	if n := len(recs); n > 0 && n == limit {
		next = recs[n-1].Seq
	}
	c.Header(NextBeforeHeader, strconv.FormatInt(next, 10))
	ok(c, http.StatusOK, "Audit records retrieved successfully", models.Items(recs, trail.View))
}

// auditQueryOf reads the filters of the query string, naming the first
// malformed one; the service checks the rest.
func auditQueryOf(c *gin.Context) (audit.Query, error) {
	q := audit.Query{ActorKind: audit.ActorKind(c.Query("actor_kind")), ActorID: c.Query("actor"), Action: c.Query("action"),
		EntityKind: c.Query("entity_kind"), EntityID: c.Query("entity"), Outcome: audit.Outcome(c.Query("outcome"))}
	for _, t := range []struct {
		name string
		dst  *time.Time
	}{{"from", &q.From}, {"to", &q.To}} {
		if v := c.Query(t.name); v != "" {
			parsed, err := time.Parse(time.RFC3339Nano, v)
			if err != nil {
				return q, errs.Invalid("%s must be an RFC 3339 time, e.g. 2026-01-02T15:04:05Z", t.name)
			}
			*t.dst = parsed
		}
	}
	for _, n := range []struct {
		name string
		set  func(int64)
	}{{"before", func(v int64) { q.Before = v }}, {"limit", func(v int64) { q.Limit = int(v) }}} {
		if v := c.Query(n.name); v != "" {
			parsed, err := strconv.ParseInt(v, 10, 64)
			if err != nil || parsed < 1 {
				return q, errs.Invalid("%s must be a positive integer", n.name)
			}
			n.set(parsed)
		}
	}
	return q, nil
}
