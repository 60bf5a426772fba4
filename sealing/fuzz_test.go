package sealing_test

import (
	"strings"
	"testing"

	"github.com/securemcp/gateway/sealing"
)

// FuzzOpen: no input makes Open panic, and what opens was sealed here (the
// seeds are real tokens and their damaged forms).
func FuzzOpen(f *testing.F) {
	key, err := sealing.NewKey(rawKey)
	if err != nil {
		f.Fatal(err)
	}
	s, err := sealing.NewSealer(key)
	if err != nil {
		f.Fatal(err)
	}
	for _, plain := range []string{"", "x", planted} {
		token, err := s.Seal(plain, place)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(token, place)
		f.Add(token[:len(token)/2], place)
		f.Add(token+"==", place)
		f.Add(strings.Replace(token, ":v1:", ":v2:", 1), place)
	}
	for _, seed := range []string{"", "smgsealed:", "smgsealed:v1:", "smgsealed:v1:0123456789ab:", "smgsealed:v1:" + key.ID() + ":", "smgsealed:v1:" + key.ID() + ":" + strings.Repeat("A", 38)} {
		f.Add(seed, place)
	}
	f.Fuzz(func(t *testing.T, token, aad string) {
		plain, err := s.Open(token, aad)
		if err != nil {
			if plain != "" {
				t.Fatalf("an error with a value")
			}
			if strings.Contains(err.Error(), token) && len(token) > 16 {
				t.Fatalf("the error repeats the token")
			}
			return
		}
		if !sealing.IsSealed(token) {
			t.Fatalf("opened a string that is no token")
		}
		if again, err := s.Open(token, aad); err != nil || again != plain {
			t.Fatalf("opening twice differs")
		}
	})
}

// FuzzParseKey: no input makes ParseKey panic or echo it.
func FuzzParseKey(f *testing.F) {
	for _, seed := range []string{"", "  ", "00", strings.Repeat("a", 64), strings.Repeat("A", 43), strings.Repeat("A", 44), "not a key"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		k, err := sealing.ParseKey(text)
		if err == nil {
			if k.ID() == "" {
				t.Fatal("a key without id")
			}
			return
		}
		if trimmed := strings.TrimSpace(text); len(trimmed) >= 8 && strings.Contains(err.Error(), trimmed) {
			t.Fatalf("the error repeats the text")
		}
	})
}

// FuzzMask: a mask never shows more than a known prefix and the last four
// characters, nor anything of a secret too short to show.
func FuzzMask(f *testing.F) {
	for _, seed := range []string{"", "x", planted, "sk-", "ghp_1234567", "päßwörd-geheim-ßßßß", "\xff\xfe\xfd"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, secret string) {
		m := sealing.Mask(secret)
		r := []rune(secret)
		switch {
		case secret == "":
			if m != "" {
				t.Fatal("empty masked")
			}
		case m == "****":
		case strings.HasPrefix(m, "****"):
			if len(r) < 12 || m != "****"+string(r[len(r)-4:]) {
				t.Fatalf("mask %q shows too much", m)
			}
		default:
			prefix, last, ok := strings.Cut(m, "…")
			if !ok || !strings.HasPrefix(secret, prefix) || len([]rune(last)) != 4 || !strings.HasSuffix(string(r), last) || len(prefix) > 6 {
				t.Fatalf("mask %q is not prefix…last4", m)
			}
		}
		if sealing.KeepMasked(m, secret) != secret {
			t.Fatal("the mask sent back does not keep the secret")
		}
	})
}
