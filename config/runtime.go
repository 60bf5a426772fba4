package config

import (
	"fmt"
	"sync/atomic"
	"unicode/utf8"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// ParseLevel parses a log level name.
func ParseLevel(name string) (zapcore.Level, error) {
	level, err := zapcore.ParseLevel(name)
	if err != nil {
		return level, fmt.Errorf("log_level %q is not one of debug, info, warn, error", name)
	}
	return level, nil
}

// MinAdminKeyLength is the shortest admin key the server accepts. Keys made
// by generate-config have 43 characters (256 random bits); a short key set by
// hand could be guessed.
const MinAdminKeyLength = 32

// CheckAdminKey refuses a missing or short admin key. The message gives the
// length, never the key.
func CheckAdminKey(key string) error {
	switch n := utf8.RuneCountInString(key); {
	case n == 0:
		return fmt.Errorf("no admin key: set admin_apikey or SMG_ADMIN_API_KEY")
	case n < MinAdminKeyLength:
		return fmt.Errorf("the admin key has %d characters; it needs at least %d (generate one with `secure-mcp-gateway generate-config` or `openssl rand -hex 32`)", n, MinAdminKeyLength)
	}
	return nil
}

// Live holds the settings that --reload may change while the server runs.
type Live struct {
	adminKey atomic.Pointer[string]
	Level    zap.AtomicLevel
}

// NewLive starts from s, which must carry an admin key.
func NewLive(s Settings) (*Live, error) {
	l := &Live{Level: zap.NewAtomicLevel()}
	return l, l.Apply(s)
}

// AdminKey returns the current admin key.
func (l *Live) AdminKey() string { return *l.adminKey.Load() }

// Apply takes the reloadable settings from s. Settings without an admin key,
// or with one too short, are refused and change nothing: an edit that drops
// the key would otherwise lock every administrator out of a running server.
func (l *Live) Apply(s Settings) error {
	if err := CheckAdminKey(s.AdminAPIKey); err != nil {
		return err
	}
	level, err := ParseLevel(s.LogLevel)
	if err != nil {
		return err
	}
	key := s.AdminAPIKey
	l.adminKey.Store(&key)
	l.Level.SetLevel(level)
	return nil
}

// NewLogger builds the JSON logger whose level follows live.
func NewLogger(live *Live) (*zap.Logger, error) {
	cfg := zap.NewProductionConfig()
	cfg.Level = live.Level
	cfg.Sampling = nil
	cfg.EncoderConfig.TimeKey = "time"
	cfg.EncoderConfig.EncodeTime = zapcore.ISO8601TimeEncoder
	return cfg.Build()
}
