package guardrails

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Benchmarks of the enforcement points under a policy enabling every local
// detector (corpusPolicy), on payloads that mix prose, code, logs and
// JSON with some PII in them. Each reports its median (p50) besides the mean:
//
//	go test -run '^$' -bench . -benchmem ./guardrails/

// benchText returns about n bytes of mixed, realistic text.
func benchText(n int) string {
	chunks := []string{
		"The gateway forwards each tool call to its upstream server and checks the result before the client sees it. ",
		"func (s *Service) Get(ctx context.Context, id string) (models.Config, error) {\n\treturn s.store.GetConfig(ctx, id)\n}\n",
		"2024-05-02T10:15:40.502Z WARN  upstream slow server=github tool=search_issues took=2.83s request_id=d2c1f0e9\n",
		`{"id":"cfg_01","name":"prod","servers":4,"updated_at":"2024-05-02T10:15:32Z","owner":"ana.silva@example.org"}` + "\n",
		"Please call +44 20 7946 0958 or write to support@example.com if the refund has not arrived in 7 days. ",
		"| id | sku | qty | amount |\n|---|---|---|---|\n| 1001 | SKU-0042 | 3 | 59.97 |\n",
		"commit 4b825dc642cb6eb9a060e54bf8d69288fbee4904 Merge pull request #231 from acme/feature/paging\n",
	}
	var b strings.Builder
	for i := 0; b.Len() < n; i++ {
		b.WriteString(chunks[i%len(chunks)])
	}
	return b.String()[:n]
}

func benchArgs(n int) json.RawMessage {
	text := benchText(n - 200)
	args, _ := json.Marshal(map[string]any{
		"query":   text[:len(text)/2],
		"options": map[string]any{"limit": 20, "notes": []string{text[len(text)/2:], "reply to jane@example.org"}},
	})
	return args
}

func benchResult(n int) json.RawMessage {
	text := benchText(n - 100)
	result, _ := json.Marshal(map[string]any{
		"content": []any{map[string]any{"type": "text", "text": text}},
		"isError": false,
	})
	return result
}

// reportP50 runs fn b.N times and reports the median wall time and the
// mean CPU time of the process per call. On a shared machine the wall time
// includes waits for a core; the CPU time does not.
func reportP50(b *testing.B, fn func()) {
	b.Helper()
	durations := make([]time.Duration, 0, b.N)
	cpu0 := processCPU()
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		fn()
		durations = append(durations, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(durations)
	b.ReportMetric(float64(durations[len(durations)/2].Nanoseconds())/1e3, "p50-µs")
	b.ReportMetric(float64((processCPU()-cpu0).Nanoseconds())/1e3/float64(b.N), "cpu-µs/op")
}

// processCPU is the user and system CPU time the process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkCheckInputOutput4KB is one tool call's two checks: 4 KB of
// arguments before the upstream, a 4 KB result after it.
func BenchmarkCheckInputOutput4KB(b *testing.B) {
	e := NewEngine(NewLocalProvider())
	p := corpusPolicy()
	args, result := benchArgs(4096), benchResult(4096)
	ctx := context.Background()
	reportP50(b, func() {
		if in := e.CheckInput(ctx, p, "search", args); in.Err != nil {
			b.Fatal(in.Err)
		}
		if out := e.CheckOutput(ctx, p, result); out.Err != nil {
			b.Fatal(out.Err)
		}
	})
}

// BenchmarkCheckInputOutput4KBRedaction adds PII redaction and restoration.
func BenchmarkCheckInputOutput4KBRedaction(b *testing.B) {
	e := NewEngine(NewLocalProvider())
	p := corpusPolicy()
	p.PIIRedaction = true
	p.Block = slices.DeleteFunc(slices.Clone(p.Block), func(d string) bool { return d == DetectorPII })
	args, result := benchArgs(4096), benchResult(4096)
	ctx := context.Background()
	reportP50(b, func() {
		in := e.CheckInput(ctx, p, "search", args)
		if !in.Allowed || in.Redaction == nil {
			b.Fatalf("%+v", in.Verdict)
		}
		if out := e.CheckOutput(ctx, p, result); out.Err != nil {
			b.Fatal(out.Err)
		}
		if _, err := in.Redaction.Restore(ctx, result); err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkCheckOutput1MB checks a 1 MB tool result.
func BenchmarkCheckOutput1MB(b *testing.B) {
	e := NewEngine(NewLocalProvider())
	p := corpusPolicy()
	p.Config[DetectorSponge] = map[string]any{"max_length": 4 << 20}
	result := benchResult(1 << 20)
	ctx := context.Background()
	b.SetBytes(int64(len(result)))
	reportP50(b, func() {
		if out := e.CheckOutput(ctx, p, result); out.Err != nil {
			b.Fatal(out.Err)
		}
	})
}

// BenchmarkDetector1MB times each local detector alone on 1 MB of text.
func BenchmarkDetector1MB(b *testing.B) {
	l := NewLocalProvider()
	full := corpusPolicy()
	full.Config[DetectorSponge] = map[string]any{"max_length": 4 << 20}
	docs := []Document{{Parts: []Part{{Path: "content/0/text", Text: benchText(1 << 20)}}}}
	for _, d := range full.Block {
		b.Run(d, func(b *testing.B) {
			p := NewPolicy(true, "bench", []string{d}, map[string]any{d: full.Config[d]})
			b.SetBytes(1 << 20)
			reportP50(b, func() {
				if _, err := l.Evaluate(context.Background(), StageOutput, p, docs); err != nil {
					b.Fatal(err)
				}
			})
		})
	}
	b.Run("json-walk", func(b *testing.B) {
		result := benchResult(1 << 20)
		b.SetBytes(int64(len(result)))
		reportP50(b, func() {
			if _, err := outputDocument(result); err != nil {
				b.Fatal(err)
			}
		})
	})
}

// TestBenchPayloads keeps the benchmark payloads honest: valid JSON of the
// announced size, with PII in them.
func TestBenchPayloads(t *testing.T) {
	for _, n := range []int{4096, 1 << 20} {
		r := benchResult(n)
		if !json.Valid(r) || len(r) < n*9/10 || len(r) > n*11/10 {
			t.Fatalf("result of %d bytes: %d bytes, valid %v", n, len(r), json.Valid(r))
		}
	}
	a := benchArgs(4096)
	if !json.Valid(a) || len(a) < 3500 {
		t.Fatalf("args: %d bytes", len(a))
	}
	in := NewEngine(NewLocalProvider()).CheckInput(t.Context(), corpusPolicy(), "search", a)
	if _, ok := in.Detection(DetectorPII); !ok {
		t.Fatalf("benchmark arguments carry no PII: %+v", in.Verdict)
	}
}
