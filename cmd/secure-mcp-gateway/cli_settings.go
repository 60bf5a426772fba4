package main

import (
	"github.com/spf13/cobra"

	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/services/system"
)

// newSettingsCmd is the `settings` group: runtime settings, as the
// /api/v1/settings routes. The original CLI's names for three of them live in
// the config group (config set-enkrypt-api-key, config get-enkrypt-api-key,
// config configure-telemetry).
func newSettingsCmd() *cobra.Command {
	return group("settings", "Manage runtime settings (guardrails provider key, telemetry)",
		example("settings list", "settings update-telemetry --enabled true --url http://localhost:4317"),
		settingsList(), settingsGetEnkryptKey("settings"), settingsSetEnkryptKey("settings"), settingsUpdateTelemetry("settings", "update-telemetry"))
}

func settingsList() *cobra.Command {
	cmd := serviceCmd("list", "List the settings, secrets masked", "Settings retrieved successfully", func(c *call) (any, error) {
		views, err := c.svc.Settings.List(c.ctx)
		return models.Items(views, models.NewSettingItem), err
	})
	cmd.Example = example("settings list")
	return cmd
}

// settingsGetEnkryptKey is get-enkrypt-api-key of the parent group.
func settingsGetEnkryptKey(parent string) *cobra.Command {
	cmd := serviceCmd("get-enkrypt-api-key", "Show the guardrails provider key, masked", "Enkrypt API key retrieved successfully", func(c *call) (any, error) {
		st, err := c.svc.Settings.EnkryptAPIKey(c.ctx)
		return models.NewEnkryptAPIKeyData(st), err
	})
	cmd.Example = example(parent + " get-enkrypt-api-key")
	return cmd
}

// settingsSetEnkryptKey is set-enkrypt-api-key of the parent group.
func settingsSetEnkryptKey(parent string) *cobra.Command {
	cmd := serviceCmd("set-enkrypt-api-key", "Store the guardrails provider key", "Enkrypt API key updated successfully", func(c *call) (any, error) {
		key, err := c.apiKey()
		if err != nil {
			return nil, err
		}
		st, err := c.svc.Settings.SetEnkryptAPIKey(c.ctx, key)
		return models.NewEnkryptAPIKeyData(st), err
	})
	apiKeyFlag(cmd, "the provider key")
	cmd.Example = example(parent+" set-enkrypt-api-key --api-key - < provider-key.txt", parent+" set-enkrypt-api-key --api-key ek-0123456789abcdef")
	return cmd
}

// settingsUpdateTelemetry is `settings update-telemetry`, and the original's
// `config configure-telemetry`.
func settingsUpdateTelemetry(parent, use string) *cobra.Command {
	cmd := serviceCmd(use, "Change telemetry settings: each given flag replaces the stored value", "Telemetry settings updated successfully", func(c *call) (any, error) {
		var p system.TelemetryPatch
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
	boolFlag(cmd, "enabled", "export telemetry: --enabled or --enabled true to start, --enabled false to stop")
	boolFlag(cmd, "insecure", "connect to the collector without TLS (true or false)")
	stringFlags(cmd, "url", "collector URL, e.g. http://localhost:4317")
	cmd.MarkFlagsOneRequired("enabled", "insecure", "url")
	path := parent + " " + use
	cmd.Example = example(path+" --enabled true --url http://localhost:4317 --insecure false", path+" --enabled false")
	return cmd
}
