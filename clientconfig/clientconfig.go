// Package clientconfig writes the gateway into the MCP configuration of the
// clients people use: Claude Desktop, Claude Code, Cursor and VS Code. Each
// keeps a JSON file with its MCP servers; the gateway's entry is merged into
// it, and every other entry and member of the file is kept.
package clientconfig

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
)

// Client is an MCP client whose configuration the gateway can write.
type Client string

// Clients the gateway knows.
const (
	ClaudeDesktop Client = "claude-desktop"
	ClaudeCode    Client = "claude-code"
	Cursor        Client = "cursor"
	VSCode        Client = "vscode"
)

// Clients lists them, for help and errors.
var Clients = []Client{ClaudeDesktop, ClaudeCode, Cursor, VSCode}

// ParseClient reads a client name; "claude" is Claude Code, as the original
// system's install accepted it.
func ParseClient(s string) (Client, error) {
	c := Client(strings.ToLower(strings.TrimSpace(s)))
	if c == "claude" {
		c = ClaudeCode
	}
	if !slices.Contains(Clients, c) {
		return "", fmt.Errorf("client %q is not one of claude-desktop, claude-code (or claude), cursor, vscode", s)
	}
	return c, nil
}

// Gateway is what an entry points at.
type Gateway struct {
	// URL is the gateway's streamable HTTP endpoint, e.g. http://localhost:8000/mcp/.
	URL string
	// Key is the user's gateway API key.
	Key string
	// Bridge is the command line that runs the stdio bridge (the gateway's
	// own binary with "mcp bridge --url URL"), for clients that start stdio
	// servers only (Claude Desktop).
	Bridge []string
}

// Path is where a client keeps its configuration for the current user.
// goos is runtime.GOOS; home the user's home directory; appData the Windows
// %APPDATA% (ignored elsewhere).
func Path(c Client, goos, home, appData string) string {
	switch c {
	case ClaudeDesktop:
		switch goos {
		case "darwin":
			return filepath.Join(home, "Library", "Application Support", "Claude", "claude_desktop_config.json")
		case "windows":
			return filepath.Join(appData, "Claude", "claude_desktop_config.json")
		}
		return filepath.Join(home, ".config", "Claude", "claude_desktop_config.json")
	case ClaudeCode:
		return filepath.Join(home, ".claude.json")
	case Cursor:
		return filepath.Join(home, ".cursor", "mcp.json")
	case VSCode:
		switch goos {
		case "darwin":
			return filepath.Join(home, "Library", "Application Support", "Code", "User", "mcp.json")
		case "windows":
			return filepath.Join(appData, "Code", "User", "mcp.json")
		}
		return filepath.Join(home, ".config", "Code", "User", "mcp.json")
	}
	return ""
}

// serversMember is the member of a client's file that holds its servers.
func serversMember(c Client) string {
	if c == VSCode {
		return "servers"
	}
	return "mcpServers"
}

// Entry is the gateway's server entry in a client's configuration.
func Entry(c Client, g Gateway) (map[string]any, error) {
	if g.URL == "" || g.Key == "" {
		return nil, errors.New("the gateway URL and an API key are required")
	}
	headers := map[string]any{"Authorization": "Bearer " + g.Key}
	switch c {
	case ClaudeDesktop:
		if len(g.Bridge) == 0 {
			return nil, errors.New("claude-desktop starts stdio servers only: the bridge command is required")
		}
		return map[string]any{"command": g.Bridge[0], "args": g.Bridge[1:], "env": map[string]any{"ENKRYPT_GATEWAY_KEY": g.Key}}, nil
	case ClaudeCode, VSCode:
		return map[string]any{"type": "http", "url": g.URL, "headers": headers}, nil
	case Cursor:
		return map[string]any{"url": g.URL, "headers": headers}, nil
	}
	return nil, fmt.Errorf("unknown client %q", c)
}

// Merge puts entry under name in a client's configuration file (existing;
// empty for a new file) and returns the new content. Every other server and
// every other member of the file is kept, in its order.
func Merge(existing []byte, c Client, name string, entry map[string]any) ([]byte, error) {
	doc := orderedObject{}
	if len(bytes.TrimSpace(existing)) > 0 {
		if err := json.Unmarshal(existing, &doc); err != nil {
			return nil, fmt.Errorf("the existing file is not a JSON object (%v); fix or move it first", err)
		}
	}
	member := serversMember(c)
	servers := orderedObject{}
	if raw, ok := doc.get(member); ok && string(raw) != "null" {
		if err := json.Unmarshal(raw, &servers); err != nil {
			return nil, fmt.Errorf("%s in the existing file is not a JSON object: %v", member, err)
		}
	}
	value, err := json.Marshal(entry)
	if err != nil {
		return nil, err
	}
	servers.set(name, value)
	encodedServers, err := json.Marshal(servers)
	if err != nil {
		return nil, err
	}
	doc.set(member, encodedServers)
	out, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, out, "", "  "); err != nil {
		return nil, err
	}
	return append(pretty.Bytes(), '\n'), nil
}
