package main

import (
	"github.com/spf13/cobra"

	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/services/access"
	"github.com/securemcp/gateway/services/errs"
)

// newAdminKeysCmd is the `admin-key` group: the named admin keys, as the
// /api/v1/admin-keys routes. The bootstrap key of the config file is printed
// by `system admin-key`, and is none of these.
func newAdminKeysCmd() *cobra.Command {
	return group("admin-key", "Manage the named admin keys of the management API (roles admin, operator, viewer)",
		example("admin-key create --name ci --role operator", "admin-key list"),
		adminKeyCreate(), adminKeyList(), adminKeyGet(), adminKeyDelete())
}

func adminKeyItem(v access.AdminKeyView) models.AdminKeyItem {
	return models.NewAdminKeyItem(v.AdminKey, v.Masked, v.Expired)
}

// adminKeyFlags declares --name | --key-id.
func adminKeyFlags(cmd *cobra.Command) {
	oneOf(cmd, "name", "admin key name", "key-id", "admin key id")
}

func adminKeyCreate() *cobra.Command {
	cmd := serviceCmd("create", "Create a named admin key with a role; the secret is shown once",
		"Admin key created successfully; store it now, it will not be shown again", func(c *call) (any, error) {
			in, _ := c.cmd.Flags().GetDuration("expires-in")
			if c.changed("expires-in") && in <= 0 {
				return nil, errs.Invalid("--expires-in must be a positive duration such as 720h")
			}
			k, err := c.svc.AdminKeys.Create(c.ctx, access.NewAdminKey{Name: c.str("name"), Role: c.str("role"),
				ExpiresAt: c.str("expires-at"), ExpiresIn: in})
			item := models.NewAdminKeyItem(k.Key, access.AdminKeyPrefix+"…"+k.Key.Last4, false)
			return models.AdminKeyIssued{AdminKeyItem: item, APIKey: k.Secret}, err
		})
	stringFlags(cmd, "name", "name of the new key (unique)",
		"role", "admin (everything), operator (everything but admin keys, settings, restore and reset) or viewer (reads only, secrets masked)",
		"expires-at", "optional expiry, RFC 3339 (e.g. 2030-01-01T00:00:00Z)")
	cmd.Flags().Duration("expires-in", 0, "optional lifetime from now (e.g. 720h)")
	required(cmd, "name", "role")
	cmd.MarkFlagsMutuallyExclusive("expires-at", "expires-in")
	cmd.Example = example("admin-key create --name ci --role operator",
		"admin-key create --name auditor --role viewer --expires-in 720h",
		"admin-key create --name oncall --role admin --expires-at 2030-01-01T00:00:00Z")
	return cmd
}

func adminKeyList() *cobra.Command {
	cmd := serviceCmd("list", "List the named admin keys, masked", "Admin keys retrieved successfully", func(c *call) (any, error) {
		page, err := c.page()
		if err != nil {
			return nil, err
		}
		keys, _, err := c.svc.AdminKeys.List(c.ctx, page)
		return models.Items(keys, adminKeyItem), err
	})
	pageFlags(cmd)
	cmd.Example = example("admin-key list", "admin-key list --limit 10 --offset 10")
	return cmd
}

func adminKeyGet() *cobra.Command {
	cmd := serviceCmd("get", "Show one named admin key, masked", "Admin key retrieved successfully", func(c *call) (any, error) {
		k, err := c.svc.AdminKeys.Get(c.ctx, c.ident("name", "key-id"))
		return adminKeyItem(k), err
	})
	adminKeyFlags(cmd)
	cmd.Example = example("admin-key get --name ci")
	return cmd
}

func adminKeyDelete() *cobra.Command {
	cmd := serviceCmd("delete", "Delete (revoke) a named admin key: refused from its next request on",
		"Admin key deleted successfully", func(c *call) (any, error) {
			k, err := c.svc.AdminKeys.Delete(c.ctx, c.ident("name", "key-id"))
			return adminKeyItem(k), err
		})
	adminKeyFlags(cmd)
	cmd.Example = example("admin-key delete --name ci", "admin-key delete --key-id 3e0b6f5a-1c2d-4e3f-8a9b-0c1d2e3f4a5b")
	return cmd
}
