package audit

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"
)

// FuzzCanonicalJSON holds CanonicalJSON to encoding/json on any input (see
// checkCanonical): no panic, the same texts accepted, the same value
// written, a sorted, unspaced fixed point.
func FuzzCanonicalJSON(f *testing.F) {
	for _, s := range []string{`{"b":1,"a":[1.0,2e3,-0]}`, `"\ud83d\ude00\u0000"`, `[[[]]]`, `{"a":1,"a":2}`,
		`123456789012345678901234567890e-40`, "\"\xff\"", `{"\u00e9":{"z":null,"y":true}}`, `1E+2`, `0.0000012`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		checkCanonical(t, in)
	})
}

// FuzzVerify seals records built from fuzzed fields, checks that the chain
// and its JSON Lines export verify, then tampers with it as the fuzzed ops
// say and checks that any tampering that changed the chain is reported
// (the true head given) and that an untouched chain never is.
func FuzzVerify(f *testing.F) {
	f.Add("github", `{"a":1}`, []byte{0, 3, 1, 5, 2, 7})
	f.Add("", `null`, []byte{4, 0})
	f.Add("x\x00y", `[1,"\u2028"]`, []byte{})
	f.Add("é", `{"n":1e300}`, []byte{3, 2, 6, 1, 5, 0, 0, 9})
	f.Fuzz(func(t *testing.T, name, details string, ops []byte) {
		const n = 12
		recs := make([]Record, n)
		for i := range recs {
			recs[i] = sample(i)
			recs[i].Entity.Name = name
			if json.Valid([]byte(details)) && i%2 == 0 {
				recs[i].Details = json.RawMessage(details)
			}
		}
		head, err := Seal(EmptyHead(), recs)
		if err != nil {
			return // a name or details the record refuses (too long, nesting)
		}
		ctx := context.Background()
		rep, err := Verify(ctx, NewSlice(recs), VerifyOptions{Head: &head})
		if err != nil || !rep.OK() {
			t.Fatalf("sealed chain does not verify: %v %+v", err, rep.Problem)
		}
		var buf bytes.Buffer
		if _, err := Export(ctx, &buf, NewSlice(recs)); err != nil {
			t.Fatal(err)
		}
		rep, err = Verify(ctx, NewJSONLReader(&buf), VerifyOptions{Head: &head})
		if err != nil || !rep.OK() {
			t.Fatalf("export does not verify: %v %+v", err, rep.Problem)
		}

		tampered := tamper(slices.Clone(recs), ops)
		rep, err = Verify(ctx, NewSlice(tampered), VerifyOptions{Head: &head})
		if err != nil {
			t.Fatal(err)
		}
		if changed := !sameChain(recs, tampered); changed != (rep.Problem != nil) {
			t.Fatalf("tampered %v, problem %+v (ops %v)", changed, rep.Problem, ops)
		}
	})
}

// tamper applies ops, two bytes each (operation, position), without ever
// recomputing a hash.
func tamper(recs []Record, ops []byte) []Record {
	for i := 0; i+1 < len(ops) && len(recs) > 0; i += 2 {
		at := int(ops[i+1]) % len(recs)
		switch ops[i] % 8 {
		case 0:
			recs = slices.Delete(recs, at, at+1)
		case 1:
			recs = slices.Insert(recs, at, recs[at])
		case 2:
			recs[at].Outcome = OutcomeError
		case 3:
			recs[at].Seq += int64(ops[i+1]%3) - 1
		case 4:
			recs[at].Time = recs[at].Time.Add(time.Microsecond)
		case 5:
			recs[at].Details = json.RawMessage(`{"changes":[]}`)
		case 6:
			j := (at + 1) % len(recs)
			recs[at], recs[j] = recs[j], recs[at]
		case 7:
			recs[at].PrevHash = recs[(at+2)%len(recs)].Hash
		}
	}
	return recs
}

// sameChain compares chains by what is hashed.
func sameChain(a, b []Record) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		ca, err1 := Canonical(a[i])
		cb, err2 := Canonical(b[i])
		if err1 != nil || err2 != nil || !bytes.Equal(ca, cb) || a[i].Hash != b[i].Hash || a[i].PrevHash != b[i].PrevHash {
			return false
		}
	}
	return true
}

// FuzzDiff: no panic on any pair of JSON values, a value against itself
// has no change, the details are canonical JSON, and a secret placed in
// both never shows.
func FuzzDiff(f *testing.F) {
	f.Add([]byte(`{"a":1,"env":{"X":"y"}}`), []byte(`{"a":2,"args":["--token","t"]}`))
	f.Add([]byte(`[1,2]`), []byte(`null`))
	f.Add([]byte(`{"k":{"name":"Authorization","value":"v"}}`), []byte(`"s"`))
	f.Add([]byte(`{"a\"]}":"x\"}],{","b":[1,{"c":"]"}]}`), []byte(`{"a\"]}":"x\"}],{","b":[1,{"c":"["}]}`))
	f.Add([]byte(`{"n":1.0,"s":"\u0041"}`), []byte(`{"n":1,"s":"A"}`))
	const planted = "plantedsecretvalue0123456789"
	f.Fuzz(func(t *testing.T, before, after []byte) {
		var b, a any
		if json.Unmarshal(before, &b) != nil || json.Unmarshal(after, &a) != nil ||
			bytes.Contains(before, []byte(planted[:12])) || bytes.Contains(after, []byte(planted[:12])) {
			return
		}
		wrap := func(v any, tag string) any {
			return map[string]any{"v": v, "password": planted + tag, "env": map[string]any{"E": planted + tag}}
		}
		d, err := Diff(wrap(b, "1"), wrap(a, "2"))
		if err != nil {
			t.Fatal(err)
		}
		raw, err := DetailsOf(d)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(raw, []byte(planted[:12])) {
			t.Fatalf("secret leaked: %s", raw)
		}
		same, err := Diff(b, b)
		if err != nil || len(same.Changes) != 0 {
			t.Fatalf("a value differs from itself: %+v %v", same, err)
		}
		plain, err := Diff(b, a)
		if err != nil {
			t.Fatal(err)
		}
		if equal := sameJSON(b, a); equal != (len(plain.Changes) == 0) {
			t.Fatalf("values equal: %v, but changes: %+v", equal, plain.Changes)
		}
	})
}
