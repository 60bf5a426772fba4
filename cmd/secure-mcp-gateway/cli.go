package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strings"

	"github.com/google/uuid"
	"github.com/spf13/cobra"

	"github.com/securemcp/gateway/config"
	"github.com/securemcp/gateway/internal/actor"
	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/repositories"
	"github.com/securemcp/gateway/services"
	"github.com/securemcp/gateway/services/entity"
	"github.com/securemcp/gateway/services/errs"
)

// call is one run of a management command: its flags and the services, opened
// directly on the store (no server needed; SQLite lets a running server and
// the CLI share the file).
type call struct {
	cmd *cobra.Command
	ctx context.Context
	svc *services.Services
	// message is the success message; a command may replace its default.
	message string
}

// serviceCmd builds a command that opens the app, runs one service call and
// prints its result in the API's success envelope with message.
func serviceCmd(use, short, message string, run func(c *call) (any, error)) *cobra.Command {
	return &cobra.Command{
		Use:   use,
		Short: short,
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			loader, settings, err := loadSettings(cmd)
			if err != nil {
				return err
			}
			if err := refuseUnknownHome(loader.Path(), settings); err != nil {
				return err
			}
			a, err := openApp(cmd.Context(), loader, settings, cliFiles)
			if err != nil {
				return err
			}
			defer a.Close()
			c := &call{cmd: cmd, ctx: cliContext(cmd), svc: a.services, message: message}
			data, err := run(c)
			if err != nil {
				c.recordRefusal(err)
				return err
			}
			printResult(cmd, c.message, data)
			return nil
		},
	}
}

// cliContext names who acts and the operation, for the audit records of the
// command's writes: the operating-system user, and the command's path dotted
// ("config add-server" is config.add_server, as the API names the same
// operation). Each run gets a request id of its own.
func cliContext(cmd *cobra.Command) context.Context {
	name := "unknown"
	if u, err := user.Current(); err == nil && u.Username != "" {
		name = u.Username
	} else if v := os.Getenv("USER"); v != "" {
		name = v
	}
	ctx := actor.With(cmd.Context(), actor.Actor{Kind: actor.CLI, ID: name, Role: actor.RoleAdmin, RequestID: uuid.NewString()})
	return actor.WithAction(ctx, commandAction(cmd))
}

// commandAction is the action name of a command: its path without the
// program's name, dotted, hyphens as underscores.
func commandAction(cmd *cobra.Command) string {
	path := strings.Fields(cmd.CommandPath())[1:]
	return strings.ReplaceAll(strings.Join(path, "."), "-", "_")
}

// stringFlags declares string flags as name, usage pairs.
func stringFlags(cmd *cobra.Command, nameUsage ...string) {
	for i := 0; i+1 < len(nameUsage); i += 2 {
		cmd.Flags().String(nameUsage[i], "", nameUsage[i+1])
	}
}

// required marks flags that must be given.
func required(cmd *cobra.Command, names ...string) {
	for _, n := range names {
		must(cmd.MarkFlagRequired(n))
	}
}

// oneOf declares two flags naming one entity (e.g. --config-name and
// --config-id): exactly one of them must be given.
func oneOf(cmd *cobra.Command, nameFlag, nameUsage, idFlag, idUsage string) {
	stringFlags(cmd, nameFlag, nameUsage, idFlag, idUsage)
	cmd.MarkFlagsMutuallyExclusive(nameFlag, idFlag)
	cmd.MarkFlagsOneRequired(nameFlag, idFlag)
}

// configFlags declares --config-name | --config-id.
func configFlags(cmd *cobra.Command) {
	oneOf(cmd, "config-name", "configuration name", "config-id", "configuration id")
}

// projectFlags declares --project-name | --project-id.
func projectFlags(cmd *cobra.Command) {
	oneOf(cmd, "project-name", "project name", "project-id", "project id")
}

// userFlags declares --email | --user-id.
func userFlags(cmd *cobra.Command) { oneOf(cmd, "email", "user email", "user-id", "user id") }

// pageFlags declares --limit and --offset, as the API's ?limit=&offset=.
func pageFlags(cmd *cobra.Command) {
	cmd.Flags().Int("limit", 0, "page size (0: all)")
	cmd.Flags().Int("offset", 0, "entries to skip")
}

func (c *call) str(name string) string {
	v, _ := c.cmd.Flags().GetString(name)
	return v
}

func (c *call) changed(name string) bool { return c.cmd.Flags().Changed(name) }

