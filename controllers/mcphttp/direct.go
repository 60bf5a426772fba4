package mcphttp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	"go.uber.org/zap"

	"github.com/securemcp/gateway/gateway"
)

// Tools answers tools/list and tools/call for a principal: the gateway.
type Tools interface {
	// ListToolsJSON is the JSON of the principal's tools/list result, for a
	// client of the sessionless protocol (2026-07-28) or of an earlier one.
	ListToolsJSON(ctx context.Context, p gateway.Principal, sessionless bool) (json.RawMessage, error)
	CallTool(ctx context.Context, p gateway.Principal, params *mcp.CallToolParamsRaw, progress gateway.ProgressFunc) (*mcp.CallToolResult, error)
	// ServerInfo is the identity the MCP server gives in its results.
	ServerInfo() *mcp.Implementation
}

// The direct path. In stateless mode the SDK builds a server session for
// every request and decodes its message several times over (a fresh 32 KiB
// buffer each time), which costs more CPU than everything else a tool call
// does in the gateway. The two requests that make up nearly all of the
// traffic — a plain tools/call and a plain tools/list — are answered here
// instead, with the bytes the SDK would write (direct_test.go compares the
// two on every kind of request). Anything else, or anything unusual about
// one of them (a batch, _meta other than the sessionless protocol's three
// members, a progress token, a protocol version this code does not know, an
// unknown member, a body over the limit, a Host the DNS-rebinding protection
// refuses, …) goes to the SDK as before, which stays the reference.

// sessionlessVersion is the protocol whose requests carry the client's
// identity in _meta, with the method and tool name repeated in headers.
const sessionlessVersion = "2026-07-28"

// legacyVersions are the earlier protocol versions the direct path answers
// (absent means 2025-03-26 to the SDK).
var legacyVersions = []string{"", "2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"}

// direct answers r if it is a plain tools/call or tools/list of a stateless
// client, and reports whether it did; otherwise r (its body intact) is for
// the SDK.
func (h *handler) direct(w http.ResponseWriter, r *http.Request, p gateway.Principal) bool {
	if h.opts.Tools == nil || h.opts.Stateful || !h.plainPOST(r) {
		return false
	}
	limit := h.opts.MaxBodyBytes
	if limit <= 0 {
		limit = mcp.DefaultMaxRequestBodyBytes
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	// The SDK reads the body again when the request is its to answer.
	r.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(body), r.Body), r.Body}
	if err != nil || int64(len(body)) > limit {
		return false
	}
	req, ok := h.meta.parseDirect(body, r.Header)
	if !ok {
		return false
	}
	var result json.RawMessage
	var callErr error
	switch req.method {
	case "tools/list":
		result, callErr = h.opts.Tools.ListToolsJSON(r.Context(), p, req.sessionless)
	case "tools/call":
		var res *mcp.CallToolResult
		// A tracked call ends on its client's notifications/cancelled too.
		ctx := r.Context()
		if client := clientContext(r); client != nil {
			ctx = client
		}
		res, callErr = h.opts.Tools.CallTool(ctx, p, &mcp.CallToolParamsRaw{Name: req.name, Arguments: req.arguments}, nil)
		if callErr == nil {
			result, callErr = h.callResult(res, req.sessionless)
		}
	}
	h.answer(w, req, result, callErr)
	return true
}

// callResult encodes a tools/call result as the SDK does; for a sessionless
// client, with what the SDK adds to such a result: the server's identity in
// _meta, unless the result names one (an upstream's result does).
func (h *handler) callResult(res *mcp.CallToolResult, sessionless bool) (json.RawMessage, error) {
	if sessionless {
		meta := res.GetMeta()
		if _, ok := meta[mcp.MetaKeyServerInfo]; !ok {
			if meta == nil {
				meta = map[string]any{}
			}
			meta[mcp.MetaKeyServerInfo] = h.opts.Tools.ServerInfo()
			res.SetMeta(meta)
		}
	}
	return encode(res)
}

