package main

import (
	"bufio"
	"errors"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/services/access"
	"github.com/securemcp/gateway/services/errs"
)

// newUserCmd is the `user` group: users and their API keys, as the
// /api/v1/users and /api/v1/api-keys routes.
func newUserCmd() *cobra.Command {
	return group("user", "Manage users and their API keys",
		example("user list", "user create --email alice@example.com"),
		userList(), userCreate(), userGet(), userUpdate(), userDelete(), userListProjects(), userSearch(),
		userGenerateKey(), userListKeys(), userDeleteAllKeys(), userListAllKeys(), userGetKey(), userRotateKey(),
		userDisableKey(), userEnableKey(), userDeleteKey())
}

// keyItem converts a key view with the API's converter.
func keyItem(v access.KeyView) models.APIKeyItem {
	return models.NewAPIKeyItem(v.APIKeyInfo, v.Masked, string(v.Inactive))
}

func userList() *cobra.Command {
	cmd := serviceCmd("list", "List users", "Users retrieved successfully", func(c *call) (any, error) {
		page, err := c.page()
		if err != nil {
			return nil, err
		}
		users, err := c.svc.Users.List(c.ctx, page)
		return collect(c, users, err, models.NewUserListItem)
	})
	pageFlags(cmd)
	cmd.Example = example("user list")
	return cmd
}

func userCreate() *cobra.Command {
	cmd := serviceCmd("create", "Create a user", "User created successfully", func(c *call) (any, error) {
		u, err := c.svc.Users.Create(c.ctx, c.str("email"))
		return models.NewUserCreated(u), err
	})
	stringFlags(cmd, "email", "email of the new user")
	required(cmd, "email")
	cmd.Example = example("user create --email alice@example.com")
	return cmd
}

func userGet() *cobra.Command {
	cmd := serviceCmd("get", "Show a user with their projects and masked keys", "User retrieved successfully", func(c *call) (any, error) {
		d, err := c.svc.Users.Get(c.ctx, c.user())
		return models.NewUserDetailResponse(d.User, d.Projects, models.Items(d.APIKeys, keyItem), d.APIKeysTotal), err
	})
	userFlags(cmd)
	cmd.Example = example("user get --email alice@example.com")
	return cmd
}

func userUpdate() *cobra.Command {
	cmd := serviceCmd("update", "Change the email of a user", "User updated successfully", func(c *call) (any, error) {
		u, err := c.svc.Users.UpdateEmail(c.ctx, c.user(), c.str("new-email"))
		return models.NewUserCreated(u), err
	})
	userFlags(cmd)
	stringFlags(cmd, "new-email", "new email")
	required(cmd, "new-email")
	cmd.Example = example("user update --email alice@example.com --new-email alice@example.org")
	return cmd
}

func userDelete() *cobra.Command {
	cmd := serviceCmd("delete", "Delete a user (with --force, their keys and memberships too)", "User deleted successfully", func(c *call) (any, error) {
		force, _ := c.cmd.Flags().GetBool("force")
		d, err := c.svc.Users.Delete(c.ctx, c.user(), force)
		return models.NewUserDeleted(d.User, d.APIKeys, d.Memberships), err
	})
	userFlags(cmd)
	boolFlag(cmd, "force", "also delete the user's API keys and memberships")
	cmd.Example = example("user delete --email alice@example.com", "user delete --email alice@example.com --force")
	return cmd
}

func userListProjects() *cobra.Command {
	cmd := serviceCmd("list-projects", "List the projects of a user", "User projects retrieved successfully", func(c *call) (any, error) {
		projects, err := c.svc.Users.Projects(c.ctx, c.user())
		return paged(c, models.Items(projects, models.NewUserProjectItem), err)
	})
	pageFlags(cmd)
	userFlags(cmd)
	cmd.Example = example("user list-projects --email alice@example.com")
	return cmd
}

func userSearch() *cobra.Command {
	cmd := serviceCmd("search", "Search users by email or project name", "Users found", func(c *call) (any, error) {
		hits, err := c.svc.Users.Search(c.ctx, c.str("search-term"))
		return paged(c, models.Items(hits, models.NewUserListItem), err)
	})
	pageFlags(cmd)
	stringFlags(cmd, "search-term", "case-insensitive substring of an email or project name")
	required(cmd, "search-term")
	cmd.Example = example("user search --search-term example.com")
	return cmd
}

func userGenerateKey() *cobra.Command {
	cmd := serviceCmd("generate-api-key", "Generate an API key of a user for a project; the secret is shown once",
		"API key generated successfully; store it now, it will not be shown again", func(c *call) (any, error) {
			k, err := c.svc.APIKeys.Generate(c.ctx, c.user(), c.str("project-id"), c.str("project-name"), c.str("expires-at"))
			return models.NewKeyIssued(k.Secret, k.Key), err
		})
	userFlags(cmd)
	projectFlags(cmd)
	stringFlags(cmd, "expires-at", "optional expiry, RFC 3339 (e.g. 2030-01-01T00:00:00Z)")
	cmd.Example = example("user generate-api-key --email alice@example.com --project-name my-project", "user generate-api-key --email alice@example.com --project-name my-project --expires-at 2030-01-01T00:00:00Z")
	return cmd
}

