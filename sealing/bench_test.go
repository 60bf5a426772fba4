package sealing_test

import (
	"strings"
	"testing"

	"github.com/securemcp/gateway/sealing"
)

// value40 is a 40-byte secret, the size of a GitHub token.
var value40 = strings.Repeat("x", 36) + "abcd"

func BenchmarkSeal40(b *testing.B) {
	s, _ := newSealer(b)
	b.SetBytes(int64(len(value40)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Seal(value40, place); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkOpen40(b *testing.B) {
	s, _ := newSealer(b)
	token, err := s.Seal(value40, place)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(value40)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Open(token, place); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNewSealer is the cost of loading a key: once per start.
func BenchmarkNewSealer(b *testing.B) {
	key := sealing.GenerateKey()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := sealing.NewSealer(key); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMask40(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		_ = sealing.Mask(value40)
	}
}
