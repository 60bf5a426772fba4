package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/securemcp/gateway/services/errs"
)

// newAdminKeyCmd prints the admin key, as the server resolves it
// (SMG_ADMIN_API_KEY, else admin_apikey of the config file), so that a user
// can set a shell variable without parsing the file:
//
//	ADMIN_KEY=$(secure-mcp-gateway system admin-key)
//
// The key grants everything the API allows. It is printed only to a user at
// a terminal (standard input and standard error are terminals, as in the
// line above): a service, a CI job or any run whose output is logged gets an
// error instead, so that the key does not end up in a log by accident. It is
// printed bare (not in the JSON envelope), for command substitution.
func newAdminKeyCmd() *cobra.Command {
	return &cobra.Command{
		Use:     "admin-key",
		Short:   "Print the admin API key (only to a user at a terminal; for ADMIN_KEY=$(… system admin-key))",
		Example: example("system admin-key", "system admin-key --config-path /etc/smg/config.json"),
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !terminal(cmd.InOrStdin()) || !terminal(cmd.ErrOrStderr()) {
				return errs.Invalid("the admin key is printed only to a user at a terminal (standard input and standard error must be terminals, as in ADMIN_KEY=$(secure-mcp-gateway system admin-key)); a program should be given the key through SMG_ADMIN_API_KEY or a file it may read")
			}
			loader, settings, err := loadSettings(cmd)
			if err != nil {
				return err
			}
			if settings.AdminAPIKey == "" {
				if _, statErr := os.Stat(loader.Path()); statErr != nil {
					return errs.Invalid("there is no config file at %s (nor SMG_ADMIN_API_KEY): create one with generate-config or system start-api", loader.Path())
				}
				return errs.Invalid("the config file %s has no admin_apikey (and SMG_ADMIN_API_KEY is not set)", loader.Path())
			}
			_, err = fmt.Fprintln(cmd.OutOrStdout(), settings.AdminAPIKey)
			return err
		},
	}
}

// terminal reports whether a command's stream is a terminal (not a file, a
// pipe or a buffer).
func terminal(stream any) bool {
	f, ok := stream.(interface{ Fd() uintptr })
	return ok && term.IsTerminal(int(f.Fd()))
}
