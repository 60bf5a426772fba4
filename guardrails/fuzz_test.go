package guardrails

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// FuzzEvaluate feeds arbitrary text and bytes to every entry point of the
// engine under a policy enabling every local detector with PII redaction,
// and checks what must hold for any input: no panic, findings inside their
// text, redacted arguments and restored results still valid JSON, a monitor
// policy never blocking, malformed JSON never allowed under enforcement.
//
// Seeds: every text of the measured corpus, plus testdata/fuzz/FuzzEvaluate.
func FuzzEvaluate(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "corpus", "*.jsonl"))
	for _, name := range files {
		fh, err := os.Open(name)
		if err != nil {
			f.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			var s corpusSample
			if json.Unmarshal(sc.Bytes(), &s) == nil {
				args, _ := json.Marshal(map[string]any{"text": s.Text, "n": 1})
				f.Add(s.Text, args)
			}
		}
		fh.Close()
	}
	f.Add("", []byte(`{"content":[{"type":"text","text":"jane@example.org"}],"structuredContent":{"a":["\u0000"]}}`))
	f.Add("\xff\xfe", []byte(`[{"name":"t","description":"x","inputSchema":{"type":"object"}}]`))

	l := NewLocalProvider()
	e := NewEngine(l)
	enforce := corpusPolicy()
	enforce.PIIRedaction = true
	monitor := corpusPolicy()
	monitor.Mode = ModeMonitor
	ctx := context.Background()

	f.Fuzz(func(t *testing.T, text string, payload []byte) {
		docs := []Document{{Parts: []Part{{Path: "a", Text: text}, {Path: "b", Text: string(payload)}}}}
		res, err := l.Evaluate(ctx, StageInput, enforce, docs)
		if err != nil {
			t.Fatal(err)
		}
		for _, fd := range res[0].Findings {
			if fd.Part < -1 || fd.Part >= 2 {
				t.Fatalf("finding %+v: part out of range", fd)
			}
			if fd.Part >= 0 && fd.Start >= 0 && (fd.Start > fd.End || fd.End > len(docs[0].Parts[fd.Part].Text)) {
				t.Fatalf("finding %+v: span outside its text", fd)
			}
		}

		valid := json.Valid(payload)
		in := e.CheckInput(ctx, enforce, text, payload)
		if !valid && len(payload) > 0 && in.Allowed {
			t.Fatalf("malformed arguments allowed: %q", payload)
		}
		if in.Allowed && len(in.Arguments) > 0 && !json.Valid(in.Arguments) {
			t.Fatalf("forwarded arguments are not JSON: %q from %q", in.Arguments, payload)
		}
		if in.Redaction != nil {
			restored, err := in.Redaction.Restore(ctx, in.Arguments)
			if err != nil || !json.Valid(restored) {
				t.Fatalf("restore: %v, %q", err, restored)
			}
		}
		out := e.CheckOutput(ctx, enforce, payload)
		if !valid && out.Allowed {
			t.Fatalf("malformed result allowed: %q", payload)
		}
		_, _ = e.CheckTools(ctx, enforce, payload)
		_ = e.CheckText(ctx, StageTool, enforce, "description", text)

		if v := e.CheckOutput(ctx, monitor, payload); !v.Allowed {
			t.Fatalf("monitor mode blocked: %s", v.Reason)
		}
		if v := e.CheckInput(ctx, monitor, text, payload); !v.Allowed || string(v.Arguments) != string(payload) {
			t.Fatalf("monitor mode blocked or rewrote: %s", v.Reason)
		}
	})
}
