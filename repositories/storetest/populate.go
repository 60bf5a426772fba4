package storetest

import (
	"context"
	"fmt"
	"time"

	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/repositories"
)

// Population names what Populate created.
type Population struct {
	ConfigID  string
	ProjectID string
	Project   string
	// Emails lists the users in creation order.
	Emails []string
}

// PopulationEmail is the email of the i-th user Populate creates.
func PopulationEmail(i int) string { return fmt.Sprintf("user%07d@bench.example.com", i) }

// Populate fills an empty store, in one transaction, with a configuration, a
// project using it, and n users who are all members of the project and hold
// one key each (whose secrets are unknown: their hashes are made up). It is
// for benchmarks at realistic table sizes.
func Populate(ctx context.Context, s repositories.Store, n int) (Population, error) {
	now := time.Now().UTC()
	pop := Population{ConfigID: "30000000-0000-4000-8000-000000000001", ProjectID: "30000000-0000-4000-8000-000000000002",
		Project: "bench-project", Emails: make([]string, 0, n)}
	users := make([]models.User, n)
	members := make([]models.Membership, n)
	keys := make([]models.APIKey, n)
	for i := range n {
		users[i] = models.User{ID: fmt.Sprintf("40000000-0000-4000-8000-%012d", i), Email: PopulationEmail(i), CreatedAt: now, UpdatedAt: now}
		members[i] = models.Membership{ProjectID: pop.ProjectID, UserID: users[i].ID, CreatedAt: now}
		keys[i] = models.APIKey{ID: fmt.Sprintf("50000000-0000-4000-8000-%012d", i), Hash: fmt.Sprintf("%064x", i),
			Last4: "0000", UserID: users[i].ID, ProjectID: pop.ProjectID, CreatedAt: now}
		pop.Emails = append(pop.Emails, users[i].Email)
	}
	err := s.InTx(ctx, func(tx repositories.Repos) error {
		if err := tx.Configs().Create(ctx, models.Config{ID: pop.ConfigID, Name: "bench-config", CreatedAt: now, UpdatedAt: now}); err != nil {
			return err
		}
		p := models.Project{ID: pop.ProjectID, Name: pop.Project, ConfigID: pop.ConfigID, CreatedAt: now, UpdatedAt: now}
		if err := tx.Projects().Create(ctx, p); err != nil {
			return err
		}
		if err := tx.Users().Create(ctx, users...); err != nil {
			return err
		}
		if err := tx.Memberships().Add(ctx, members...); err != nil {
			return err
		}
		return tx.APIKeys().Create(ctx, keys...)
	})
	return pop, err
}
