package mcphttp

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
)

// FuzzMembers: for a valid JSON object, members gives every key with the
// bytes of its value, as encoding/json reads them, or declines (a repeated
// or escaped key, which decoders read differently).
func FuzzMembers(f *testing.F) {
	for _, seed := range []string{
		`{}`, ` { "a" : 1 , "b":[1,{"c":"}"}],"d":"x\"}y" } `, `{"a":true,"b":null,"c":-1.5e3}`,
		`{"a":{"b":{"c":[[],[{}]]}},"z":"\\"}`, `{"a":1,"a":2}`, `{"a\"b":1}`, `{"a":"\u007d"}`, `[1]`, `"s"`,
		`{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"up__add","arguments":{"a":2}}}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		if !json.Valid(raw) || !utf8.Valid(raw) { // parseDirect declines both first
			return
		}
		got := map[string]json.RawMessage{}
		ok := members(raw, func(key string, value []byte) bool {
			got[key] = value
			return true
		})
		var want map[string]json.RawMessage
		isObject := json.Unmarshal(raw, &want) == nil && want != nil
		if !ok {
			if isObject {
				assert.True(t, bytes.Contains(raw, []byte(`\`)) || repeatedKey(raw), "declined a plain object: %s", raw)
			}
			return
		}
		if !assert.True(t, isObject, "%s", raw) {
			return
		}
		assert.Len(t, got, len(want), "%s", raw)
		for k, v := range want {
			assert.JSONEq(t, string(v), string(got[k]), "member %q of %s", k, raw)
		}
	})
}

// repeatedKey reports an object with a key twice at its top level.
func repeatedKey(raw []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if _, err := dec.Token(); err != nil {
		return false
	}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		key, _ := tok.(string)
		if seen[key] {
			return true
		}
		seen[key] = true
		var skip json.RawMessage
		if dec.Decode(&skip) != nil {
			return false
		}
	}
	return false
}

func TestParseDirectDeclinesWhatItDoesNotKnow(t *testing.T) {
	t.Parallel()
	var m metaCheck
	plain := map[string][]string{"Mcp-Protocol-Version": {"2025-06-18"}}
	req, ok := m.parseDirect([]byte(` {"method" : "tools/call", "params":{"arguments":{"s":"}{"},"name":"a__b"},"id":"7","jsonrpc":"2.0"} `), plain)
	assert.True(t, ok)
	assert.Equal(t, "a__b", req.name)
	assert.Equal(t, `{"s":"}{"}`, string(req.arguments))
	assert.Equal(t, `"7"`, string(req.rawID))
	for _, body := range []string{
		`{"jsonrpc":"2.0","id":1,"method":"tools/list","method":"ping"}`,                           // a repeated member
		`{"jsonrpc":"2.0","id":1,"method":"tools\/list"}`,                                          // an escape in a value is fine, in a key not:
		`{"jsonrpc":"2.0","id":1,"meth\u006fd":"tools/list"}`,                                      // ...
		`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":""}}`,                      // no tool name
		`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":1}}`,                       // not a string
		`{"jsonrpc":"2.0","id":1,"method":"tools/list",}`,                                          // not JSON
		"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"a\xff\"}}", // not UTF-8
	} {
		_, ok := m.parseDirect([]byte(body), plain)
		if strings.Contains(body, `tools\/list`) {
			assert.True(t, ok, "%s", body)
			continue
		}
		assert.False(t, ok, "%s", body)
	}
}
