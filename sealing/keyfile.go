package sealing

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/securemcp/gateway/internal/atomicfile"
)

// EnvKey is the environment variable that gives the secret key (or keys).
const EnvKey = "SMG_SECRET_KEY"

// KeyFileName is the key file's name, beside the config file.
const KeyFileName = "secret.key"

// maxKeyFile bounds what is read of a key file: a few keys and comments.
const maxKeyFile = 64 << 10

// Keys is the key material LoadKey found: the current key, which seals, and
// previous keys, which only open values sealed before a rotation.
type Keys struct {
	Current  Key
	Previous []Key
	// Source says where the keys came from, for the log: EnvKey or the key
	// file's path. It never holds a key.
	Source string
	// Created is set when LoadKey generated the key file.
	Created bool
}

// Sealer returns a Sealer of the keys.
func (k Keys) Sealer() (*Sealer, error) { return NewSealer(k.Current, k.Previous...) }

// KeyFileBeside is the key file of the config file at configPath.
func KeyFileBeside(configPath string) string {
	return filepath.Join(filepath.Dir(configPath), KeyFileName)
}

// LoadKey finds the secret keys:
//
//   - envValue (SMG_SECRET_KEY) when it is set: one key, or the current key
//     then previous ones separated by commas or spaces; each 32 bytes in
//     base64 or hex. The key file is not read then.
//   - otherwise the key file at keyFilePath: one key per line, the current
//     key first, '#' comments and blank lines ignored. It must be a regular
//     file that neither its group nor others may read or write (where the
//     system has Unix permissions): a key readable by others is refused
//     rather than used.
//   - otherwise, when generate is set, a new key written to keyFilePath
//     (mode 0600, its missing directories made 0700), created atomically and
//     never over an existing file: two processes starting at once end up
//     with the same key, the one that won the creation.
//
// Callers pass generate only where a new key cannot strand data: a store
// that already holds sealed values needs the key that sealed them, and a
// fresh key would only lead to ErrUnknownKey later. Errors never hold a key.
func LoadKey(envValue, keyFilePath string, generate bool) (Keys, error) {
	if strings.TrimSpace(envValue) != "" {
		keys, err := parseKeys(strings.FieldsFunc(envValue, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' || r == '\r' }))
		if err != nil {
			return Keys{}, fmt.Errorf("%s: %w", EnvKey, err)
		}
		keys.Source = EnvKey
		return keys, nil
	}
	if keyFilePath == "" {
		return Keys{}, fmt.Errorf("%w: %s is not set and there is no key file", ErrNoKey, EnvKey)
	}
	keys, err := readKeyFile(keyFilePath)
	if !errors.Is(err, fs.ErrNotExist) {
		return keys, err
	}
	if !generate {
		return Keys{}, fmt.Errorf("%w: %s is not set and the key file %s does not exist", ErrNoKey, EnvKey, keyFilePath)
	}
	key := GenerateKey()
	if err := atomicfile.MkdirAll(filepath.Dir(keyFilePath), 0o700); err != nil {
		return Keys{}, fmt.Errorf("create the key file's directory: %w", err)
	}
	switch err := atomicfile.WriteNew(keyFilePath, keyFileText(key)); {
	case errors.Is(err, fs.ErrExist):
		// Another process created it first: its key is the key.
		return readKeyFile(keyFilePath)
	case err != nil:
		return Keys{}, fmt.Errorf("create the key file %s: %w", keyFilePath, err)
	}
	return Keys{Current: key, Source: keyFilePath, Created: true}, nil
}

// WriteKeyFile replaces the key file at path with current and previous keys
// (mode 0600, atomically, missing directories made 0700). A rotation writes
// the new key with the old one as previous before re-sealing, then the new
// key alone once the re-sealing is committed: whenever it stops, the file
// holds a key for every value in the store.
func WriteKeyFile(path string, current Key, previous ...Key) error {
	if !current.valid() {
		return ErrNoKey
	}
	for _, k := range previous {
		if !k.valid() {
			return ErrNoKey
		}
	}
	if err := atomicfile.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("create the key file's directory: %w", err)
	}
	if err := atomicfile.Write(path, keyFileText(current, previous...)); err != nil {
		return fmt.Errorf("write the key file %s: %w", path, err)
	}
	return nil
}

// keyFileText is a key file's content.
func keyFileText(current Key, previous ...Key) []byte {
	var b strings.Builder
	b.WriteString("# Secure MCP Gateway secret key. It seals the secrets kept in the store:\n")
	b.WriteString("# without it they cannot be read back. Keep it private, and back it up\n")
	b.WriteString("# apart from the store's backups. The first key seals; any further key\n")
	b.WriteString("# only opens values sealed before a rotation.\n")
	for _, k := range append([]Key{current}, previous...) {
		b.WriteString(k.Encode())
		b.WriteByte('\n')
	}
	return []byte(b.String())
}

// readKeyFile reads and checks a key file. Its error for a missing file
// matches fs.ErrNotExist.
func readKeyFile(path string) (Keys, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return Keys{}, err
		}
		return Keys{}, fmt.Errorf("open the key file: %w", err)
	}
	defer f.Close()
	// The open file is checked, not the path, so that nothing can swap the
	// file between the check and the read.
	info, err := f.Stat()
	if err != nil {
		return Keys{}, fmt.Errorf("key file %s: %w", path, err)
	}
	if err := checkKeyFileMode(path, info); err != nil {
		return Keys{}, err
	}
	data, err := io.ReadAll(io.LimitReader(f, maxKeyFile+1))
	if err != nil {
		return Keys{}, fmt.Errorf("read the key file %s: %w", path, err)
	}
	if len(data) > maxKeyFile {
		return Keys{}, fmt.Errorf("%w: the key file %s is larger than %d bytes", ErrBadKey, path, maxKeyFile)
	}
	var lines []string
	scanner := bufio.NewScanner(strings.NewReader(string(data)))
	scanner.Buffer(make([]byte, 0, 4096), maxKeyFile+1)
	for scanner.Scan() {
		line := strings.TrimSpace(scanner.Text())
		if line != "" && !strings.HasPrefix(line, "#") {
			lines = append(lines, line)
		}
	}
	keys, err := parseKeys(lines)
	if err != nil {
		return Keys{}, fmt.Errorf("key file %s: %w", path, err)
	}
	keys.Source = path
	return keys, nil
}

