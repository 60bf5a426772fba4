package services

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/securemcp/gateway/internal/atomicfile"
)

// Documents read from the data directory are bounded, so that a stray file
// cannot exhaust memory. Configurations and policies are small; a backup holds
// the whole store (about 700 bytes per user with a membership and a key), so
// its bound leaves room for over a million users.
const (
	maxDocumentBytes = 64 << 20
	maxBackupBytes   = 1 << 30
)

// DataDir confines the files clients name (exports, imports, backups, policy
// files) to one directory. Names are relative paths inside it; absolute paths,
// '..' and symbolic links leading outside are refused.
type DataDir struct {
	root string
}

// NewDataDir creates the directory (0700) if needed.
func NewDataDir(root string) (*DataDir, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("data directory %q: %w", root, err)
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	if resolved, err := filepath.EvalSymlinks(abs); err == nil {
		abs = resolved
	}
	return &DataDir{root: abs}, nil
}

// Root is the absolute path of the directory.
func (d *DataDir) Root() string { return d.root }

// Resolve turns a client-supplied file name into a path inside the directory.
func (d *DataDir) Resolve(field, name string) (string, error) {
	if strings.TrimSpace(name) == "" {
		return "", Invalid("%s is required", field)
	}
	if strings.ContainsRune(name, 0) || filepath.IsAbs(name) || strings.HasPrefix(name, `\`) || !filepath.IsLocal(name) {
		return "", Invalid("%s must be a relative file name inside the data directory", field)
	}
	path := filepath.Join(d.root, name)
	// A symbolic link inside the directory must not lead outside it, even
	// through directories that do not exist yet (writing creates them): the
	// deepest existing one is checked (the walk ends at the root at the latest).
	dir := filepath.Dir(path)
	for _, err := os.Lstat(dir); err != nil && dir != d.root; _, err = os.Lstat(dir) {
		dir = filepath.Dir(dir)
	}
	if resolved, err := filepath.EvalSymlinks(dir); err == nil {
		if rel, err := filepath.Rel(d.root, resolved); err != nil || !filepath.IsLocal(rel) {
			return "", Invalid("%s must be a relative file name inside the data directory", field)
		}
	}
	if info, err := os.Lstat(path); err == nil && info.Mode()&fs.ModeSymlink != 0 {
		return "", Invalid("%s must not be a symbolic link", field)
	}
	return path, nil
}

// ReadFile reads a named file of the directory of at most limit bytes.
func (d *DataDir) ReadFile(field, name string, limit int) ([]byte, error) {
	path, err := d.Resolve(field, name)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, NotFound("%s %q does not exist in the data directory", field, name)
	}
	if err != nil {
		return nil, &Error{Kind: KindInternal, Message: "cannot read " + field, Err: err}
	}
	defer f.Close()
	if info, err := f.Stat(); err == nil && !info.Mode().IsRegular() {
		return nil, Invalid("%s %q is not a regular file", field, name)
	}
	b, err := io.ReadAll(io.LimitReader(f, int64(limit)+1))
	if err != nil {
		return nil, &Error{Kind: KindInternal, Message: "cannot read " + field, Err: err}
	}
	if len(b) > limit {
		return nil, Invalid("%s %q is larger than %d bytes", field, name, limit)
	}
	return b, nil
}

// WriteFile writes a named file atomically: a temporary file in the same
// directory, fsync, rename, fsync of the directory. The file has mode 0600.
// It returns the absolute path written.
func (d *DataDir) WriteFile(field, name string, data []byte) (string, error) {
	path, err := d.Resolve(field, name)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", &Error{Kind: KindInternal, Message: "cannot write " + field, Err: err}
	}
	if err := atomicfile.Write(path, data); err != nil {
		return "", &Error{Kind: KindInternal, Message: "cannot write " + field, Err: err}
	}
	return path, nil
}
