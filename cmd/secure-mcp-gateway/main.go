// Command secure-mcp-gateway is the Secure MCP Gateway: its management API
// server and a CLI with the same operations.
package main

import (
	"os"
)

func main() {
	if err := execute(newRootCmd(os.Stdout, os.Stderr), os.Stderr); err != nil {
		os.Exit(1)
	}
}
