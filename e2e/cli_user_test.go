package e2e

import (
	"testing"
)

func TestCLIUserAndKeyCommands(t *testing.T) { onEachStore(t, testCLIUserAndKeyCommands) }

func testCLIUserAndKeyCommands(t *testing.T, h *cliHome) {
	h.must("config", "add", "--config-name", "c1")
	h.vars["p1"] = at(t, h.must("project", "create", "--project-name", "p1"), "project_id").(string)
	h.must("project", "create", "--project-name", "p2")
	h.must("project", "assign-config", "--project-name", "p1", "--config-name", "c1")
	alice := args("--email alice@example.com")
	runCLICases(t, h, []cliCase{
		{name: "create", args: args("user create --email Alice@Example.com"), message: "User created successfully",
			want: map[string]any{"email": "alice@example.com"}, save: map[string]string{"alice": "user_id"}},
		{name: "create duplicate", args: args("user create --email ALICE@example.com"), fail: "conflict", detail: "alice@example.com"},
		{name: "create invalid email", args: args("user create --email not-an-email"), fail: "invalid", detail: "--email must be a single valid e-mail address"},
		{name: "create without email", args: args("user create"), fail: "invalid", usage: true, detail: `"email"`},
		{name: "create bob", args: args("user create --email bob@example.com"), message: "User created successfully",
			want: map[string]any{"email": "bob@example.com"}},
		{name: "list", args: args("user list"), message: "Users retrieved successfully",
			want: map[string]any{"0.email": "alice@example.com", "0.projects": []any{}, "0.api_keys": 0.0, "1.email": "bob@example.com"}},
		{name: "generate before membership", args: args("user generate-api-key --project-name p1", alice...), fail: "conflict", detail: "member"},
		{name: "add to project", args: args("project add-user --project-name p1", alice...), message: "User added to project",
			want: map[string]any{"user_id": "{alice}"}},
		{name: "generate", args: args("user generate-api-key --project-name p1", alice...),
			message: "API key generated successfully; store it now, it will not be shown again",
			want:    map[string]any{"user_id": "{alice}", "expires_at": nil}, save: map[string]string{"k1": "api_key", "k1id": "key_id"}},
		{name: "generate expired", args: args("user generate-api-key --project-name p1 --expires-at 2000-01-01T00:00:00Z", alice...),
			fail: "invalid", detail: "--expires-at must"},
		{name: "generate bad expiry", args: args("user generate-api-key --project-name p1 --expires-at tomorrow", alice...),
			fail: "invalid", detail: "--expires-at must"},
		{name: "generate both projects", args: args("user generate-api-key --project-name p1 --project-id x", alice...),
			fail: "invalid", usage: true, detail: "[project-name project-id]"},
		{name: "generate no project", args: args("user generate-api-key", alice...), fail: "invalid", usage: true, detail: "[project-name project-id]"},
		{name: "generate no user", args: args("user generate-api-key --project-name p1"), fail: "invalid", usage: true, detail: "[email user-id]"},
		{name: "list-api-keys masked", args: args("user list-api-keys", alice...), message: "API keys retrieved successfully",
			want: map[string]any{"0.key_id": "{k1id}", "0.status": "active", "0.project_name": "p1"}, hidden: "{k1}"},
		{name: "list-api-keys of a project", args: args("user list-api-keys --project-name p2", alice...), message: "API keys retrieved successfully",
			want: map[string]any{"": []any{}}},
		{name: "list-all-api-keys masked", args: args("user list-all-api-keys"), message: "API keys retrieved successfully",
			want: map[string]any{"0.key_id": "{k1id}", "0.user_email": "alice@example.com"}, hidden: "{k1}"},
		{name: "get-api-key by secret", args: args("user get-api-key --api-key {k1}"), message: "API key retrieved successfully",
			want: map[string]any{"key_id": "{k1id}", "mcp_config.mcp_config_name": "c1"}, hidden: "{k1}"},
		{name: "get-api-key from stdin", args: args("user get-api-key --api-key -"), stdin: "{k1}\n", message: "API key retrieved successfully",
			want: map[string]any{"key_id": "{k1id}"}, hidden: "{k1}"},
		{name: "get-api-key empty stdin", args: args("user get-api-key --api-key -"), fail: "invalid", detail: "--api-key -: stdin is empty"},
		{name: "get-api-key empty", args: append(args("user get-api-key"), "--api-key="), fail: "invalid", detail: "--api-key is required"},
		{name: "get-api-key unknown", args: args("user get-api-key --api-key 00000000-0000-0000-0000-000000000000"), fail: "not_found", detail: "API key"},
		{name: "disable", args: args("user disable-api-key --api-key {k1id}"), message: "API key disabled",
			want: map[string]any{"disabled": true, "status": "inactive", "inactive_reason": "disabled"}},
		{name: "enable", args: args("user enable-api-key --api-key {k1id}"), message: "API key enabled",
			want: map[string]any{"disabled": false, "status": "active"}},
		{name: "rotate", args: args("user rotate-api-key --api-key {k1} --grace-period-seconds 60"),
			message: "API key rotated successfully; store the new key now, it will not be shown again",
			want:    map[string]any{"key_id": "{k1id}", "disabled": false}, save: map[string]string{"k2": "api_key"}, hidden: "{k1}"},
		{name: "rotate bad grace", args: args("user rotate-api-key --api-key {k1id} --grace-period-seconds -1"), fail: "invalid", detail: "--grace-period-seconds must be between"},
		{name: "rotate without key", args: args("user rotate-api-key"), fail: "invalid", usage: true, detail: `"api-key"`},
		{name: "get", args: args("user get --user-id {alice}"), message: "User retrieved successfully",
			want: map[string]any{"email": "alice@example.com", "projects.0.project_name": "p1", "api_keys.0.key_id": "{k1id}"}, hidden: "{k2}"},
		{name: "get unknown", args: args("user get --email nobody@example.com"), fail: "not_found", detail: "nobody@example.com"},
		{name: "get both flags", args: args("user get --user-id {alice}", alice...), fail: "invalid", usage: true, detail: "[email user-id]"},
		{name: "list-projects", args: args("user list-projects", alice...), message: "User projects retrieved successfully",
			want: map[string]any{"0.project_name": "p1", "0.api_keys": 1.0, "0.mcp_config.mcp_config_name": "c1"}},
		{name: "search by project", args: args("user search --search-term P1"), message: "Users found",
			want: map[string]any{"0.email": "alice@example.com"}},
		{name: "update", args: args("user update --new-email alice2@example.com", alice...), message: "User updated successfully",
			want: map[string]any{"user_id": "{alice}", "email": "alice2@example.com"}},
		{name: "update onto taken", args: args("user update --user-id {alice} --new-email BOB@example.com"), fail: "conflict", detail: "bob@example.com"},
		{name: "update without new email", args: args("user update --user-id {alice}"), fail: "invalid", usage: true, detail: `"new-email"`},
		{name: "delete with keys", args: args("user delete --user-id {alice}"), fail: "conflict", detail: "--force"},
		{name: "delete-api-key", args: args("user delete-api-key --api-key {k2}"), message: "API key deleted",
			want: map[string]any{"key_id": "{k1id}"}, hidden: "{k2}"},
		{name: "generate again", args: args("user generate-api-key --project-id", "{p1}", "--user-id", "{alice}"),
			message: "API key generated successfully; store it now, it will not be shown again", want: map[string]any{"user_id": "{alice}"}},
		{name: "delete-all-api-keys", args: args("user delete-all-api-keys --user-id {alice}"), message: "API keys deleted successfully",
			want: map[string]any{"email": "alice2@example.com", "deleted": 1.0}},
		{name: "delete forced", args: args("user delete --force --user-id {alice}"), message: "User deleted successfully",
			want: map[string]any{"email": "alice2@example.com", "deleted_api_keys": 0.0, "deleted_memberships": 1.0}},
		{name: "delete again", args: args("user delete --user-id {alice}"), fail: "not_found", detail: "{alice}"},
	})
}
