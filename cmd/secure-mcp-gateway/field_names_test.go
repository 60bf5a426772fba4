package main

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/spf13/cobra"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/securemcp/gateway/services/entity"
	"github.com/securemcp/gateway/services/errs"
)

// The CLI names a field of a structured field problem by the command's flag
// (the API names the same problem by its JSON field); a field the command has
// no flag for keeps the services' name.
func TestFieldProblemsNameTheFlag(t *testing.T) {
	_, nameErr := entity.CleanEntityName("config_name", "a/b")
	require.Error(t, nameErr)
	for _, tc := range []struct {
		name   string
		err    error
		detail string
	}{
		{"a flag of the command", nameErr, "--config-name must not contain '/'"},
		{"a field without a flag", errs.Field("server_command", "", "is required"), "server_command is required"},
		{"no structured field", errs.Invalid("config_name or config_id is required"), "config_name or config_id is required"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := &cobra.Command{Use: "smg", SilenceErrors: true, SilenceUsage: true}
			add := &cobra.Command{Use: "add", RunE: func(*cobra.Command, []string) error { return tc.err }}
			add.Flags().String("config-name", "", "name")
			root.AddCommand(add)
			var stderr bytes.Buffer
			code := execute(root, []string{"add", "--config-name", "a/b"}, &stderr)
			assert.Equal(t, exitFailure, code)
			var doc map[string]any
			require.NoError(t, json.Unmarshal(stderr.Bytes(), &doc), stderr.String())
			assert.Equal(t, "invalid", doc["error"])
			assert.Equal(t, tc.detail, doc["detail"])
		})
	}
}
