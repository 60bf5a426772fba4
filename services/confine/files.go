// Package confine reads and writes the documents the services exchange with
// files (backups, exports, policies): confined to the data directory for the
// API, relative to the working directory for the CLI, never the gateway's own
// files.
package confine

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
	"github.com/securemcp/gateway/services/errs"
)

// Documents read from files are bounded, so that a stray file cannot exhaust
// memory. Configurations and policies are small; a backup holds the whole
// store (about 700 bytes per user with a membership and a key), so its bound
// leaves room for over a million users.
const (
	MaxDocumentBytes = 64 << 20
	MaxBackupBytes   = 1 << 30
)

// maxNameBytes is the longest name of one path element that Linux and macOS
// file systems accept. Names are checked before any directory is made, so that
// a name the file system will refuse leaves no directory behind.
const maxNameBytes = 255

// Files reads and writes the documents clients name: exports, imports,
// backups and policy files. The HTTP API confines them to the data directory
// (DataDir), since its caller is remote; the CLI, run by a local user, takes
// paths as every command line tool does (LocalFiles). Both refuse the files
// the gateway keeps for itself, for reads as for writes.
type Files interface {
	// Check refuses, before any work is done, a name WriteFile would refuse.
	Check(field, name string) error
	// ReadFile reads a regular file of at most limit bytes.
	ReadFile(field, name string, limit int) ([]byte, error)
	// WriteFile writes a file atomically with mode 0600 and returns its
	// absolute path.
	WriteFile(field, name string, data []byte) (string, error)
}

// DataDir confines the files clients name to one directory. Names are
// relative paths inside it; absolute paths, '..' and symbolic links leading
// outside are refused, and every read and write goes through an os.Root, so
// that a link planted between the check and the use cannot lead out either.
type DataDir struct {
	root string
	dir  *os.Root
	own  ownFiles
}

// NewDataDir creates the directory (0700) if needed. Reads and writes refuse
// the protected files, wherever they are.
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
	own, err := newOwnFiles(protected)
	if err != nil {
		return nil, err
	}
	dir, err := os.OpenRoot(abs)
	if err != nil {
		return nil, fmt.Errorf("open data directory: %w", err)
	}
	return &DataDir{root: abs, dir: dir, own: own}, nil
}

// Root is the absolute path of the directory.
func (d *DataDir) Root() string { return d.root }

