package upstream

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

func TestResultsAndArgumentsPassThrough(t *testing.T) {
	t.Parallel()
	p := newPool(t, Options{})
	spec := serveSpec("echo")
	args := `{"big": 12345678901234567890123, "price": 1.50, "html": "<b>&</b>", "nested": {"list": [1, "two", null]}}`

	res, err := p.CallTool(context.Background(), "iso", spec, ToolCall{Name: "echo", Arguments: []byte(args)})
	if err != nil {
		t.Fatal(err)
	}
	// The upstream received the same bytes, but for whitespace.
	var compact bytes.Buffer
	_ = json.Compact(&compact, []byte(args))
	if got := firstText(t, res); got != compact.String() {
		t.Errorf("upstream received %s, want %s", got, compact.String())
	}
	if len(res.Content) != 5 {
		t.Fatalf("%d content items, want 5", len(res.Content))
	}
	if img, ok := res.Content[1].(*mcp.ImageContent); !ok || string(img.Data) != "\x89PNG" || img.MIMEType != "image/png" {
		t.Errorf("content[1] = %#v, want the image", res.Content[1])
	}
	if audio, ok := res.Content[2].(*mcp.AudioContent); !ok || string(audio.Data) != "RIFF" {
		t.Errorf("content[2] = %#v, want the audio", res.Content[2])
	}
	if link, ok := res.Content[3].(*mcp.ResourceLink); !ok || link.URI != "file:///echo.txt" {
		t.Errorf("content[3] = %#v, want the resource link", res.Content[3])
	}
	if emb, ok := res.Content[4].(*mcp.EmbeddedResource); !ok || emb.Resource.URI != "mem://echo" || !sameJSON(t, emb.Resource.Text, args) {
		t.Errorf("content[4] = %#v, want the embedded resource", res.Content[4])
	}
	// The SDK decodes structuredContent into float64 numbers: compare so.
	var want any
	_ = json.Unmarshal([]byte(args), &want)
	if !reflect.DeepEqual(res.StructuredContent, want) {
		t.Errorf("structuredContent = %#v, want %#v", res.StructuredContent, want)
	}
	if res.IsError {
		t.Error("isError set on a successful call")
	}

	res, err = p.CallTool(context.Background(), "iso", spec, ToolCall{Name: "echo", Arguments: []byte(`{"fail": true}`)})
	if err != nil || !res.IsError {
		t.Errorf("tool error = (%+v, %v), want a result with isError", res, err)
	}
	// No arguments are sent as {}, not null.
	if got := call(t, p, "iso", spec, "echo", ""); got != "{}" {
		t.Errorf("no arguments arrived as %q", got)
	}
}

// sameJSON compares two JSON texts as values, numbers compared as written.
func sameJSON(t *testing.T, a, b string) bool {
	t.Helper()
	decode := func(s string) any {
		d := json.NewDecoder(strings.NewReader(s))
		d.UseNumber()
		var v any
		if err := d.Decode(&v); err != nil {
			t.Fatalf("decoding %s: %v", s, err)
		}
		return v
	}
	return reflect.DeepEqual(decode(a), decode(b))
}

func TestUpstreamErrorsPassThrough(t *testing.T) {
	t.Parallel()
	p := newPool(t, Options{})
	spec := serveSpec("rpc-error")
	pid := pidOf(t, p, "iso", spec)

	_, err := p.CallTool(context.Background(), "iso", spec, ToolCall{Name: "no-such-tool"})
	var rpcErr *jsonrpc.Error
	if !errors.As(err, &rpcErr) || errors.Is(err, ErrUpstreamCrashed) {
		t.Fatalf("error = %v, want the upstream's JSON-RPC error", err)
	}
	if got := pidOf(t, p, "iso", spec); got != pid {
		t.Error("an error answer restarted the process")
	}
}

func TestInvalidCallsAreRefusedBeforeStarting(t *testing.T) {
	t.Parallel()
	p := newPool(t, Options{})
	spec := serveSpec("invalid")
	for _, args := range []string{`[1,2]`, `"text"`, `{"a":`, `null`} {
		_, err := p.CallTool(context.Background(), "iso", spec, ToolCall{Name: "echo", Arguments: []byte(args)})
		isKind(t, err, ErrInvalidCall)
	}
	_, err := p.CallTool(context.Background(), "iso", Spec{Name: "x"}, ToolCall{Name: "echo"})
	isKind(t, err, ErrInvalidSpec)
	if st := p.Status(); len(st) != 0 {
		t.Errorf("status = %+v, want nothing started", st)
	}
}

