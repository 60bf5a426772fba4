package controllers_test

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/services"
)

// seedUser creates a user and returns its id.
func (h *harness) seedUser(email string) string {
	h.t.Helper()
	now := time.Now().UTC()
	u := models.User{ID: uuid.NewString(), Email: email, CreatedAt: now, UpdatedAt: now}
	require.NoError(h.t, h.store.Users().Create(context.Background(), u))
	return u.ID
}

// userID returns the id of the user with this email.
func (h *harness) userID(email string) string {
	h.t.Helper()
	u, err := h.store.Users().Resolve(context.Background(), email)
	require.NoError(h.t, err)
	return u.ID
}

// seedKey stores a key of a member for a project and returns its id.
func (h *harness) seedKey(email, project string) string {
	h.t.Helper()
	p, err := h.store.Projects().Resolve(context.Background(), project)
	require.NoError(h.t, err)
	k := models.APIKey{ID: uuid.NewString(), Hash: services.HashAPIKeySecret(uuid.NewString()), Last4: "abcd",
		UserID: h.userID(email), ProjectID: p.ID, CreatedAt: time.Now().UTC()}
	require.NoError(h.t, h.store.APIKeys().Create(context.Background(), k))
	return k.ID
}
