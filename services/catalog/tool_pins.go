package catalog

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/repositories"
	"github.com/securemcp/gateway/services/entity"
	"github.com/securemcp/gateway/services/errs"
)

// ObservedTool is a tool definition as a server offers it now.
type ObservedTool struct {
	Name       string
	Hash       string
	Definition json.RawMessage
}

// ObserveTools records what a server offers against its pins: the first
// discovery pins every tool; later, a definition that differs from its pin,
// or a tool that was never pinned, waits for an admin's approval (pinned at
// once instead when autoApprove says so for new tools). It writes only when
// something changed, and then touches the configuration, so that every
// instance reads the new pins at its next request. It reports whether it
// wrote.
func (s *ConfigService) ObserveTools(ctx context.Context, configID, server string, observed []ObservedTool, autoApproveNew bool) (bool, error) {
	changed := false
	err := s.store.InTx(ctx, func(tx repositories.Repos) error {
		srv, err := tx.Servers().Get(ctx, configID, server)
		if err != nil {
			return serverLookupErr(err, server, configID)
		}
		now := s.now()
		pins := srv.ToolPins.Clone()
		if pins == nil {
			pins = &models.ToolPins{Pinned: map[string]models.PinnedTool{}, Pending: map[string]models.PendingTool{}}
			for _, t := range observed {
				pins.Pinned[t.Name] = models.PinnedTool{Hash: t.Hash, Definition: t.Definition, PinnedAt: now}
			}
			changed = true
		}
		for _, t := range observed {
			pinned, known := pins.Pinned[t.Name]
			switch {
			case known && pinned.Hash == t.Hash:
				if _, waiting := pins.Pending[t.Name]; waiting {
					delete(pins.Pending, t.Name) // the server went back to the trusted definition
					changed = true
				}
			case !known && autoApproveNew:
				pins.Pinned[t.Name] = models.PinnedTool{Hash: t.Hash, Definition: t.Definition, PinnedAt: now}
				changed = true
			default:
				kind := models.PendingNew
				if known {
					kind = models.PendingChanged
				}
				// The first definition seen waits; it is not replaced by
				// later ones (processes presenting a definition each would
				// otherwise write at every listing). Approving it pins it;
				// a server offering yet another one makes that one wait.
				if _, waiting := pins.Pending[t.Name]; !waiting {
					pins.Pending[t.Name] = models.PendingTool{Kind: kind, Hash: t.Hash, Definition: t.Definition, SeenAt: now}
					changed = true
				}
			}
		}
		if !changed {
			return nil
		}
		srv.ToolPins = pins
		if err := tx.Servers().Update(ctx, configID, srv); err != nil {
			return entity.StoreErr(err, serverNotFound(server, configID), "")
		}
		return entity.StoreErr(tx.Configs().Touch(ctx, configID, now), "", "")
	})
	return changed, err
}

// ApproveTools pins the pending definitions of a server's tools (all of them
// when names is empty): the gateway offers them from the next request on.
func (s *ConfigService) ApproveTools(ctx context.Context, ident, server string, names []string) (models.Server, error) {
	return s.modifyServer(ctx, ident, server, func(_ string, srv *models.Server) error {
		if srv.ToolPins == nil || len(srv.ToolPins.Pending) == 0 {
			return errs.Conflict("server %q has no tool definition waiting for approval", srv.Name)
		}
		pins := srv.ToolPins.Clone()
		if len(names) == 0 {
			for name := range pins.Pending {
				names = append(names, name)
			}
		}
		now := s.now()
		for _, name := range names {
			p, ok := pins.Pending[name]
			if !ok {
				return errs.NotFound("tool %q of server %q has no definition waiting for approval (pending: %s)", name, srv.Name, pendingNames(pins))
			}
			pins.Pinned[name] = models.PinnedTool{Hash: p.Hash, Definition: p.Definition, PinnedAt: now}
			delete(pins.Pending, name)
		}
		srv.ToolPins = pins
		return nil
	})
}

func pendingNames(p *models.ToolPins) string {
	names := make([]string, 0, len(p.Pending))
	for n := range p.Pending {
		names = append(names, fmt.Sprintf("%q", n))
	}
	slices.Sort(names)
	if len(names) == 0 {
		return "none"
	}
	return fmt.Sprint(names)
}

// PendingTools lists, for every configuration, the servers with tool
// definitions waiting for approval.
func (s *ConfigService) PendingTools(ctx context.Context) ([]models.PendingServerTools, error) {
	configs, _, err := s.List(ctx, repositories.Page{})
	if err != nil {
		return nil, err
	}
	out := []models.PendingServerTools{}
	for _, c := range configs {
		servers, err := s.store.Servers().List(ctx, c.ID)
		if err != nil {
			return nil, entity.StoreErr(err, "", "")
		}
		for _, srv := range servers {
			if changes := models.PendingToolChanges(srv.ToolPins); len(changes) > 0 {
				out = append(out, models.PendingServerTools{ConfigID: c.ID, ConfigName: c.Name, ServerName: srv.Name, Changes: changes})
			}
		}
	}
	return out, nil
}
