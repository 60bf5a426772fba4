package e2e

import "testing"

func TestCLISettingsCommands(t *testing.T) { onEachStore(t, testCLISettingsCommands) }

func testCLISettingsCommands(t *testing.T, h *cliHome) {
	secret := "ek-0123456789abcdef0123456789"
	runCLICases(t, h, []cliCase{
		{name: "no provider key", args: args("settings get-enkrypt-api-key"), message: "Enkrypt API key retrieved successfully",
			want: map[string]any{"enkrypt_api_key": nil, "configured": false}},
		{name: "set provider key from stdin", args: args("settings set-enkrypt-api-key --api-key -"), stdin: secret + "\n",
			message: "Enkrypt API key updated successfully", want: map[string]any{"configured": true}, hidden: secret},
		{name: "set provider key with spaces", args: append(args("settings set-enkrypt-api-key --api-key"), "a b"), fail: "invalid", detail: "--api-key must not contain spaces"},
		{name: "provider key masked", args: args("settings get-enkrypt-api-key"), message: "Enkrypt API key retrieved successfully",
			want: map[string]any{"configured": true}, hidden: secret},
		{name: "list", args: args("settings list"), message: "Settings retrieved successfully", hidden: secret,
			want: map[string]any{"0.key": "enkrypt_api_key", "1.key": "telemetry", "1.is_default": true}},
		{name: "telemetry", args: args("settings update-telemetry --enabled --url http://localhost:4317"), message: "Telemetry settings updated successfully",
			want: map[string]any{"enabled": true, "url": "http://localhost:4317"}},
		{name: "telemetry partial", args: args("settings update-telemetry --enabled=false"), message: "Telemetry settings updated successfully",
			want: map[string]any{"enabled": false, "url": "http://localhost:4317"}},
		{name: "telemetry separate value", args: args("settings update-telemetry --enabled true --insecure true"), message: "Telemetry settings updated successfully",
			want: map[string]any{"enabled": true, "insecure": true, "url": "http://localhost:4317"}},
		{name: "telemetry bad url", args: args("settings update-telemetry --url ftp://x"), fail: "invalid", detail: "url"},
		{name: "telemetry nothing", args: args("settings update-telemetry"), fail: "invalid", usage: true, detail: "[enabled insecure url]"},
	})
}

// The original CLI's command lines for settings, run as its scripts write
// them: under config, with boolean values as separate arguments.
func TestCLIOriginalSettingsCommands(t *testing.T) { onEachStore(t, testCLIOriginalSettingsCommands) }

func testCLIOriginalSettingsCommands(t *testing.T, h *cliHome) {
	secret := "test-enkrypt-api-key-12345"
	runCLICases(t, h, []cliCase{
		{name: "set-enkrypt-api-key", args: args("config set-enkrypt-api-key --api-key " + secret),
			message: "Enkrypt API key updated successfully", want: map[string]any{"configured": true}, hidden: secret},
		{name: "get-enkrypt-api-key", args: args("config get-enkrypt-api-key"), message: "Enkrypt API key retrieved successfully",
			want: map[string]any{"configured": true}, hidden: secret},
		{name: "same key under settings", args: args("settings get-enkrypt-api-key"), message: "Enkrypt API key retrieved successfully",
			want: map[string]any{"configured": true}, hidden: secret},
		{name: "set-enkrypt-api-key without key", args: args("config set-enkrypt-api-key"), fail: "invalid", usage: true, detail: `"api-key"`},
		{name: "enable", args: args("config configure-telemetry --enabled true"), message: "Telemetry settings updated successfully",
			want: map[string]any{"enabled": true}},
		{name: "url", args: args("config configure-telemetry --url http://localhost:4317"), message: "Telemetry settings updated successfully",
			want: map[string]any{"enabled": true, "url": "http://localhost:4317"}},
		{name: "insecure", args: args("config configure-telemetry --insecure true"), message: "Telemetry settings updated successfully",
			want: map[string]any{"insecure": true}},
		{name: "all at once", args: args("config configure-telemetry --enabled true --url http://otel-collector:4317 --insecure false"),
			message: "Telemetry settings updated successfully",
			want:    map[string]any{"enabled": true, "url": "http://otel-collector:4317", "insecure": false}},
		{name: "disable", args: args("config configure-telemetry --enabled false"), message: "Telemetry settings updated successfully",
			want: map[string]any{"enabled": false, "url": "http://otel-collector:4317", "insecure": false}},
		{name: "flag alone", args: args("config configure-telemetry --enabled"), message: "Telemetry settings updated successfully",
			want: map[string]any{"enabled": true}},
		{name: "joined value", args: args("config configure-telemetry --enabled=false"), message: "Telemetry settings updated successfully",
			want: map[string]any{"enabled": false}},
		{name: "other spellings", args: args("config configure-telemetry --enabled yes --insecure 0"), message: "Telemetry settings updated successfully",
			want: map[string]any{"enabled": true, "insecure": false}},
		{name: "read back", args: args("settings list"), message: "Settings retrieved successfully",
			want: map[string]any{"1.key": "telemetry", "1.value.enabled": true, "1.value.url": "http://otel-collector:4317"}},
		{name: "bad value", args: args("config configure-telemetry --enabled maybe"), fail: "invalid", usage: true,
			detail: `--enabled must be true or false, not "maybe"`},
		{name: "nothing", args: args("config configure-telemetry"), fail: "invalid", usage: true, detail: "[enabled insecure url]"},
	})
}
