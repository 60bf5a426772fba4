package audit

import (
	"bytes"
	"encoding/json"
	"math/big"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCanonicalJSON(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"sorted members, no whitespace", ` { "b" : 1 , "a" : [ 1 , 2 ] } `, `{"a":[1,2],"b":1}`},
		{"nested objects sorted", `{"z":{"y":1,"x":{"b":2,"a":1}},"a":null}`, `{"a":null,"z":{"x":{"a":1,"b":2},"y":1}}`},
		{"sorted by bytes of the decoded name", `{"é":1,"z":2,"\u0041":3,"a":4}`, `{"A":3,"a":4,"z":2,"é":1}`},
		{"duplicate name keeps the last", `{"a":1,"b":2,"a":3}`, `{"a":3,"b":2}`},
		{"duplicate after sorting", `{"b":1,"a":2,"b":3,"a":4}`, `{"a":4,"b":3}`},
		{"empty containers", `{"a":{},"b":[]}`, `{"a":{},"b":[]}`},
		{"literals", `[true,false,null]`, `[true,false,null]`},
		{"integer", `100`, `100`},
		{"trailing zeros of a fraction", `1.500`, `1.5`},
		{"integral fraction", `1.0`, `1`},
		{"exponent to integer", `1e2`, `100`},
		{"upper-case exponent", `1E+2`, `100`},
		{"fraction and exponent", `0.1e1`, `1`},
		{"negative exponent", `10e-1`, `1`},
		{"negative zero", `-0.0e7`, `0`},
		{"negative", `-12.50`, `-12.5`},
		{"small fraction kept plain", `0.000001`, `0.000001`},
		{"smaller fraction in exponent form", `0.0000001`, `1e-7`},
		{"21-digit integer plain", `100000000000000000000`, `100000000000000000000`},
		{"22-digit integer in exponent form", `1000000000000000000000`, `1e+21`},
		{"big integer exact", `18446744073709551617`, `18446744073709551617`},
		{"many significant digits", `1234567890123456789012345`, `1.234567890123456789012345e+24`},
		{"long fraction exact", `0.1000000000000000055511151231257827`, `0.1000000000000000055511151231257827`},
		{"leading zeros of a fraction", `0.0012`, `0.0012`},
		{"escaped solidus", `"a\/b"`, `"a/b"`},
		{"unicode escape to literal", `"caf\u00e9"`, `"café"`},
		{"surrogate pair", `"\ud83d\ude00"`, `"😀"`},
		{"lone high surrogate", `"\ud800x"`, `"` + "\uFFFD" + `x"`},
		{"lone low surrogate", `"\udc00"`, `"` + "\uFFFD" + `"`},
		{"high surrogate then non-low escape", `"\ud800\u0041"`, `"` + "\uFFFD" + `A"`},
		{"invalid UTF-8 replaced", "\"a\xffb\"", "\"a\uFFFDb\""},
		{"short escapes", `"\b\f\n\r\t"`, `"\b\f\n\r\t"`},
		{"other controls as u00xx", `"\u0000\u001f\u0007"`, `"\u0000\u001f\u0007"`},
		{"quote and backslash", `"\"\\"`, `"\"\\"`},
		{"no HTML escaping", `"<a&b>\u003c"`, `"<a&b><"`},
		{"line separators literal", `"\u2028\u2029"`, "\"\u2028\u2029\""},
		{"DEL literal", `"\u007f"`, "\"\x7f\""},
		{"escaped member names sorted decoded", `{"\u0062":1,"a":2}`, `{"a":2,"b":1}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := CanonicalJSON([]byte(tc.in))
			require.NoError(t, err)
			require.Equal(t, tc.want, string(got))
			again, err := CanonicalJSON(got)
			require.NoError(t, err)
			require.Equal(t, string(got), string(again), "canonical form is a fixed point")
		})
	}
}

// TestCanonicalJSONAlikeAcrossBackends: what PostgreSQL's jsonb gives back
// for a stored text (reordered, respaced, numbers rewritten) canonicalizes
// to the same bytes as the text itself.
func TestCanonicalJSONAlikeAcrossBackends(t *testing.T) {
	written := `{"server":"github","verdicts":[{"stage":"input","allowed":true,"duration_ms":0.250}],"total_ms":12.50,"n":1E2}`
	fromJSONB := `{"n": 100, "server": "github", "total_ms": 12.50, "verdicts": [{"stage": "input", "allowed": true, "duration_ms": 0.250}]}`
	a, err := CanonicalJSON([]byte(written))
	require.NoError(t, err)
	b, err := CanonicalJSON([]byte(fromJSONB))
	require.NoError(t, err)
	require.Equal(t, string(a), string(b))
}

func TestCanonicalJSONRejects(t *testing.T) {
	for _, in := range []string{``, ` `, `{`, `}`, `[1,]`, `[1 2]`, `{"a":1,}`, `{"a" 1}`, `{a:1}`, `{"a":1 "b":2}`,
		`01`, `1.`, `.5`, `-`, `1e`, `1e+`, `+1`, `0x10`, `NaN`, `tru`, `nul`, `"abc`, "\"a\x01\"", `"\x"`, `"\u12"`,
		`"\u12g4"`, `1 2`, `{} {}`, `[`, `["a"`, `{"a":`, `1e1000000001`, `-1e-9999999999`} {
		_, err := CanonicalJSON([]byte(in))
		require.Error(t, err, "%q", in)
		if json.Unmarshal([]byte(in), new(any)) == nil {
			require.Contains(t, err.Error(), "exponent out of range", "%q: encoding/json accepts it", in)
		}
	}
}

