// Package config resolves the gateway's bootstrap settings with viper (flag >
// SMG_* environment > config file > default) and generates config files.
package config

import (
	"errors"
	"fmt"
	"math"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/fsnotify/fsnotify"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"github.com/securemcp/gateway/sealing"
)

// Setting keys: the config file's JSON keys, and SMG_<UPPER> in the environment
// (admin_apikey is SMG_ADMIN_API_KEY).
const (
	KeyAdminAPIKey  = "admin_apikey"
	KeyHost         = "host"
	KeyPort         = "port"
	KeyDatabaseURL  = "database_url"
	KeyDataDir      = "data_dir"
	KeyLogLevel     = "log_level"
	KeyMaxBodyBytes = "max_body_bytes"
	KeyCORSOrigins  = "cors_origins"
	KeyMetrics      = "metrics"
	// KeyMaxConnections bounds the connections the API server keeps open.
	KeyMaxConnections = "max_connections"
	// KeyTrustedProxies lists the reverse proxies whose X-Forwarded-For is
	// believed (IP addresses or CIDR prefixes).
	KeyTrustedProxies = "trusted_proxies"
	// KeyAuditRetentionDays is how long audit records are kept: older ones
	// are removed (with a checkpoint) by the server; 0 keeps them all.
	KeyAuditRetentionDays = "audit_retention_days"
)

// envNames maps setting keys to environment variables.
var envNames = map[string]string{
	KeyAdminAPIKey:    "SMG_ADMIN_API_KEY",
	KeyHost:           "SMG_HOST",
	KeyPort:           "SMG_PORT",
	KeyDatabaseURL:    "SMG_DATABASE_URL",
	KeyDataDir:        "SMG_DATA_DIR",
	KeyLogLevel:       "SMG_LOG_LEVEL",
	KeyMaxBodyBytes:   "SMG_MAX_BODY_BYTES",
	KeyCORSOrigins:    "SMG_CORS_ORIGINS",
	KeyMetrics:        "SMG_METRICS",
	KeyTrustedProxies: "SMG_TRUSTED_PROXIES",
	KeyMaxConnections: "SMG_MAX_CONNECTIONS",

	KeyAuditRetentionDays: "SMG_AUDIT_RETENTION_DAYS",
}

// allEnvNames maps every setting key to its environment variable.
func allEnvNames() map[string]string {
	all := make(map[string]string, len(envNames)+len(gatewayEnvNames))
	for _, m := range []map[string]string{envNames, gatewayEnvNames} {
		for k, v := range m {
			all[k] = v
		}
	}
	return all
}

// EnvConfigPath names the config file in the environment.
const EnvConfigPath = "SMG_CONFIG_PATH"

// Defaults.
const (
	DefaultHost         = "0.0.0.0"
	DefaultPort         = 8001
	DefaultLogLevel     = "info"
	DefaultMaxBodyBytes = 1 << 20
	// DefaultMaxConnections is far above what administrators and their
	// scripts open, and costs at most some 100 MB even when every connection
	// sends the largest headers allowed.
	DefaultMaxConnections = 1024
)

// Settings are the resolved bootstrap settings.
type Settings struct {
	ConfigPath   string
	AdminAPIKey  string
	Host         string
	Port         int
	DatabaseURL  string
	DataDir      string
	LogLevel     string
	MaxBodyBytes int64
	// MaxConnections bounds the open connections of the API server.
	MaxConnections int
	// AuditRetentionDays is how many days audit records are kept; 0 keeps
	// them all.
	AuditRetentionDays int
	CORSOrigins        []string
	// Metrics serves Prometheus metrics at /metrics (off by default).
	Metrics bool
	// TrustedProxies are the reverse proxies whose X-Forwarded-For gives the
	// client address; none by default.
	TrustedProxies []netip.Prefix
	// Gateway are the MCP gateway's settings.
	Gateway GatewaySettings
	// Warnings are what loading corrected and the operator should hear of;
	// they never quote a secret.
	Warnings []string
}

// Addr is host:port.
func (s Settings) Addr() string { return fmt.Sprintf("%s:%d", s.Host, s.Port) }

