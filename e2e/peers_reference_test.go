package e2e

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// everythingCalls are calls of the everything server whose results say the
// same every time (but for a resource's creation time), one per kind of
// content: text, image, annotations, structured content, resource links,
// embedded text and blob resources, and a tool error.
var everythingCalls = []struct {
	tool string
	args map[string]any
}{
	{"echo", map[string]any{"message": "héllo ✓ \"quoted\""}},
	{"get-sum", map[string]any{"a": 2, "b": 40.5}},
	{"get-tiny-image", map[string]any{}},
	{"get-annotated-message", map[string]any{"messageType": "error", "includeImage": true}},
	{"get-structured-content", map[string]any{"location": "Chicago"}},
	{"get-resource-links", map[string]any{"count": 2}},
	{"get-resource-reference", map[string]any{"resourceType": "Text", "resourceId": 3}},
	{"gzip-file-as-resource", map[string]any{"name": "hello.txt.gz", "data": "data:text/plain;base64,aGVsbG8gZ2F0ZXdheQ==", "outputType": "resource"}},
	{"echo", map[string]any{}}, // invalid arguments: the server's own error result
}

// createdAt is the time a dynamic resource of the everything server stamps in
// its text.
var createdAt = regexp.MustCompile(`created at [0-9:]+ ?[AP]?M?`)

func normalised(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return createdAt.ReplaceAllString(string(b), "created at <time>")
}

// TestReferenceServersThroughTheGateway configures the reference servers
// everything and memory and uses them through the gateway with the
// TypeScript and the Go SDK's clients: their tools are listed under the
// servers' names with their definitions intact, every kind of result comes
// back exactly as the server gives it to a direct client, progress reaches
// both clients; each user has a memory of their own unless the server shares
// one process; and SIGTERM leaves no process behind, node grandchildren
// included.
func TestReferenceServersThroughTheGateway(t *testing.T) {
	t.Parallel()
	p := requirePeers(t)
	memDir := t.TempDir()
	g := startGateway(t, t.TempDir())
	jane := g.quickStart(p.everything("everything"), p.memory("memory", memDir, false), p.memory("shared_memory", memDir, true))
	john := g.addUser("john.roe@example.com")

	// The same calls, straight to the server and through the gateway.
	direct := []map[string]any{listStep()}
	through := []map[string]any{listStep()}
	for _, c := range everythingCalls {
		direct = append(direct, callStep(c.tool, c.args))
		through = append(through, callStep("everything__"+c.tool, c.args))
	}
	long := callStep("everything__trigger-long-running-operation", map[string]any{"duration": 0.6, "steps": 3})
	long["progress"] = true
	through = append(through, long)

	var want tsOutput
	var wg sync.WaitGroup
	wg.Go(func() {
		want = p.ts(t, map[string]any{"stdio": map[string]any{"command": "node", "args": []string{p.script("server-everything"), "stdio"}}, "steps": direct})
	})
	got := p.ts(t, gatewayPlan(g.mcpURL, jane, through...))
	wg.Wait()
	require.True(t, want.Connected, "%+v", want.Error)
	require.True(t, got.Connected, "%+v", got.Error)

	tools := got.Steps[0].toolNames()
	for _, tool := range want.Steps[0].Tools {
		name := tool["name"].(string)
		proxied, ok := tools["everything__"+name]
		if !assert.True(t, ok, "%s is listed", name) {
			continue
		}
		proxied = clone(proxied)
		proxied["name"] = name
		// The Go SDK's Tool type has no execution member (the experimental
		// tasks of protocol 2025-11-25), so the gateway cannot pass it on;
		// everything else is the server's.
		tool = clone(tool)
		delete(tool, "execution")
		assert.Equal(t, normalised(t, tool), normalised(t, proxied), "the definition of %s is the server's", name)
	}
	for _, name := range []string{"memory__create_entities", "memory__read_graph", "shared_memory__read_graph"} {
		assert.Contains(t, tools, name)
	}
	for i, c := range everythingCalls {
		w, g := want.Steps[i+1], got.Steps[i+1]
		require.Nil(t, w.Error, "%s directly: %+v", c.tool, w.Error)
		require.Nil(t, g.Error, "%s through the gateway: %+v", c.tool, g.Error)
		assert.Equal(t, normalised(t, w.Result), normalised(t, g.Result), "%s: the result is the server's, unchanged", c.tool)
	}
	assert.Equal(t, true, got.Steps[len(everythingCalls)].Result["isError"], "invalid arguments are the server's tool error")

	progress := got.Steps[len(through)-1]
	require.Nil(t, progress.Error)
	require.Len(t, progress.Progress, 3, "the server's progress reaches the TypeScript client")
	for i, n := range progress.Progress {
		assert.Equal(t, map[string]any{"progress": float64(i + 1), "total": float64(3)}, n)
	}

	t.Run("go client", func(t *testing.T) {
		goClientThroughReferenceServers(t, g.mcpURL, jane, want)
	})
	t.Run("memory per user", func(t *testing.T) {
		memoryIsolation(t, g, memDir, jane, john)
	})

	// Every process, with what it started, is gone after SIGTERM.
	var all []int
	for _, proc := range g.processes() {
		require.NotZero(t, proc.PID, "%+v", proc)
		tree := processTree(proc.PID)
		if strings.HasSuffix(proc.Server, "memory") {
			assert.GreaterOrEqual(t, len(tree), 2, "%s runs node under its shell: %v", proc.Server, tree)
		}
		all = append(all, tree...)
	}
	require.GreaterOrEqual(t, len(all), 4+3, "everything; memory for two users, with node; shared memory, with node")
	require.NoError(t, g.stop(), "SIGTERM is a clean shutdown")
	for _, pid := range all {
		assert.False(t, running(pid), "process %d (%v) is left after shutdown", pid, procStat(pid))
	}
	assert.NotContains(t, g.logs.String(), jane)
	assert.NotContains(t, g.logs.String(), john)
}

