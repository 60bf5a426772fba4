package services

import (
	"context"
	"fmt"

	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/repositories"
)

func resolveUser(ctx context.Context, r repositories.Repos, ident string) (models.User, error) {
	u, err := r.Users().Resolve(ctx, ident)
	return u, storeErr(err, fmt.Sprintf("user %q not found", ident), "")
}

// resolveUserByFields finds the user named by an id field and/or an email field
// (already cleaned).
func resolveUserByFields(ctx context.Context, r repositories.Repos, id, email string) (models.User, error) {
	if id == "" {
		return resolveUser(ctx, r, email)
	}
	u, err := r.Users().Get(ctx, id)
	if err != nil {
		return u, storeErr(err, fmt.Sprintf("user id %q not found", id), "")
	}
	if email != "" && u.Email != email {
		return u, Invalid("user_id and email name different users")
	}
	return u, nil
}
