package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/securemcp/gateway/config"
	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/services/system"
)

// systemCmds are the `system` commands besides start-api, as the
// /api/v1/system routes.
func systemCmds() []*cobra.Command {
	return []*cobra.Command{systemHealthCheck(), systemBackup(), systemRestore(), systemReset(), systemImportEnkrypt(), systemGatewayStatus()}
}

// systemHealthCheck checks the store directly (the deep check of GET
// /api/v1/system/health), or with --url asks a running server over HTTP (its
// /readyz, for container health checks).
func systemHealthCheck() *cobra.Command {
	cmd := serviceCmd("health-check", "Check that the store answers and count its entities; --integrity also checks its integrity (status unhealthy when issues are found); --url asks a running server instead", "", func(c *call) (any, error) {
		scope := system.HealthCounts
		if deep, _ := c.cmd.Flags().GetBool("integrity"); deep {
			scope = system.HealthIntegrity
		}
		r, err := c.svc.System.Health(c.ctx, scope)
		data := models.NewSystemHealthData(r, config.BuildVersion(), time.Now().UTC())
		c.message = data.Message()
		return data, err
	})
	onStore := cmd.RunE
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if !cmd.Flags().Changed("url") {
			return onStore(cmd, args)
		}
		rawURL, _ := cmd.Flags().GetString("url")
		timeout, _ := cmd.Flags().GetDuration("timeout")
		return probe(cmd.Context(), cmd.OutOrStdout(), rawURL, timeout)
	}
	boolFlag(cmd, "integrity", "also run the integrity queries (each reads a whole table)")
	probeFlags(cmd)
	cmd.MarkFlagsMutuallyExclusive("integrity", "url")
	cmd.Example = example("system health-check", "system health-check --integrity", "system health-check --url http://127.0.0.1:8001/readyz")
	return cmd
}

func systemBackup() *cobra.Command {
	cmd := serviceCmd("backup", "Write a consistent snapshot of the whole state to a file", "Backup written successfully", func(c *call) (any, error) {
		include, _ := c.cmd.Flags().GetBool("include-secrets")
		r, err := c.svc.System.Backup(c.ctx, c.str("output-file"), include)
		if err == nil && include {
			fmt.Fprintln(c.cmd.ErrOrStderr(), "warning: "+models.BackupSecretsWarning)
		}
		return models.NewBackupData(r), err
	})
	stringFlags(cmd, "output-file", "file to write (relative to the current directory, or absolute)")
	boolFlag(cmd, "include-secrets", "write env values, oauth_config and settings secrets in clear (default: sealed, restorable with the same secret key)")
	required(cmd, "output-file")
	cmd.Example = example("system backup --output-file backups/today.json", "system backup --output-file move.json --include-secrets")
	return cmd
}

func systemRestore() *cobra.Command {
	cmd := serviceCmd("restore", "Replace the whole state with a backup (or a config file of the original system)", "State restored successfully", func(c *call) (any, error) {
		r, err := c.svc.System.Restore(c.ctx, "input_file", c.str("input-file"))
		return models.NewRestoreData(r), err
	})
	stringFlags(cmd, "input-file", "backup file to read (relative to the current directory, or absolute)")
	required(cmd, "input-file")
	cmd.Example = example("system restore --input-file backups/today.json")
	return cmd
}

func systemReset() *cobra.Command {
	cmd := serviceCmd("reset", "Delete every configuration, project, user, API key and setting", "System reset successfully", func(c *call) (any, error) {
		confirm, _ := c.cmd.Flags().GetBool("confirm")
		r, err := c.svc.System.Reset(c.ctx, confirm)
		return models.ResetData{Deleted: r.Deleted}, err
	})
	boolFlag(cmd, "confirm", "required: confirms that everything is deleted")
	cmd.Example = example("system reset --confirm")
	return cmd
}

func systemImportEnkrypt() *cobra.Command {
	cmd := serviceCmd("import-enkrypt", "Import a config file of the original system (its plaintext keys are hashed)", "Original configuration imported successfully", func(c *call) (any, error) {
		replace, _ := c.cmd.Flags().GetBool("replace")
		r, err := c.svc.System.ImportEnkryptFile(c.ctx, "input_file", c.str("input-file"), replace)
		return models.NewRestoreData(r), err
	})
	stringFlags(cmd, "input-file", "the original system's config file to read (relative to the current directory, or absolute)")
	required(cmd, "input-file")
	boolFlag(cmd, "replace", "replace a store that is not empty")
	cmd.Example = example("system import-enkrypt --input-file enkrypt_mcp_config.json", "system import-enkrypt --input-file enkrypt_mcp_config.json --replace")
	return cmd
}
