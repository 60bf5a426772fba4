package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestArgsHash(t *testing.T) {
	sum := func(s string) string { h := sha256.Sum256([]byte(s)); return hex.EncodeToString(h[:]) }
	want := sum(`{"depth":2,"path":"/tmp","recursive":true}`)
	require.Equal(t, want, ArgsHash(json.RawMessage(`{"path":"/tmp","recursive":true,"depth":2}`)))
	require.Equal(t, want, ArgsHash(json.RawMessage(" {\"recursive\": true, \"depth\": 2.0, \"path\": \"\\/tmp\"}\n")),
		"spacing, order and number spelling do not matter")
	require.NotEqual(t, want, ArgsHash(json.RawMessage(`{"path":"/tmp","recursive":false,"depth":2}`)))
	require.Equal(t, sum("{}"), ArgsHash(nil))
	require.Equal(t, sum("{}"), ArgsHash(json.RawMessage("null")))
	require.Equal(t, "raw:"+sum(`{"a":`), ArgsHash(json.RawMessage(`{"a":`)))
	require.NotContains(t, ArgsHash(json.RawMessage(`{"q":"secret query"}`)), "secret")
}

func TestToolCallDetails(t *testing.T) {
	tc := ToolCall{Server: "fs", Tool: "read_file", ArgsHash: ArgsHash(json.RawMessage(`{"path":"/etc/passwd"}`)),
		Verdicts: []Verdict{{Stage: "input", Allowed: false, Provider: "local",
			Detectors:    []Detector{{Name: "secrets", Action: "block", Count: 1}, {Name: "pii", Action: "redact", Count: 2}},
			NotEvaluated: []string{"toxicity", "bias", "toxicity"}, DurationMs: Millis(1234567 * time.Nanosecond)}},
		Reason: "input_blocked", TotalMs: Millis(3 * time.Millisecond)}
	raw, err := tc.Details()
	require.NoError(t, err)
	require.Equal(t, `{"args_hash":"`+tc.ArgsHash+`","reason":"input_blocked","server":"fs","tool":"read_file","total_ms":3,`+
		`"verdicts":[{"allowed":false,"detectors":[{"action":"redact","count":2,"name":"pii"},{"action":"block","count":1,"name":"secrets"}],`+
		`"duration_ms":1.234,"not_evaluated":["bias","toxicity"],"provider":"local","stage":"input"}]}`, string(raw))
	require.Equal(t, "secrets", tc.Verdicts[0].Detectors[0].Name, "the caller's slices are not reordered")
	require.False(t, strings.Contains(string(raw), "/etc/passwd"), "arguments are never kept")

	rec := Record{Time: t0, Actor: Actor{Kind: ActorGatewayKey, ID: "key-1", UserID: "u1", ProjectID: "p1"},
		Action: ActionToolCall, Entity: Entity{Kind: "tool", Name: "fs/read_file"}, Outcome: OutcomeRefused, Details: raw}
	recs := []Record{rec}
	_, err = Seal(EmptyHead(), recs)
	require.NoError(t, err)
	require.Equal(t, string(raw), string(recs[0].Details), "details are already canonical")
}

func TestMillis(t *testing.T) {
	require.Equal(t, 1.5, Millis(1500*time.Microsecond))
	require.Equal(t, 0.001, Millis(1999*time.Nanosecond), "to the microsecond")
	require.Equal(t, 0.0, Millis(0))
}