// Resolve turns a client-supplied file name into a path inside the directory.
func (d *DataDir) Resolve(field, name string) (string, error) {
	if err := checkName(field, name); err != nil {
		return "", err
	}
	if filepath.IsAbs(name) || strings.HasPrefix(name, `\`) || !filepath.IsLocal(name) || slices.Contains(strings.Split(filepath.ToSlash(name), "/"), "..") {
		return "", errs.Field(field, name, "must be a relative file name inside the data directory, without '..'")
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
			return "", errs.Field(field, name, "must be a relative file name inside the data directory")
		}
	}
	if info, err := os.Lstat(path); err == nil && info.Mode()&fs.ModeSymlink != 0 {
		return "", errs.Field(field, name, "must not be a symbolic link")
	}
	return path, nil
}

// Check refuses a name WriteFile would refuse.
func (d *DataDir) Check(field, name string) error {
	path, err := d.Resolve(field, name)
	if err != nil {
		return err
	}
	return d.checkTarget(field, name, path)
}

// checkTarget refuses writing name: a directory, a name under or equal to a
// protected one, or an existing file that is one of them.
func (d *DataDir) checkTarget(field, name, path string) error {
	if strings.HasSuffix(name, "/") || strings.HasSuffix(name, `\`) {
		return errs.Field(field, name, "must name a file, not a directory")
	}
	info, err := d.dir.Stat(filepath.Clean(name))
	if err != nil {
		info = nil // nothing there yet: only the name can be refused
	}
	return checkWriteTarget(field, name, d.own, path, info)
}

// checkWriteTarget refuses replacing a directory or one of the gateway's own
// files.
func checkWriteTarget(field, name string, own ownFiles, path string, info fs.FileInfo) error {
	if err := own.refuse(field, name, path, info); err != nil {
		return err
	}
	if info != nil && info.IsDir() {
		return errs.Field(field, name, "%q is a directory; name a file", name)
	}
	return nil
}

// ReadFile reads a named file of the directory of at most limit bytes.
func (d *DataDir) ReadFile(field, name string, limit int) ([]byte, error) {
	path, err := d.Resolve(field, name)
	if err != nil {
		return nil, err
	}
	name = filepath.Clean(name)
	return readDocument(field, name, d.own, path, d.dir.Stat, func(flag int) (*os.File, error) {
		return d.dir.OpenFile(name, flag, 0)
	}, limit)
}

// WriteFile writes a named file atomically: a temporary file in the same
// directory, fsync, rename, fsync of the directory. The file has mode 0600.
// It returns the absolute path written.
func (d *DataDir) WriteFile(field, name string, data []byte) (string, error) {
	path, err := d.Resolve(field, name)
	if err != nil {
		return "", err
	}
	if err := d.checkTarget(field, name, path); err != nil {
		return "", err
	}
	name = filepath.Clean(name)
	created, err := atomicfile.MkdirAllIn(d.dir, filepath.Dir(name), 0o700)
	if err == nil {
		err = atomicfile.WriteIn(d.dir, name, data)
	}
	if err != nil {
		atomicfile.RemoveCreated(d.dir, created)
		return "", fileError(field, name, "write", err)
	}
	return path, nil
}

// LocalFiles is the CLI's view of files: paths relative to the current
// directory, or absolute, as the local user gives them. Only the gateway's
// own files are refused.
type LocalFiles struct {
	own ownFiles
}

// NewLocalFiles refuses the protected files, wherever they are.
func NewLocalFiles(protected ...string) (*LocalFiles, error) {
	own, err := newOwnFiles(protected)
	if err != nil {
		return nil, err
	}
	return &LocalFiles{own: own}, nil
}

// Check refuses a name WriteFile would refuse.
func (l *LocalFiles) Check(field, name string) error {
	_, err := l.target(field, name)
	return err
}

// target is the absolute path a write of name replaces, once checked.
func (l *LocalFiles) target(field, name string) (string, error) {
	if err := checkName(field, name); err != nil {
		return "", err
	}
	if strings.HasSuffix(name, "/") || strings.HasSuffix(name, `\`) {
		return "", errs.Field(field, name, "must name a file, not a directory")
	}
	path, err := canonicalPath(name)
	if err != nil {
		return "", fileError(field, name, "write", err)
	}
	info, err := os.Stat(path)
	if err != nil {
		info = nil
	}
	return path, checkWriteTarget(field, name, l.own, path, info)
}

// ReadFile reads a file of at most limit bytes.
func (l *LocalFiles) ReadFile(field, name string, limit int) ([]byte, error) {
	if err := checkName(field, name); err != nil {
		return nil, err
	}
	path, err := canonicalPath(name)
	if err != nil {
		return nil, fileError(field, name, "read", err)
	}
	return readDocument(field, name, l.own, path, os.Stat, func(flag int) (*os.File, error) {
		return os.OpenFile(path, flag, 0)
	}, limit)
}

// WriteFile writes a file atomically with mode 0600, making its directory if
// needed, and returns its absolute path.
func (l *LocalFiles) WriteFile(field, name string, data []byte) (string, error) {
	path, err := l.target(field, name)
	if err != nil {
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

// checkName refuses names no file system stores faithfully: empty, not UTF-8,
// with control characters, or with an element longer than any file system
// allows (refused before a directory of the path is made).
func checkName(field, name string) error {
	if strings.TrimSpace(name) == "" {
		return errs.Field(field, name, "is required")
	}
	if !utf8.ValidString(name) || strings.IndexFunc(name, unicode.IsControl) >= 0 {
		return errs.Field(field, name, "must be valid UTF-8 without control characters")
	}
	for _, part := range strings.Split(filepath.ToSlash(name), "/") {
		if len(part) > maxNameBytes {
			return errs.Field(field, name, "%q is too long for the file system", name)
		}
	}
	return nil
}

// readDocument reads the file at path (the client's name for it is name)
// without ever opening one of the gateway's own files: its identity is
// checked with stat first. Opening and closing a file that SQLite holds open
// in this process would drop SQLite's POSIX locks on it, after which another
// connection can delete the live write-ahead log and lose acknowledged
// writes. Only regular files are opened (never a FIFO, which would block).
func readDocument(field, name string, own ownFiles, path string, stat func(string) (fs.FileInfo, error), open func(flag int) (*os.File, error), limit int) ([]byte, error) {
	if err := own.refuse(field, name, path, nil); err != nil {
		return nil, err // by name, even when missing: a journal comes and goes
	}
	info, err := stat(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, errs.NotFound("%s %q does not exist", field, name)
	}
	if err != nil {
		return nil, fileError(field, name, "read", err)
	}
	if err := own.refuse(field, name, path, info); err != nil {
		return nil, err
	}
	if info.IsDir() {
		return nil, errs.Field(field, name, "%q is a directory; name a file", name)
	}
	if !info.Mode().IsRegular() {
		return nil, errs.Field(field, name, "%q is not a regular file", name)
	}
	f, err := open(os.O_RDONLY | syscall.O_NONBLOCK)
	if err != nil {
		return nil, fileError(field, name, "read", err)
	}
	defer f.Close()
	if opened, err := f.Stat(); err != nil || !os.SameFile(info, opened) {
		return nil, errs.Field(field, name, "%q changed while it was opened; try again", name)
	}
	b, err := io.ReadAll(io.LimitReader(f, int64(limit)+1))
	if err != nil {
		return nil, fileError(field, name, "read", err)
	}
	if len(b) > limit {
		return nil, errs.Field(field, name, "%q is larger than %d bytes", name, limit)
	}
	return b, nil
}

// ownFiles are the files the gateway keeps for itself (its database with its
// journals, the config file with the admin key, the directory of its pid
// files), as canonical absolute paths. No client may read or write them,
// whatever the spelling: names are compared without regard to case (the file
// may not exist yet: an SQLite journal comes and goes), then identities (a
// hard link, a symbolic link, another spelling on a case-insensitive file
// system).
type ownFiles []string

func newOwnFiles(paths []string) (ownFiles, error) {
	var own ownFiles
	for _, p := range paths {
		if p == "" {
			continue
		}
		canonical, err := canonicalPath(p)
		if err != nil {
			return nil, fmt.Errorf("protected file %q: %w", p, err)
		}
		own = append(own, canonical)
	}
	return own, nil
}

// refuse refuses path when it is, or lies under, a protected name, or when
// the file found there (info, nil if none) is a protected file.
func (o ownFiles) refuse(field, name, path string, info fs.FileInfo) error {
	refused := errs.Field(field, name, "%q is a file the gateway keeps for itself (its database, config file or pid files); choose another name", name)
	canonical, err := canonicalPath(path)
	if err != nil {
		return fileError(field, name, "open", err)
	}
	lower := strings.ToLower(canonical)
	for _, p := range o {
		p = strings.ToLower(p)
		if lower == p || strings.HasPrefix(lower, p+string(filepath.Separator)) {
			return refused
		}
	}
	if info == nil {
		return nil
	}
	for _, p := range o {
		own, err := os.Stat(p)
		if err != nil {
			continue
		}
		if os.SameFile(info, own) || own.IsDir() && holds(p, info) {
			return refused
		}
	}
	return nil
}

// holds reports whether the protected directory dir holds the file info
// describes, under any name: a protected directory (the pid files) protects
// what it holds, whose names come and go.
func holds(dir string, info fs.FileInfo) bool {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return false
	}
	for _, e := range entries {
		if held, err := os.Stat(filepath.Join(dir, e.Name())); err == nil && os.SameFile(info, held) {
			return true
		}
	}
	return false
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

// fileError tells the client about names the file system refuses (too long,
// a directory in place of a file, a file in place of a directory, a link
// leading out of the data directory) and keeps the rest (permissions, a full
// disk) internal.
func fileError(field, name, action string, err error) error {
	var errno syscall.Errno
	var pathErr *fs.PathError
	switch {
	case errors.Is(err, syscall.ENAMETOOLONG):
		return errs.Field(field, name, "%q is too long for the file system", name)
	case errors.Is(err, syscall.ENOTDIR), errors.Is(err, syscall.EEXIST):
		return errs.Field(field, name, "%q passes through a file where a directory is needed", name)
	case errors.Is(err, syscall.EISDIR):
		return errs.Field(field, name, "%q is a directory; name a file", name)
	case errors.Is(err, syscall.ELOOP):
		return errs.Field(field, name, "%q goes through a loop of symbolic links", name)
	case errors.As(err, &pathErr) && !errors.As(err, &errno):
		// os.Root's only error that is not the system's: the path escapes it.
		return errs.Field(field, name, "%q leads outside the data directory", name)
	}
	return &errs.Error{Kind: errs.KindInternal, Message: "cannot " + action + " " + field, Err: err}
}
