package config

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/securemcp/gateway/internal/atomicfile"
)

// adminKeyBytes is the admin key's entropy: 256 bits.
const adminKeyBytes = 32

// NewAdminKey returns a fresh admin key of 256 bits from crypto/rand.
func NewAdminKey() string {
	b := make([]byte, adminKeyBytes)
	_, _ = rand.Read(b) // crypto/rand.Read never returns an error on supported platforms
	return base64.RawURLEncoding.EncodeToString(b)
}

// ErrConfigExists means that a config file exists and overwrite was not asked.
var ErrConfigExists = errors.New("config file already exists (use --overwrite to replace it)")

// Generate writes a new config file with a fresh admin key: directory 0700, file
// 0600, written atomically. It refuses to replace an existing file unless
// overwrite is set.
func Generate(path string, overwrite bool) error {
	if _, err := os.Stat(path); err == nil && !overwrite {
		return fmt.Errorf("%s: %w", path, ErrConfigExists)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("check config file: %w", err)
	}
	dir := filepath.Dir(path)
	if err := atomicfile.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create config directory: %w", err)
	}
	doc := map[string]any{
		KeyAdminAPIKey: NewAdminKey(),
		KeyHost:        DefaultHost,
		KeyPort:        DefaultPort,
		KeyLogLevel:    DefaultLogLevel,
		// No data_dir: by default the data directory is the config file's,
		// wherever the file is later moved or copied.
	}
	data, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err
	}
	if err := atomicfile.Write(path, append(data, '\n')); err != nil {
		return fmt.Errorf("write config file: %w", err)
	}
	return nil
}
