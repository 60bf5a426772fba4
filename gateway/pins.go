package gateway

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"sync"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"go.uber.org/zap"

	"github.com/securemcp/gateway/models"
)

// ObservedTool is a tool definition as a server offers it, with its hash.
type ObservedTool struct {
	Name       string
	Hash       string
	Definition json.RawMessage
}

// PinStore records what servers offer against their pins (see
// models.ToolPins): the first discovery pins every tool; a definition that
// changed, or a new tool, waits for an admin's approval.
type PinStore interface {
	ObserveTools(ctx context.Context, configID, server string, observed []ObservedTool, autoApproveNew bool) (bool, error)
}

// ConfigAutoApproveNewTools, true in a server's tool_guardrails_policy
// additional_config, pins the new tools a server adds without waiting for
// an admin (changed definitions still wait).
const ConfigAutoApproveNewTools = "auto_approve_new_tools"

// pinCheck hashes tool definitions (kept per *mcp.Tool: the pool hands out
// the same tools until the upstream changes them) and compares them with the
// pins.
type pinCheck struct {
	store PinStore
	log   *zap.Logger
	mu    sync.Mutex
	seen  map[*mcp.Tool]ObservedTool
}

// offered returns the tools whose definitions are pinned, recording the
// others (and every tool, at the first discovery) for approval. A tool whose
// definition changed since it was pinned is hidden: a "rug pull" cannot reach
// the model before an admin has seen the new definition.
func (c *pinCheck) offered(ctx context.Context, p Principal, s models.Server, tools []*mcp.Tool) []*mcp.Tool {
	if c.store == nil || len(tools) == 0 {
		return tools
	}
	observed := c.observe(tools)
	pins := s.ToolPins
	record := pins == nil
	kept := make([]*mcp.Tool, 0, len(tools))
	for i, t := range tools {
		if pins == nil {
			kept = append(kept, t) // the first discovery pins what it sees
			continue
		}
		if pinned, ok := pins.Pinned[t.Name]; ok && pinned.Hash == observed[i].Hash {
			kept = append(kept, t)
			continue
		}
		if _, waiting := pins.Pending[t.Name]; !waiting {
			record = true // a definition waiting already is not replaced: no write per listing
		}
	}
	if pins != nil && !record {
		for name := range pins.Pending {
			if pinnedAgain(name, pins, tools, observed) {
				record = true // a pending change went back: clear it
			}
		}
	}
	if record {
		autoApprove, _ := s.ToolPolicy.AdditionalConfig[ConfigAutoApproveNewTools].(bool)
		if _, err := c.store.ObserveTools(ctx, p.ConfigID, s.Name, observed, autoApprove); err != nil {
			c.log.Warn("tool definitions could not be recorded for approval", zap.String("config_id", p.ConfigID),
				zap.String("server", s.Name), zap.Error(err))
		}
	}
	return kept
}

// pinnedAgain reports a pending tool that now offers its pinned definition.
func pinnedAgain(name string, pins *models.ToolPins, tools []*mcp.Tool, observed []ObservedTool) bool {
	for i, t := range tools {
		if t.Name == name {
			pinned, ok := pins.Pinned[name]
			return ok && pinned.Hash == observed[i].Hash
		}
	}
	return false
}

// observe hashes each definition (its canonical JSON: encoding/json sorts
// the members of maps, and schemas are decoded into maps).
func (c *pinCheck) observe(tools []*mcp.Tool) []ObservedTool {
	out := make([]ObservedTool, len(tools))
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.seen == nil || len(c.seen)+len(tools) > maxKept {
		c.seen = map[*mcp.Tool]ObservedTool{}
	}
	for i, t := range tools {
		o, ok := c.seen[t]
		if !ok {
			def, err := json.Marshal(t)
			if err != nil {
				def = []byte(`{"name":` + quote(t.Name) + `}`)
			}
			sum := sha256.Sum256(def)
			o = ObservedTool{Name: t.Name, Hash: hex.EncodeToString(sum[:]), Definition: def}
			c.seen[t] = o
		}
		out[i] = o
	}
	return out
}
