package main

import (
	"io"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// walk calls fn on cmd and every command under it.
func walk(cmd *cobra.Command, fn func(*cobra.Command)) {
	fn(cmd)
	for _, sub := range cmd.Commands() {
		walk(sub, fn)
	}
}

// shellWords splits an example line as a shell would for these examples:
// words separated by spaces, single quotes kept together; it stops at a
// redirection.
func shellWords(line string) []string {
	var words []string
	var cur strings.Builder
	quoted, inWord := false, false
	for _, r := range line {
		switch {
		case r == '\'':
			quoted, inWord = !quoted, true
		case r == ' ' && !quoted:
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	for i, w := range words {
		if strings.HasPrefix(w, "<") || strings.HasPrefix(w, ">") || w == "|" {
			return words[:i]
		}
	}
	return words
}

// Every command's --help shows an example, and every example is a command
// line that the command accepts: its flags exist, required ones are given,
// exclusive ones are not combined.
func TestEveryRunnableCommandHasAValidExample(t *testing.T) {
	t.Parallel()
	walk(newRootCmd(io.Discard, io.Discard), func(cmd *cobra.Command) {
		if !cmd.Runnable() {
			return
		}
		path := cmd.CommandPath()
		if !assert.NotEmpty(t, cmd.Example, "%s has no example", path) {
			return
		}
		for _, line := range strings.Split(cmd.Example, "\n") {
			words := shellWords(strings.TrimSpace(line))
			require.Greater(t, len(words), 1, "%s: %q", path, line)
			require.Equal(t, "secure-mcp-gateway", words[0], "%s: %q", path, line)
			// A fresh tree per example: parsing flags leaves values behind.
			root := newRootCmd(io.Discard, io.Discard)
			cmd, _, err := root.Find(strings.Fields(strings.TrimPrefix(path, "secure-mcp-gateway")))
			require.NoError(t, err)
			args, err := prepareArgs(root, words[1:])
			require.NoError(t, err, "%s: %q", path, line)
			found, rest, err := root.Find(args)
			require.NoError(t, err, "%s: %q", path, line)
			require.True(t, found == cmd || strings.HasPrefix(found.CommandPath(), path+" "),
				"%q is an example of %s (or of one of its commands), not of %s", line, path, found.CommandPath())
			require.NoError(t, found.ParseFlags(rest), "%s: %q", path, line)
			if found.Flags().Changed("help") {
				continue // an example of asking for help
			}
			assert.NoError(t, found.ValidateArgs(found.Flags().Args()), "%s: %q", path, line)
			assert.NoError(t, found.ValidateRequiredFlags(), "%s: %q", path, line)
			assert.NoError(t, found.ValidateFlagGroups(), "%s: %q", path, line)
		}
	})
}

// Every boolean flag of the tree takes its value as the next argument too
// (--force true), as the original's flags do; only help and version, and the
// flags of cobra's shell completion commands, stay plain switches.
func TestEveryBooleanFlagTakesASeparateValue(t *testing.T) {
	t.Parallel()
	walk(newRootCmd(io.Discard, io.Discard), func(cmd *cobra.Command) {
		if strings.HasPrefix(cmd.CommandPath(), "secure-mcp-gateway completion") {
			return
		}
		cmd.Flags().VisitAll(func(f *pflag.Flag) {
			if f.Value.Type() != "bool" || f.Name == "help" || f.Name == "version" {
				return
			}
			assert.IsType(t, new(boolValue), f.Value, "%s --%s is declared with boolFlag", cmd.CommandPath(), f.Name)
		})
	})
}

func TestPrepareArgs(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, in, want, err string
	}{
		{name: "separate true", in: "config configure-telemetry --enabled true --url u --insecure false",
			want: "config configure-telemetry --enabled=true --url u --insecure=false"},
		{name: "flag alone", in: "config configure-telemetry --enabled --url u", want: "config configure-telemetry --enabled --url u"},
		{name: "joined", in: "config configure-telemetry --enabled=false", want: "config configure-telemetry --enabled=false"},
		{name: "a bad value is the flag's", in: "config configure-telemetry --enabled maybe", want: "config configure-telemetry --enabled=maybe"},
		{name: "a string flag's value is left alone", in: "config update-server --config-name c --server-name true --description false",
			want: "config update-server --config-name c --server-name true --description false"},
		{name: "stdin as a value", in: "user rotate-api-key --api-key - --grace-period-seconds 5", want: "user rotate-api-key --api-key - --grace-period-seconds 5"},
		{name: "persistent flags before the command", in: "--config-path /x system reset --confirm true",
			want: "system reset --config-path /x --confirm=true"},
		{name: "help stays a switch", in: "config --help list", want: "config --help list"},
		{name: "after --", in: "system reset -- --confirm true", want: "system reset -- --confirm true"},
		{name: "completion protocol untouched", in: "__complete config ", want: "__complete config"},
		{name: "unknown subcommand with flags", in: "config sett --api-key K", err: `unknown command "sett" for "secure-mcp-gateway config"; did you mean "set-enkrypt-api-key"`},
		{name: "unknown command", in: "sett", err: `unknown command "sett" for "secure-mcp-gateway"; did you mean "settings"?`},
		{name: "command of another group", in: "config update-telemetry --enabled true",
			err: `did you mean "secure-mcp-gateway settings update-telemetry"?`},
		{name: "unknown flag of a group", in: "config --api-key K", want: "config --api-key K"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := prepareArgs(newRootCmd(io.Discard, io.Discard), strings.Fields(tc.in))
			if tc.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.err)
				assert.Equal(t, exitUsage, exitCode(err))
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, strings.Join(got, " "))
		})
	}
}
