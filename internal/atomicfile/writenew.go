package atomicfile

import (
	"os"
	"path/filepath"
)

// WriteNew creates path with data and mode 0600 only if no file is there
// (an existing one gives an error matching fs.ErrExist and is left as it
// was). Like Write, a crash leaves either no file or the whole of it: the
// data goes to a temporary file that is then hard-linked into place. A link,
// unlike a rename, never replaces its target, so of two processes creating
// the same file at once exactly one succeeds and the other can read what it
// wrote — a generated key must never be replaced by another one.
func WriteNew(path string, data []byte) (err error) {
	root, err := os.OpenRoot(filepath.Dir(path))
	if err != nil {
		return err
	}
	defer root.Close()
	name := filepath.Base(path)
	tmpName, tmp, err := createTemp(root, ".")
	if err != nil {
		return err
	}
	// The temporary name goes whatever happens: on success the data lives on
	// under name.
	defer func() { _ = root.Remove(tmpName) }()
	if err = writeSynced(tmp, data); err != nil {
		return err
	}
	if err = root.Link(tmpName, name); err != nil {
		return err
	}
	return syncDirIn(root, ".")
}

// writeSynced writes a private file's data and closes it once on disk.
func writeSynced(f *os.File, data []byte) error {
	err := f.Chmod(0o600)
	if err == nil {
		_, err = f.Write(data)
	}
	if err == nil {
		err = f.Sync()
	}
	if closeErr := f.Close(); err == nil {
		err = closeErr
	}
	return err
}
