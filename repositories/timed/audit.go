package timed

import (
	"context"
	"time"

	"github.com/securemcp/gateway/audit"
	"github.com/securemcp/gateway/repositories"
)

type auditRepo struct {
	next repositories.AuditRepository
	observer
}

func (r repos) Audit() repositories.AuditRepository { return auditRepo{r.next.Audit(), r.observer} }

func (r auditRepo) Last(ctx context.Context) (_ audit.Head, err error) {
	defer r.observe("audit.last", time.Now(), &err)
	return r.next.Last(ctx)
}

func (r auditRepo) Append(ctx context.Context, recs []audit.Record) (err error) {
	defer r.observe("audit.append", time.Now(), &err)
	return r.next.Append(ctx, recs)
}

func (r auditRepo) Head(ctx context.Context) (_ audit.Head, err error) {
	defer r.observe("audit.head", time.Now(), &err)
	return r.next.Head(ctx)
}

func (r auditRepo) List(ctx context.Context, q audit.Query) (_ []audit.Record, err error) {
	defer r.observe("audit.list", time.Now(), &err)
	return r.next.List(ctx, q)
}

func (r auditRepo) Scan(ctx context.Context, after int64, limit int) (_ []audit.Record, err error) {
	defer r.observe("audit.scan", time.Now(), &err)
	return r.next.Scan(ctx, after, limit)
}

func (r auditRepo) Bounds(ctx context.Context) (_, _ int64, err error) {
	defer r.observe("audit.bounds", time.Now(), &err)
	return r.next.Bounds(ctx)
}

func (r auditRepo) FirstAtOrAfter(ctx context.Context, t time.Time) (_ int64, err error) {
	defer r.observe("audit.first_at_or_after", time.Now(), &err)
	return r.next.FirstAtOrAfter(ctx, t)
}

func (r auditRepo) Get(ctx context.Context, seq int64) (_ audit.Record, err error) {
	defer r.observe("audit.get", time.Now(), &err)
	return r.next.Get(ctx, seq)
}

func (r auditRepo) DeleteThrough(ctx context.Context, seq int64) (_ int64, err error) {
	defer r.observe("audit.delete_through", time.Now(), &err)
	return r.next.DeleteThrough(ctx, seq)
}
