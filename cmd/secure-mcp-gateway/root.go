package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/securemcp/gateway/config"
	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/services/errs"
)

// newRootCmd builds the command tree. Commands print JSON on stdout and errors
// on stderr; a failing command makes the process exit with status 1, a
// command line that cannot run with status 2.
func newRootCmd(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "secure-mcp-gateway",
		Short: "Secure MCP Gateway: govern which MCP servers AI clients may reach",
		Example: example("system start-api",
			"config add --config-name my-config",
			"config --help"),
		Version:       config.BuildVersion(),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.PersistentFlags().String("config-path", "", "config file (env "+config.EnvConfigPath+"; default ~/.enkrypt/enkrypt_mcp_config.json)")
	root.PersistentFlags().String("database-url", "", "PostgreSQL URL; empty uses the embedded SQLite store (env SMG_DATABASE_URL)")
	root.PersistentFlags().String("data-dir", "", "data directory: the embedded store, pid files and the files API clients name (env SMG_DATA_DIR; default: the config file's directory)")
	root.PersistentFlags().String("log-level", "", "debug, info, warn or error (env SMG_LOG_LEVEL)")

	system := group("system", "Server and system operations", example("system health-check", "system start-api --port 8001"),
		append(systemCmds(), newStartCmd(), newStartAPICmd(), newStartGatewayCmd(), newStopAPICmd(), newAdminKeyCmd())...)
	root.AddCommand(newGenerateConfigCmd(), system, newConfigCmd(), newProjectCmd(), newUserCmd(), newSettingsCmd(), newSecretsCmd(), newAuditCmd(),
		newInstallCmd(), newMCPCmd(), newAdminKeysCmd())
	// A flag error is a usage error: left untyped, it exits 2.
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return errors.New(flagError(err)) })
	typeErrors(root)
	builtinExamples(root)
	return root
}

// example formats command lines (without the program name) for a command's
// --help.
func example(lines ...string) string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = "  secure-mcp-gateway " + l
	}
	return strings.Join(out, "\n")
}

// builtinExamples adds examples to the commands cobra provides (help and
// shell completion), made now so that --help shows an example everywhere.
func builtinExamples(root *cobra.Command) {
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		switch c.Name() {
		case "help":
			c.Example = example("help config", "help config add-server")
		case "completion":
			c.Example = example("completion bash > /etc/bash_completion.d/secure-mcp-gateway")
			for _, shell := range c.Commands() {
				shell.Example = example("completion " + shell.Name() + " --no-descriptions")
			}
		}
	}
}

// flagValueError is how pflag reports a value its type refuses:
// invalid argument "abc" for "-l, --limit" flag: strconv.ParseInt: parsing "abc": invalid syntax.
var flagValueError = regexp.MustCompile(`^invalid argument "(.*)" for "(?:-\w, )?(--[\w-]+)" flag: (.*)$`)

// flagError rewrites pflag's value errors without Go's parser names.
func flagError(err error) string {
	m := flagValueError.FindStringSubmatch(err.Error())
	if m == nil {
		return err.Error()
	}
	value, flag, cause := m[1], m[2], m[3]
	switch {
	case strings.Contains(cause, "value out of range"):
		return fmt.Sprintf("%s: %q is out of range", flag, value)
	case strings.Contains(cause, "ParseInt"), strings.Contains(cause, "ParseUint"):
		return fmt.Sprintf("%s must be a whole number, not %q", flag, value)
	case strings.Contains(cause, "ParseBool"), cause == errNotBool.Error():
		return fmt.Sprintf("%s must be true or false, not %q", flag, value)
	case strings.Contains(cause, "ParseFloat"):
		return fmt.Sprintf("%s must be a number, not %q", flag, value)
	case strings.Contains(cause, "ParseDuration"):
		return fmt.Sprintf("%s must be a duration such as 30s, not %q", flag, value)
	}
	return fmt.Sprintf("%s: %q: %s", flag, value, cause)
}

// execute runs the command tree on args, reports a failure as JSON on stderr
// (the API's error envelope) and returns the exit status.
func execute(root *cobra.Command, args []string, stderr io.Writer) int {
	args, err := prepareArgs(root, args)
	ran := root
	if err == nil {
		root.SetArgs(args)
		ran, err = root.ExecuteC()
	}
	if err != nil {
		writeJSON(stderr, errorResponse(err, flagNames(ran)))
	}
	return exitCode(err)
}

// typeErrors makes every error a command returns a *services.Error, internal
// unless the services said otherwise; errors that stay untyped therefore come
// from cobra itself: unknown commands, bad or missing flags, wrong arguments.
func typeErrors(cmd *cobra.Command) {
	if run := cmd.RunE; run != nil {
		cmd.RunE = func(c *cobra.Command, args []string) error {
			err := run(c, args)
			var e *errs.Error
			if err != nil && !errors.As(err, &e) {
				return &errs.Error{Kind: errs.KindInternal, Err: err}
			}
			return err
		}
	}
	for _, sub := range cmd.Commands() {
		typeErrors(sub)
	}
}

// errorResponse is the error envelope of a failed command. The CLI runs on the
// operator's machine, so unlike the API it shows the cause of internal errors.
// name gives the CLI's name of a field the services name (nil: theirs).
func errorResponse(err error, name func(field string) string) models.ErrorResponse {
	var e *errs.Error
	if !errors.As(err, &e) {
		e = errs.Invalid("%v", err)
	}
	detail := e.Describe(name)
	if e.Kind == errs.KindInternal && e.Err != nil {
		detail = strings.TrimPrefix(detail+": "+e.Err.Error(), ": ")
	}
	return models.ErrorResponse{Error: e.Kind.String(), Detail: detail, Issues: e.Issues, Timestamp: time.Now().UTC()}
}

// flagNames names fields in the command's terms: a field the services call
// config_name is the flag --config-name when the command has that flag, and
// keeps its name otherwise (a field of a document the command reads).
func flagNames(cmd *cobra.Command) func(field string) string {
	if cmd == nil {
		return nil
	}
	return func(field string) string {
		flag := strings.ReplaceAll(field, "_", "-")
		if cmd.Flags().Lookup(flag) != nil {
			return "--" + flag
		}
		return field
	}
}

func writeJSON(w io.Writer, v any) {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

// printResult writes the success envelope of a command.
func printResult(cmd *cobra.Command, message string, data any) {
	writeJSON(cmd.OutOrStdout(), models.Envelope{Message: message, Data: data, Timestamp: time.Now().UTC()})
}

func newGenerateConfigCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "generate-config",
		Short:   "Write a new config file with a fresh admin key",
		Example: example("generate-config", "generate-config --config-path /etc/smg/config.json --overwrite"),
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			overwrite, _ := cmd.Flags().GetBool("overwrite")
			path, err := config.ResolveConfigPath(cmd.Flags())
			if err != nil {
				return err
			}
			if err := config.Generate(path, overwrite); errors.Is(err, config.ErrConfigExists) {
				return &errs.Error{Kind: errs.KindConflict, Message: err.Error(), Err: err}
			} else if err != nil {
				return err
			}
			printResult(cmd, "Config file generated; the admin key is in the file (admin_apikey)", map[string]string{"config_path": path})
			return nil
		},
	}
	boolFlag(cmd, "overwrite", "replace an existing config file (its admin key changes)")
	return cmd
}
