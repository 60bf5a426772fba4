package catalog

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/repositories"
	"github.com/securemcp/gateway/services/confine"
	"github.com/securemcp/gateway/services/entity"
	"github.com/securemcp/gateway/services/errs"
)

// ExportResult is an exported configuration and where it was written.
type ExportResult struct {
	Document models.ConfigExport
	Path     string
}

// Export writes a configuration document into the data directory and returns
// it. The file holds the servers as stored, secrets sealed, so that importing
// it with the same secret key gives the same servers; the document returned
// masks their secrets.
func (s *ConfigService) Export(ctx context.Context, ident, outputFile string) (ExportResult, error) {
	if err := s.files.Check("output_file", outputFile); err != nil {
		return ExportResult{}, err
	}
	d, err := s.detail(ctx, ident)
	if err != nil {
		return ExportResult{}, err
	}
	doc := models.ConfigExport{MCPConfigID: d.ID, ExportedAt: s.now(), Config: models.ConfigDocument{MCPConfigName: d.Name, MCPConfig: make([]models.ServerSpec, 0, len(d.Servers))}}
	public := models.ConfigDocument{MCPConfigName: d.Name, MCPConfig: make([]models.ServerSpec, 0, len(d.Servers))}
	for _, srv := range d.Servers {
		doc.Config.MCPConfig = append(doc.Config.MCPConfig, models.NewServerSpec(srv))
		public.MCPConfig = append(public.MCPConfig, models.NewServerSpec(s.secrets.PublicServer(d.ID, srv)))
	}
	data, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return ExportResult{}, &errs.Error{Kind: errs.KindInternal, Message: "cannot encode export", Err: err}
	}
	path, err := s.files.WriteFile("output_file", outputFile, append(data, '\n'))
	doc.Config = public
	return ExportResult{Document: doc, Path: path}, err
}

// Import creates a configuration from a document given inline or read from a
// file of the data directory. The whole document is validated first.
func (s *ConfigService) Import(ctx context.Context, name, inputFile string, inline []byte) (models.Config, error) {
	name, err := entity.CleanEntityName("config_name", name)
	if err != nil {
		return models.Config{}, err
	}
	hasInline := len(bytes.TrimSpace(inline)) > 0 && !bytes.Equal(bytes.TrimSpace(inline), []byte("null"))
	field := "config"
	switch {
	case hasInline && inputFile != "":
		return models.Config{}, errs.Invalid("give either input_file or config, not both")
	case !hasInline && inputFile == "":
		return models.Config{}, errs.Invalid("input_file or config is required")
	case !hasInline:
		field = "input_file"
		if inline, err = s.files.ReadFile("input_file", inputFile, confine.MaxDocumentBytes); err != nil {
			return models.Config{}, err
		}
	}
	servers, err := parseServerDocument(field, inline)
	if err != nil {
		return models.Config{}, err
	}
	now := s.now()
	c := models.Config{ID: entity.NewID(), Name: name, CreatedAt: now, UpdatedAt: now}
	// An export holds its secrets sealed for the configuration it came
	// from: they open there and are sealed anew here. A document without
	// sealed values needs no source.
	source := exportedConfigID(inline)
	for i, srv := range servers {
		if servers[i], err = s.secrets.MoveServer(source, c.ID, srv); err != nil {
			var e *errs.Error
			if errors.As(err, &e) && e.Kind == errs.KindInvalid {
				return models.Config{}, errs.Invalid("%s: %s (only an export of this gateway, under the same secret key, holds sealed values)", field, e.Message)
			}
			return models.Config{}, err
		}
	}
	err = s.store.InTx(ctx, func(tx repositories.Repos) error { return createWithServers(ctx, tx, c, servers) })
	return c, err
}

// exportedConfigID is the id of the configuration an export document came
// from: mcp_config_id of a configuration's export, project.mcp_config_id of a
// project's; "" for other documents.
func exportedConfigID(data []byte) string {
	var probe struct {
		MCPConfigID string `json:"mcp_config_id"`
		Project     struct {
			MCPConfigID string `json:"mcp_config_id"`
		} `json:"project"`
	}
	if json.Unmarshal(data, &probe) != nil {
		return ""
	}
	if probe.MCPConfigID != "" {
		return probe.MCPConfigID
	}
	return probe.Project.MCPConfigID
}

// parseServerDocument accepts an export document ({"config": {...}}), a
// configuration document ({"mcp_config": [...]}) or a bare list of servers, and
// returns its servers after checking every one of them.
func parseServerDocument(field string, data []byte) ([]models.Server, error) {
	var probe struct {
		Config    json.RawMessage `json:"config"`
		MCPConfig json.RawMessage `json:"mcp_config"`
	}
	list := data
	if t := bytes.TrimSpace(data); len(t) > 0 && t[0] == '{' {
		if err := json.Unmarshal(data, &probe); err != nil {
			return nil, DocumentErr(field, err, &probe)
		}
		if len(probe.Config) > 0 {
			if err := json.Unmarshal(probe.Config, &probe); err != nil {
				return nil, DocumentErr(field+".config", err, &probe)
			}
		}
		if len(probe.MCPConfig) == 0 {
			return nil, errs.Field(field, "", "must contain an mcp_config list of servers")
		}
		list = probe.MCPConfig
	}
	var specs []models.ServerSpec
	if err := json.Unmarshal(list, &specs); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) && typeErr.Field == "" {
			return nil, errs.Field(field, "", "must be a configuration document with an mcp_config list of servers, or that list, not %s", typeErr.Value)
		}
		return nil, DocumentErr(field+".mcp_config", err, &specs)
	}
	var issues []string
	seen := map[string]bool{}
	servers := make([]models.Server, 0, len(specs))
	for i, spec := range specs {
		srv := spec.Server()
		srv.Name = strings.TrimSpace(srv.Name) // as when a server is added
		for _, issue := range checkNewServer(srv) {
			issues = append(issues, fmt.Sprintf("%s server #%d: %s", field, i+1, issue))
		}
		if seen[srv.Name] {
			issues = append(issues, fmt.Sprintf("%s server #%d: server %q appears more than once", field, i+1, srv.Name))
		}
		seen[srv.Name] = true
		servers = append(servers, srv)
	}
	if len(issues) > 0 {
		return nil, errs.InvalidIssues(issues)
	}
	return servers, nil
}

func DocumentErr(field string, err error, target any) error {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		return errs.Invalid("%s", models.DescribeTypeError(field, typeErr, target))
	}
	var timeErr *time.ParseError
	switch {
	case errors.As(err, &timeErr):
		return errs.Invalid("%s: a time must be an RFC 3339 string such as 2026-05-01T12:00:00Z, not %q", field, timeErr.Value)
	case strings.HasPrefix(err.Error(), "Time.UnmarshalJSON"):
		return errs.Invalid("%s: a time must be an RFC 3339 string such as 2026-05-01T12:00:00Z", field)
	}
	return errs.Field(field, "", "is not a valid JSON document: %v", err)
}
