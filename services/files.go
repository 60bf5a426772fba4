package services

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"unicode"
	"unicode/utf8"

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
	// protected are files the gateway itself keeps (its database, the config
	// file with the admin key), which no write through the directory replaces.
	protected []string
}

// NewDataDir creates the directory (0700) if needed. Writes refuse to replace
// any of the protected files, wherever they are.
func NewDataDir(root string, protected ...string) (*DataDir, error) {
	abs, err := canonicalPath(root)
	if err != nil {
		return nil, fmt.Errorf("data directory %q: %w", root, err)
	}
	if err := atomicfile.MkdirAll(abs, 0o700); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	if resolved, err := filepath.EvalSymlinks(abs); err == nil {
		abs = resolved
	}
	d := &DataDir{root: abs}
	for _, p := range protected {
		if p == "" {
			continue
		}
		canonical, err := canonicalPath(p)
		if err != nil {
			return nil, fmt.Errorf("protected file %q: %w", p, err)
		}
		d.protected = append(d.protected, canonical)
	}
	return d, nil
}

// canonicalPath is the absolute path with the symbolic links of its directory
// resolved, so that two spellings of one file compare equal even before the
// file exists.
func canonicalPath(p string) (string, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	if dir, err := filepath.EvalSymlinks(filepath.Dir(abs)); err == nil {
		abs = filepath.Join(dir, filepath.Base(abs))
	}
	return abs, nil
}

// Root is the absolute path of the directory.
func (d *DataDir) Root() string { return d.root }

// Resolve turns a client-supplied file name into a path inside the directory.
func (d *DataDir) Resolve(field, name string) (string, error) {
	if strings.TrimSpace(name) == "" {
		return "", Invalid("%s is required", field)
	}
	if filepath.IsAbs(name) || strings.HasPrefix(name, `\`) || !filepath.IsLocal(name) || slices.Contains(strings.Split(filepath.ToSlash(name), "/"), "..") {
		return "", Invalid("%s must be a relative file name inside the data directory, without '..'", field)
	}
	if !utf8.ValidString(name) || strings.IndexFunc(name, unicode.IsControl) >= 0 {
		return "", Invalid("%s must be valid UTF-8 without control characters", field)
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
		return nil, fileError(field, name, "read", err)
	}
	defer f.Close()
	if info, err := f.Stat(); err == nil && !info.Mode().IsRegular() {
		return nil, Invalid("%s %q is not a regular file", field, name)
	}
	b, err := io.ReadAll(io.LimitReader(f, int64(limit)+1))
	if err != nil {
		return nil, fileError(field, name, "read", err)
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
	if strings.HasSuffix(name, "/") || strings.HasSuffix(name, `\`) {
		return "", Invalid("%s must name a file, not a directory", field)
	}
	if err := d.refuseProtected(field, name, path); err != nil {
		return "", err
	}
	if err := atomicfile.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", fileError(field, name, "write", err)
	}
	if err := atomicfile.Write(path, data); err != nil {
		return "", fileError(field, name, "write", err)
	}
	return path, nil
}

// refuseProtected refuses a path that is, or would replace, a protected file
// or a directory, or that lies under a protected name (writing it would make
// a directory of that name, where the store or the config file must go).
// Names are compared first (the file may not exist yet: an SQLite journal
// comes and goes), then identities (a hard link, or another spelling on a
// case-insensitive file system).
func (d *DataDir) refuseProtected(field, name, path string) error {
	refused := Invalid("%s %q is a file the gateway keeps for itself (its database or config file); choose another name", field, name)
	canonical, err := canonicalPath(path)
	if err != nil {
		return fileError(field, name, "write", err)
	}
	for _, p := range d.protected {
		if canonical == p || strings.HasPrefix(canonical, p+string(filepath.Separator)) {
			return refused
		}
	}
	target, err := os.Stat(path)
	if err != nil {
		return nil // nothing there yet: nothing is replaced
	}
	if target.IsDir() {
		return Invalid("%s %q is a directory; name a file", field, name)
	}
	for _, p := range d.protected {
		if own, err := os.Stat(p); err == nil && os.SameFile(target, own) {
			return refused
		}
	}
	return nil
}

// fileError tells the client about names the file system refuses (too long,
// a directory in place of a file, or a file in place of a directory) and
// keeps the rest (permissions, a full disk) internal.
func fileError(field, name, action string, err error) error {
	switch {
	case errors.Is(err, syscall.ENAMETOOLONG):
		return Invalid("%s %q is too long for the file system", field, name)
	case errors.Is(err, syscall.ENOTDIR), errors.Is(err, syscall.EEXIST):
		return Invalid("%s %q passes through a file where a directory is needed", field, name)
	case errors.Is(err, syscall.EISDIR):
		return Invalid("%s %q is a directory; name a file", field, name)
	}
	return &Error{Kind: KindInternal, Message: "cannot " + action + " " + field, Err: err}
}
