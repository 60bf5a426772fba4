// Package atomicfile writes files so that a crash leaves either the old file
// or the new one, never a mix: the config file and the documents clients name
// (exports, backups) are written this way.
package atomicfile

import (
	"crypto/rand"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Write writes data to path with mode 0600: a temporary file in the same
// directory, fsync, rename over path, fsync of the directory (so that the
// rename itself survives a crash).
func Write(path string, data []byte) error {
	root, err := os.OpenRoot(filepath.Dir(path))
	if err != nil {
		return err
	}
	defer root.Close()
	return WriteIn(root, filepath.Base(path), data)
}

// WriteIn is Write for a name inside root: every step goes through root, so
// that no symbolic link or '..' can lead the write outside it, even one
// planted while the write runs.
func WriteIn(root *os.Root, name string, data []byte) (err error) {
	dir := filepath.Dir(name)
	// The temporary name does not repeat the target's: a target name as long
	// as the file system allows must still find room for its temporary.
	tmpName, tmp, err := createTemp(root, dir)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = root.Remove(tmpName)
		}
	}()
	if err = tmp.Chmod(0o600); err != nil {
		return err
	}
	if _, err = tmp.Write(data); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	if err = root.Rename(tmpName, name); err != nil {
		return err
	}
	return syncDirIn(root, dir)
}

// createTemp makes a new private file in dir (relative to root).
func createTemp(root *os.Root, dir string) (string, *os.File, error) {
	for {
		name := filepath.Join(dir, ".smg-"+rand.Text()[:12]+".tmp")
		f, err := root.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		return name, f, err
	}
}

// MkdirAll creates dir and its missing parents with mode perm, durably: the
// entry of each new directory is in its parent, which is synced too, or a
// crash could lose the directory and every file written into it.
func MkdirAll(dir string, perm os.FileMode) error {
	var created []string
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		if _, err := os.Lstat(d); err == nil || filepath.Dir(d) == d {
			break
		}
		created = append(created, d)
	}
	if err := os.MkdirAll(dir, perm); err != nil {
		return err
	}
	for _, d := range created {
		if err := syncDir(filepath.Dir(d)); err != nil {
			return err
		}
	}
	return nil
}

// MkdirAllIn is MkdirAll for a directory inside root. It returns the
// directories it created, deepest last, so that a caller whose write then
// fails can remove them again.
func MkdirAllIn(root *os.Root, dir string, perm os.FileMode) (created []string, err error) {
	dir = filepath.Clean(dir)
	if dir == "." {
		return nil, nil
	}
	parts := strings.Split(dir, string(filepath.Separator))
	for i := range parts {
		d := filepath.Join(parts[:i+1]...)
		switch err := root.Mkdir(d, perm); {
		case err == nil:
			created = append(created, d)
			if err := syncDirIn(root, filepath.Dir(d)); err != nil {
				return created, err
			}
		case errors.Is(err, fs.ErrExist):
			// It may exist as a file: the next step, or the write, says so.
		default:
			return created, err
		}
	}
	return created, nil
}

// RemoveCreated removes directories MkdirAllIn made, deepest first, where
// they are still empty.
func RemoveCreated(root *os.Root, created []string) {
	for i := len(created) - 1; i >= 0; i-- {
		_ = root.Remove(created[i])
	}
}

func syncDir(dir string) error {
	handle, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer handle.Close()
	return handle.Sync()
}

func syncDirIn(root *os.Root, dir string) error {
	handle, err := root.Open(dir)
	if err != nil {
		return err
	}
	defer handle.Close()
	return handle.Sync()
}
