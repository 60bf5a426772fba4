package mcphttp

import (
	"net/http"
	"testing"
)

func BenchmarkParseDirect(b *testing.B) {
	body := []byte(`{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"_meta":{"io.modelcontextprotocol/clientCapabilities":{"roots":{"listChanged":true}},"io.modelcontextprotocol/clientInfo":{"name":"c","version":"1"},"io.modelcontextprotocol/protocolVersion":"2026-07-28"},"name":"up__add","arguments":{"a":2,"b":40}}}`)
	h := http.Header{"Mcp-Protocol-Version": {"2026-07-28"}, "Mcp-Method": {"tools/call"}, "Mcp-Name": {"up__add"}}
	var m metaCheck
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := m.parseDirect(body, h); !ok {
			b.Fatal("refused")
		}
	}
}
