package system

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/repositories"
	"github.com/securemcp/gateway/services/entity"
	"github.com/securemcp/gateway/services/errs"
)

// PingTimeout bounds the store's answer to a readiness probe or a health
// check: a store slower than this is not ready, whatever the caller's own
// deadline (probes often allow seconds, and should hear "no" before theirs).
const PingTimeout = 2 * time.Second

// maxFindings bounds the entries of each kind in a health report, so that a
// store with many unusable keys still gets a short answer.
const maxFindings = 20

// Ready checks that the store answers (one cheap query, at most PingTimeout).
// It fails with KindUnavailable otherwise.
func (s *SystemService) Ready(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, PingTimeout)
	defer cancel()
	if err := s.store.Ping(ctx); err != nil {
		return &errs.Error{Kind: errs.KindUnavailable, Message: "the store does not answer", Err: err}
	}
	return nil
}

// Backend names the store's engine.
func (s *SystemService) Backend() string { return s.store.Backend() }

// HealthScope says how far a health check looks.
type HealthScope int

const (
	// HealthCounts pings the store and counts its entities (one statement):
	// cheap enough for monitoring to poll.
	HealthCounts HealthScope = iota
	// HealthIntegrity also runs the integrity queries. They are set-based but
	// each reads a whole table: about 3 s at 100,000 users and keys on SQLite
	// (against 4–6 s for the load of the whole store they replace), so they
	// run when asked for.
	HealthIntegrity
)

// Health pings the store, then counts its rows with one statement and, with
// HealthIntegrity, runs the integrity queries in the same read snapshot;
// never a load of the store. It fails with KindUnavailable only when the
// store does not answer.
func (s *SystemService) Health(ctx context.Context, scope HealthScope) (models.HealthReport, error) {
	report := models.HealthReport{Store: s.store.Backend(), Issues: []string{}, Warnings: []string{}}
	if err := s.Ready(ctx); err != nil {
		return report, err
	}
	var counts models.StoreCounts
	var f models.IntegrityFindings
	var err error
	if scope == HealthIntegrity {
		err = s.store.ReadSnapshot(ctx, func(r repositories.Repos) error {
			if counts, err = r.Integrity().Counts(ctx); err != nil {
				return err
			}
			f, err = r.Integrity().Findings(ctx, maxFindings+1)
			return err
		})
	} else {
		counts, err = s.store.Integrity().Counts(ctx)
	}
	if err != nil {
		return report, entity.StoreErr(err, "", "")
	}
	report.IntegrityChecked = scope == HealthIntegrity
	report.Issues = append(report.Issues, healthIssues(f)...)
	report.Warnings = append(report.Warnings, healthWarnings(f)...)
	report.Statistics = counts.Statistics()
	report.Healthy = len(report.Issues) == 0
	return report, nil
}

// healthIssues describes the findings that break the rules the API enforces.
func healthIssues(f models.IntegrityFindings) []string {
	var out []string
	out = appendBounded(out, f.Dangling, func(d models.DanglingReference) string {
		return fmt.Sprintf("%s: %s %q refers to no %s", danglingLabel(d), d.Field, d.Value, d.Target)
	})
	out = appendBounded(out, f.EmailsNotCanonical, func(email string) string {
		return fmt.Sprintf("user %q: email is not stored in canonical form (trimmed, lowercase)", email)
	})
	return appendBounded(out, f.EmailClashes, func(c models.CaseClash) string {
		return fmt.Sprintf("users %s: another user has the same email (emails are unique case-insensitively)", quoteAll(c.Values))
	})
}

// healthWarnings describes the findings the rules allow but that are likely mistakes.
func healthWarnings(f models.IntegrityFindings) []string {
	var out []string
	out = appendBounded(out, f.ConfigNameClashes, func(c models.CaseClash) string {
		return fmt.Sprintf("configurations %s differ only in case", quoteAll(c.Values))
	})
	out = appendBounded(out, f.ProjectNameClashes, func(c models.CaseClash) string {
		return fmt.Sprintf("projects %s differ only in case", quoteAll(c.Values))
	})
	out = appendBounded(out, f.KeysOfNonMembers, func(k models.KeyOfProject) string {
		return fmt.Sprintf("api key %q: its user is not a member of project %q, so it cannot authenticate", k.KeyID, k.ProjectName)
	})
	out = appendBounded(out, f.KeysWithoutConfig, func(k models.KeyOfProject) string {
		return fmt.Sprintf("api key %q: project %q has no configuration, so the key cannot authenticate", k.KeyID, k.ProjectName)
	})
	return appendBounded(out, f.KeysWithoutSecret, func(id string) string {
		return fmt.Sprintf("api key %q was imported without its secret, which was too short or too guessable to keep: rotate it, then enable it", id)
	})
}

// appendBounded appends a line per finding, up to maxFindings; the repository
// was asked for one more, whose presence says that the list goes on.
func appendBounded[T any](out []string, findings []T, describe func(T) string) []string {
	for i, f := range findings {
		if i == maxFindings {
			return append(out, fmt.Sprintf("… and more of the kind above: only the first %d are listed", maxFindings))
		}
		out = append(out, describe(f))
	}
	return out
}

// danglingLabel names the row of a dangling reference as the API shows it.
func danglingLabel(d models.DanglingReference) string {
	switch {
	case d.Entity == "server" && len(d.Keys) == 2:
		return fmt.Sprintf("server %q of configuration %q", d.Keys[1], d.Keys[0])
	case d.Entity == "membership" && len(d.Keys) == 2:
		return fmt.Sprintf("membership (project %q, user %q)", d.Keys[0], d.Keys[1])
	case d.Entity == "api_key" && len(d.Keys) == 1:
		return fmt.Sprintf("api key %q", d.Keys[0])
	case len(d.Keys) == 1:
		return fmt.Sprintf("%s %q", d.Entity, d.Keys[0])
	}
	return d.Entity
}

// quoteAll writes values as "a", "b" and "c".
func quoteAll(values []string) string {
	quoted := make([]string, len(values))
	for i, v := range values {
		quoted[i] = fmt.Sprintf("%q", v)
	}
	if len(quoted) < 2 {
		return strings.Join(quoted, "")
	}
	return strings.Join(quoted[:len(quoted)-1], ", ") + " and " + quoted[len(quoted)-1]
}
