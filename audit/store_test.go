package audit

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestQueryNormalize(t *testing.T) {
	q, err := Query{}.Normalize()
	require.NoError(t, err)
	require.Equal(t, DefaultLimit, q.Limit)

	local := time.FixedZone("L", 3600)
	q, err = Query{From: time.Date(2026, 1, 1, 1, 0, 0, 0, local), Limit: MaxLimit}.Normalize()
	require.NoError(t, err)
	require.Equal(t, time.UTC, q.From.Location())
	require.Equal(t, MaxLimit, q.Limit)

	for name, bad := range map[string]Query{
		"limit too large":  {Limit: MaxLimit + 1},
		"negative limit":   {Limit: -1},
		"negative cursor":  {Before: -5},
		"empty time range": {From: t0, To: t0},
		"reversed range":   {From: t0.Add(time.Hour), To: t0},
		"actor kind":       {ActorKind: "robot"},
		"outcome":          {Outcome: "maybe"},
		"action":           {Action: "DROP TABLE"},
	} {
		_, err := bad.Normalize()
		require.ErrorIs(t, err, ErrInvalid, name)
	}
}

func TestQueryMatches(t *testing.T) {
	r := sample(1) // server.update by admin_key admin-1 at t0+1.234567s
	for _, tc := range []struct {
		name string
		q    Query
		want bool
	}{
		{"no filter", Query{}, true},
		{"from inclusive", Query{From: r.Time}, true},
		{"to exclusive", Query{To: r.Time}, false},
		{"inside range", Query{From: t0, To: t0.Add(time.Hour)}, true},
		{"after range", Query{From: t0.Add(time.Hour)}, false},
		{"actor kind", Query{ActorKind: ActorAdminKey}, true},
		{"other actor kind", Query{ActorKind: ActorCLI}, false},
		{"actor id", Query{ActorID: "admin-1"}, true},
		{"other actor id", Query{ActorID: "admin-2"}, false},
		{"action", Query{Action: "server.update"}, true},
		{"other action", Query{Action: ActionToolCall}, false},
		{"entity", Query{EntityKind: "server", EntityID: "cfg-1/github"}, true},
		{"other entity id", Query{EntityKind: "server", EntityID: "cfg-1/other"}, false},
		{"outcome", Query{Outcome: OutcomeSuccess}, true},
		{"other outcome", Query{Outcome: OutcomeRefused}, false},
	} {
		require.Equal(t, tc.want, tc.q.Matches(r), tc.name)
	}
}
