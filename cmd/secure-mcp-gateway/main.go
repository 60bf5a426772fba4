// Command secure-mcp-gateway is the Secure MCP Gateway: its management API
// server and a CLI with the same operations.
package main

import (
	"os"
)

func main() {
	os.Exit(execute(newRootCmd(os.Stdout, os.Stderr), os.Args[1:], os.Stderr))
}
