package gateway

import (
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func tools(names ...string) []*mcp.Tool {
	out := make([]*mcp.Tool, len(names))
	for i, n := range names {
		out[i] = &mcp.Tool{Name: n, Description: "does " + n, InputSchema: map[string]any{"type": "object"}}
	}
	return out
}

func TestToolTableNamesAndRoutes(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("s", 80)
	table := buildToolTable([]ServerTools{
		{Server: "github", Tools: tools("create_issue", "search")},
		{Server: "my server.v2", Tools: tools("read/file", "naïve")},
		{Server: "a__b", Tools: tools("c")},
		{Server: "a", Tools: tools("b__c")},
		{Server: long, Tools: tools("x", "y")},
		{Server: "", Tools: tools("")},
	}, map[string]bool{"enkrypt_list_all_servers": true})

	var names []string
	for _, tool := range table.Tools {
		names = append(names, tool.Name)
		assert.LessOrEqual(t, len(tool.Name), MaxToolNameLength, tool.Name)
		assert.Regexp(t, `^[A-Za-z0-9_-]+$`, tool.Name)
	}
	assert.Equal(t, "github__create_issue", names[0])
	assert.Equal(t, "github__search", names[1])
	assert.Regexp(t, `^my_server_v2__read_file_[0-9a-f]{8}$`, names[2], "a sanitised name carries a suffix of the exact names")
	assert.Regexp(t, `^my_server_v2__na_ve_[0-9a-f]{8}$`, names[3])
	assert.Regexp(t, `^a__b__c_[0-9a-f]{8}$`, names[4], "a server name with the separator is never plain")
	assert.Equal(t, "a__b__c", names[5], "the first __ of a plain name is the separator")
	assert.NotEqual(t, names[6], names[7], "long names that share a prefix stay distinct")
	seen := map[string]bool{}
	for _, n := range names {
		assert.False(t, seen[n], "duplicate %s", n)
		seen[n] = true
	}
	for name, want := range map[string]Route{
		names[4]: {Server: "a__b", Tool: "c"},
		names[5]: {Server: "a", Tool: "b__c"},
		names[2]: {Server: "my server.v2", Tool: "read/file"},
		names[7]: {Server: long, Tool: "y"},
	} {
		got, ok := table.Lookup(name)
		require.True(t, ok, name)
		assert.Equal(t, want, got, "routed by the table, not by splitting %s", name)
	}
	_, ok := table.Lookup("github__missing")
	assert.False(t, ok)

	// A name depends on its own server and tool only: whichever other
	// servers answer, and in whatever order, it leads to the same tool.
	alone := buildToolTable([]ServerTools{{Server: "a", Tools: tools("b__c")}}, nil)
	assert.Equal(t, names[5], alone.Tools[0].Name)
	swapped := buildToolTable([]ServerTools{{Server: "my_server_v2", Tools: tools("read_file")}, {Server: "my server.v2", Tools: tools("read/file")}}, nil)
	assert.Equal(t, "my_server_v2__read_file", swapped.Tools[0].Name, "a plain name stays plain")
	assert.Equal(t, names[2], swapped.Tools[1].Name, "and the sanitised one keeps its suffix")
	trailing := buildToolTable([]ServerTools{{Server: "a_", Tools: tools("b")}, {Server: "a", Tools: tools("_b")}}, nil)
	assert.NotEqual(t, trailing.Tools[0].Name, trailing.Tools[1].Name)
	assert.Equal(t, "a___b", trailing.Tools[1].Name)
}

func TestToolTableNeverTakesAReservedName(t *testing.T) {
	t.Parallel()
	table := buildToolTable([]ServerTools{{Server: "enkrypt_list_all", Tools: tools("servers")}},
		map[string]bool{"enkrypt_list_all__servers": true})
	assert.NotEqual(t, "enkrypt_list_all__servers", table.Tools[0].Name)
}

func TestToolTableKeepsEverythingButTheName(t *testing.T) {
	t.Parallel()
	in := &mcp.Tool{Name: "t", Title: "T", Description: "d", InputSchema: map[string]any{"type": "object", "properties": map[string]any{"q": map[string]any{"type": "string"}}},
		Annotations: &mcp.ToolAnnotations{ReadOnlyHint: true}, OutputSchema: map[string]any{"type": "object"}}
	table := buildToolTable([]ServerTools{{Server: "s", Tools: []*mcp.Tool{in}}}, nil)
	out := *table.Tools[0]
	assert.Equal(t, "s__t", out.Name)
	out.Name = "t"
	assert.Equal(t, *in, out)
	assert.Equal(t, "t", in.Name, "the upstream's tool is not modified")
}

func TestAllowList(t *testing.T) {
	t.Parallel()
	all := NewAllowList(nil)
	assert.True(t, all.Allows("anything"), "an empty tools object allows every tool")

	only := NewAllowList(map[string]any{"read": "Reads a file", "list": map[string]any{"enabled": true}, "delete": map[string]any{"enabled": false}})
	assert.True(t, only.Allows("read"))
	assert.True(t, only.Allows("list"))
	assert.False(t, only.Allows("delete"), "enabled: false excludes")
	assert.False(t, only.Allows("write"), "a tool not named is not offered")
	assert.Equal(t, []string{"read", "list"}, names(only.Filter(tools("read", "write", "list", "delete"))))

	hideOne := NewAllowList(map[string]any{"delete": map[string]any{"enabled": false}})
	assert.False(t, hideOne.Allows("delete"))
	assert.True(t, hideOne.Allows("read"), "exclusions alone hide only what they name")
}

func names(ts []*mcp.Tool) []string {
	var out []string
	for _, t := range ts {
		out = append(out, t.Name)
	}
	return out
}