func TestProgressIsRoutedToItsCall(t *testing.T) {
	t.Parallel()
	p := newPool(t, Options{})
	spec := serveSpec("progress")

	var wg sync.WaitGroup
	for _, steps := range []int{3, 5, 7} {
		wg.Go(func() {
			var (
				mu  sync.Mutex
				got []*mcp.ProgressNotificationParams
			)
			res, err := p.CallTool(context.Background(), "iso", spec, ToolCall{
				Name:      "progress",
				Arguments: []byte(`{"steps":` + strconv.Itoa(steps) + `}`),
				Meta:      mcp.Meta{"progressToken": "client-token", "trace": "kept"},
				Progress: func(pn *mcp.ProgressNotificationParams) {
					mu.Lock()
					got = append(got, pn)
					mu.Unlock()
				},
			})
			if err != nil || firstText(t, res) != "done" {
				t.Errorf("progress call: %v", err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			// Notifications precede the result on the one stream.
			if len(got) != steps {
				t.Fatalf("%d notifications for %d steps", len(got), steps)
			}
			for i, pn := range got {
				if pn.Progress != float64(i+1) || pn.Total != float64(steps) || pn.ProgressToken != nil {
					t.Errorf("notification %d = %+v", i, pn)
				}
			}
		})
	}
	wg.Wait()
}

func TestCallTimeoutCancelsUpstreamButKeepsIt(t *testing.T) {
	t.Parallel()
	p := newPool(t, Options{CallTimeout: 200 * time.Millisecond})
	spec := serveSpec("timeout")
	pid := pidOf(t, p, "iso", spec)

	began := time.Now()
	_, err := p.CallTool(context.Background(), "iso", spec, ToolCall{Name: "slow", Arguments: []byte(`{"ms":60000,"tag":"timed-out"}`)})
	isKind(t, err, ErrCallTimeout)
	if took := time.Since(began); took > 3*time.Second {
		t.Errorf("timed out after %v", took)
	}
	eventually(t, 5*time.Second, "upstream saw notifications/cancelled", func() bool {
		st := statusOf(p, "iso", "timeout")
		return len(st) == 1 && strings.Contains(st[0].Stderr, "cancelled: timed-out")
	})
	if got := pidOf(t, p, "iso", spec); got != pid {
		t.Errorf("a timed-out call restarted the process (%d, then %d)", pid, got)
	}
}

func TestCallerCancellationPropagates(t *testing.T) {
	t.Parallel()
	p := newPool(t, Options{})
	spec := serveSpec("cancel")
	pidOf(t, p, "iso", spec)

	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	_, err := p.CallTool(ctx, "iso", spec, ToolCall{Name: "slow", Arguments: []byte(`{"ms":60000,"tag":"by-caller"}`)})
	if !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, ErrCallTimeout) {
		t.Fatalf("error = %v, want the caller's deadline", err)
	}
	eventually(t, 5*time.Second, "upstream saw notifications/cancelled", func() bool {
		st := statusOf(p, "iso", "cancel")
		return len(st) == 1 && strings.Contains(st[0].Stderr, "cancelled: by-caller")
	})
}

func TestListToolsReadsAllPages(t *testing.T) {
	t.Parallel()
	p := newPool(t, Options{})
	// 12 tools of its own and 12 more, 5 a page.
	tools, err := p.ListTools(context.Background(), "iso", serveSpec("pages", "-tools", "12"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tool := range tools {
		names = append(names, tool.Name)
	}
	slices.Sort(names)
	if len(slices.Compact(names)) != 24 || !slices.Contains(names, "t11") || !slices.Contains(names, "echo") {
		t.Errorf("tools = %v, want 24 distinct", names)
	}
}

func TestStderrIsBounded(t *testing.T) {
	t.Parallel()
	p := newPool(t, Options{StderrTailBytes: 1024})
	spec := serveSpec("noisy")
	call(t, p, "iso", spec, "stderr", `{"bytes":1000000}`)
	// The pipe is read concurrently: wait for the last line to arrive.
	eventually(t, 5*time.Second, "the end of stderr in the tail", func() bool {
		st := statusOf(p, "iso", "noisy")
		return len(st) == 1 && strings.HasSuffix(st[0].Stderr, "the end of stderr\n")
	})
	if st := statusOf(p, "iso", "noisy"); len(st[0].Stderr) > 1024 {
		t.Errorf("stderr tail of %d bytes, want at most 1024", len(st[0].Stderr))
	}
}

// TestHugeMessageIsBounded is not parallel: it measures the test process's
// allocations.
func TestHugeMessageIsBounded(t *testing.T) {
	p := newPool(t, Options{MaxMessageBytes: 1 << 20, RestartBackoff: time.Millisecond})
	spec := serveSpec("huge")
	pidOf(t, p, "iso", spec)

	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := p.CallTool(context.Background(), "iso", spec, ToolCall{Name: "big", Arguments: []byte(`{"bytes":50000000}`)})
	runtime.ReadMemStats(&after)
	isKind(t, err, ErrUpstreamCrashed)
	isKind(t, err, ErrMessageTooLarge)
	// Reading the 50 MB line whole would allocate at least 50 MB.
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 16<<20 {
		t.Errorf("the call allocated %d MiB for a 1 MiB message cap", alloc>>20)
	}
	// The limit is per message: the restarted process serves a large one.
	if got := call(t, p, "iso", spec, "big", `{"bytes":500000}`); len(got) != 500000 || !bytes.Equal([]byte(got[:3]), []byte("xxx")) {
		t.Errorf("a 500 kB result came back as %d bytes", len(got))
	}
}

func TestDiscoverUsesAThrowawayProcess(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	p := newPool(t, Options{Observer: rec})
	tools, err := p.Discover(context.Background(), serveSpec("new-server"))
	if err != nil {
		t.Fatal(err)
	}
	if len(tools) != 12 {
		t.Errorf("%d tools, want 12", len(tools))
	}
	eventually(t, 10*time.Second, "the process stopped", func() bool { return rec.count(EventStopped) == 1 })
	if started := rec.started(); len(started) != 1 || !started[0].gone() {
		t.Errorf("discovery processes %+v, want one, gone", started)
	}
	if st := p.Status(); len(st) != 0 {
		t.Errorf("status = %+v, want discovery to leave nothing", st)
	}

	_, err = p.Discover(context.Background(), modeSpec("broken", "exit"))
	var pe *ProcessError
	if !errors.As(err, &pe) || !errors.Is(err, ErrStartFailed) || !strings.Contains(pe.Stderr, "fatal") {
		t.Errorf("Discover(broken) = %v, want ErrStartFailed with its stderr", err)
	}
}

// The tool list is read once per process and read again after the upstream
// announces a change.
// TestConcurrentListingsHandOutOneList: listings that all find no kept list
// (the first ones, while the process starts) hand out the same slice, the
// one kept, so that a caller comparing lists by identity sees no change.
func TestConcurrentListingsHandOutOneList(t *testing.T) {
	t.Parallel()
	p := newPool(t, Options{})
	spec := serveSpec("slow-start", "-start-delay", "300ms")
	const n = 12
	lists := make([][]*mcp.Tool, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			tools, err := p.ListTools(context.Background(), "iso", spec)
			if err != nil {
				t.Error(err)
			}
			lists[i] = tools
		})
	}
	wg.Wait()
	kept, err := p.ListTools(context.Background(), "iso", spec)
	if err != nil || len(kept) == 0 {
		t.Fatalf("ListTools = %d tools, %v", len(kept), err)
	}
	for i, l := range lists {
		if len(l) != len(kept) || &l[0] != &kept[0] {
			t.Errorf("listing %d handed out another list than the one kept", i)
		}
	}
}

func TestToolListIsKeptUntilTheUpstreamChangesIt(t *testing.T) {
	t.Parallel()
	p := newPool(t, Options{})
	ctx, spec := context.Background(), serveSpec("kept")
	listings := func() string {
		res, err := p.CallTool(ctx, "iso", spec, ToolCall{Name: "listings"})
		if err != nil {
			t.Fatal(err)
		}
		return res.Content[0].(*mcp.TextContent).Text
	}
	if _, err := p.ListTools(ctx, "iso", spec); err != nil {
		t.Fatal(err)
	}
	first := listings() // one tools/list per page
	for range 3 {
		if _, err := p.ListTools(ctx, "iso", spec); err != nil {
			t.Fatal(err)
		}
	}
	if got := listings(); got != first {
		t.Fatalf("upstream answered %s tools/list requests, want the first listing's %s", got, first)
	}
	if _, err := p.CallTool(ctx, "iso", spec, ToolCall{Name: "grow"}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		tools, err := p.ListTools(ctx, "iso", spec)
		if err != nil {
			t.Fatal(err)
		}
		if slices.ContainsFunc(tools, func(tl *mcp.Tool) bool { return tl.Name == "grown" }) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the new tool never appeared after tools/list_changed")
		}
		time.Sleep(20 * time.Millisecond)
	}
	p.RefreshTools("iso", "kept")
	before := listings()
	if _, err := p.ListTools(ctx, "iso", spec); err != nil {
		t.Fatal(err)
	}
	if after := listings(); after == before {
		t.Fatalf("RefreshTools did not make the pool ask again (%s listings)", after)
	}
}
