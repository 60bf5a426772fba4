package mcphttp

import (
	"bytes"
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/securemcp/gateway/internal/jsonscan"
)

// directRequest is a plain tools/list or tools/call.
type directRequest struct {
	id        jsonrpc.ID
	rawID     []byte // the id as the SDK writes it back
	method    string
	name      string
	arguments json.RawMessage
	// sessionless is a request of the 2026-07-28 protocol.
	sessionless bool
}

// integerID is a JSON-RPC id the SDK keeps exactly: an integer that a
// float64 holds (it decodes ids as numbers).
var integerID = regexp.MustCompile(`^(0|-?[1-9][0-9]{0,14})$`)

// parseDirect reads a single JSON-RPC request of the two methods, with an
// id and no member the SDK would read differently or act upon: for
// tools/call a tool name and arguments that are an object if present; for
// the sessionless protocol, _meta with its protocol version, the client's
// capabilities and optionally its identity, and the headers that repeat the
// method and tool name; for earlier ones, no _meta.
func (m *metaCheck) parseDirect(body []byte, header http.Header) (directRequest, bool) {
	var req directRequest
	// members splits valid JSON only; decoders differ on invalid UTF-8.
	if !json.Valid(body) || !utf8.Valid(body) {
		return req, false
	}
	var version, rawID, method, params []byte
	ok := members(body, func(key string, value []byte) bool {
		switch key {
		case "jsonrpc":
			version = value
		case "id":
			rawID = value
		case "method":
			method = value
		case "params":
			params = value
		default:
			return false
		}
		return true
	})
	if !ok || string(version) != `"2.0"` || json.Unmarshal(method, &req.method) != nil || !parseID(rawID, &req) {
		return req, false
	}
	var meta, name, args []byte
	if params != nil && !members(params, func(key string, value []byte) bool {
		switch key {
		case "_meta":
			meta = value
		case "name":
			name = value
		case "arguments":
			args = value
		default:
			return false
		}
		return true
	}) {
		return req, false
	}
	req.sessionless = header.Get("Mcp-Protocol-Version") == sessionlessVersion
	if (meta != nil) != req.sessionless || (meta != nil && !m.sessionlessMeta(meta)) {
		return req, false
	}
	if req.sessionless && header.Get("Mcp-Method") != req.method {
		return req, false
	}
	switch req.method {
	case "tools/list":
		return req, name == nil && args == nil
	case "tools/call":
		if json.Unmarshal(name, &req.name) != nil || req.name == "" {
			return req, false
		}
		if req.sessionless && header.Get("Mcp-Name") != req.name {
			return req, false
		}
		if args != nil {
			if args[0] != '{' {
				return req, false
			}
			req.arguments = args
		}
		return req, true
	}
	return req, false
}

// metaCheck remembers the _meta values it has checked: a client sends the
// same one with every request.
type metaCheck struct {
	mu   sync.Mutex
	seen map[string]bool
}

// maxMetaSeen bounds the _meta values remembered (a few per kind of client).
const maxMetaSeen = 1024

// sessionlessMeta reports _meta of the sessionless protocol as the SDK
// accepts it without acting on anything else: its version, the client's
// capabilities, and optionally the client's identity.
func (m *metaCheck) sessionlessMeta(raw []byte) bool {
	m.mu.Lock()
	ok, seen := m.seen[string(raw)]
	m.mu.Unlock()
	if seen {
		return ok
	}
	ok = checkSessionlessMeta(raw)
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.seen == nil || len(m.seen) >= maxMetaSeen {
		m.seen = map[string]bool{}
	}
	m.seen[string(raw)] = ok
	return ok
}

func checkSessionlessMeta(raw []byte) bool {
	var version, caps, info []byte
	if !members(raw, func(key string, value []byte) bool {
		switch key {
		case mcp.MetaKeyProtocolVersion:
			version = value
		case mcp.MetaKeyClientCapabilities:
			caps = value
		case mcp.MetaKeyClientInfo:
			info = value
		default:
			return false
		}
		return true
	}) || string(version) != `"`+sessionlessVersion+`"` {
		return false
	}
	var capabilities struct {
		mcp.ClientCapabilities
		// Deprecated in the protocol, still sent by clients of earlier versions.
		Roots *mcp.RootCapabilities `json:"roots,omitempty"` //nolint:staticcheck // SA1019: accepted while clients send it
	}
	if len(caps) == 0 || caps[0] != '{' || strict(caps, &capabilities) != nil {
		return false
	}
	if info != nil {
		var impl mcp.Implementation
		if info[0] != '{' || strict(info, &impl) != nil {
			return false
		}
	}
	return true
}

// strict decodes raw into v, refusing members v has no field for (the
// SDK ignores them, but they may be of a shape it refuses: such a request
// is left to it).
func strict(raw []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

func parseID(raw json.RawMessage, req *directRequest) bool {
	var err error
	switch {
	case len(raw) > 0 && raw[0] == '"':
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return false
		}
		req.id, err = jsonrpc.MakeID(s)
		if err == nil {
			req.rawID, err = encode(s)
		}
	case integerID.Match(raw):
		n, perr := strconv.ParseInt(string(raw), 10, 64)
		if perr != nil {
			return false
		}
		req.id, err = jsonrpc.MakeID(float64(n))
		req.rawID = raw
	default:
		return false
	}
	return err == nil
}

// encode encodes v as the SDK does (without HTML escaping).
func encode(v any) (json.RawMessage, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// members calls fn with each member of a JSON object, in order, with its key
// and the bytes of its value; raw must be valid JSON. It reports false when
// raw is no object, a key repeats or holds an escape (read differently by
// different decoders: such a request is left to the SDK), or fn does.
func members(raw []byte, fn func(key string, value []byte) bool) bool {
	i := skipSpace(raw, 0)
	if i >= len(raw) || raw[i] != '{' {
		return false
	}
	var seen []string
	for i = skipSpace(raw, i+1); i < len(raw) && raw[i] != '}'; {
		if raw[i] == ',' {
			i = skipSpace(raw, i+1)
		}
		end := bytes.IndexByte(raw[i+1:], '"') + i + 1
		key := string(raw[i+1 : end])
		if strings.ContainsRune(key, '\\') || slices.Contains(seen, key) {
			return false
		}
		seen = append(seen, key)
		start := skipSpace(raw, skipSpace(raw, end+1)+1) // past the colon
		i = jsonscan.ValueEnd(raw, start)
		if !fn(key, raw[start:i]) {
			return false
		}
		i = skipSpace(raw, i)
	}
	return true
}

func skipSpace(raw []byte, i int) int {
	for i < len(raw) && (raw[i] == ' ' || raw[i] == '\t' || raw[i] == '\r' || raw[i] == '\n') {
		i++
	}
	return i
}
