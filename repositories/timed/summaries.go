package timed

import (
	"context"
	"time"

	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/repositories"
)

// The listing queries of projects, users, memberships and API keys, and the
// lookup of key verification.

func (r projects) Summaries(ctx context.Context, page repositories.Page) (_ []models.ProjectSummary, _ int, err error) {
	defer r.observe("projects.summaries", time.Now(), &err)
	return r.next.Summaries(ctx, page)
}

func (r projects) Search(ctx context.Context, term string) (_ []models.ProjectSummary, err error) {
	defer r.observe("projects.search", time.Now(), &err)
	return r.next.Search(ctx, term)
}

func (r users) Summaries(ctx context.Context, page repositories.Page) (_ []models.UserSummary, _ int, err error) {
	defer r.observe("users.summaries", time.Now(), &err)
	return r.next.Summaries(ctx, page)
}

func (r users) SummaryBatch(ctx context.Context, after repositories.Cursor, skip, limit int) (_ []models.UserSummary, _ repositories.Cursor, err error) {
	defer r.observe("users.summary_batch", time.Now(), &err)
	return r.next.SummaryBatch(ctx, after, skip, limit)
}

func (r users) Search(ctx context.Context, term string) (_ []models.UserSummary, err error) {
	defer r.observe("users.search", time.Now(), &err)
	return r.next.Search(ctx, term)
}

func (r memberships) Members(ctx context.Context, projectID string) (_ []models.Member, err error) {
	defer r.observe("memberships.members", time.Now(), &err)
	return r.next.Members(ctx, projectID)
}

func (r memberships) ProjectsOf(ctx context.Context, userID string) (_ []models.UserProject, err error) {
	defer r.observe("memberships.projects_of", time.Now(), &err)
	return r.next.ProjectsOf(ctx, userID)
}

func (r apiKeys) ListInfo(ctx context.Context, f repositories.APIKeyFilter, page repositories.Page) (_ []models.APIKeyInfo, _ int, err error) {
	defer r.observe("api_keys.list_info", time.Now(), &err)
	return r.next.ListInfo(ctx, f, page)
}

func (r apiKeys) InfoBatch(ctx context.Context, f repositories.APIKeyFilter, after repositories.Cursor, skip, limit int) (_ []models.APIKeyInfo, _ repositories.Cursor, err error) {
	defer r.observe("api_keys.info_batch", time.Now(), &err)
	return r.next.InfoBatch(ctx, f, after, skip, limit)
}

func (r apiKeys) CountInfo(ctx context.Context, f repositories.APIKeyFilter) (_ int, err error) {
	defer r.observe("api_keys.count_info", time.Now(), &err)
	return r.next.CountInfo(ctx, f)
}

func (r apiKeys) GetInfo(ctx context.Context, id string) (_ models.APIKeyInfo, err error) {
	defer r.observe("api_keys.get_info", time.Now(), &err)
	return r.next.GetInfo(ctx, id)
}

func (r apiKeys) GetPrincipal(ctx context.Context, hash string) (_ models.KeyPrincipal, err error) {
	defer r.observe("api_keys.get_principal", time.Now(), &err)
	return r.next.GetPrincipal(ctx, hash)
}
