package storetest

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/repositories"
)

func newServer(i int, name string) models.Server {
	return models.Server{
		Name: name, Description: "server " + name, Command: "npx", Args: []string{"-y", name},
		Env: map[string]string{"TOKEN": "x"}, Tools: map[string]any{"search": true},
		InputPolicy:  models.GuardrailPolicy{Enabled: true, PolicyName: "p", AdditionalConfig: map[string]any{"pii_redaction": true}, Block: []string{"policy_violation"}},
		OutputPolicy: models.DefaultGuardrailPolicy(), ToolPolicy: models.DefaultGuardrailPolicy(),
		OAuthConfig: map[string]any{"enabled": true, "OAUTH_CLIENT_ID": "client-" + name, "OAUTH_CLIENT_SECRET": "secret-" + name,
			"OAUTH_TOKEN_EXPIRY_BUFFER": json.Number("300"), "OAUTH_CLIENT_CERT_PATH": nil,
			"OAUTH_CUSTOM_HEADERS": map[string]any{"X-Tenant": "t1"}},
		CreatedAt: at(i), UpdatedAt: at(i),
	}
}

func testServers(t *testing.T, newStore Factory) {
	setup := func(t *testing.T) (repositories.Store, models.Config) {
		s := newStore(t)
		c := newConfig(1, "cfg")
		require.NoError(t, s.Configs().Create(ctx(), c))
		return s, c
	}
	t.Run("RoundTripKeepsEveryField", func(t *testing.T) {
		s, c := setup(t)
		want := newServer(1, "github")
		require.NoError(t, s.Servers().Create(ctx(), c.ID, want))
		got, err := s.Servers().Get(ctx(), c.ID, "github")
		require.NoError(t, err)
		assert.Equal(t, want, got)
	})
	t.Run("DuplicateNameInConfigIsConflict", func(t *testing.T) {
		s, c := setup(t)
		require.NoError(t, s.Servers().Create(ctx(), c.ID, newServer(1, "x")))
		assert.ErrorIs(t, s.Servers().Create(ctx(), c.ID, newServer(2, "x")), repositories.ErrConflict)
		other := newConfig(2, "other")
		require.NoError(t, s.Configs().Create(ctx(), other))
		assert.NoError(t, s.Servers().Create(ctx(), other.ID, newServer(3, "x")), "names are unique per configuration only")
	})
	t.Run("UnknownConfigIsReferenceError", func(t *testing.T) {
		s := newStore(t)
		assert.ErrorIs(t, s.Servers().Create(ctx(), "missing", newServer(1, "x")), repositories.ErrReferenced)
	})
	t.Run("ListInCreationOrder", func(t *testing.T) {
		s, c := setup(t)
		for i, n := range []string{"z", "a", "m"} {
			require.NoError(t, s.Servers().Create(ctx(), c.ID, newServer(i, n)))
		}
		list, err := s.Servers().List(ctx(), c.ID)
		require.NoError(t, err)
		var names []string
		for _, srv := range list {
			names = append(names, srv.Name)
		}
		assert.Equal(t, []string{"z", "a", "m"}, names)
	})
	t.Run("UpdateReplacesFields", func(t *testing.T) {
		s, c := setup(t)
		srv := newServer(1, "x")
		require.NoError(t, s.Servers().Create(ctx(), c.ID, srv))
		srv.Command, srv.Args, srv.Env, srv.Description, srv.UpdatedAt = "uvx", []string{}, map[string]string{}, "", at(9)
		require.NoError(t, s.Servers().Update(ctx(), c.ID, srv))
		got, err := s.Servers().Get(ctx(), c.ID, "x")
		require.NoError(t, err)
		assert.Equal(t, srv, got)
		srv.Name = "missing"
		assert.ErrorIs(t, s.Servers().Update(ctx(), c.ID, srv), repositories.ErrNotFound)
	})
	t.Run("OAuthConfigIsOptionalAndCanBeCleared", func(t *testing.T) {
		s, c := setup(t)
		none := newServer(1, "none")
		none.OAuthConfig = nil
		require.NoError(t, s.Servers().Create(ctx(), c.ID, none))
		got, err := s.Servers().Get(ctx(), c.ID, "none")
		require.NoError(t, err)
		assert.Nil(t, got.OAuthConfig, "no oauth_config reads back as none")

		srv := newServer(2, "oauth")
		require.NoError(t, s.Servers().Create(ctx(), c.ID, srv))
		srv.OAuthConfig["OAUTH_SCOPE"] = "read write"
		require.NoError(t, s.Servers().Update(ctx(), c.ID, srv))
		got, err = s.Servers().Get(ctx(), c.ID, "oauth")
		require.NoError(t, err)
		assert.Equal(t, srv, got)
		srv.OAuthConfig = map[string]any{}
		require.NoError(t, s.Servers().Update(ctx(), c.ID, srv))
		list, err := s.Servers().List(ctx(), c.ID)
		require.NoError(t, err)
		require.Len(t, list, 2)
		assert.Nil(t, list[1].OAuthConfig, "an empty oauth_config is none")
	})
	t.Run("SharedProcessIsKeptAndChanged", func(t *testing.T) {
		s, c := setup(t)
		srv := newServer(1, "shared")
		srv.SharedProcess = true
		require.NoError(t, s.Servers().Create(ctx(), c.ID, srv))
		got, err := s.Servers().Get(ctx(), c.ID, "shared")
		require.NoError(t, err)
		assert.True(t, got.SharedProcess)
		srv.SharedProcess = false
		require.NoError(t, s.Servers().Update(ctx(), c.ID, srv))
		list, err := s.Servers().List(ctx(), c.ID)
		require.NoError(t, err)
		assert.False(t, list[0].SharedProcess)
	})
	t.Run("ToolPinsAreKeptAndChanged", func(t *testing.T) {
		s, c := setup(t)
		srv := newServer(1, "pinned")
		require.NoError(t, s.Servers().Create(ctx(), c.ID, srv))
		got, err := s.Servers().Get(ctx(), c.ID, "pinned")
		require.NoError(t, err)
		assert.Nil(t, got.ToolPins, "no pins before the first discovery")
		srv.ToolPins = &models.ToolPins{
			Pinned: map[string]models.PinnedTool{"search": {Hash: "h1", Definition: json.RawMessage(`{"name":"search","description":"Searches"}`), PinnedAt: at(2)}},
			Pending: map[string]models.PendingTool{"search": {Kind: models.PendingChanged, Hash: "h2",
				Definition: json.RawMessage(`{"name":"search","description":"Now exfiltrates"}`), SeenAt: at(3)}},
		}
		require.NoError(t, s.Servers().Update(ctx(), c.ID, srv))
		got, err = s.Servers().Get(ctx(), c.ID, "pinned")
		require.NoError(t, err)
		assert.Equal(t, srv.ToolPins, got.ToolPins)
		list, err := s.Servers().List(ctx(), c.ID)
		require.NoError(t, err)
		assert.Equal(t, srv.ToolPins, list[0].ToolPins)
	})
	t.Run("DeleteOneAndAll", func(t *testing.T) {
		s, c := setup(t)
		for i, n := range []string{"a", "b", "c"} {
			require.NoError(t, s.Servers().Create(ctx(), c.ID, newServer(i, n)))
		}
		require.NoError(t, s.Servers().Delete(ctx(), c.ID, "b"))
		assert.ErrorIs(t, s.Servers().Delete(ctx(), c.ID, "b"), repositories.ErrNotFound)
		_, err := s.Servers().Get(ctx(), c.ID, "b")
		assert.ErrorIs(t, err, repositories.ErrNotFound)
		require.NoError(t, s.Servers().DeleteAll(ctx(), c.ID))
		list, err := s.Servers().List(ctx(), c.ID)
		require.NoError(t, err)
		assert.Empty(t, list)
	})
}