func userListKeys() *cobra.Command {
	cmd := serviceCmd("list-api-keys", "List the keys of a user, masked", "API keys retrieved successfully", func(c *call) (any, error) {
		page, err := c.page()
		if err != nil {
			return nil, err
		}
		keys, err := c.svc.APIKeys.ListOfUser(c.ctx, c.user(), c.ident("project-name", "project-id"), page)
		return collect(c, keys, err, keyItem)
	})
	pageFlags(cmd)
	userFlags(cmd)
	stringFlags(cmd, "project-name", "only the keys for this project", "project-id", "only the keys for this project")
	cmd.MarkFlagsMutuallyExclusive("project-name", "project-id")
	cmd.Example = example("user list-api-keys --email alice@example.com", "user list-api-keys --email alice@example.com --project-name my-project")
	return cmd
}

func userDeleteAllKeys() *cobra.Command {
	cmd := serviceCmd("delete-all-api-keys", "Delete every key of a user", "API keys deleted successfully", func(c *call) (any, error) {
		u, n, err := c.svc.APIKeys.DeleteAllOfUser(c.ctx, c.user())
		return models.NewKeysDeleted(u, n), err
	})
	userFlags(cmd)
	cmd.Example = example("user delete-all-api-keys --email alice@example.com")
	return cmd
}

func userListAllKeys() *cobra.Command {
	cmd := serviceCmd("list-all-api-keys", "List every API key, masked", "API keys retrieved successfully", func(c *call) (any, error) {
		page, err := c.page()
		if err != nil {
			return nil, err
		}
		keys, err := c.svc.APIKeys.List(c.ctx, page)
		return collect(c, keys, err, keyItem)
	})
	pageFlags(cmd)
	cmd.Example = example("user list-all-api-keys")
	return cmd
}

// apiKeyFlag declares the required --api-key; "-" reads it from stdin so that
// a secret need not appear in the process list or shell history.
func apiKeyFlag(cmd *cobra.Command, usage string) {
	stringFlags(cmd, "api-key", usage+`; "-" reads it from stdin`)
	required(cmd, "api-key")
}

// apiKey returns the key named by --api-key.
func (c *call) apiKey() (string, error) {
	ref := strings.TrimSpace(c.str("api-key"))
	if ref == "" {
		return "", errs.Invalid("--api-key is required: a key id or secret, or - to read it from stdin")
	}
	if ref != "-" {
		return ref, nil
	}
	line, err := bufio.NewReader(c.cmd.InOrStdin()).ReadString('\n')
	if strings.TrimSpace(line) == "" {
		if err != nil && !errors.Is(err, io.EOF) {
			return "", &errs.Error{Kind: errs.KindInternal, Message: "--api-key -: cannot read stdin", Err: err}
		}
		return "", errs.Invalid("--api-key -: stdin is empty; write the key id or secret on its first line")
	}
	return strings.TrimSpace(line), nil
}

// keyCmd builds a command acting on one key named by --api-key.
func keyCmd(use, short, message string, run func(c *call, ref string) (any, error)) *cobra.Command {
	cmd := serviceCmd(use, short, message, func(c *call) (any, error) {
		ref, err := c.apiKey()
		if err != nil {
			return nil, err
		}
		return run(c, ref)
	})
	apiKeyFlag(cmd, "key id or secret")
	cmd.Example = example("user "+use+" --api-key 3f2c7a4e-8a6b-4c1e-9d2f-1b5e6c7d8e9f", "user "+use+" --api-key - < key.txt")
	return cmd
}

func userGetKey() *cobra.Command {
	return keyCmd("get-api-key", "Show one key, masked, with its configuration", "API key retrieved successfully", func(c *call, ref string) (any, error) {
		d, err := c.svc.APIKeys.Get(c.ctx, ref)
		return models.NewAPIKeyDetail(keyItem(d.KeyView), d.Config), err
	})
}

func userRotateKey() *cobra.Command {
	cmd := keyCmd("rotate-api-key", "Give a key a new secret, shown once; the old one stops verifying (after the grace period)",
		"API key rotated successfully; store the new key now, it will not be shown again", func(c *call, ref string) (any, error) {
			grace, _ := c.cmd.Flags().GetInt("grace-period-seconds")
			k, err := c.svc.APIKeys.Rotate(c.ctx, ref, grace)
			return models.NewKeyRotated(k.Secret, k.Key), err
		})
	cmd.Flags().Int("grace-period-seconds", 0, "keep the old secret verifying this long (0 to 604800)")
	cmd.Example = example("user rotate-api-key --api-key - < key.txt", "user rotate-api-key --api-key 3f2c7a4e-8a6b-4c1e-9d2f-1b5e6c7d8e9f --grace-period-seconds 3600")
	return cmd
}

func userDisableKey() *cobra.Command {
	return keyCmd("disable-api-key", "Disable a key", "API key disabled", func(c *call, ref string) (any, error) {
		v, err := c.svc.APIKeys.Disable(c.ctx, ref)
		return keyItem(v), err
	})
}

func userEnableKey() *cobra.Command {
	return keyCmd("enable-api-key", "Enable a key", "API key enabled", func(c *call, ref string) (any, error) {
		v, err := c.svc.APIKeys.Enable(c.ctx, ref)
		return keyItem(v), err
	})
}

func userDeleteKey() *cobra.Command {
	return keyCmd("delete-api-key", "Delete a key", "API key deleted", func(c *call, ref string) (any, error) {
		v, err := c.svc.APIKeys.Delete(c.ctx, ref)
		return keyItem(v), err
	})
}
