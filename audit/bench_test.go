package audit

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/securemcp/gateway/models"
)

// typicalToolCall is a refused tool call's record as the gateway writes it
// (about 400 bytes of details).
func typicalToolCall(b *testing.B) Record {
	r := sample(3)
	recs := []Record{r}
	if _, err := Seal(EmptyHead(), recs); err != nil {
		b.Fatal(err)
	}
	return recs[0]
}

// BenchmarkComputeHash is the cost every record pays twice: when it is
// sealed, and each time it is verified.
func BenchmarkComputeHash(b *testing.B) {
	r := typicalToolCall(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ComputeHash(r.PrevHash, r); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCanonical is the encoding alone, without the SHA-256.
func BenchmarkCanonical(b *testing.B) {
	r := typicalToolCall(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Canonical(r); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSeal is what Write adds to an admin write's transaction, less
// the store's own statements.
func BenchmarkSeal(b *testing.B) {
	r := sample(1)
	head := EmptyHead()
	recs := make([]Record, 1)
	b.ReportAllocs()
	for b.Loop() {
		recs[0] = r
		if _, err := Seal(head, recs); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDiffServer is the difference of a server update.
func BenchmarkDiffServer(b *testing.B) {
	before := models.Server{Name: "github", Description: "old", Command: "npx", Args: []string{"-y", "server-github"},
		Env:         map[string]string{"GITHUB_TOKEN": "ghp_abcdefghijklmnopqrstuvwxyz0123456789", "DEBUG": "1"},
		Tools:       models.JSONObject{"search": map[string]any{"description": "Search repositories"}},
		OAuthConfig: models.JSONObject{"OAUTH_CLIENT_ID": "c", "OAUTH_CLIENT_SECRET": "s3cr3t-s3cr3t-s3cr3t"},
		CreatedAt:   t0, UpdatedAt: t0}
	after := before
	after.Description = "new"
	after.Env = map[string]string{"GITHUB_TOKEN": "ghp_zyxwvutsrqponmlkjihgfedcba9876543210", "DEBUG": "1"}
	after.UpdatedAt = t0.Add(time.Second)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Diff(before, after); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerify100k verifies a chain of 100,000 records (a third tool
// calls, the rest admin writes) read from memory: the CPU part of
// `audit verify`; a store adds its cursor's cost.
func BenchmarkVerify100k(b *testing.B) {
	recs := chain(b, 100_000)
	b.ResetTimer()
	for b.Loop() {
		rep, err := Verify(context.Background(), NewSlice(recs), VerifyOptions{})
		if err != nil || !rep.OK() {
			b.Fatal(err, rep.Problem)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/100_000, "ns/record")
}

// BenchmarkExport100k writes 100,000 records as JSON Lines.
func BenchmarkExport100k(b *testing.B) {
	recs := chain(b, 100_000)
	b.ResetTimer()
	for b.Loop() {
		if _, err := Export(context.Background(), io.Discard, NewSlice(recs)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBatcherAdd is the cost a tool call pays to hand over its record.
func BenchmarkBatcherAdd(b *testing.B) {
	bt := NewBatcher(func(context.Context, []Record) error { return nil }, BatcherConfig{})
	r := sample(0)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := bt.Add(ctx, r); err != nil {
			b.Fatal(err)
		}
	}
	if err := bt.Close(ctx); err != nil {
		b.Fatal(err)
	}
}
