package main

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/securemcp/gateway/audit"
	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/services/errs"
	"github.com/securemcp/gateway/services/trail"
)

// newAuditCmd is the `audit` group: the audit trail, as GET /api/v1/audit,
// with its verification, export and retention, which only the operator of
// the host runs.
func newAuditCmd() *cobra.Command {
	return group("audit", "Read, verify, export and prune the audit trail",
		example("audit verify", "audit list --action user.create --limit 20", "audit export --output-file audit.jsonl", "audit prune --older-than-days 365"),
		auditList(), auditVerify(), auditExport(), auditPrune())
}

// auditFilterFlags declares the filters of list and export.
func auditFilterFlags(cmd *cobra.Command) {
	stringFlags(cmd, "from", "records at or after this time (RFC 3339)", "to", "records before this time (RFC 3339)",
		"actor-kind", "root_key, admin_key, cli, gateway_key, system or anonymous", "actor", "actor id (admin key id, CLI user, gateway key id)",
		"action", "operation, e.g. user.create, config.add_server, tool.call", "entity-kind", "entity kind, e.g. user, server, tool",
		"entity", "entity id", "outcome", "success, refused or error")
}

// auditQuery reads the filters.
func (c *call) auditQuery() (audit.Query, error) {
	q := audit.Query{ActorKind: audit.ActorKind(c.str("actor-kind")), ActorID: c.str("actor"), Action: c.str("action"),
		EntityKind: c.str("entity-kind"), EntityID: c.str("entity"), Outcome: audit.Outcome(c.str("outcome"))}
	for _, t := range []struct {
		flag string
		dst  *time.Time
	}{{"from", &q.From}, {"to", &q.To}} {
		if v := c.str(t.flag); v != "" {
			parsed, err := time.Parse(time.RFC3339Nano, v)
			if err != nil {
				return q, errs.Invalid("--%s must be an RFC 3339 time, e.g. 2026-01-02T15:04:05Z", t.flag)
			}
			*t.dst = parsed
		}
	}
	return q, nil
}

func auditList() *cobra.Command {
	cmd := serviceCmd("list", "List audit records, newest first (page with --before)", "Audit records retrieved successfully", func(c *call) (any, error) {
		q, err := c.auditQuery()
		if err != nil {
			return nil, err
		}
		q.Limit, _ = c.cmd.Flags().GetInt("limit")
		q.Before, _ = c.cmd.Flags().GetInt64("before")
		recs, err := c.svc.Audit.List(c.ctx, q)
		return models.Items(recs, trail.View), err
	})
	auditFilterFlags(cmd)
	cmd.Flags().Int("limit", audit.DefaultLimit, "page size, 1 to 1000")
	cmd.Flags().Int64("before", 0, "only records with a smaller seq (the last seq of the previous page)")
	cmd.Example = example("audit list --action user.create --limit 20", "audit list --actor-kind gateway_key --outcome refused --from 2026-01-01T00:00:00Z")
	return cmd
}

func auditVerify() *cobra.Command {
	cmd := serviceCmd("verify", "Verify the audit chain: name the first record changed, removed or inserted (exit status 1)", "Audit chain verified", func(c *call) (any, error) {
		rep, err := c.svc.Audit.Verify(c.ctx)
		if err != nil {
			return nil, err
		}
		if !rep.OK() {
			// The report goes to stdout for tools, the problem to stderr
			// with the failing status.
			writeJSON(c.cmd.OutOrStdout(), rep)
			return nil, &errs.Error{Kind: errs.KindConflict, Message: "audit chain broken: " + rep.Problem.Message}
		}
		return rep, nil
	})
	cmd.Example = example("audit verify")
	return cmd
}

func auditExport() *cobra.Command {
	cmd := serviceCmd("export", "Write audit records as JSON Lines (every record by default: the file verifies on its own)", "Audit records exported", func(c *call) (any, error) {
		q, err := c.auditQuery()
		if err != nil {
			return nil, err
		}
		path := c.str("output-file")
		n, err := exportTo(path, func(f *os.File) (int64, error) { return c.svc.Audit.Export(c.ctx, f, q) })
		if err != nil {
			return nil, err
		}
		return map[string]any{"output_file": path, "records": n}, nil
	})
	stringFlags(cmd, "output-file", "file to write (created with mode 0600, replaced atomically)")
	required(cmd, "output-file")
	auditFilterFlags(cmd)
	cmd.Example = example("audit export --output-file audit.jsonl", "audit export --output-file tools.jsonl --action tool.call --from 2026-01-01T00:00:00Z")
	return cmd
}

// exportTo writes a file through write, atomically: a temporary file beside
// it, synced, then renamed over it.
func exportTo(path string, write func(*os.File) (int64, error)) (int64, error) {
	f, err := os.CreateTemp(filepath.Dir(path), ".audit-export-*")
	if err != nil {
		return 0, errs.Invalid("--output-file: %v", err)
	}
	defer func() { _ = os.Remove(f.Name()) }() // gone after the rename
	n, err := write(f)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		return 0, fmt.Errorf("export to %s: %w", path, err)
	}
	return n, nil
}

func auditPrune() *cobra.Command {
	cmd := serviceCmd("prune", "Remove audit records older than N days; a checkpoint keeps the rest verifiable", "Audit records pruned", func(c *call) (any, error) {
		days, _ := c.cmd.Flags().GetInt("older-than-days")
		if days < 1 {
			return nil, errs.Invalid("--older-than-days must be at least 1")
		}
		return c.svc.Audit.Prune(c.ctx, time.Duration(days)*24*time.Hour)
	})
	cmd.Flags().Int("older-than-days", 0, "remove records older than this many days")
	required(cmd, "older-than-days")
	cmd.Example = example("audit prune --older-than-days 365")
	return cmd
}
