package main

import (
	"github.com/spf13/cobra"

	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/services/catalog"
)

// serverFlags declares the flags that identify one server of a configuration.
func serverFlags(cmd *cobra.Command) {
	configFlags(cmd)
	stringFlags(cmd, "server-name", "server name")
	required(cmd, "server-name")
}

const sharedProcessHelp = "run one process of the server for every user of the configuration (stateless servers); by default each user of each project gets their own"

// serverFieldFlags declares the settable fields of a server.
func serverFieldFlags(cmd *cobra.Command) {
	stringFlags(cmd, "server-command", "command launching the server",
		"description", "description of the server",
		"env", `environment as a JSON object, e.g. '{"GITHUB_TOKEN":"..."}'`,
		"tools", "tools as a JSON object",
		"oauth-config", `OAuth configuration as a JSON object in the original system's shape, e.g. '{"enabled":true,"OAUTH_CLIENT_ID":"...","OAUTH_CLIENT_SECRET":"...","OAUTH_TOKEN_URL":"https://auth.example.com/oauth/token"}'; '{}' removes it`)
	cmd.Flags().StringSlice("args", nil, `arguments, comma separated (e.g. --args=-y,@modelcontextprotocol/server-github); `+
		`an argument with a comma or a double quote is quoted as in CSV: --args='-y,"--origins=a.com,b.com"'`)
}

func configListServers() *cobra.Command {
	cmd := serviceCmd("list-servers", "List the servers of a configuration", "Servers retrieved successfully", func(c *call) (any, error) {
		servers, err := c.svc.Configs.ListServers(c.ctx, c.config())
		return paged(c, models.Items(servers, models.NewServerListItem), err)
	})
	pageFlags(cmd)
	configFlags(cmd)
	cmd.Example = example("config list-servers --config-name my-config")
	return cmd
}

func configAddServer() *cobra.Command {
	cmd := serviceCmd("add-server", "Add a server to a configuration", "Server added successfully", func(c *call) (any, error) {
		req := models.AddServerRequest{ServerName: c.str("server-name"), ServerCommand: c.str("server-command"),
			Description: c.str("description")}
		req.Args, _ = c.cmd.Flags().GetStringSlice("args")
		req.EnableServerInfoValidation, _ = c.cmd.Flags().GetBool("enable-server-info-validation")
		req.SharedProcess, _ = c.cmd.Flags().GetBool("shared-process")
		var err error
		if req.InputGuardrailsPolicy, err = c.policy("input-guardrails-policy"); err != nil {
			return nil, err
		}
		if req.OutputGuardrailsPolicy, err = c.policy("output-guardrails-policy"); err != nil {
			return nil, err
		}
		if _, err := c.jsonFlag("env", &req.Env); err != nil {
			return nil, err
		}
		if _, err := c.jsonFlag("tools", &req.Tools); err != nil {
			return nil, err
		}
		if _, err := c.jsonFlag("oauth-config", &req.OAuthConfig); err != nil {
			return nil, err
		}
		srv, err := c.svc.Configs.AddServer(c.ctx, c.config(), req.Server())
		return models.NewServerObject(srv), err
	})
	serverFlags(cmd)
	serverFieldFlags(cmd)
	stringFlags(cmd, "input-guardrails-policy", "input guardrails policy as a JSON object",
		"output-guardrails-policy", "output guardrails policy as a JSON object")
	boolFlag(cmd, "enable-server-info-validation", "validate the server's info")
	boolFlag(cmd, "shared-process", sharedProcessHelp)
	required(cmd, "server-command")
	cmd.Example = example("config add-server --config-name my-config --server-name github --server-command npx --args=-y,@modelcontextprotocol/server-github",
		`config add-server --config-name my-config --server-name db --server-command python --args db.py --env '{"DB_HOST":"localhost"}' --description 'Database server'`)
	return cmd
}

func configGetServer() *cobra.Command {
	cmd := serviceCmd("get-server", "Show one server of a configuration", "Server retrieved successfully", func(c *call) (any, error) {
		srv, err := c.svc.Configs.GetServer(c.ctx, c.config(), c.str("server-name"))
		return models.NewServerObject(srv), err
	})
	serverFlags(cmd)
	cmd.Example = example("config get-server --config-name my-config --server-name github")
	return cmd
}

func configUpdateServer() *cobra.Command {
	cmd := serviceCmd("update-server", "Update a server: each given flag replaces the stored value, empty values included",
		"Server updated successfully", func(c *call) (any, error) {
			p, err := serverPatch(c)
			if err != nil {
				return nil, err
			}
			srv, err := c.svc.Configs.UpdateServer(c.ctx, c.config(), c.str("server-name"), p)
			return models.NewServerObject(srv), err
		})
	serverFlags(cmd)
	serverFieldFlags(cmd)
	boolFlag(cmd, "shared-process", sharedProcessHelp)
	cmd.MarkFlagsOneRequired("server-command", "args", "env", "tools", "description", "shared-process", "oauth-config")
	cmd.Example = example("config update-server --config-name my-config --server-name github --description 'GitHub MCP Server'",
		`config update-server --config-name my-config --server-name github --tools '{"search":{"enabled":true}}'`)
	return cmd
}

