package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"github.com/securemcp/gateway/gateway"
	"github.com/securemcp/gateway/gateway/upstream"
	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/services/errs"
)

// configDiscoverServer starts a server on this machine, as the gateway would,
// and lists its tools.
func configDiscoverServer() *cobra.Command {
	cmd := serviceCmd("discover-server", "Start a server of a configuration and list its tools", "Server tools discovered successfully", func(c *call) (any, error) {
		pool, err := upstream.New(upstream.Options{Logger: zap.NewNop()})
		if err != nil {
			return nil, err
		}
		defer func() { _ = pool.Close(context.Background()) }()
		d, err := gateway.NewAdmin(pool, c.svc.Configs, gateway.Info{}).Discover(c.ctx, c.config(), c.str("server-name"))
		if err != nil {
			return nil, err
		}
		if d.Err != "" {
			c.message = "Server could not be started"
		}
		return d.Result(), nil
	})
	serverFlags(cmd)
	cmd.Example = example("config discover-server --config-name my-config --server-name github")
	return cmd
}

// configApproveTools approves a server's pending tool definitions.
func configApproveTools() *cobra.Command {
	cmd := serviceCmd("approve-tools", "Approve a server's changed or new tool definitions (all pending ones unless --tools names some)", "Tool definitions approved", func(c *call) (any, error) {
		tools, _ := c.cmd.Flags().GetStringSlice("tools")
		srv, err := c.svc.Configs.ApproveTools(c.ctx, c.config(), c.str("server-name"), tools)
		return models.NewServerObject(srv), err
	})
	serverFlags(cmd)
	cmd.Flags().StringSlice("tools", nil, "the tools to approve, comma separated (default: every pending definition)")
	cmd.Example = example("config approve-tools --config-name my-config --server-name github",
		"config approve-tools --config-name my-config --server-name github --tools search_repositories,create_issue")
	return cmd
}

// systemGatewayStatus asks a running server for its gateway's processes: they
// live in that server's process, not in the store.
func systemGatewayStatus() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "gateway-status",
		Short:   "Show a running gateway's upstream processes (asks the server's API)",
		Example: example("system gateway-status", "system gateway-status --url http://gateway.internal:8001"),
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, settings, err := loadSettings(cmd)
			if err != nil {
				return err
			}
			base, _ := cmd.Flags().GetString("url")
			if base == "" {
				base = fmt.Sprintf("http://127.0.0.1:%d", settings.Port)
			}
			var env struct {
				Message string          `json:"message"`
				Data    json.RawMessage `json:"data"`
				Detail  string          `json:"detail"`
			}
			if err := getJSON(cmd.Context(), strings.TrimRight(base, "/")+"/api/v1/gateway/status", settings.AdminAPIKey, &env); err != nil {
				return err
			}
			var data models.GatewayStatus
			if err := json.Unmarshal(env.Data, &data); err != nil {
				return fmt.Errorf("unexpected answer from %s: %w", base, err)
			}
			printResult(cmd, env.Message, data)
			return nil
		},
	}
	cmd.Flags().String("url", "", "the management API of the running server (default: http://127.0.0.1:<port>)")
	cmd.Flags().Int("port", 0, "port of the running server's management API (env SMG_PORT)")
	return cmd
}

// getJSON sends an admin GET and decodes the envelope; an error answer is
// reported with its detail.
func getJSON(ctx context.Context, url, adminKey string, out any) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return errs.Invalid("--url: %v", err)
	}
	req.Header.Set("Authorization", "Bearer "+adminKey)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return &errs.Error{Kind: errs.KindUnavailable, Message: "no server answers at " + url + "; is it running?", Err: err}
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, 16<<20))
	if err != nil {
		return err
	}
	if res.StatusCode != http.StatusOK {
		var e models.ErrorResponse
		_ = json.Unmarshal(body, &e)
		return &errs.Error{Kind: errs.KindUnavailable, Message: fmt.Sprintf("%s answered %d: %s", url, res.StatusCode, e.Detail)}
	}
	return json.Unmarshal(body, out)
}