// clone copies a JSON object's top level.
func clone(m map[string]any) map[string]any {
	return maps.Clone(m)
}

// goClientThroughReferenceServers: the Go SDK's client gets each kind of
// content as the server sent it (compared with the TypeScript client's direct
// results, want) and the long operation's progress.
func goClientThroughReferenceServers(t *testing.T, url, key string, want tsOutput) {
	var mu sync.Mutex
	var progress []*mcp.ProgressNotificationParams
	client := mcp.NewClient(&mcp.Implementation{Name: "e2e", Version: "1"}, &mcp.ClientOptions{
		ProgressNotificationHandler: func(_ context.Context, req *mcp.ProgressNotificationClientRequest) {
			mu.Lock()
			defer mu.Unlock()
			progress = append(progress, req.Params)
		}})
	session, err := client.Connect(t.Context(), &mcp.StreamableClientTransport{Endpoint: url,
		HTTPClient: httpClientWithKey(key)}, nil)
	require.NoError(t, err)
	defer session.Close()
	ctx := t.Context()
	call := func(tool string, args map[string]any) *mcp.CallToolResult {
		t.Helper()
		res, err := session.CallTool(ctx, &mcp.CallToolParams{Name: "everything__" + tool, Arguments: args})
		require.NoError(t, err, tool)
		return res
	}
	wantContent := func(i, item int) map[string]any {
		return want.Steps[i+1].Result["content"].([]any)[item].(map[string]any)
	}

	for i, c := range everythingCalls {
		res := call(c.tool, c.args)
		// The Go SDK reads the same JSON into its own types; written back, it
		// must be the server's.
		data, err := json.Marshal(res)
		require.NoError(t, err)
		var doc map[string]any
		require.NoError(t, json.Unmarshal(data, &doc))
		// Protocol 2026-07-28, which the Go client speaks, has every result
		// say which server answered: the gateway's SDK adds that.
		info, _ := doc["_meta"].(map[string]any)
		require.Equal(t, "secure-mcp-gateway", info["io.modelcontextprotocol/serverInfo"].(map[string]any)["name"])
		if delete(info, "io.modelcontextprotocol/serverInfo"); len(info) == 0 {
			delete(doc, "_meta")
		}
		assert.Equal(t, normalised(t, want.Steps[i+1].Result), normalised(t, doc), "%s through the Go client", c.tool)

		switch c.tool {
		case "get-tiny-image":
			img, ok := res.Content[1].(*mcp.ImageContent)
			require.True(t, ok, "%T", res.Content[1])
			assert.Equal(t, "image/png", img.MIMEType)
			assert.Equal(t, wantContent(i, 1)["data"], base64.StdEncoding.EncodeToString(img.Data))
			assert.Equal(t, []byte("\x89PNG"), img.Data[:4])
		case "get-resource-reference":
			embedded, ok := res.Content[1].(*mcp.EmbeddedResource)
			require.True(t, ok, "%T", res.Content[1])
			assert.Equal(t, "demo://resource/dynamic/text/3", embedded.Resource.URI)
			assert.True(t, strings.HasPrefix(embedded.Resource.Text, "Resource 3: "), embedded.Resource.Text)
		case "gzip-file-as-resource":
			embedded, ok := res.Content[0].(*mcp.EmbeddedResource)
			require.True(t, ok, "%T", res.Content[0])
			assert.Equal(t, "application/gzip", embedded.Resource.MIMEType)
			assert.Equal(t, wantContent(i, 0)["resource"].(map[string]any)["blob"], base64.StdEncoding.EncodeToString(embedded.Resource.Blob))
		case "get-resource-links":
			_, ok := res.Content[1].(*mcp.ResourceLink)
			assert.True(t, ok, "%T", res.Content[1])
		case "get-structured-content":
			assert.Equal(t, map[string]any{"temperature": float64(36), "conditions": "Light rain / drizzle", "humidity": float64(82)}, res.StructuredContent)
		}
	}

	params := &mcp.CallToolParams{Name: "everything__trigger-long-running-operation", Arguments: map[string]any{"duration": 0.6, "steps": 3}}
	params.SetProgressToken("go-progress")
	res, err := session.CallTool(ctx, params)
	require.NoError(t, err)
	assert.Contains(t, res.Content[0].(*mcp.TextContent).Text, "Long running operation completed")
	// The client hands notifications to its handler on its own goroutine:
	// each was sent before the result, but may be handled just after it.
	require.Eventually(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(progress) == 3
	}, progressWait, pollEvery, "the server's progress reaches the Go client")
	mu.Lock()
	defer mu.Unlock()
	for i, n := range progress {
		assert.Equal(t, "go-progress", n.ProgressToken, "under the client's own token")
		assert.Equal(t, float64(i+1), n.Progress)
		assert.Equal(t, float64(3), n.Total)
	}
}

