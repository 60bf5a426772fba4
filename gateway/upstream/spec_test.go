package upstream

import (
	"errors"
	"strings"
	"testing"
)

func TestSpecKey(t *testing.T) {
	t.Parallel()
	base := Spec{Name: "s", Command: "npx", Args: []string{"-y", "server"}, Env: map[string]string{"A": "1", "B": "2"}}
	same := Spec{Name: "other-name", Command: "npx", Args: []string{"-y", "server"}, Env: map[string]string{"B": "2", "A": "1"}}
	if base.Key() != same.Key() {
		t.Error("Key depends on the name or on map order")
	}
	edits := map[string]Spec{
		"command": {Command: "uvx", Args: base.Args, Env: base.Env},
		"args":    {Command: "npx", Args: []string{"-y server"}, Env: base.Env},
		"no args": {Command: "npx", Env: base.Env},
		"env":     {Command: "npx", Args: base.Args, Env: map[string]string{"A": "1", "B": "3"}},
		"env key": {Command: "npx", Args: base.Args, Env: map[string]string{"A": "1", "C": "2"}},
		"version": {Command: "npx", Args: base.Args, Env: base.Env, Version: "2"},
	}
	seen := map[string]string{base.Key(): "base"}
	for name, s := range edits {
		k := s.Key()
		if prev, dup := seen[k]; dup {
			t.Errorf("edit %q has the key of %q", name, prev)
		}
		seen[k] = name
	}
	if len(base.Key()) != 32 {
		t.Errorf("key %q is not a 32-digit hash", base.Key())
	}
}

func TestSpecValidate(t *testing.T) {
	t.Parallel()
	if err := (Spec{Name: "ok", Command: "x", Env: map[string]string{"A": "b"}}).Validate(); err != nil {
		t.Errorf("valid spec: %v", err)
	}
	bad := Spec{Command: "x\x00", Args: []string{"a\x00"}, Env: map[string]string{"A=B": "v", "C": "\x00"}}
	err := bad.Validate()
	if !errors.Is(err, ErrInvalidSpec) {
		t.Fatalf("Validate = %v, want ErrInvalidSpec", err)
	}
	for _, want := range []string{"name is empty", "command contains", "argument 0", `"A=B"`, "env C"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q does not mention %q", err, want)
		}
	}
}
