package main

import (
	"encoding/json"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/securemcp/gateway/config"
	"github.com/securemcp/gateway/services"
)

// newRootCmd builds the command tree. Commands print JSON on stdout and errors
// on stderr; a failing command makes the process exit with status 1.
func newRootCmd(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:           "secure-mcp-gateway",
		Short:         "Secure MCP Gateway: govern which MCP servers AI clients may reach",
		Version:       config.Version,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.PersistentFlags().String("config-path", "", "config file (env "+config.EnvConfigPath+"; default ~/.enkrypt/enkrypt_mcp_config.json)")
	root.PersistentFlags().String("database-url", "", "PostgreSQL URL; empty uses the embedded SQLite store (env SMG_DATABASE_URL)")
	root.PersistentFlags().String("data-dir", "", "data directory for the embedded store and client files (env SMG_DATA_DIR; default: the config file's directory)")
	root.PersistentFlags().String("log-level", "", "debug, info, warn or error (env SMG_LOG_LEVEL)")

	system := &cobra.Command{Use: "system", Short: "Server and system operations"}
	system.AddCommand(newStartAPICmd())
	root.AddCommand(newGenerateConfigCmd(), system)
	wrapErrors(root, stderr)
	return root
}

// wrapErrors makes every command report its error as JSON on stderr.
func wrapErrors(cmd *cobra.Command, stderr io.Writer) {
	if run := cmd.RunE; run != nil {
		cmd.RunE = func(c *cobra.Command, args []string) error {
			err := run(c, args)
			if err != nil {
				writeJSON(stderr, map[string]any{"error": errorCategory(err), "detail": err.Error(), "timestamp": time.Now().UTC()})
			}
			return err
		}
	}
	for _, sub := range cmd.Commands() {
		wrapErrors(sub, stderr)
	}
}

func writeJSON(w io.Writer, v any) {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

// printResult writes the success envelope of a command.
func printResult(cmd *cobra.Command, message string, data any) {
	writeJSON(cmd.OutOrStdout(), map[string]any{"message": message, "data": data, "timestamp": time.Now().UTC()})
}

func newGenerateConfigCmd() *cobra.Command {
	var overwrite bool
	cmd := &cobra.Command{
		Use:   "generate-config",
		Short: "Write a new config file with a fresh admin key",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			path, err := config.ResolveConfigPath(cmd.Flags())
			if err != nil {
				return err
			}
			if err := config.Generate(path, overwrite); err != nil {
				return err
			}
			printResult(cmd, "Config file generated; the admin key is in the file (admin_apikey)", map[string]string{"config_path": path})
			return nil
		},
	}
	cmd.Flags().BoolVar(&overwrite, "overwrite", false, "replace an existing config file (its admin key changes)")
	return cmd
}

// errorCategory names the kind of a failure, like the API's "error" field.
func errorCategory(err error) string {
	return services.KindOf(err).String()
}