// memoryIsolation: what one user tells the memory server, another user of
// the same project never sees — each has a process of their own, with a file
// of its own — while a server marked shared_process has one process, whose
// memory every user shares.
func memoryIsolation(t *testing.T, g *gatewayServer, dir, jane, john string) {
	janeSession, err := mcpSession(t, g.mcpURL, jane)
	require.NoError(t, err)
	johnSession, err := mcpSession(t, g.mcpURL, john)
	require.NoError(t, err)
	ctx := t.Context()
	call := func(s *mcp.ClientSession, tool string, args map[string]any) map[string]any {
		t.Helper()
		if args == nil {
			args = map[string]any{} // a nil map would be sent as null, which is no arguments object
		}
		res, err := s.CallTool(ctx, &mcp.CallToolParams{Name: tool, Arguments: args})
		require.NoError(t, err, tool)
		require.False(t, res.IsError, "%s: %s", tool, toolText(t, res))
		doc, ok := res.StructuredContent.(map[string]any)
		require.True(t, ok, "%s: %T", tool, res.StructuredContent)
		return doc
	}
	entity := func(name string) map[string]any {
		return map[string]any{"entities": []any{map[string]any{"name": name, "entityType": "note", "observations": []any{"told by jane"}}}}
	}
	names := func(graph map[string]any) []string {
		var out []string
		for _, e := range graph["entities"].([]any) {
			out = append(out, e.(map[string]any)["name"].(string))
		}
		return out
	}

	call(janeSession, "memory__create_entities", entity("jane-private"))
	assert.Equal(t, []string{"jane-private"}, names(call(janeSession, "memory__read_graph", nil)))
	assert.Empty(t, names(call(johnSession, "memory__read_graph", nil)), "another user's process knows nothing of it")

	call(janeSession, "shared_memory__create_entities", entity("for-everyone"))
	assert.Equal(t, []string{"for-everyone"}, names(call(johnSession, "shared_memory__read_graph", nil)), "a shared process is shared")

	pids := map[string][]upstreamProcess{}
	for _, proc := range g.processes() {
		pids[proc.Server] = append(pids[proc.Server], proc)
	}
	require.Len(t, pids["memory"], 2, "one memory process per user")
	require.Len(t, pids["shared_memory"], 1, "one shared process")
	assert.NotEqual(t, pids["memory"][0].PID, pids["memory"][1].PID)
	assert.NotEqual(t, pids["memory"][0].UserID, pids["memory"][1].UserID)
	holders := 0
	for _, proc := range pids["memory"] {
		data, err := os.ReadFile(filepath.Join(dir, "memory-"+strconv.Itoa(proc.PID)+".jsonl"))
		if err == nil && strings.Contains(string(data), "jane-private") {
			holders++
		}
	}
	assert.Equal(t, 1, holders, "jane's note is in her process's file only")
}
