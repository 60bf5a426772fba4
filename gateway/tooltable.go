package gateway

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"sync"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/securemcp/gateway/models"
)

// MaxToolNameLength is the longest tool name the gateway offers. The MCP
// specification allows 128 characters, but several clients refuse names over
// 64 (those that hand tools to a model API), so flat names stay within 64.
const MaxToolNameLength = 64

// nameSeparator joins a server name and a tool name in a flat tool name.
const nameSeparator = "__"

// Route is where a flat tool name leads: a server of the configuration and
// the tool's own name there.
type Route struct {
	Server string
	Tool   string
}

// ServerTools are the tools one upstream server offers, in its order.
type ServerTools struct {
	Server string
	Tools  []*mcp.Tool
}

// ToolTable is the flat tool list of a configuration and the table that routes
// each flat name back to its server and tool. Calls are routed by the table,
// never by splitting a name: server and tool names may contain the separator.
type ToolTable struct {
	Tools  []*mcp.Tool
	routes map[string]Route
	// servers are the definitions the table was built from, by name.
	servers map[string]models.Server
	// defs and sources are the definitions and the upstreams' own tool
	// lists the table was built from, in order, to tell whether it still
	// holds (builtFrom).
	defs    []models.Server
	sources [][]*mcp.Tool
	// failed are the servers whose discovery failed, by name, and why: they
	// offer nothing in this table.
	failed map[string]error
	// listing is what tools/list answers: the tool mode's tools.
	listing listing
}

// builtFrom reports whether the table was built from these definitions and
// these very lists (the pool hands out the same slice until a server's
// tools change).
func (t *ToolTable) builtFrom(defs []models.Server, sources [][]*mcp.Tool) bool {
	if len(defs) != len(t.defs) || len(sources) != len(t.sources) {
		return false
	}
	for i := range defs {
		if defs[i].Name != t.defs[i].Name || !sameSlice(sources[i], t.sources[i]) {
			return false
		}
	}
	return true
}

func sameSlice(a, b []*mcp.Tool) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}

// listing is the tools of a tools/list answer and their result encoded
// once for each protocol generation, at the first listing that asks.
type listing struct {
	tools   []*mcp.Tool
	once    [2]sync.Once
	encoded [2]json.RawMessage
	err     [2]error
}

// result is the JSON of the tools/list result. For a sessionless request
// (protocol 2026-07-28) it carries what the SDK adds to every result of
// that protocol: resultType and the server's identity in _meta.
func (l *listing) result(sessionless bool, server *mcp.Implementation) (json.RawMessage, error) {
	i := 0
	if sessionless {
		i = 1
	}
	l.once[i].Do(func() {
		res := &mcp.ListToolsResult{Tools: l.tools}
		if sessionless {
			res.ResultType = "complete"
			res.Meta = mcp.Meta{mcp.MetaKeyServerInfo: server}
		}
		l.encoded[i], l.err[i] = encodeResult(res)
	})
	return l.encoded[i], l.err[i]
}

// encodeResult encodes a result as the MCP SDK does (without HTML escaping),
// so that the bytes sent do not depend on which of the two encoded it.
func encodeResult(v any) (json.RawMessage, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// Lookup returns the route of a flat tool name.
func (t *ToolTable) Lookup(name string) (Route, bool) {
	r, ok := t.routes[name]
	return r, ok
}

// buildToolTable names every tool <server>__<tool> (see flatName). reserved
// names (the gateway's own tools) are never given to an upstream tool. A
// name depends on its own server and tool only, never on which other servers
// answered: a client holding a name never reaches another tool with it.
func buildToolTable(servers []ServerTools, reserved map[string]bool) *ToolTable {
	t := &ToolTable{routes: map[string]Route{}}
	taken := func(name string) bool { _, used := t.routes[name]; return used || reserved[name] }
	for _, s := range servers {
		for _, tool := range s.Tools {
			route := Route{Server: s.Server, Tool: tool.Name}
			name := flatName(s.Server, tool.Name)
			for n := 0; taken(name); n++ {
				name = suffixed(flatName(s.Server, tool.Name), route, n)
			}
			t.routes[name] = route
			renamed := *tool
			renamed.Name = name
			t.Tools = append(t.Tools, &renamed)
		}
	}
	return t
}

// flatName is <server>__<tool> when that name is unambiguous by itself: both
// names made of the characters every client accepts ([A-Za-z0-9_-]), the
// server's without "__" and not ending in "_" (so that the first "__" is the
// separator), and at most MaxToolNameLength long. Any other pair gets the
// sanitised name, shortened if need be, with a suffix derived from the exact
// server and tool names: two pairs that sanitise alike never share a name,
// whichever of them is present.
func flatName(server, tool string) string {
	plain := server + nameSeparator + tool
	if sanitize(server) == server && sanitize(tool) == tool && !strings.Contains(server, nameSeparator) &&
		!strings.HasSuffix(server, "_") && len(plain) <= MaxToolNameLength {
		return plain
	}
	return suffixed(sanitize(server)+nameSeparator+sanitize(tool), Route{Server: server, Tool: tool}, 0)
}

// suffixed shortens name to leave room for "_" and a hash of the route (and
// of n, the attempt, for the unlikely collision of two hashes).
func suffixed(name string, r Route, n int) string {
	h := sha256.New()
	h.Write([]byte(r.Server))
	h.Write([]byte{0})
	h.Write([]byte(r.Tool))
	for range n {
		h.Write([]byte{0})
	}
	suffix := "_" + hex.EncodeToString(h.Sum(nil))[:8]
	if len(name)+len(suffix) > MaxToolNameLength {
		name = name[:MaxToolNameLength-len(suffix)]
	}
	return name + suffix
}

// sanitize replaces every character outside [A-Za-z0-9_-] by '_'.
func sanitize(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == '-':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	if b.Len() == 0 {
		return "_"
	}
	return b.String()
}

// AllowList is a server's tools object as a rule. An empty object allows
// every tool. Otherwise, as in the original system, it names the tools that
// are offered; a value {"enabled": false} excludes a tool. An object whose
// every entry is such an exclusion allows every other tool, so that an admin
// can hide one dangerous tool without listing all the others.
type AllowList struct {
	allowed, excluded map[string]bool
}

// NewAllowList reads a server's tools object.
func NewAllowList(tools map[string]any) AllowList {
	a := AllowList{allowed: map[string]bool{}, excluded: map[string]bool{}}
	for name, v := range tools {
		if spec, ok := v.(map[string]any); ok && spec["enabled"] == false {
			a.excluded[name] = true
			continue
		}
		a.allowed[name] = true
	}
	return a
}

// Allows reports whether the tool named name (the upstream's own name) is offered.
func (a AllowList) Allows(name string) bool {
	if a.excluded[name] {
		return false
	}
	return len(a.allowed) == 0 || a.allowed[name]
}

// Filter keeps the tools the list allows, in order.
func (a AllowList) Filter(tools []*mcp.Tool) []*mcp.Tool {
	kept := make([]*mcp.Tool, 0, len(tools))
	for _, t := range tools {
		if a.Allows(t.Name) {
			kept = append(kept, t)
		}
	}
	return kept
}
