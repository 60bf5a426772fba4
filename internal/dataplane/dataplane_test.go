package dataplane

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/securemcp/gateway/audit"
	"github.com/securemcp/gateway/gateway"
)

func TestToolCallRecord(t *testing.T) {
	p := gateway.Principal{KeyID: "k1", UserID: "u1", ProjectID: "p1", Email: "a@example.com", Addr: "198.51.100.7"}
	for _, c := range []struct {
		outcome gateway.Outcome
		want    audit.Outcome
		reason  string
	}{
		{gateway.OutcomeOK, audit.OutcomeSuccess, ""},
		{gateway.OutcomeBlocked, audit.OutcomeRefused, "blocked"},
		{gateway.OutcomeWithheld, audit.OutcomeRefused, "withheld"},
		{gateway.OutcomeUnknownTool, audit.OutcomeRefused, "unknown_tool"},
		{gateway.OutcomeTimeout, audit.OutcomeError, "timeout"},
		{gateway.OutcomeToolError, audit.OutcomeError, "tool_error"},
	} {
		r := ToolCallRecord(gateway.CallEvent{Principal: p, Server: "gh", Tool: "search", Outcome: c.outcome,
			Total: 1500 * time.Microsecond, Upstream: time.Millisecond, ArgsHash: audit.ArgsHash([]byte(`{"q":"x"}`)),
			Verdicts: []audit.Verdict{{Stage: "input", Allowed: true}}})
		r.Time = time.Now()
		require.NoError(t, r.Validate())
		assert.Equal(t, c.want, r.Outcome, c.outcome)
		assert.Equal(t, audit.Actor{Kind: audit.ActorGatewayKey, ID: "k1", UserID: "u1", ProjectID: "p1", Addr: "198.51.100.7"}, r.Actor)
		assert.Equal(t, audit.Entity{Kind: "tool", ID: "gh/search", Name: "search"}, r.Entity)
		var d audit.ToolCall
		require.NoError(t, json.Unmarshal(r.Details, &d))
		assert.Equal(t, c.reason, d.Reason)
		assert.Equal(t, 1.5, d.TotalMs)
		assert.Len(t, d.Verdicts, 1)
	}
	long := ToolCallRecord(gateway.CallEvent{Principal: p, Tool: strings.Repeat("é", 300), Outcome: gateway.OutcomeUnknownTool})
	long.Time = time.Now()
	assert.NoError(t, long.Validate(), "a made-up name of any length still makes a record")
}
