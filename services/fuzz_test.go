package services_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/securemcp/gateway/services/confine"
	"github.com/securemcp/gateway/services/entity"
	"github.com/securemcp/gateway/services/errs"
)

// FuzzCleanName: an accepted name is trimmed, 1–128 valid UTF-8 characters,
// without '/' or control characters, and cleaning it again changes nothing.
func FuzzCleanName(f *testing.F) {
	for _, seed := range []string{"github", "  spaced  ", "", "a/b", "tab\there", strings.Repeat("é", 129), "\xff\xfe", "名前", "\u2028line"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		name, err := entity.CleanName("name", in)
		if err != nil {
			if errs.KindOf(err) != errs.KindInvalid {
				t.Fatalf("CleanName(%q): kind %v, want invalid", in, errs.KindOf(err))
			}
			return
		}
		switch {
		case name != strings.TrimSpace(name), name == "":
			t.Fatalf("CleanName(%q) = %q: not trimmed or empty", in, name)
		case !utf8.ValidString(name), utf8.RuneCountInString(name) > entity.MaxNameLength:
			t.Fatalf("CleanName(%q) = %q: invalid UTF-8 or too long", in, name)
		case strings.ContainsRune(name, '/'), strings.IndexFunc(name, unicode.IsControl) >= 0:
			t.Fatalf("CleanName(%q) = %q: '/' or control character", in, name)
		}
		if again, err := entity.CleanName("name", name); err != nil || again != name {
			t.Fatalf("CleanName is not idempotent on %q: %q, %v", name, again, err)
		}
	})
}

// FuzzCleanEmail: an accepted address is lowercase, trimmed, at most 254
// bytes, one '@' domain with a dot, and stable under cleaning again.
func FuzzCleanEmail(f *testing.F) {
	for _, seed := range []string{"Alice@Example.com", " bob@example.org ", "a@b", "Name <a@b.c>", "a@b.c, d@e.f", "\"q\"@x.io", "", "@.", "a@b.c\x00"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		email, err := entity.CleanEmail("email", in)
		if err != nil {
			if errs.KindOf(err) != errs.KindInvalid {
				t.Fatalf("CleanEmail(%q): kind %v, want invalid", in, errs.KindOf(err))
			}
			return
		}
		at := strings.LastIndexByte(email, '@')
		switch {
		case email != strings.ToLower(email), email != strings.TrimSpace(email):
			t.Fatalf("CleanEmail(%q) = %q: not lowercase or not trimmed", in, email)
		case len(email) > 254, at <= 0, !strings.Contains(email[at+1:], "."):
			t.Fatalf("CleanEmail(%q) = %q: not one address with a dotted domain", in, email)
		case strings.ContainsAny(email, "\x00\r\n,<>"):
			t.Fatalf("CleanEmail(%q) = %q: separator or control character", in, email)
		}
		if again, err := entity.CleanEmail("email", email); err != nil || again != email {
			t.Fatalf("CleanEmail is not idempotent on %q: %q, %v", email, again, err)
		}
	})
}

// FuzzDataDirResolve: whatever the name, a resolved path is inside the root,
// and so is the real location of its deepest existing directory, symbolic
// links followed (the root holds links to a directory and a file outside).
func FuzzDataDirResolve(f *testing.F) {
	base := f.TempDir()
	d, err := confine.NewDataDir(filepath.Join(base, "data"))
	if err != nil {
		f.Fatal(err)
	}
	outside := filepath.Join(base, "outside")
	for _, step := range []error{
		os.Mkdir(outside, 0o700),
		os.MkdirAll(filepath.Join(d.Root(), "sub", "dir"), 0o700),
		os.Symlink(outside, filepath.Join(d.Root(), "link")),
		os.Symlink(outside, filepath.Join(d.Root(), "sub", "up")),
		os.Symlink(filepath.Join(outside, "f.json"), filepath.Join(d.Root(), "file-link.json")),
	} {
		if step != nil {
			f.Fatal(step)
		}
	}
	for _, seed := range []string{"out.json", "sub/dir/x.json", "../x", "/etc/passwd", "link/x.json", "link/new/x.json",
		"sub/up/new/deeper/x.json", "file-link.json", "a/../../x", `..\x`, "sub/./dir/../x.json", "x\x00y", " "} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, name string) {
		path, err := d.Resolve("output_file", name)
		if err != nil {
			if errs.KindOf(err) != errs.KindInvalid {
				t.Fatalf("Resolve(%q): kind %v, want invalid", name, errs.KindOf(err))
			}
			return
		}
		if rel, err := filepath.Rel(d.Root(), path); err != nil || !filepath.IsLocal(rel) {
			t.Fatalf("Resolve(%q) = %q: outside %q", name, path, d.Root())
		}
		dir := filepath.Dir(path)
		for {
			if _, err := os.Lstat(dir); err == nil {
				break
			}
			dir = filepath.Dir(dir)
		}
		real, err := filepath.EvalSymlinks(dir)
		if err != nil {
			t.Fatalf("Resolve(%q): %v", name, err)
		}
		if rel, err := filepath.Rel(d.Root(), real); err != nil || (rel != "." && !filepath.IsLocal(rel)) {
			t.Fatalf("Resolve(%q) = %q: its directory is really %q, outside the root", name, path, real)
		}
	})
}
