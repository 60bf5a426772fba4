package main

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/securemcp/gateway/services/errs"
)

// Exit statuses: a command that ran and failed exits 1; a command line that
// cannot run (an unknown command or flag, a flag missing or malformed) exits
// 2, as the original's argparse command line and most tools do.
const (
	exitFailure = 1
	exitUsage   = 2
)

// exitCode is the exit status of a run that returned err. Every error a
// command returns is a *services.Error (typeErrors); any other error comes
// from reading the command line.
func exitCode(err error) int {
	var e *errs.Error
	switch {
	case err == nil:
		return 0
	case errors.As(err, &e):
		return exitFailure
	}
	return exitUsage
}

// prepareArgs readies a command line for cobra. It joins a boolean flag with
// a true/false value given as the next argument (--enabled false becomes
// --enabled=false), as the original's flags take them; and it reports a
// mistyped command by name, where cobra would stop at the first flag the
// group does not know ("unknown flag: --api-key" for `config sett --api-key`).
func prepareArgs(root *cobra.Command, args []string) ([]string, error) {
	if len(args) > 0 && (args[0] == cobra.ShellCompRequestCmd || args[0] == cobra.ShellCompNoDescRequestCmd) {
		return args, nil // shell completion: cobra's own protocol
	}
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	cmd, rest, _ := root.Find(args) // cobra reports its own errors when it runs
	cmd.InitDefaultHelpFlag()
	cmd.InitDefaultVersionFlag()
	flags, words := scanFlags(cmd.Flags(), rest)
	if len(words) > 0 && cmd.HasSubCommands() && !isSubcommand(cmd, words[0]) {
		return nil, unknownCommand(cmd, words[0])
	}
	return append(commandPath(cmd), flags...), nil
}

// scanFlags returns rest with each boolean flag joined to a value given as
// the next argument, and the arguments that are neither flags nor flag values.
// A flag the command does not know is taken to have a value, as cobra does
// when it looks for subcommands.
func scanFlags(fs *pflag.FlagSet, rest []string) (out, words []string) {
	out = make([]string, 0, len(rest))
	for i := 0; i < len(rest); i++ {
		a := rest[i]
		out = append(out, a)
		var f *pflag.Flag
		switch {
		case a == "--":
			out = append(out, rest[i+1:]...)
			return out, append(words, rest[i+1:]...)
		case strings.HasPrefix(a, "--") && !strings.Contains(a, "="):
			f = fs.Lookup(a[2:])
		case len(a) == 2 && a[0] == '-' && a[1] != '-':
			f = fs.ShorthandLookup(a[1:])
		case !strings.HasPrefix(a, "-") || a == "-":
			words = append(words, a)
			continue
		default:
			continue // --flag=value, -xvalue
		}
		if i+1 >= len(rest) {
			continue
		}
		next := rest[i+1]
		switch {
		case f == nil || f.NoOptDefVal == "":
			out = append(out, next) // the flag's value
			i++
		case takesSeparateBool(f) && !strings.HasPrefix(next, "-"):
			out[len(out)-1] = a + "=" + next
			i++
		}
	}
	return out, words
}

// takesSeparateBool tells the boolean flags that accept their value as the
// next argument; help and version stay plain switches (`--help config`).
func takesSeparateBool(f *pflag.Flag) bool {
	_, ok := f.Value.(*boolValue)
	return ok
}

func isSubcommand(cmd *cobra.Command, word string) bool {
	return slices.ContainsFunc(cmd.Commands(), func(c *cobra.Command) bool { return c.Name() == word || c.HasAlias(word) })
}

// commandPath is the names leading from the root to cmd, as given to cobra.
func commandPath(cmd *cobra.Command) []string {
	var path []string
	for c := cmd; c.HasParent(); c = c.Parent() {
		path = append([]string{c.Name()}, path...)
	}
	return path
}

// unknownCommand names the unknown command and the commands it may stand for.
func unknownCommand(cmd *cobra.Command, word string) error {
	msg := fmt.Sprintf("unknown command %q for %q", word, cmd.CommandPath())
	if s := suggestions(cmd, word); len(s) > 0 {
		msg += "; did you mean " + strings.Join(s, " or ") + "?"
	}
	return errors.New(msg + " (" + cmd.CommandPath() + " --help lists the commands)")
}

// suggestions are the subcommands of cmd that begin like word (but for one
// edit), then those at most two edits from it, as cobra suggests, then
// commands of that exact name elsewhere in the tree (`config
// update-telemetry` is `settings update-telemetry`).
func suggestions(cmd *cobra.Command, word string) []string {
	var prefixed, near []string
	lower := strings.ToLower(word)
	for _, sub := range cmd.Commands() {
		name := sub.Name()
		switch {
		case !sub.IsAvailableCommand():
		case strings.HasPrefix(name, lower),
			len(lower) >= 3 && len(name) >= len(lower) && editDistance(lower, name[:len(lower)]) <= 1:
			prefixed = append(prefixed, strconv.Quote(name))
		case editDistance(lower, name) <= 2:
			near = append(near, strconv.Quote(name))
		}
	}
	out := append(prefixed, near...)
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			if sub.Name() == lower && c != cmd && sub.IsAvailableCommand() {
				out = append(out, strconv.Quote(sub.CommandPath()))
			}
			walk(sub)
		}
	}
	walk(cmd.Root())
	return out
}

// editDistance is the Levenshtein distance of two short strings.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// boolValue is a boolean flag: --name alone is true, and a value may follow
// as --name=false or, as with the original's flags, --name false
// (prepareArgs joins the two). It reads true/false, yes/no, on/off, 1/0.
type boolValue bool

// errNotBool is the cause of a boolean flag's bad value; flagError words it.
var errNotBool = errors.New("not a boolean")

func (b *boolValue) Set(s string) error {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "t", "yes", "y", "on", "1":
		*b = true
	case "false", "f", "no", "n", "off", "0":
		*b = false
	default:
		return errNotBool
	}
	return nil
}

func (b *boolValue) String() string { return strconv.FormatBool(bool(*b)) }

// Type is "bool", so that pflag's GetBool reads the flag and help shows no
// value placeholder.
func (b *boolValue) Type() string { return "bool" }

// boolFlag declares a boolean flag of cmd, false unless given.
func boolFlag(cmd *cobra.Command, name, usage string) {
	f := cmd.Flags().VarPF(new(boolValue), name, "", usage)
	f.NoOptDefVal = "true"
}
