// Package atomicfile writes files so that a crash leaves either the old file
// or the new one, never a mix: the config file and the documents of the data
// directory (exports, backups) are written this way.
package atomicfile

import (
	"os"
	"path/filepath"
)

// Write writes data to path with mode 0600: a temporary file in the same
// directory, fsync, rename over path, fsync of the directory (so that the
// rename itself survives a crash).
func Write(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	// The temporary name does not repeat the target's: a target name as long
	// as the file system allows must still find room for its temporary.
	tmp, err := os.CreateTemp(dir, ".smg-*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
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
	if err = os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	return syncDir(dir)
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

func syncDir(dir string) error {
	handle, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer handle.Close()
	return handle.Sync()
}