// ident returns the value of whichever of the two identifying flags was given;
// oneOf guarantees exactly one.
func (c *call) ident(nameFlag, idFlag string) string {
	if c.changed(idFlag) {
		return c.str(idFlag)
	}
	return c.str(nameFlag)
}

// config identifies the configuration named by --config-name | --config-id.
func (c *call) config() string { return c.ident("config-name", "config-id") }

// project identifies the project named by --project-name | --project-id.
func (c *call) project() string { return c.ident("project-name", "project-id") }

// user identifies the user named by --email | --user-id.
func (c *call) user() string { return c.ident("email", "user-id") }

func (c *call) page() (repositories.Page, error) {
	limit, _ := c.cmd.Flags().GetInt("limit")
	offset, _ := c.cmd.Flags().GetInt("offset")
	if limit < 0 || offset < 0 {
		return repositories.Page{}, errs.Invalid("--limit and --offset must be non-negative")
	}
	return repositories.Page{Limit: limit, Offset: offset}, nil
}

// refuseUnknownHome stops a command on the embedded store whose config file
// does not exist and whose data directory is that file's missing directory: a
// mistyped --config-path would otherwise make a new, empty store there and act
// on it.
func refuseUnknownHome(configPath string, s config.Settings) error {
	if s.DatabaseURL != "" {
		return nil // the store is the shared database, named explicitly
	}
	if _, err := os.Stat(configPath); err == nil {
		return nil
	}
	if filepath.Clean(s.DataDir) != filepath.Dir(configPath) {
		return nil // a data directory chosen explicitly
	}
	if _, err := os.Stat(s.DataDir); err == nil {
		return nil
	}
	return errs.Invalid("neither the config file %s nor its directory exists; create them with generate-config (or system start-api), or name an existing --data-dir", configPath)
}

// paged applies --limit and --offset to a list loaded whole, as the API's
// routes do.
// collect reads a whole listing and converts its items for printing.
func collect[T, U any](c *call, l entity.Listing[T], err error, item func(T) U) (any, error) {
	if err != nil {
		return nil, err
	}
	items, err := l.Collect(c.ctx)
	return models.Items(items, item), err
}

func paged[T any](c *call, items []T, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	page, err := c.page()
	if err != nil {
		return nil, err
	}
	start, end := page.Bounds(len(items))
	return items[start:end], nil
}

// jsonFlag decodes the JSON value of a flag into dst; it reports whether the
// flag was given.
func (c *call) jsonFlag(name string, dst any) (bool, error) {
	if !c.changed(name) {
		return false, nil
	}
	raw := strings.TrimSpace(c.str(name))
	if raw == "null" {
		// A flag is given to set a value; null would quietly empty it.
		return true, errs.Invalid("--%s must be a JSON %s, not null", name, jsonKind(dst))
	}
	err := json.Unmarshal([]byte(raw), dst)
	var typeErr *json.UnmarshalTypeError
	switch {
	case err == nil:
		return true, nil
	case errors.As(err, &typeErr):
		return true, errs.Invalid("%s", models.DescribeTypeError("--"+name, typeErr, dst))
	}
	return true, errs.Invalid("--%s must be a JSON %s: %v", name, jsonKind(dst), err)
}

// jsonKind names the JSON shape a flag's destination expects.
func jsonKind(dst any) string {
	switch dst.(type) {
	case *map[string]string, *models.StringMap:
		return "object of strings"
	}
	return "object"
}

// policy decodes a guardrails policy flag; nil when the flag is absent.
func (c *call) policy(name string) (*models.GuardrailPolicy, error) {
	if !c.changed(name) {
		return nil, nil
	}
	raw := strings.TrimSpace(c.str(name))
	if raw == "null" || raw == "" {
		return nil, errs.Invalid("--%s must be a JSON policy object", name)
	}
	p, err := models.ParseGuardrailPolicy([]byte(raw))
	if err != nil {
		return nil, errs.Invalid("--%s: %v", name, err)
	}
	return &p, nil
}

// group is a parent command of related subcommands. It is runnable so that an
// unknown subcommand is an error (cobra would print the help and succeed).
func group(use, short, example string, subs ...*cobra.Command) *cobra.Command {
	cmd := &cobra.Command{Use: use, Short: short, Example: example, Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() }}
	cmd.AddCommand(subs...)
	return cmd
}

// must panics on a flag declaration error (a flag that was never declared): a
// programming error that any run of the command tree reveals.
func must(err error) {
	if err != nil {
		panic(fmt.Sprintf("flag declaration: %v", err))
	}
}
