package config

import (
	"fmt"
	"sync/atomic"

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

// Apply takes the reloadable settings from s. Settings without an admin key
// are refused and change nothing: an edit that drops the key would otherwise
// lock every administrator out of a running server.
func (l *Live) Apply(s Settings) error {
	if s.AdminAPIKey == "" {
		return fmt.Errorf("no admin key: set admin_apikey or SMG_ADMIN_API_KEY")
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
