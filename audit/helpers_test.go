package audit

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// sample returns the i-th of a varied run of unsealed records: admin writes
// and tool calls, allowed and refused.
func sample(i int) Record {
	at := t0.Add(time.Duration(i) * 1234567 * time.Microsecond)
	if i%3 == 0 {
		details := json.RawMessage(fmt.Sprintf(`{"server":"github","tool":"search_repositories","args_hash":"%064x",`+
			`"verdicts":[{"stage":"input","allowed":%t,"provider":"local","detectors":[{"name":"pii","action":"redact","count":1}],"duration_ms":0.25}],`+
			`"total_ms":12.5,"upstream_ms":11.75}`, i, i%2 == 0))
		outcome := OutcomeSuccess
		if i%2 == 1 {
			outcome = OutcomeRefused
		}
		return Record{Time: at, Actor: Actor{Kind: ActorGatewayKey, ID: fmt.Sprintf("key-%d", i%5), UserID: "u1", ProjectID: "p1"},
			Action: ActionToolCall, Entity: Entity{Kind: "tool", Name: "github/search_repositories"}, Outcome: outcome,
			RequestID: fmt.Sprintf("req-%d", i), Details: details}
	}
	details := json.RawMessage(fmt.Sprintf(`{"changes":[{"path":"/Description","before":"old","after":"new %d"}]}`, i))
	return Record{Time: at, Actor: Actor{Kind: ActorAdminKey, ID: "admin-1", Addr: "10.0.0.1"}, Action: "server.update",
		Entity: Entity{Kind: "server", ID: "cfg-1/github", Name: "github"}, Outcome: OutcomeSuccess,
		RequestID: fmt.Sprintf("req-%d", i), Details: details}
}

// chain returns n sealed records from the genesis.
func chain(t testing.TB, n int) []Record {
	t.Helper()
	recs := make([]Record, n)
	for i := range recs {
		recs[i] = sample(i)
	}
	_, err := Seal(EmptyHead(), recs)
	require.NoError(t, err)
	return recs
}

// extend seals more records onto recs.
func extend(t testing.TB, recs []Record, more ...Record) []Record {
	t.Helper()
	head := EmptyHead()
	if len(recs) > 0 {
		head = Head{Seq: recs[len(recs)-1].Seq, Hash: recs[len(recs)-1].Hash}
	}
	_, err := Seal(head, more)
	require.NoError(t, err)
	return append(recs, more...)
}

// rehash recomputes a record's hash from its (edited) content, as someone
// rewriting the table would.
func rehash(t testing.TB, r *Record) {
	t.Helper()
	h, err := ComputeHash(r.PrevHash, *r)
	require.NoError(t, err)
	r.Hash = h
}
