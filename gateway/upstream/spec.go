package upstream

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Spec is one MCP server definition as the pool starts it: a stdio command
// with its arguments and its own environment. The pool never reads a store;
// the caller builds a Spec from its configuration snapshot on every call.
type Spec struct {
	// Name is the server's name in its configuration. It is part of the pool
	// key and of the status, so two servers with the same command stay apart.
	Name string
	// Command is the executable: a path, or a name looked up in the PATH of
	// the upstream's environment (Env's PATH when set, else the gateway's).
	Command string
	// Args are the command's arguments.
	Args []string
	// Env is the server's own environment, added to the allow-listed part of
	// the gateway's (and winning over it). Its values are secrets as far as
	// the pool is concerned: they never appear in status or errors.
	Env map[string]string
	// OpenEnv, when set, gives the environment in clear when a process
	// starts, Env then holding the values as stored (sealed): the clear
	// values exist only for the start. Env still makes up the Key, so that
	// a changed value gets a new process.
	OpenEnv func() (map[string]string, error)
	// Version is an optional identity chosen by the caller. Command, Args and
	// Env already make up the key, so an edited definition gets a new process
	// without it; set it to force a new process for the same definition.
	Version string
}

// Key identifies the definition: a hash of Command, Args, Env and Version.
// Two Specs with the same Key share processes (within one isolation key and
// server name); an edit yields a new Key and so new processes. The hash
// keeps env values out of keys that end up in status and logs.
func (s Spec) Key() string {
	h := sha256.New()
	field := func(v string) {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(v)))
		h.Write(n[:])
		h.Write([]byte(v))
	}
	field("upstream-spec-v1")
	field(s.Command)
	field(strconv.Itoa(len(s.Args)))
	for _, a := range s.Args {
		field(a)
	}
	names := make([]string, 0, len(s.Env))
	for k := range s.Env {
		names = append(names, k)
	}
	slices.Sort(names)
	field(strconv.Itoa(len(names)))
	for _, k := range names {
		field(k)
		field(s.Env[k])
	}
	field(s.Version)
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// Validate reports a definition that cannot be started: the pool checks it
// before every use so that a bad configuration fails with ErrInvalidSpec,
// not with an obscure exec error.
func (s Spec) Validate() error {
	var problems []string
	if s.Name == "" {
		problems = append(problems, "name is empty")
	}
	if s.Command == "" {
		problems = append(problems, "command is empty")
	}
	if strings.ContainsRune(s.Command, 0) {
		problems = append(problems, "command contains a NUL byte")
	}
	for i, a := range s.Args {
		if strings.ContainsRune(a, 0) {
			problems = append(problems, fmt.Sprintf("argument %d contains a NUL byte", i))
		}
	}
	for k, v := range s.Env {
		if err := checkEnvName(k); err != nil {
			problems = append(problems, err.Error())
		}
		if strings.ContainsRune(v, 0) {
			problems = append(problems, fmt.Sprintf("env %s: value contains a NUL byte", k))
		}
	}
	if len(problems) > 0 {
		slices.Sort(problems)
		return fmt.Errorf("%w %q: %s", ErrInvalidSpec, s.Name, strings.Join(problems, "; "))
	}
	return nil
}

// checkEnvName accepts what a process environment can carry: a non-empty
// name without '=' or NUL.
func checkEnvName(name string) error {
	if name == "" || strings.ContainsAny(name, "=\x00") {
		return fmt.Errorf("env name %q is not a valid variable name", name)
	}
	return nil
}
