package main

import (
	"github.com/spf13/cobra"

	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/services"
)

// newSettingsCmd is the `settings` group: runtime settings, as the
// /api/v1/settings routes.
func newSettingsCmd() *cobra.Command {
	return group("settings", "Manage runtime settings (guardrails provider key, telemetry)",
		settingsList(), settingsGetEnkryptKey(), settingsSetEnkryptKey(), settingsUpdateTelemetry())
}

func settingsList() *cobra.Command {
	return serviceCmd("list", "List the settings, secrets masked", "Settings retrieved successfully", func(c *call) (any, error) {
		views, err := c.svc.Settings.List(c.ctx)
		return models.Items(views, models.NewSettingItem), err
	})
}

func settingsGetEnkryptKey() *cobra.Command {
	return serviceCmd("get-enkrypt-api-key", "Show the guardrails provider key, masked", "Enkrypt API key retrieved successfully", func(c *call) (any, error) {
		st, err := c.svc.Settings.EnkryptAPIKey(c.ctx)
		return models.NewEnkryptAPIKeyData(st), err
	})
}

func settingsSetEnkryptKey() *cobra.Command {
	cmd := serviceCmd("set-enkrypt-api-key", "Store the guardrails provider key", "Enkrypt API key updated successfully", func(c *call) (any, error) {
		key, err := c.apiKey()
		if err != nil {
			return nil, err
		}
		st, err := c.svc.Settings.SetEnkryptAPIKey(c.ctx, key)
		return models.NewEnkryptAPIKeyData(st), err
	})
	apiKeyFlag(cmd, "the provider key")
	return cmd
}

func settingsUpdateTelemetry() *cobra.Command {
	cmd := serviceCmd("update-telemetry", "Change telemetry settings: each given flag replaces the stored value", "Telemetry settings updated successfully", func(c *call) (any, error) {
		var p services.TelemetryPatch
		if c.changed("enabled") {
			v, _ := c.cmd.Flags().GetBool("enabled")
			p.Enabled = &v
		}
		if c.changed("insecure") {
			v, _ := c.cmd.Flags().GetBool("insecure")
			p.Insecure = &v
		}
		if c.changed("url") {
			v := c.str("url")
			p.URL = &v
		}
		return c.svc.Settings.UpdateTelemetry(c.ctx, p)
	})
	cmd.Flags().Bool("enabled", false, "export telemetry (--enabled=false to stop)")
	cmd.Flags().Bool("insecure", false, "connect to the collector without TLS")
	stringFlags(cmd, "url", "collector URL, e.g. http://localhost:4317")
	cmd.MarkFlagsOneRequired("enabled", "insecure", "url")
	return cmd
}
