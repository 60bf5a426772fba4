package audit

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDiffEntitiesPrefixesPathsAndMasks(t *testing.T) {
	type server struct {
		Name string
		Env  map[string]string
	}
	d, err := DiffEntities([]EntityChange{
		{Entity: Entity{Kind: "server", ID: "cfg/github"}, Before: server{Name: "github", Env: map[string]string{"GITHUB_TOKEN": "ghp_0123456789abcdefghij"}},
			After: server{Name: "github", Env: map[string]string{"GITHUB_TOKEN": "ghp_abcdefghij0123456789"}}},
		{Entity: Entity{Kind: "user", ID: "u1"}, Before: map[string]any{"Email": "a@x.io"}},
	}, 3)
	require.NoError(t, err)
	require.Len(t, d.Changes, 2)
	assert.Equal(t, "/server/cfg~1github/Env/GITHUB_TOKEN", d.Changes[0].Path)
	assert.NotContains(t, string(d.Changes[0].Before)+string(d.Changes[0].After), "ghp_")
	assert.Equal(t, "/user/u1/Email", d.Changes[1].Path)
	assert.JSONEq(t, `"a@x.io"`, string(d.Changes[1].Before))
	assert.Nil(t, d.Changes[1].After)
	assert.Equal(t, 3, d.Omitted)
}

func TestDiffEntitiesBoundsTheWhole(t *testing.T) {
	var changes []EntityChange
	for i := 0; i < maxChanges; i++ {
		changes = append(changes, EntityChange{Entity: Entity{Kind: "user", ID: strings.Repeat("u", i+1)}, After: map[string]any{"A": 1, "B": 2}})
	}
	d, err := DiffEntities(changes, 0)
	require.NoError(t, err)
	assert.Len(t, d.Changes, maxChanges)
	assert.Equal(t, maxChanges, d.Omitted)
}
