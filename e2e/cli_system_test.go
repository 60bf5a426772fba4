package e2e

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCLISystemCommands(t *testing.T) { onEachStore(t, testCLISystemCommands) }

func testCLISystemCommands(t *testing.T, h *cliHome) {
	original, err := os.ReadFile("../testdata/enkrypt_mcp_config.json")
	require.NoError(t, err)
	require.NoError(t, os.MkdirAll(h.dataDir, 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(h.workDir, "original.json"), original, 0o600))
	runCLICases(t, h, []cliCase{
		{name: "health-check empty", args: args("system health-check"), message: "System is healthy",
			want: map[string]any{"status": "healthy", "store": "{store}", "statistics.total_configs": 0.0, "issues": []any{}, "integrity_checked": false}},
		{name: "add config", args: args("config add --config-name c1"), message: "Configuration created successfully",
			want: map[string]any{"config_name": "c1"}},
		{name: "backup", args: args("system backup --output-file backups/b1.json"), message: "Backup written successfully",
			want: map[string]any{"file": "backups/b1.json", "path": filepath.Join(h.workDir, "backups", "b1.json"), "counts.configs": 1.0}},
		{name: "backup beside the current directory", args: args("system backup --output-file ../b1.json"), message: "Backup written successfully",
			want: map[string]any{"path": filepath.Join(filepath.Dir(h.workDir), "b1.json")}},
		{name: "backup without file", args: args("system backup"), fail: "invalid", usage: true, detail: `"output-file"`},
		{name: "reset without confirm", args: args("system reset"), fail: "invalid", detail: "confirm"},
		{name: "reset not confirmed", args: args("system reset --confirm false"), fail: "invalid", detail: "confirm"},
		{name: "reset", args: args("system reset --confirm"), message: "System reset successfully",
			want: map[string]any{"deleted.configs": 1.0}},
		{name: "empty after reset", args: args("config list"), message: "Configurations retrieved successfully", want: map[string]any{"": []any{}}},
		{name: "restore", args: args("system restore --input-file backups/b1.json"), message: "State restored successfully",
			want: map[string]any{"source_format": "secure-mcp-gateway-backup", "counts.configs": 1.0}},
		{name: "restored", args: args("config list"), message: "Configurations retrieved successfully", want: map[string]any{"0.mcp_config_name": "c1"}},
		{name: "restore missing file", args: args("system restore --input-file none.json"), fail: "not_found", detail: "none.json"},
		{name: "import-enkrypt into a store in use", args: args("system import-enkrypt --input-file original.json"), fail: "conflict", detail: "not empty"},
		{name: "import-enkrypt a backup", args: args("system import-enkrypt --replace --input-file backups/b1.json"), fail: "invalid", detail: "restore it instead"},
		{name: "import-enkrypt", args: args("system import-enkrypt --replace --input-file original.json"), message: "Original configuration imported successfully",
			want: map[string]any{"source_format": "enkrypt-config", "counts.configs": 2.0, "counts.api_keys": 4.0}},
		{name: "health-check after import", args: args("system health-check --integrity"), message: "System is healthy",
			want: map[string]any{"statistics.total_configs": 2.0, "statistics.total_api_keys": 4.0, "integrity_checked": true, "issues": []any{}}},
		{name: "health-check of the store or of a server", args: args("system health-check --integrity --url http://127.0.0.1:8001/readyz"), fail: "invalid", usage: true, detail: "none of the others can be"},
	})
	info, err := os.Stat(filepath.Join(h.workDir, "backups", "b1.json"))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm(), "backups are owner-only")
}

// With the default layout the data directory is the config file's directory,
// which also holds the embedded store: neither may be overwritten by a
// document a client asks for.
func TestCLIWritesNeverReplaceTheGatewaysOwnFiles(t *testing.T) {
	t.Parallel()
	h := newCLIHome(t)
	h.dataDir = filepath.Dir(h.configPath)
	h.env = append(h.env, "SMG_DATA_DIR="+h.dataDir)
	h.must("generate-config")
	h.workDir = h.dataDir // file names are relative to the current directory
	h.must("config", "add", "--config-name", "c1")
	configBefore, err := os.ReadFile(h.configPath)
	require.NoError(t, err)
	runCLICases(t, h, []cliCase{
		{name: "backup over the config file", args: args("system backup --output-file config.json"), fail: "invalid", detail: "keeps for itself"},
		{name: "export over the store", args: args("config export --config-name c1 --output-file gateway.db"), fail: "invalid", detail: "keeps for itself"},
		{name: "backup over the journal", args: args("system backup --output-file gateway.db-wal"), fail: "invalid", detail: "keeps for itself"},
		{name: "backup over a pid file", args: args("system backup --output-file gateway.pids/api-8001.pid"), fail: "invalid", detail: "keeps for itself"},
		{name: "backup beside them", args: args("system backup --output-file backup.json"), message: "Backup written successfully"},
		{name: "store intact", args: args("config list"), message: "Configurations retrieved successfully", want: map[string]any{"0.mcp_config_name": "c1"}},
	})
	configAfter, err := os.ReadFile(h.configPath)
	require.NoError(t, err)
	assert.Equal(t, string(configBefore), string(configAfter), "the config file is untouched")
}
