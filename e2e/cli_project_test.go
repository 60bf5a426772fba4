package e2e

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCLIProjectCommands(t *testing.T) { onEachStore(t, testCLIProjectCommands) }

func testCLIProjectCommands(t *testing.T, h *cliHome) {
	h.must("config", "add", "--config-name", "c1")
	h.must("config", "add-server", "--config-name", "c1", "--server-name", "github", "--server-command", "npx")
	h.must("user", "create", "--email", "alice@example.com")
	h.must("user", "create", "--email", "bob@example.com")
	p1 := args("--project-name p1")
	runCLICases(t, h, []cliCase{
		{name: "create", args: args("project create --project-name p1"), message: "Project created successfully",
			want: map[string]any{"project_name": "p1"}, save: map[string]string{"p1": "project_id"}},
		{name: "create duplicate", args: args("project create --project-name p1"), fail: "conflict", detail: `"p1"`},
		{name: "create without name", args: args("project create"), fail: "invalid", usage: true, detail: `"project-name"`},
		{name: "create bad name", args: args("project create --project-name a/b"), fail: "invalid", detail: "--project-name must not contain"},
		{name: "list", args: args("project list"), message: "Projects retrieved successfully",
			want: map[string]any{"0.project_name": "p1", "0.mcp_config": nil, "0.users": 0.0, "0.api_keys": 0.0}},
		{name: "get-config none", args: args("project get-config", p1...), fail: "not_found", detail: "p1"},
		{name: "assign-config", args: args("project assign-config --config-name c1", p1...), message: "Configuration assigned to project",
			want: map[string]any{"project_id": "{p1}", "mcp_config.mcp_config_name": "c1"}},
		{name: "assign-config unknown", args: args("project assign-config --config-id nope", p1...), fail: "not_found", detail: "nope"},
		{name: "assign-config both flags", args: args("project assign-config --config-name c1 --config-id x", p1...), fail: "invalid", usage: true, detail: "[config-name config-id]"},
		{name: "assign-config no config", args: args("project assign-config", p1...), fail: "invalid", usage: true, detail: "[config-name config-id]"},
		{name: "get-config", args: args("project get-config --project-id {p1}"), message: "Project configuration retrieved successfully",
			want: map[string]any{"mcp_config_name": "c1", "servers.0.server_name": "github"}},
		{name: "config in use", args: args("config remove --config-name c1"), fail: "conflict", detail: "used by 1 project"},
		{name: "config list-projects", args: args("config list-projects --config-name c1"), message: "Projects retrieved successfully",
			want: map[string]any{"0.project_name": "p1", "0.users": 0.0}},
		{name: "add-user by email", args: args("project add-user --email ALICE@example.com", p1...), message: "User added to project",
			want: map[string]any{"project_name": "p1", "email": "alice@example.com"}, save: map[string]string{"alice": "user_id"}},
		{name: "add-user again", args: args("project add-user --user-id {alice}", p1...), fail: "conflict", detail: "alice@example.com"},
		{name: "add-user unknown", args: args("project add-user --email nobody@example.com", p1...), fail: "not_found", detail: "nobody@example.com"},
		{name: "add-user no user", args: args("project add-user", p1...), fail: "invalid", usage: true, detail: "[email user-id]"},
		{name: "add-user second", args: args("project add-user --email bob@example.com", p1...), message: "User added to project",
			want: map[string]any{"email": "bob@example.com"}},
		{name: "list-users", args: args("project list-users", p1...), message: "Project users retrieved successfully",
			want: map[string]any{"0.email": "alice@example.com", "0.api_keys": 0.0, "1.email": "bob@example.com"}},
		{name: "get", args: args("project get", p1...), message: "Project retrieved successfully",
			want: map[string]any{"project_id": "{p1}", "mcp_config.mcp_config_name": "c1", "users.0.user_id": "{alice}", "api_keys": 0.0}},
		{name: "get unknown", args: args("project get --project-name nope"), fail: "not_found", detail: "nope"},
		{name: "get both flags", args: args("project get --project-name p1 --project-id {p1}"), fail: "invalid", usage: true, detail: "[project-name project-id]"},
		{name: "search by email", args: args("project search --search-term ALICE"), message: "Projects found",
			want: map[string]any{"0.project_name": "p1", "0.users": 2.0}},
		{name: "search nothing", args: args("project search --search-term zzz"), message: "Projects found", want: map[string]any{"": []any{}}},
		{name: "export", args: args("project export --output-file exports/p1.json", p1...), message: "Project exported to exports/p1.json",
			want: map[string]any{"project_id": "{p1}", "project.project_name": "p1", "config.mcp_config_name": "c1", "users.1.email": "bob@example.com"}},
		{name: "export beside the current directory", args: args("project export --output-file ../p1.json", p1...), message: "Project exported to ../p1.json"},
		{name: "remove-user", args: args("project remove-user --email bob@example.com", p1...), message: "User removed from project",
			want: map[string]any{"email": "bob@example.com", "inactive_api_keys": 0.0}},
		{name: "remove-user not a member", args: args("project remove-user --email bob@example.com", p1...), fail: "not_found", detail: "bob@example.com"},
		{name: "remove-all-users", args: args("project remove-all-users", p1...), message: "Users removed from project",
			want: map[string]any{"project_name": "p1", "deleted": 1.0}},
		{name: "unassign-config", args: args("project unassign-config", p1...), message: "Configuration unassigned from project",
			want: map[string]any{"project_name": "p1", "mcp_config": nil}},
		{name: "remove", args: args("project remove --project-id {p1}"), message: "Project deleted successfully",
			want: map[string]any{"project_name": "p1"}},
		{name: "remove again", args: args("project remove --project-id {p1}"), fail: "not_found", detail: "{p1}"},
	})
	_, err := os.Stat(filepath.Join(h.workDir, "exports", "p1.json"))
	require.NoError(t, err, "export writes inside the data directory")
}
