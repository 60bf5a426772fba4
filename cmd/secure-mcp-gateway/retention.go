package main

import (
	"context"
	"time"

	"go.uber.org/zap"

	"github.com/securemcp/gateway/audit"
	"github.com/securemcp/gateway/services/trail"
)

// retentionInterval is how often a server applies the audit retention.
// Several instances may run it: the chain's lock serializes them, and the
// second finds nothing old enough left to remove.
const retentionInterval = time.Hour

// keepAuditRetention removes audit records older than days (with a
// checkpoint) at start and every retentionInterval, until the returned stop
// is called (it waits for a pruning under way: call it before closing the
// store); days 0 keeps every record.
func keepAuditRetention(svc *trail.AuditService, days int, log *zap.Logger) (stop func()) {
	if days <= 0 {
		return func() {}
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	maxAge := time.Duration(days) * 24 * time.Hour
	prune := func() {
		res, err := svc.Prune(ctx, maxAge)
		switch {
		case err != nil && ctx.Err() == nil:
			log.Error("audit retention failed", zap.Error(err))
		case res.Checkpoint != nil:
			log.Info("audit retention removed old records", zap.Int64("first_seq", res.Checkpoint.FirstSeq),
				zap.Int64("through_seq", res.Checkpoint.ThroughSeq), zap.Int("days", days))
		}
	}
	go func() {
		defer close(done)
		prune()
		tick := time.NewTicker(retentionInterval)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				prune()
			}
		}
	}()
	return func() {
		cancel()
		<-done
	}
}

// logRefusalAggregates logs each audit.refusals_aggregated record stored:
// at most once per interval, however many refusals (or tool-call records a
// full queue turned away) it counts. Only counts and addresses: never a key.
func logRefusalAggregates(svc *trail.AuditService, log *zap.Logger) {
	svc.SetRefusalLimits(audit.GateConfig{}, func(a audit.Aggregate) {
		log.Warn("audit trail: requests refused beyond the budget of single records were counted in one aggregate record",
			zap.Int64("count", a.Count), zap.Time("from", a.From), zap.Time("to", a.To),
			zap.Any("by_action", a.ByAction), zap.Any("by_outcome", a.ByOutcome), zap.Int("addresses", len(a.ByAddr)),
			zap.Int64("other_addresses", a.OtherAddrs))
	})
}
