package controllers_test

import (
	"bytes"
	"fmt"
	"os"
	"regexp"
	"sync"
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// suiteLog is the logger of every harness: each line it writes, in any test
// of the package, is scanned for secrets, and TestMain fails the run if one
// leaked. Lines are checked as they are written, not kept, so that fuzzing
// does not grow memory.
var (
	suiteLeaks = &leakWriter{}
	suiteLog   = zap.New(zapcore.NewCore(zapcore.NewJSONEncoder(zap.NewProductionEncoderConfig()), zapcore.AddSync(suiteLeaks), zapcore.DebugLevel))
)

// keySecret matches gateway API key secrets (smg_ + 43 random + 6 checksum
// base62 characters).
var keySecret = regexp.MustCompile(`smg_[0-9A-Za-z]{49}`)

// leakWriter records log lines that carry the admin key, a key secret or an
// Authorization header value.
type leakWriter struct {
	mu    sync.Mutex
	lines int
	leaks []string
}

func (w *leakWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.lines++
	if bytes.Contains(p, []byte(testAdminKey)) || bytes.Contains(p, []byte("Bearer ")) || keySecret.Match(p) {
		if len(w.leaks) < 10 {
			w.leaks = append(w.leaks, string(p))
		}
	}
	return len(p), nil
}

func TestMain(m *testing.M) {
	code := m.Run()
	suiteLeaks.mu.Lock()
	defer suiteLeaks.mu.Unlock()
	if len(suiteLeaks.leaks) > 0 {
		fmt.Fprintf(os.Stderr, "FAIL: %d log lines of the suite carry a secret, e.g.:\n", len(suiteLeaks.leaks))
		for _, line := range suiteLeaks.leaks {
			fmt.Fprintln(os.Stderr, line)
		}
		code = 1
	}
	os.Exit(code)
}

// TestSuiteLogIsScanned makes sure the suite-wide check sees the lines.
func TestSuiteLogIsScanned(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	suiteLeaks.mu.Lock()
	before := suiteLeaks.lines
	suiteLeaks.mu.Unlock()
	h.must(200, h.do("GET", "/api/v1/configs", nil))
	suiteLeaks.mu.Lock()
	defer suiteLeaks.mu.Unlock()
	if suiteLeaks.lines <= before {
		t.Fatal("the request log line did not reach the suite's scanner")
	}
	w := &leakWriter{}
	_, _ = w.Write([]byte(`{"msg":"x","key":"smg_` + "0123456789012345678901234567890123456789012345678" + `"}`))
	_, _ = w.Write([]byte(`{"msg":"x","auth":"Bearer abc"}`))
	_, _ = w.Write([]byte(`{"msg":"request","route":"/api/v1/configs"}`))
	if len(w.leaks) != 2 {
		t.Fatalf("the scanner found %d leaks, want 2", len(w.leaks))
	}
}