// SQLitePath is the embedded store's file, inside the data directory.
func (s Settings) SQLitePath() string { return filepath.Join(s.DataDir, "gateway.db") }

// PIDDir is the directory of the pid files of the API servers started from
// the data directory (one per port), which `system stop-api` reads.
func (s Settings) PIDDir() string { return filepath.Join(s.DataDir, "gateway.pids") }

// OwnFiles are the files the gateway itself keeps, which may lie in the data
// directory: the config file, the embedded store with its journal files, and
// the pid files (a pid file a client could write would point stop-api at
// another process). Exports and backups must never replace them, nor may
// clients read them.
func (s Settings) OwnFiles() []string {
	db := s.SQLitePath()
	return []string{s.ConfigPath, db, db + "-wal", db + "-shm", db + "-journal", s.PIDDir(), s.SecretKeyPath()}
}

// SecretKeyPath is the key file that seals the store's secrets when
// SMG_SECRET_KEY is not set: beside the config file.
func (s Settings) SecretKeyPath() string { return sealing.KeyFileBeside(s.ConfigPath) }

// DefaultConfigPath is ~/.enkrypt/enkrypt_mcp_config.json, as in the original system.
func DefaultConfigPath() (string, error) {
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("cannot find the home directory (set %s): %w", EnvConfigPath, err)
	}
	return filepath.Join(home, ".enkrypt", "enkrypt_mcp_config.json"), nil
}

// ResolveConfigPath returns the config file path from the flag, else the
// environment, else the default.
func ResolveConfigPath(flags *pflag.FlagSet) (string, error) {
	if f := flags.Lookup("config-path"); f != nil && f.Changed {
		return f.Value.String(), nil
	}
	if p := os.Getenv(EnvConfigPath); p != "" {
		return p, nil
	}
	return DefaultConfigPath()
}

// Loader resolves settings; it keeps its viper instance for reloading.
type Loader struct {
	v    *viper.Viper
	path string
}

// Path is the config file the settings are read from (it may not exist yet).
func (l *Loader) Path() string { return l.path }

// NewLoader binds the given flags (named like the keys, with '-' for '_') and
// the environment, and reads the config file at path if it exists.
func NewLoader(path string, flags *pflag.FlagSet) (*Loader, error) {
	v := viper.New()
	v.SetConfigFile(path)
	v.SetConfigType("json")
	v.SetDefault(KeyHost, DefaultHost)
	v.SetDefault(KeyPort, DefaultPort)
	v.SetDefault(KeyLogLevel, DefaultLogLevel)
	v.SetDefault(KeyMaxBodyBytes, DefaultMaxBodyBytes)
	v.SetDefault(KeyMaxConnections, DefaultMaxConnections)
	v.SetDefault(KeyAuditRetentionDays, 0)
	v.SetDefault(KeyCORSOrigins, []string{"*"})
	v.SetDefault(KeyDataDir, filepath.Dir(path))
	setGatewayDefaults(v)
	for key, env := range allEnvNames() {
		if err := v.BindEnv(key, env); err != nil {
			return nil, err
		}
		if flags == nil {
			continue
		}
		if f := flags.Lookup(strings.ReplaceAll(key, "_", "-")); f != nil {
			if err := v.BindPFlag(key, f); err != nil {
				return nil, err
			}
		}
	}
	if err := v.ReadInConfig(); err != nil && !errors.Is(err, os.ErrNotExist) {
		var notFound viper.ConfigFileNotFoundError
		if !errors.As(err, &notFound) {
			return nil, fmt.Errorf("read config file %s: %w", path, err)
		}
	}
	return &Loader{v: v, path: path}, nil
}

