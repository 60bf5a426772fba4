package upstream

import (
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
)

func TestTailKeepsTheEnd(t *testing.T) {
	t.Parallel()
	tl := newTail(10)
	for _, s := range []string{"abc", "defgh", "ijklmnop", "q"} {
		_, _ = tl.Write([]byte(s))
	}
	if got := tl.String(); got != "hijklmnopq" {
		t.Errorf("tail = %q, want hijklmnopq", got)
	}
	_, _ = tl.Write([]byte(strings.Repeat("z", 100) + "end"))
	if got := tl.String(); got != "zzzzzzzend" {
		t.Errorf("tail = %q after a long write", got)
	}
	if cap(tl.buf) > 40 {
		t.Errorf("tail holds %d bytes of capacity for 10", cap(tl.buf))
	}
}

func TestLineLimitReader(t *testing.T) {
	t.Parallel()
	read := func(input string, max int) (string, error) {
		var out strings.Builder
		l := newLineLimitReader(io.NopCloser(strings.NewReader(input)), max)
		buf := make([]byte, 3) // lines span reads
		for {
			n, err := l.Read(buf)
			out.Write(buf[:n])
			if err == io.EOF {
				return out.String(), nil
			}
			if err != nil {
				return out.String(), err
			}
		}
	}
	if got, err := read("12345\n123\n12345\n", 5); err != nil || got != "12345\n123\n12345\n" {
		t.Errorf("lines at the limit: %q, %v", got, err)
	}
	if _, err := read("12345\n123456\n", 5); !errors.Is(err, ErrMessageTooLarge) {
		t.Errorf("a 6-byte line with limit 5: %v", err)
	}
	if _, err := read("123\n"+strings.Repeat("x", 100), 5); !errors.Is(err, ErrMessageTooLarge) {
		t.Errorf("an unterminated long line: %v", err)
	}
}

func TestBreaker(t *testing.T) {
	t.Parallel()
	o := &Options{RestartBackoff: 100 * time.Millisecond, MaxRestartBackoff: 350 * time.Millisecond,
		BreakerThreshold: 4, BreakerWindow: time.Minute, BreakerCooldown: 10 * time.Second}
	var b breaker
	now := time.Unix(1000, 0)
	if d := b.delay(now, o); d != 0 {
		t.Errorf("delay without failures = %v", d)
	}
	for i, want := range []time.Duration{100, 200, 350} {
		b.failure(now, o)
		if d := b.delay(now, o); d != want*time.Millisecond {
			t.Errorf("delay after %d failures = %v, want %v", i+1, d, want*time.Millisecond)
		}
	}
	if d := b.delay(now.Add(300*time.Millisecond), o); d != 50*time.Millisecond {
		t.Errorf("delay counts from the last failure: %v", d)
	}
	b.failure(now, o) // the fourth opens the circuit
	if b.allowStart(now.Add(9 * time.Second)) {
		t.Error("start allowed during the cool-down")
	}
	if !b.allowStart(now.Add(10 * time.Second)) {
		t.Fatal("start refused after the cool-down")
	}
	b.failure(now.Add(11*time.Second), o) // half-open: one failure reopens
	if !b.open(now.Add(12 * time.Second)) {
		t.Error("a failure while half-open did not reopen the circuit")
	}
	if !b.allowStart(now.Add(22 * time.Second)) {
		t.Fatal("start refused after the second cool-down")
	}
	b.success()
	b.failure(now.Add(23*time.Second), o)
	if b.open(now.Add(23 * time.Second)) {
		t.Error("one failure after a success opened the circuit")
	}
	if b.delay(now.Add(23*time.Second+time.Minute), o) != 0 {
		t.Error("failures outside the window still delay starts")
	}
}

func TestSDKLogsGoToZap(t *testing.T) {
	t.Parallel()
	core, logs := observer.New(zapcore.InfoLevel)
	log := slog.New(zapHandler{log: zap.New(core)})
	log.Debug("dropped")
	log.With("server", "s").WithGroup("rpc").Warn("jsonrpc2 internal error", "error", "boom")
	entries := logs.AllUntimed()
	if len(entries) != 1 {
		t.Fatalf("%d entries, want the warning only", len(entries))
	}
	e := entries[0]
	if e.Level != zapcore.WarnLevel || e.Message != "jsonrpc2 internal error" ||
		e.ContextMap()["server"] != "s" || e.ContextMap()["rpc.error"] != "boom" {
		t.Errorf("entry = %+v %v", e.Entry, e.ContextMap())
	}
}
