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
		{name: "set provider key with spaces", args: append(args("settings set-enkrypt-api-key --api-key"), "a b"), fail: "invalid", detail: "api_key"},
		{name: "provider key masked", args: args("settings get-enkrypt-api-key"), message: "Enkrypt API key retrieved successfully",
			want: map[string]any{"configured": true}, hidden: secret},
		{name: "list", args: args("settings list"), message: "Settings retrieved successfully", hidden: secret,
			want: map[string]any{"0.key": "enkrypt_api_key", "1.key": "telemetry", "1.is_default": true}},
		{name: "telemetry", args: args("settings update-telemetry --enabled --url http://localhost:4317"), message: "Telemetry settings updated successfully",
			want: map[string]any{"enabled": true, "url": "http://localhost:4317"}},
		{name: "telemetry partial", args: args("settings update-telemetry --enabled=false"), message: "Telemetry settings updated successfully",
			want: map[string]any{"enabled": false, "url": "http://localhost:4317"}},
		{name: "telemetry bad url", args: args("settings update-telemetry --url ftp://x"), fail: "invalid", detail: "url"},
		{name: "telemetry nothing", args: args("settings update-telemetry"), fail: "invalid", detail: "[enabled insecure url]"},
	})
}
