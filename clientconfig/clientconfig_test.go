package clientconfig

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var gw = Gateway{URL: "http://localhost:8000/mcp/", Key: "smg_key", Bridge: []string{"/usr/local/bin/secure-mcp-gateway", "mcp", "bridge", "--url", "http://localhost:8000/mcp/"}}

func TestEntriesPerClient(t *testing.T) {
	for c, want := range map[Client]string{
		ClaudeDesktop: `{"args":["mcp","bridge","--url","http://localhost:8000/mcp/"],"command":"/usr/local/bin/secure-mcp-gateway","env":{"ENKRYPT_GATEWAY_KEY":"smg_key"}}`,
		ClaudeCode:    `{"headers":{"Authorization":"Bearer smg_key"},"type":"http","url":"http://localhost:8000/mcp/"}`,
		Cursor:        `{"headers":{"Authorization":"Bearer smg_key"},"url":"http://localhost:8000/mcp/"}`,
		VSCode:        `{"headers":{"Authorization":"Bearer smg_key"},"type":"http","url":"http://localhost:8000/mcp/"}`,
	} {
		entry, err := Entry(c, gw)
		require.NoError(t, err, c)
		got, err := json.Marshal(entry)
		require.NoError(t, err)
		assert.JSONEq(t, want, string(got), c)
	}
	_, err := Entry(Cursor, Gateway{URL: "http://x"})
	assert.Error(t, err, "a key is required")
}

func TestMergeKeepsEverythingElseInOrder(t *testing.T) {
	existing := `{
  "theme": "dark",
  "mcpServers": {
    "github": {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-github"], "env": {"TOKEN": "t"}},
    "secure-mcp-gateway": {"url": "http://old"}
  },
  "numbers": 12345678901234567890
}`
	entry, err := Entry(Cursor, gw)
	require.NoError(t, err)
	out, err := Merge([]byte(existing), Cursor, "secure-mcp-gateway", entry)
	require.NoError(t, err)
	text := string(out)
	assert.Less(t, strings.Index(text, `"theme"`), strings.Index(text, `"mcpServers"`), "members keep their order")
	assert.Less(t, strings.Index(text, `"github"`), strings.Index(text, `"secure-mcp-gateway"`))
	assert.Contains(t, text, "12345678901234567890", "numbers are kept exactly")
	var doc map[string]any
	require.NoError(t, json.Unmarshal(out, &doc))
	servers := doc["mcpServers"].(map[string]any)
	assert.Len(t, servers, 2)
	assert.Equal(t, "npx", servers["github"].(map[string]any)["command"], "other servers are untouched")
	assert.Equal(t, "http://localhost:8000/mcp/", servers["secure-mcp-gateway"].(map[string]any)["url"], "the entry is replaced")
}

func TestMergeIntoNewAndEmptyFiles(t *testing.T) {
	entry, err := Entry(VSCode, gw)
	require.NoError(t, err)
	for _, existing := range []string{"", "  \n", "{}", `{"servers": null}`} {
		out, err := Merge([]byte(existing), VSCode, "gw", entry)
		require.NoError(t, err, existing)
		var doc map[string]map[string]any
		require.NoError(t, json.Unmarshal(out, &doc))
		assert.Contains(t, doc["servers"], "gw", existing)
	}
}

func TestMergeRefusesWhatItCannotKeep(t *testing.T) {
	entry, err := Entry(Cursor, gw)
	require.NoError(t, err)
	for _, existing := range []string{"[]", "not json", `{"mcpServers": []}`, `{"a": 1`} {
		_, err := Merge([]byte(existing), Cursor, "gw", entry)
		assert.Error(t, err, existing)
	}
}

func TestParseClientAndPaths(t *testing.T) {
	c, err := ParseClient("Claude")
	require.NoError(t, err)
	assert.Equal(t, ClaudeCode, c, "the original's name for Claude Code")
	_, err = ParseClient("emacs")
	assert.ErrorContains(t, err, "claude-desktop")
	assert.Equal(t, "/home/u/.cursor/mcp.json", Path(Cursor, "linux", "/home/u", ""))
	assert.Equal(t, "/home/u/.claude.json", Path(ClaudeCode, "linux", "/home/u", ""))
	assert.Equal(t, "/Users/u/Library/Application Support/Claude/claude_desktop_config.json", Path(ClaudeDesktop, "darwin", "/Users/u", ""))
	assert.Equal(t, "/home/u/.config/Code/User/mcp.json", Path(VSCode, "linux", "/home/u", ""))
}
