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

// NewLive starts from s.
func NewLive(s Settings) *Live {
	l := &Live{Level: zap.NewAtomicLevel()}
	l.Apply(s)
	return l
}

// AdminKey returns the current admin key.
func (l *Live) AdminKey() string { return *l.adminKey.Load() }

// Apply takes the reloadable settings from s.
func (l *Live) Apply(s Settings) {
	key := s.AdminAPIKey
	l.adminKey.Store(&key)
	if level, err := ParseLevel(s.LogLevel); err == nil {
		l.Level.SetLevel(level)
	}
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