// serverPatch reads the flags that were given: only they replace stored values.
func serverPatch(c *call) (catalog.ServerPatch, error) {
	var p catalog.ServerPatch
	if c.changed("server-command") {
		v := c.str("server-command")
		p.Command = &v
	}
	if c.changed("description") {
		v := c.str("description")
		p.Description = &v
	}
	if c.changed("args") {
		v, _ := c.cmd.Flags().GetStringSlice("args")
		p.Args = &v
	}
	if c.changed("shared-process") {
		v, _ := c.cmd.Flags().GetBool("shared-process")
		p.SharedProcess = &v
	}
	// The request types, as add-server and the API use: null values refused,
	// numbers exact.
	var env models.StringMap
	if given, err := c.jsonFlag("env", &env); err != nil {
		return p, err
	} else if given {
		p.Env = (*map[string]string)(&env)
	}
	var tools models.JSONObject
	if given, err := c.jsonFlag("tools", &tools); err != nil {
		return p, err
	} else if given {
		p.Tools = (*map[string]any)(&tools)
	}
	var oauth models.JSONObject
	if given, err := c.jsonFlag("oauth-config", &oauth); err != nil {
		return p, err
	} else if given {
		p.OAuthConfig = (*map[string]any)(&oauth) // '{}' removes it
	}
	return p, nil
}

func configRemoveServer() *cobra.Command {
	cmd := serviceCmd("remove-server", "Remove one server of a configuration", "Server removed successfully", func(c *call) (any, error) {
		err := c.svc.Configs.RemoveServer(c.ctx, c.config(), c.str("server-name"))
		return models.DeletedData{Deleted: 1}, err
	})
	serverFlags(cmd)
	cmd.Example = example("config remove-server --config-name my-config --server-name github")
	return cmd
}

func configRemoveAllServers() *cobra.Command {
	cmd := serviceCmd("remove-all-servers", "Remove every server of a configuration", "All servers removed successfully", func(c *call) (any, error) {
		n, err := c.svc.Configs.RemoveAllServers(c.ctx, c.config())
		return models.DeletedData{Deleted: n}, err
	})
	configFlags(cmd)
	cmd.Example = example("config remove-all-servers --config-name my-config")
	return cmd
}

// policyCmd builds a command replacing guardrails policies of a server; pairs
// lists (policy flag, policy file flag) pairs, and read turns the given
// policies into the update.
func policyCmd(use, short, message, examples string, pairs [][2]string, read func(c *call, policies []*models.GuardrailPolicy) catalog.PolicyUpdate) *cobra.Command {
	cmd := serviceCmd(use, short, message, func(c *call) (any, error) {
		policies := make([]*models.GuardrailPolicy, len(pairs))
		for i, pair := range pairs {
			var err error
			if policies[i], err = c.policy(pair[0]); err != nil {
				return nil, err
			}
		}
		srv, err := c.svc.Configs.SetPolicies(c.ctx, c.config(), c.str("server-name"), read(c, policies))
		return models.NewServerObject(srv), err
	})
	serverFlags(cmd)
	var all []string
	for _, pair := range pairs {
		stringFlags(cmd, pair[0], "policy as a JSON object, e.g. '{\"enabled\":true,\"policy_name\":\"p\",\"block\":[\"policy_violation\"]}'",
			pair[1], "policy file to read (relative to the current directory, or absolute)")
		cmd.MarkFlagsMutuallyExclusive(pair[0], pair[1])
		all = append(all, pair[0], pair[1])
	}
	cmd.MarkFlagsOneRequired(all...)
	cmd.Example = examples
	return cmd
}

func configInputGuardrails() *cobra.Command {
	return policyCmd("update-server-input-guardrails", "Replace the input guardrails policy of a server", "Input guardrails policy updated",
		example(`config update-server-input-guardrails --config-name my-config --server-name github --policy '{"enabled":true,"policy_name":"Sample Airline Guardrail","block":["policy_violation"]}'`,
			"config update-server-input-guardrails --config-name my-config --server-name github --policy-file input_policy.json"),
		[][2]string{{"policy", "policy-file"}}, func(c *call, p []*models.GuardrailPolicy) catalog.PolicyUpdate {
			return catalog.InputPolicyUpdate(p[0], c.str("policy-file"))
		})
}

func configOutputGuardrails() *cobra.Command {
	return policyCmd("update-server-output-guardrails", "Replace the output guardrails policy of a server", "Output guardrails policy updated",
		example(`config update-server-output-guardrails --config-name my-config --server-name github --policy '{"enabled":true,"policy_name":"Output Policy","block":["policy_violation"]}'`,
			"config update-server-output-guardrails --config-name my-config --server-name github --policy-file output_policy.json"),
		[][2]string{{"policy", "policy-file"}}, func(c *call, p []*models.GuardrailPolicy) catalog.PolicyUpdate {
			return catalog.OutputPolicyUpdate(p[0], c.str("policy-file"))
		})
}

func configGuardrails() *cobra.Command {
	return policyCmd("update-server-guardrails", "Replace the input and/or output guardrails policies of a server", "Guardrails policies updated",
		example("config update-server-guardrails --config-name my-config --server-name github --input-policy-file input_policy.json --output-policy-file output_policy.json",
			`config update-server-guardrails --config-name my-config --server-name github --input-policy '{"enabled":false}'`),
		[][2]string{{"input-policy", "input-policy-file"}, {"output-policy", "output-policy-file"}},
		func(c *call, p []*models.GuardrailPolicy) catalog.PolicyUpdate {
			return catalog.PolicyUpdate{Input: p[0], InputFile: c.str("input-policy-file"), Output: p[1], OutputFile: c.str("output-policy-file")}
		})
}