// TestCanonicalJSONDepth: the nesting limit is encoding/json's.
func TestCanonicalJSONDepth(t *testing.T) {
	for _, depth := range []int{maxDepth, maxDepth + 1} {
		in := strings.Repeat("[", depth) + strings.Repeat("]", depth)
		_, err := CanonicalJSON([]byte(in))
		stdErr := json.Unmarshal([]byte(in), new(any))
		require.Equal(t, stdErr == nil, err == nil, "depth %d: %v / %v", depth, err, stdErr)
	}
}

// checkCanonical holds CanonicalJSON to encoding/json: both accept the same
// texts (but exponents beyond maxExponent), the canonical form decodes to
// the same value (numbers compared exactly), it is sorted, unspaced and a
// fixed point.
func checkCanonical(t *testing.T, in []byte) {
	var want any
	dec := json.NewDecoder(bytes.NewReader(in))
	dec.UseNumber()
	// Decode reads one value; Valid also refuses what follows it.
	stdOK := dec.Decode(&want) == nil && json.Valid(in)
	got, err := CanonicalJSON(in)
	if !stdOK {
		if err == nil {
			t.Fatalf("%q: encoding/json refuses it, CanonicalJSON accepts it: %s", in, got)
		}
		return
	}
	if err != nil {
		if strings.Contains(err.Error(), "exponent out of range") {
			return
		}
		t.Fatalf("%q: encoding/json accepts it, CanonicalJSON refuses it: %v", in, err)
	}
	var back any
	dec = json.NewDecoder(bytes.NewReader(got))
	dec.UseNumber()
	if err := dec.Decode(&back); err != nil {
		t.Fatalf("%q: canonical form %q is not JSON: %v", in, got, err)
	}
	if !sameJSON(want, back) {
		t.Fatalf("%q: canonical form %q decodes to another value", in, got)
	}
	again, err := CanonicalJSON(got)
	if err != nil || !bytes.Equal(again, got) {
		t.Fatalf("%q: canonical form %q is not a fixed point: %q, %v", in, got, again, err)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, got); err != nil || !bytes.Equal(compact.Bytes(), got) {
		t.Fatalf("%q: canonical form %q has whitespace", in, got)
	}
}

// sameJSON compares decoded JSON values, numbers by exact value.
func sameJSON(a, b any) bool {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			if w, ok := y[k]; !ok || !sameJSON(v, w) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !sameJSON(x[i], y[i]) {
				return false
			}
		}
		return true
	case json.Number:
		y, ok := b.(json.Number)
		if !ok {
			return false
		}
		if exponentDigits(string(x)) > 4 || exponentDigits(string(y)) > 4 {
			return true // exact comparison would need a number of 10^10000 digits
		}
		rx, ok1 := new(big.Rat).SetString(string(x))
		ry, ok2 := new(big.Rat).SetString(string(y))
		return ok1 && ok2 && rx.Cmp(ry) == 0
	default:
		return reflect.DeepEqual(a, b)
	}
}

func exponentDigits(n string) int {
	i := strings.IndexAny(n, "eE")
	if i < 0 {
		return 0
	}
	return len(strings.TrimLeft(n[i+1:], "+-0"))
}

func TestCanonicalJSONMatchesEncodingJSON(t *testing.T) {
	for _, in := range []string{`{"b":[1,2.50,{"d":null,"c":true}],"a":"x\u00e9\ud83d\ude00"}`, `[]`, `"\ud800"`,
		`{"a":1,"a":{"b":2}}`, `-0`, `1e-400`, `123456789012345678901234567890e-10`, "\"\xed\xa0\x80\"", `"\u0000"`} {
		checkCanonical(t, []byte(in))
	}
}