// checkKeyFileMode refuses a key file that is not a regular file, or that
// its group or others may read or write (where permissions mean that).
func checkKeyFileMode(path string, info fs.FileInfo) error {
	if !info.Mode().IsRegular() {
		return fmt.Errorf("%w: the key file %s is not a regular file", ErrBadKey, path)
	}
	if runtime.GOOS == "windows" {
		return nil // no Unix permission bits: access is the directory's ACL's
	}
	if perm := info.Mode().Perm(); perm&0o077 != 0 {
		return fmt.Errorf("%w: the key file %s has mode %04o, so users other than its owner may read or change it; "+
			"make it private (chmod 600 %s) and consider the key exposed", ErrKeyFileMode, path, perm, path)
	}
	return nil
}

// ErrKeyFileMode means that a key file is open to other users than its owner.
var ErrKeyFileMode = errors.New("key file not private")

// parseKeys reads the current key then previous ones.
func parseKeys(texts []string) (Keys, error) {
	if len(texts) == 0 {
		return Keys{}, fmt.Errorf("%w: no key in it", ErrNoKey)
	}
	var keys Keys
	for i, text := range texts {
		k, err := ParseKey(text)
		if err != nil {
			if len(texts) == 1 {
				return Keys{}, err
			}
			return Keys{}, fmt.Errorf("key %d of %d: %w", i+1, len(texts), err)
		}
		if i == 0 {
			keys.Current = k
		} else {
			keys.Previous = append(keys.Previous, k)
		}
	}
	return keys, nil
}
