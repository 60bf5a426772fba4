package main

import (
	"github.com/spf13/cobra"

	"github.com/securemcp/gateway/models"
)

// newConfigCmd is the `config` group: configurations and their servers, as the
// /api/v1/configs routes.
func newConfigCmd() *cobra.Command {
	return group("config", "Manage MCP configurations and their servers",
		example("config list", "config add --config-name my-config", "config add-server --help"),
		configList(), configAdd(), configGet(), configRemove(), configCopy(), configRename(), configSearch(),
		configValidate(), configExport(), configImport(), configListProjects(),
		configListServers(), configAddServer(), configGetServer(), configUpdateServer(), configRemoveServer(), configDiscoverServer(), configApproveTools(),
		configRemoveAllServers(), configInputGuardrails(), configOutputGuardrails(), configGuardrails(),
		// The original CLI keeps the settings commands in this group.
		settingsSetEnkryptKey("config"), settingsGetEnkryptKey("config"), settingsUpdateTelemetry("config", "configure-telemetry"))
}

func configList() *cobra.Command {
	cmd := serviceCmd("list", "List configurations", "Configurations retrieved successfully", func(c *call) (any, error) {
		page, err := c.page()
		if err != nil {
			return nil, err
		}
		configs, _, err := c.svc.Configs.List(c.ctx, page)
		return models.Items(configs, models.NewConfigListItem), err
	})
	pageFlags(cmd)
	cmd.Example = example("config list", "config list --limit 10 --offset 20")
	return cmd
}

func configAdd() *cobra.Command {
	cmd := serviceCmd("add", "Create a configuration", "Configuration created successfully", func(c *call) (any, error) {
		cfg, err := c.svc.Configs.Create(c.ctx, c.str("config-name"))
		return models.NewConfigCreated(cfg), err
	})
	stringFlags(cmd, "config-name", "name of the new configuration")
	required(cmd, "config-name")
	cmd.Example = example("config add --config-name my-config")
	return cmd
}

func configGet() *cobra.Command {
	cmd := serviceCmd("get", "Show a configuration with its servers", "Configuration retrieved successfully", func(c *call) (any, error) {
		d, err := c.svc.Configs.Get(c.ctx, c.config())
		return models.NewConfigDetailResponse(d.Config, d.Servers), err
	})
	configFlags(cmd)
	cmd.Example = example("config get --config-name my-config", "config get --config-id 3f2c7a4e-8a6b-4c1e-9d2f-1b5e6c7d8e9f")
	return cmd
}

func configRemove() *cobra.Command {
	cmd := serviceCmd("remove", "Delete a configuration (refused while a project uses it)", "Configuration deleted successfully", func(c *call) (any, error) {
		cfg, err := c.svc.Configs.Delete(c.ctx, c.config())
		return models.NewConfigCreated(cfg), err
	})
	configFlags(cmd)
	cmd.Example = example("config remove --config-name my-config")
	return cmd
}

func configCopy() *cobra.Command {
	cmd := serviceCmd("copy", "Copy a configuration with its servers", "Configuration copied successfully", func(c *call) (any, error) {
		cfg, err := c.svc.Configs.Copy(c.ctx, c.str("source-config"), c.str("target-config"))
		return models.NewConfigCreated(cfg), err
	})
	stringFlags(cmd, "source-config", "configuration to copy (name or id)", "target-config", "name of the copy")
	required(cmd, "source-config", "target-config")
	cmd.Example = example("config copy --source-config my-config --target-config my-config-copy")
	return cmd
}

func configRename() *cobra.Command {
	cmd := serviceCmd("rename", "Rename a configuration", "Configuration renamed successfully", func(c *call) (any, error) {
		cfg, err := c.svc.Configs.Rename(c.ctx, c.config(), c.str("new-name"))
		return models.NewConfigCreated(cfg), err
	})
	configFlags(cmd)
	stringFlags(cmd, "new-name", "new name of the configuration")
	required(cmd, "new-name")
	cmd.Example = example("config rename --config-name my-config --new-name production")
	return cmd
}

func configSearch() *cobra.Command {
	cmd := serviceCmd("search", "Search configurations by name or server name", "Search completed", func(c *call) (any, error) {
		hits, err := c.svc.Configs.Search(c.ctx, c.str("search-term"))
		return paged(c, models.Items(hits, models.NewConfigSearchItem), err)
	})
	pageFlags(cmd)
	stringFlags(cmd, "search-term", "case-insensitive substring of a configuration or server name")
	required(cmd, "search-term")
	cmd.Example = example("config search --search-term github")
	return cmd
}

func configValidate() *cobra.Command {
	cmd := serviceCmd("validate", "Validate a configuration", "Configuration is valid", func(c *call) (any, error) {
		return c.svc.Configs.Validate(c.ctx, c.config())
	})
	configFlags(cmd)
	cmd.Example = example("config validate --config-name my-config")
	return cmd
}

func configExport() *cobra.Command {
	cmd := serviceCmd("export", "Export a configuration to a file", "", func(c *call) (any, error) {
		file := c.str("output-file")
		c.message = "Configuration exported to " + file
		res, err := c.svc.Configs.Export(c.ctx, c.config(), file)
		return res.Document, err
	})
	configFlags(cmd)
	stringFlags(cmd, "output-file", "file to write (relative to the current directory, or absolute)")
	required(cmd, "output-file")
	cmd.Example = example("config export --config-name my-config --output-file exports/my-config.json")
	return cmd
}

func configImport() *cobra.Command {
	cmd := serviceCmd("import", "Create a configuration from an exported document", "Configuration imported successfully", func(c *call) (any, error) {
		cfg, err := c.svc.Configs.Import(c.ctx, c.str("config-name"), c.str("input-file"), []byte(c.str("config")))
		return models.NewConfigCreated(cfg), err
	})
	stringFlags(cmd, "config-name", "name of the new configuration", "input-file", "document file to read (relative to the current directory, or absolute)",
		"config", "the document as a JSON string (an export, {\"mcp_config\": [...]} or a list of servers)")
	required(cmd, "config-name")
	cmd.MarkFlagsMutuallyExclusive("input-file", "config")
	cmd.MarkFlagsOneRequired("input-file", "config")
	cmd.Example = example("config import --config-name restored --input-file exports/my-config.json", `config import --config-name restored --config '{"mcp_config":[]}'`)
	return cmd
}

func configListProjects() *cobra.Command {
	cmd := serviceCmd("list-projects", "List the projects using a configuration", "Projects retrieved successfully", func(c *call) (any, error) {
		usage, err := c.svc.Configs.Projects(c.ctx, c.config())
		return paged(c, models.Items(usage, models.NewConfigProjectItem), err)
	})
	pageFlags(cmd)
	configFlags(cmd)
	cmd.Example = example("config list-projects --config-name my-config")
	return cmd
}