// answer writes one server-sent event, as the SDK answers a call: the SDK's
// envelope, {"jsonrpc","id","result"}, around the result as it is (the
// listing is encoded once per tool table; copying it into a message first
// would only cost a copy), or the JSON-RPC error. To a sessionless client,
// the errors of a bad request are plain JSON with an HTTP status instead.
func (h *handler) answer(w http.ResponseWriter, req directRequest, result json.RawMessage, callErr error) {
	w.Header().Set("Cache-Control", "no-cache, no-transform")
	var head, tail []byte
	if callErr != nil {
		msg, err := jsonrpc.EncodeMessage(&jsonrpc.Response{ID: req.id, Error: callErr})
		if err != nil {
			// The call was served: it is not the SDK's to serve again.
			h.opts.Logger.Error("encode a JSON-RPC error", zap.Error(err))
			http.Error(w, "failed to encode the answer", http.StatusInternalServerError)
			return
		}
		if status := errorStatus(callErr); req.sessionless && status != 0 {
			w.Header().Set("Connection", "keep-alive")
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			_, _ = w.Write(msg)
			return
		}
		head, result, tail = []byte("event: message\ndata: "), msg, []byte("\n\n")
	} else {
		head = append([]byte(`event: message`+"\n"+`data: {"jsonrpc":"2.0","id":`), req.rawID...)
		head = append(head, `,"result":`...)
		tail = []byte("}\n\n")
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Connection", "keep-alive")
	for _, part := range [][]byte{head, result, tail} {
		if _, err := w.Write(part); err != nil {
			return // the client is gone
		}
	}
	_ = http.NewResponseController(w).Flush()
}

// errorStatus is the HTTP status the sessionless protocol gives a JSON-RPC
// error of a bad request; 0 for an error answered as an event.
func errorStatus(err error) int {
	var rpcErr *jsonrpc.Error
	if !errors.As(err, &rpcErr) {
		return 0
	}
	switch rpcErr.Code {
	case jsonrpc.CodeMethodNotFound:
		return http.StatusNotFound
	case jsonrpc.CodeInvalidParams, mcp.CodeUnsupportedProtocolVersion, mcp.CodeMissingRequiredClientCapabilities:
		return http.StatusBadRequest
	}
	return 0
}

// plainPOST reports a POST the SDK would take as it stands: a JSON body,
// both kinds of answers accepted, a protocol version the direct path knows,
// no stream resumption, no Mcp-Param-* header, and a Host the DNS-rebinding
// protection lets through.
func (h *handler) plainPOST(r *http.Request) bool {
	version := r.Header.Get("Mcp-Protocol-Version")
	if r.Method != http.MethodPost || r.Header.Get("Last-Event-ID") != "" ||
		(version != sessionlessVersion && !slices.Contains(legacyVersions, version)) {
		return false
	}
	if mediaType, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mediaType != "application/json" {
		return false
	}
	var jsonOK, streamOK bool
	for _, value := range r.Header.Values("Accept") {
		for _, token := range strings.Split(value, ",") {
			base, _, _ := strings.Cut(token, ";")
			switch strings.ToLower(strings.TrimSpace(base)) {
			case "application/json":
				jsonOK = true
			case "text/event-stream":
				streamOK = true
			}
		}
	}
	if !jsonOK || !streamOK {
		return false
	}
	for name := range r.Header {
		if strings.HasPrefix(name, "Mcp-Param-") {
			return false
		}
	}
	if !h.opts.AllowNonLocalHost {
		if local, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok && local != nil && loopback(local.String()) && !loopback(r.Host) {
			return false
		}
	}
	return true
}

// loopback reports a loopback host (with or without a port), as the SDK
// reads one.
func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = strings.Trim(addr, "[]")
	}
	if host == "localhost" {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}
