package timed

import (
	"context"
	"time"

	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/repositories"
)

type integrity struct {
	next repositories.IntegrityRepository
	observer
}

func (r repos) Integrity() repositories.IntegrityRepository {
	return integrity{r.next.Integrity(), r.observer}
}

func (r integrity) Counts(ctx context.Context) (_ models.StoreCounts, err error) {
	defer r.observe("integrity.counts", time.Now(), &err)
	return r.next.Counts(ctx)
}

func (r integrity) Findings(ctx context.Context, limit int) (_ models.IntegrityFindings, err error) {
	defer r.observe("integrity.findings", time.Now(), &err)
	return r.next.Findings(ctx, limit)
}
