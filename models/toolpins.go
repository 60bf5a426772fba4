package models

import (
	"bytes"
	"encoding/json"
	"sort"
	"time"
)

// ToolPins are the tool definitions of a server that were trusted (pinned),
// and the definitions waiting for an admin's approval: a tool whose
// definition changed since it was pinned (a "rug pull": a description that
// now tells the model to do something else), or a new tool. The gateway
// offers pinned definitions only.
type ToolPins struct {
	Pinned  map[string]PinnedTool  `json:"pinned"`
	Pending map[string]PendingTool `json:"pending,omitempty"`
}

// PinnedTool is a trusted tool definition.
type PinnedTool struct {
	// Hash is the SHA-256 of the definition's canonical JSON.
	Hash       string          `json:"hash" example:"3b1f…"`
	Definition json.RawMessage `json:"definition" swaggertype:"object"`
	PinnedAt   time.Time       `json:"pinned_at" format:"date-time"`
}

// Kinds of pending tools.
const (
	PendingChanged = "changed" // the definition differs from the pinned one
	PendingNew     = "new"     // the tool was not offered when the server was pinned
)

// PendingTool is a definition the server offers that no admin approved yet.
type PendingTool struct {
	Kind       string          `json:"kind" example:"changed" enums:"changed,new"`
	Hash       string          `json:"hash" example:"9c2e…"`
	Definition json.RawMessage `json:"definition" swaggertype:"object"`
	SeenAt     time.Time       `json:"seen_at" format:"date-time"`
}

// Clone copies the pins, so that a change is made on a copy.
func (p *ToolPins) Clone() *ToolPins {
	if p == nil {
		return nil
	}
	c := &ToolPins{Pinned: make(map[string]PinnedTool, len(p.Pinned)), Pending: make(map[string]PendingTool, len(p.Pending))}
	for k, v := range p.Pinned {
		c.Pinned[k] = v
	}
	for k, v := range p.Pending {
		c.Pending[k] = v
	}
	return c
}

// ToolChange is a tool definition waiting for approval, with what differs
// from its pinned definition.
type ToolChange struct {
	Tool string    `json:"tool" example:"search_repositories"`
	Kind string    `json:"kind" example:"changed" enums:"changed,new"`
	Seen time.Time `json:"seen_at" format:"date-time"`
	// Changes lists the members of the definition that differ (all of them
	// for a new tool): before is null for a new tool or member.
	Changes []FieldChange `json:"changes"`
}

// FieldChange is one member of a tool definition before and after.
type FieldChange struct {
	Field string `json:"field" example:"description"`
	// Before and After are the member's JSON values (any type; null when absent).
	Before any `json:"before"`
	After  any `json:"after"`
}

// PendingServerTools are the pending tool changes of one server.
type PendingServerTools struct {
	ConfigID   string       `json:"config_id" example:"3f1e2a4b-5c6d-4e7f-8a9b-0c1d2e3f4a5b"`
	ConfigName string       `json:"config_name" example:"my-config"`
	ServerName string       `json:"server_name" example:"github"`
	Changes    []ToolChange `json:"changes"`
}

// PendingToolChanges lists the pending definitions of pins with their
// differences, sorted by tool name; none for nil pins.
func PendingToolChanges(p *ToolPins) []ToolChange {
	if p == nil || len(p.Pending) == 0 {
		return nil
	}
	names := make([]string, 0, len(p.Pending))
	for name := range p.Pending {
		names = append(names, name)
	}
	sort.Strings(names)
	out := make([]ToolChange, 0, len(names))
	for _, name := range names {
		pending := p.Pending[name]
		var before json.RawMessage
		if pinned, ok := p.Pinned[name]; ok {
			before = pinned.Definition
		}
		out = append(out, ToolChange{Tool: name, Kind: pending.Kind, Seen: pending.SeenAt, Changes: diffMembers(before, pending.Definition)})
	}
	return out
}

// diffMembers compares two JSON objects member by member.
func diffMembers(before, after json.RawMessage) []FieldChange {
	var b, a map[string]json.RawMessage
	_ = json.Unmarshal(before, &b) // nil for a new tool: every member changed
	if err := json.Unmarshal(after, &a); err != nil {
		return []FieldChange{{Field: "", Before: before, After: after}}
	}
	fields := map[string]bool{}
	for k := range a {
		fields[k] = true
	}
	for k := range b {
		fields[k] = true
	}
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	changes := []FieldChange{}
	for _, k := range keys {
		if !equalJSON(b[k], a[k]) {
			changes = append(changes, FieldChange{Field: k, Before: orNull(b[k]), After: orNull(a[k])})
		}
	}
	return changes
}

func equalJSON(a, b json.RawMessage) bool {
	var ca, cb bytes.Buffer
	if json.Compact(&ca, a) != nil || json.Compact(&cb, b) != nil {
		return bytes.Equal(a, b)
	}
	return bytes.Equal(ca.Bytes(), cb.Bytes())
}

func orNull(v json.RawMessage) json.RawMessage {
	if v == nil {
		return json.RawMessage("null")
	}
	return v
}

// ApproveToolsRequest is the body of POST /configs/{config}/servers/{server}/tools/approve.
type ApproveToolsRequest struct {
	// Tools names the tools whose pending definitions are approved; empty
	// approves every pending definition of the server.
	Tools []string `json:"tools" example:"search_repositories"`
}