// Settings returns the current settings, validated.
func (l *Loader) Settings() (Settings, error) {
	s := Settings{
		ConfigPath:     l.path,
		AdminAPIKey:    l.v.GetString(KeyAdminAPIKey),
		Host:           l.v.GetString(KeyHost),
		Port:           l.v.GetInt(KeyPort),
		DatabaseURL:    l.v.GetString(KeyDatabaseURL),
		DataDir:        l.v.GetString(KeyDataDir),
		LogLevel:       l.v.GetString(KeyLogLevel),
		MaxBodyBytes:   l.v.GetInt64(KeyMaxBodyBytes),
		MaxConnections: l.v.GetInt(KeyMaxConnections),

		AuditRetentionDays: l.v.GetInt(KeyAuditRetentionDays),
		CORSOrigins:        l.v.GetStringSlice(KeyCORSOrigins),
		Metrics:            l.v.GetBool(KeyMetrics),
	}
	// viper reads a value that is not a number as 0: say what was given.
	for _, key := range []string{KeyPort, KeyMaxBodyBytes, KeyMaxConnections, KeyAuditRetentionDays} {
		if raw := strings.TrimSpace(fmt.Sprint(l.v.Get(key))); !wholeNumber(raw) {
			return s, fmt.Errorf("%s must be a whole number, not %q", key, raw)
		}
	}
	if trimmed := strings.TrimSpace(s.AdminAPIKey); trimmed != s.AdminAPIKey {
		// Clients send the key without the spaces (and the check trims what
		// they send), so a key kept with them could never match.
		s.AdminAPIKey = trimmed
		s.Warnings = append(s.Warnings, "admin_apikey had leading or trailing white space, which was removed; remove it from the setting")
	}
	if len(s.CORSOrigins) == 1 && strings.Contains(s.CORSOrigins[0], ",") {
		s.CORSOrigins = strings.Split(s.CORSOrigins[0], ",")
	}
	proxies, err := parseProxies(l.v.GetStringSlice(KeyTrustedProxies))
	if err != nil {
		return s, err
	}
	s.TrustedProxies = proxies
	if s.Gateway, err = gatewaySettings(l.v); err != nil {
		return s, err
	}
	switch {
	case s.Port <= 0 || s.Port > 65535:
		return s, fmt.Errorf("port must be between 1 and 65535, not %d", s.Port)
	case s.MaxBodyBytes <= 0:
		return s, fmt.Errorf("max_body_bytes must be positive")
	case s.MaxConnections <= 0:
		return s, fmt.Errorf("max_connections must be positive, not %d", s.MaxConnections)
	case s.AuditRetentionDays < 0:
		return s, fmt.Errorf("audit_retention_days must be 0 (keep every record) or a number of days, not %d", s.AuditRetentionDays)
	case s.DataDir == "":
		return s, fmt.Errorf("data_dir must not be empty")
	}
	if _, err := ParseLevel(s.LogLevel); err != nil {
		return s, err
	}
	return s, nil
}

// parseProxies reads trusted_proxies: IP addresses or CIDR prefixes, given as
// a list or as one comma-separated string (the environment's form, which viper
// has already cut at white space).
func parseProxies(raw []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, item := range strings.Split(strings.Join(raw, ","), ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		if p, err := netip.ParsePrefix(item); err == nil {
			out = append(out, p.Masked())
			continue
		}
		addr, err := netip.ParseAddr(item)
		if err != nil || addr.Zone() != "" {
			return nil, fmt.Errorf("trusted_proxies: %q is neither an IP address nor a CIDR prefix (such as 10.0.0.0/8)", item)
		}
		out = append(out, netip.PrefixFrom(addr.Unmap(), addr.Unmap().BitLen()))
	}
	return out, nil
}

// wholeNumber reports a decimal integer, as a setting is written in the
// environment or decoded from the config file (where JSON numbers are floats).
func wholeNumber(s string) bool {
	if _, err := strconv.ParseInt(s, 10, 64); err == nil {
		return true
	}
	f, err := strconv.ParseFloat(s, 64)
	return err == nil && f == math.Trunc(f)
}

// Watch calls apply with the new settings each time the config file changes.
// Invalid edits, and settings apply refuses, are reported to onError.
func (l *Loader) Watch(apply func(Settings) error, onError func(error)) {
	l.v.OnConfigChange(func(fsnotify.Event) {
		s, err := l.Settings()
		if err == nil {
			err = apply(s)
		}
		if err != nil {
			onError(err)
		}
	})
	l.v.WatchConfig()
}
