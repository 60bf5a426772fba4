// Command secure-mcp-gateway is the Secure MCP Gateway: its management API
// server and a CLI with the same operations.
package main

import (
	"os"
)

func main() {
	if err := newRootCmd(os.Stdout, os.Stderr).Execute(); err != nil {
		os.Exit(1)
	}
}
