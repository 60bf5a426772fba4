package main

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/securemcp/gateway/clientconfig"
	"github.com/securemcp/gateway/internal/atomicfile"
	"github.com/securemcp/gateway/mcpbridge"
	"github.com/securemcp/gateway/services/errs"
)

// defaultGatewayURL is the gateway on this machine, at the original's path.
const defaultGatewayURL = "http://localhost:8000/mcp/"

// envGatewayKey is where the original system's clients keep the key.
const envGatewayKey = "ENKRYPT_GATEWAY_KEY"

func newInstallCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "install",
		Short: "Add the gateway to an MCP client's configuration (Claude Desktop, Claude Code, Cursor, VS Code)",
		Long: "Add the gateway to an MCP client's configuration for the current user, with a gateway API key.\n\n" +
			"The entry is merged into the client's file: every other server and setting is kept, and the previous\n" +
			"file is saved beside it (<file>.bak-<time>). The file holds the key, so it is written with mode 0600.\n" +
			"Claude Desktop starts stdio servers only: its entry runs this binary's `mcp bridge`.",
		Example: example("install --client cursor --api-key smg_…",
			"install --client claude-desktop --api-key - --url http://gateway.internal:8000/mcp/ < key.txt",
			"install --client vscode --api-key smg_… --print"),
		Args: cobra.NoArgs,
		RunE: runInstall,
	}
	stringFlags(cmd, "client", "claude-desktop, claude-code (or claude), cursor or vscode",
		"api-key", "the user's gateway API key, or - to read it from stdin (default: $"+envGatewayKey+")",
		"config-file", "the client's configuration file (default: where the client keeps it for this user)")
	cmd.Flags().String("url", defaultGatewayURL, "the gateway's MCP endpoint")
	cmd.Flags().String("name", "secure-mcp-gateway", "name of the gateway's entry in the client's configuration")
	boolFlag(cmd, "print", "print the entry and the file it would go to, and write nothing")
	required(cmd, "client")
	return cmd
}

func runInstall(cmd *cobra.Command, _ []string) error {
	flags := cmd.Flags()
	str := func(name string) string { v, _ := flags.GetString(name); return v }
	client, err := clientconfig.ParseClient(str("client"))
	if err != nil {
		return errs.Invalid("--client: %v", err)
	}
	key, err := gatewayKey(cmd, str("api-key"))
	if err != nil {
		return err
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	url := str("url")
	entry, err := clientconfig.Entry(client, clientconfig.Gateway{URL: url, Key: key, Bridge: []string{self, "mcp", "bridge", "--url", url}})
	if err != nil {
		return errs.Invalid("%v", err)
	}
	path := str("config-file")
	if path == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return err
		}
		path = clientconfig.Path(client, runtime.GOOS, home, os.Getenv("APPDATA"))
	}
	existing, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("read %s: %w", path, err)
	}
	merged, err := clientconfig.Merge(existing, client, str("name"), entry)
	if err != nil {
		return errs.Invalid("%s: %v", path, err)
	}
	result := map[string]any{"client": string(client), "config_file": path, "name": str("name"), "url": url}
	if print, _ := flags.GetBool("print"); print {
		result["content"] = string(merged)
		printResult(cmd, "Client configuration (not written)", result)
		return nil
	}
	if err := atomicfile.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	if existing != nil {
		backup := fmt.Sprintf("%s.bak-%s", path, time.Now().UTC().Format("20060102T150405Z"))
		if err := atomicfile.Write(backup, existing); err != nil {
			return fmt.Errorf("save the previous file: %w", err)
		}
		result["backup_file"] = backup
	}
	if err := atomicfile.Write(path, merged); err != nil {
		return err
	}
	printResult(cmd, "Gateway added to the client's configuration; restart the client to use it", result)
	return nil
}

// gatewayKey reads the key from the flag, stdin ("-") or the environment.
func gatewayKey(cmd *cobra.Command, flag string) (string, error) {
	key := flag
	if key == "-" {
		line, err := bufio.NewReader(cmd.InOrStdin()).ReadString('\n')
		if err != nil && line == "" {
			return "", errs.Invalid("--api-key -: nothing to read on stdin")
		}
		key = line
	}
	if key == "" {
		key = os.Getenv(envGatewayKey)
	}
	if key = strings.TrimSpace(key); key == "" {
		return "", errs.Invalid("a gateway API key is required: --api-key, --api-key - (stdin) or $%s", envGatewayKey)
	}
	return key, nil
}

func newMCPCmd() *cobra.Command {
	bridge := &cobra.Command{
		Use:   "bridge",
		Short: "Speak stdio to a local MCP client and streamable HTTP to the gateway",
		Long: "Speak stdio to a local MCP client and streamable HTTP to the gateway, for clients that start\n" +
			"stdio servers only. The key comes from $" + envGatewayKey + " (never the command line, which\n" +
			"other users of the machine can read). The bridge ends when the client closes its input.",
		Example: example("mcp bridge --url http://localhost:8000/mcp/"),
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			url, _ := cmd.Flags().GetString("url")
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			if err := mcpbridge.Run(ctx, url, strings.TrimSpace(os.Getenv(envGatewayKey)), os.Stdin, os.Stdout, nil); err != nil {
				return errs.Invalid("bridge to %s: %v", url, err)
			}
			return nil
		},
	}
	bridge.Flags().String("url", defaultGatewayURL, "the gateway's MCP endpoint")
	return group("mcp", "MCP client helpers", example("mcp bridge --url http://localhost:8000/mcp/"), bridge)
}
