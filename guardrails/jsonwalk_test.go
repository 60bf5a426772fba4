package guardrails

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// stdStrings lists every string (values and keys) of a JSON document as
// encoding/json decodes it, sorted.
func stdStrings(t *testing.T, data []byte) []string {
	var v any
	require.NoError(t, json.Unmarshal(data, &v))
	var out []string
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case string:
			out = append(out, x)
		case []any:
			for _, e := range x {
				walk(e)
			}
		case map[string]any:
			for k, e := range x {
				out = append(out, k)
				walk(e)
			}
		}
	}
	walk(v)
	slices.Sort(out)
	return out
}

func walkedStrings(t *testing.T, data []byte) []string {
	var out []string
	require.NoError(t, walkJSON(data, func(s *jsonString) error {
		out = append(out, s.value())
		return nil
	}))
	slices.Sort(out)
	return out
}

// jsonSamples are valid documents exercising every token kind.
func jsonSamples() []string {
	return []string{
		`{}`, `[]`, `"x"`, `null`, `-0.5e+10`, `[1, true, false, null, "a"]`,
		`{"a":{"b":[{"c":"d"},"e\n\"f\"\\"]},"g":"h\u00e9\ud83d\ude00"}`,
		`{"lone":"\ud800x","slash":"a\/b","ctl":"\b\f\r\t"}`,
		` { "k" : [ "v1" , { "k2" : "v2" } ] } `,
		`{"dup":"1","dup":"2"}`,
	}
}

func TestWalkJSONMatchesEncodingJSON(t *testing.T) {
	for _, s := range jsonSamples() {
		want := stdStrings(t, []byte(s))
		if strings.Contains(s, `"dup"`) {
			continue // encoding/json keeps one duplicate key; the walker sees both
		}
		assert.Equal(t, want, walkedStrings(t, []byte(s)), s)
	}
}

func TestWalkJSONRejectsInvalid(t *testing.T) {
	for _, s := range []string{``, `{`, `{"a"}`, `{"a":}`, `[1,]`, `"\x"`, "\"a\nb\"", `01`, `1.`, `-`, `tru`, `{"a":1}x`, `"\u12"`, `[1 2]`, `{"a":1,}`} {
		assert.Error(t, walkJSON([]byte(s), func(*jsonString) error { return nil }), "%q", s)
		assert.False(t, json.Valid([]byte(s)), "test input %q should be invalid", s)
	}
}

func TestWalkJSONPaths(t *testing.T) {
	var paths []string
	require.NoError(t, walkJSON([]byte(`{"a":[{"b/c":"x"},"y"],"~":"z"}`), func(s *jsonString) error {
		if !s.key {
			paths = append(paths, pathString("arguments", s.path))
		}
		return nil
	}))
	assert.Equal(t, []string{"arguments/a/0/b~1c", "arguments/a/1", "arguments/~0"}, paths)
}

func TestApplyJSONEditsRoundTrip(t *testing.T) {
	data := []byte(`{"a": "x<y>&z", "b": ["\u00e9", "q\"uote"], "n": 12345678901234567890}`)
	var edits []jsonEdit
	require.NoError(t, walkJSON(data, func(s *jsonString) error {
		if !s.key {
			edits = append(edits, jsonEdit{start: s.start, end: s.end, value: strings.ToUpper(s.value()) + "\n\x01"})
		}
		return nil
	}))
	out := applyJSONEdits(data, edits)
	var got map[string]any
	dec := json.NewDecoder(strings.NewReader(string(out)))
	dec.UseNumber()
	require.NoError(t, dec.Decode(&got), string(out))
	assert.Equal(t, "X<Y>&Z\n\x01", got["a"])
	assert.Equal(t, []any{"É\n\x01", "Q\"UOTE\n\x01"}, got["b"])
	assert.Equal(t, json.Number("12345678901234567890"), got["n"], "numbers are kept byte for byte")
	assert.Contains(t, string(out), `"X<Y>&Z\n\u0001"`, "no HTML escaping, control characters escaped")
}

func FuzzWalkJSON(f *testing.F) {
	for _, s := range jsonSamples() {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		err := walkJSON(data, func(*jsonString) error { return nil })
		if (err == nil) != json.Valid(data) {
			t.Fatalf("walkJSON error %v, json.Valid %v for %q", err, json.Valid(data), data)
		}
	})
}

func TestMatcherAgainstNaiveSearch(t *testing.T) {
	r := fakeRand(11)
	for round := range 202 {
		fold := round%2 == 0
		var patterns []string
		for range 1 + r.IntN(8) {
			patterns = append(patterns, randString(r, "abAB", 1+r.IntN(4)))
		}
		if round >= 200 {
			// Enough states to need the wide tables.
			for range 3000 {
				patterns = append(patterns, randString(r, "abcdefghijklmnopqrstuvwxyzAB", 16))
			}
			require.True(t, newMatcher(patterns, fold).wide)
		}
		text := randString(r, "abAB c", r.IntN(60))
		m := newMatcher(patterns, fold)
		type hit struct{ p, start int }
		var got, want []hit
		m.scan(text, func(p, start, end int) bool {
			got = append(got, hit{p, start})
			return true
		})
		norm := func(s string) string {
			if fold {
				return strings.ToLower(s)
			}
			return s
		}
		for i := range text {
			for p, pat := range patterns {
				if strings.HasPrefix(norm(text[i:]), norm(pat)) {
					want = append(want, hit{p, i})
				}
			}
		}
		cmp := func(a, b hit) int {
			if a.start != b.start {
				return a.start - b.start
			}
			return a.p - b.p
		}
		slices.SortFunc(got, cmp)
		slices.SortFunc(want, cmp)
		require.Equal(t, want, got, "patterns %q text %q fold %v", patterns, text, fold)
	}
}
