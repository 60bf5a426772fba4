package config_test

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/spf13/pflag"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/securemcp/gateway/config"
)

func readConfig(t *testing.T, path string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var doc map[string]any
	require.NoError(t, json.Unmarshal(data, &doc))
	return doc
}

func TestGenerateWritesPrivateFileWithStrongKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nested", "enkrypt_mcp_config.json")
	require.NoError(t, config.Generate(path, false))
	info, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
	dirInfo, err := os.Stat(filepath.Dir(path))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o700), dirInfo.Mode().Perm())
	key := readConfig(t, path)["admin_apikey"].(string)
	raw, err := base64.RawURLEncoding.DecodeString(key)
	require.NoError(t, err)
	assert.GreaterOrEqual(t, len(raw)*8, 256)

	assert.True(t, errors.Is(config.Generate(path, false), config.ErrConfigExists))
	assert.Equal(t, key, readConfig(t, path)["admin_apikey"], "an existing file is kept")
	require.NoError(t, config.Generate(path, true))
	assert.NotEqual(t, key, readConfig(t, path)["admin_apikey"], "overwrite makes a new key")
}

func TestNewAdminKeyIsRandom(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 100; i++ {
		k := config.NewAdminKey()
		assert.False(t, seen[k])
		seen[k] = true
	}
}

func TestSettingsPrecedence(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.json")
	require.NoError(t, os.WriteFile(path, []byte(`{"admin_apikey": "from-file", "port": 9001, "log_level": "warn", "host": "127.0.0.1"}`), 0o600))
	flags := pflag.NewFlagSet("t", pflag.ContinueOnError)
	flags.Int("port", config.DefaultPort, "")
	flags.String("host", config.DefaultHost, "")
	flags.String("log-level", "", "")
	require.NoError(t, flags.Parse([]string{"--port", "9100"}))
	t.Setenv("SMG_LOG_LEVEL", "debug")
	t.Setenv("SMG_ADMIN_API_KEY", "")

	loader, err := config.NewLoader(path, flags)
	require.NoError(t, err)
	s, err := loader.Settings()
	require.NoError(t, err)
	assert.Equal(t, 9100, s.Port, "flag beats file")
	assert.Equal(t, "debug", s.LogLevel, "env beats file")
	assert.Equal(t, "127.0.0.1", s.Host, "file beats default")
	assert.Equal(t, "from-file", s.AdminAPIKey)
	assert.Equal(t, filepath.Dir(path), s.DataDir, "data dir defaults beside the config file")
	assert.Equal(t, int64(config.DefaultMaxBodyBytes), s.MaxBodyBytes)
	assert.Equal(t, config.DefaultMaxConnections, s.MaxConnections)
	assert.Zero(t, s.AuditRetentionDays, "audit records are kept until a retention is set")
	assert.Equal(t, []string{"*"}, s.CORSOrigins)
}

func TestSettingsRejectsBadValues(t *testing.T) {
	for _, doc := range []string{`{"port": 70000}`, `{"log_level": "loud"}`, `{"max_body_bytes": -1}`, `{"max_connections": 0}`, `{"audit_retention_days": -1}`, `{"audit_retention_days": "long"}`,
		`{"max_connections": "many"}`} {
		path := filepath.Join(t.TempDir(), "c.json")
		require.NoError(t, os.WriteFile(path, []byte(doc), 0o600))
		loader, err := config.NewLoader(path, nil)
		require.NoError(t, err)
		_, err = loader.Settings()
		assert.Error(t, err, doc)
	}
	path := filepath.Join(t.TempDir(), "broken.json")
	require.NoError(t, os.WriteFile(path, []byte(`{"port": `), 0o600))
	_, err := config.NewLoader(path, nil)
	assert.Error(t, err, "a broken config file is reported")
}

func TestMissingConfigFileUsesDefaults(t *testing.T) {
	loader, err := config.NewLoader(filepath.Join(t.TempDir(), "absent.json"), nil)
	require.NoError(t, err)
	s, err := loader.Settings()
	require.NoError(t, err)
	assert.Equal(t, config.DefaultPort, s.Port)
	assert.Equal(t, "", s.AdminAPIKey)
}

func TestWatchAppliesAdminKeyAndLevel(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.json")
	require.NoError(t, os.WriteFile(path, []byte(`{"admin_apikey": "`+keyOne+`", "log_level": "info"}`), 0o600))
	t.Setenv("SMG_ADMIN_API_KEY", "")
	t.Setenv("SMG_LOG_LEVEL", "")
	loader, err := config.NewLoader(path, nil)
	require.NoError(t, err)
	s, err := loader.Settings()
	require.NoError(t, err)
	live, err := config.NewLive(s)
	require.NoError(t, err)
	assert.Equal(t, keyOne, live.AdminKey())
	refused := make(chan error, 10)
	loader.Watch(live.Apply, func(err error) { refused <- err })
	require.NoError(t, os.WriteFile(path, []byte(`{"admin_apikey": "`+keyTwo+`", "log_level": "debug"}`), 0o600))
	assert.Eventually(t, func() bool { return live.AdminKey() == keyTwo }, 5*time.Second, 20*time.Millisecond)
	assert.Equal(t, "debug", live.Level.Level().String())

	// An edit that drops the admin key would lock every administrator out: it
	// is refused and the running settings stay.
	require.NoError(t, os.WriteFile(path, []byte(`{"log_level": "error"}`), 0o600))
	select {
	case err := <-refused:
		assert.ErrorContains(t, err, "no admin key")
	case <-time.After(5 * time.Second):
		t.Fatal("the edit without an admin key was not refused")
	}
	assert.Equal(t, keyTwo, live.AdminKey())
	assert.Equal(t, "debug", live.Level.Level().String(), "nothing of a refused edit applies")
}

// Admin keys of the watch test: long enough to be accepted.
const (
	keyOne = "first-admin-key-0123456789abcdef0123456789"
	keyTwo = "second-admin-key-0123456789abcdef0123456789"
)

func TestLiveNeedsAnAdminKey(t *testing.T) {
	_, err := config.NewLive(config.Settings{LogLevel: "info"})
	assert.ErrorContains(t, err, "no admin key")
}

func TestLiveRefusesAShortAdminKey(t *testing.T) {
	for _, key := range []string{"a", "0123456789abcdef0123456789abcde", "ééééééééééééééééééééééééééééééé"} {
		_, err := config.NewLive(config.Settings{AdminAPIKey: key, LogLevel: "info"})
		require.Error(t, err, "%d characters", len([]rune(key)))
		assert.Contains(t, err.Error(), fmt.Sprintf("the admin key has %d characters; it needs at least 32", len([]rune(key))))
		if len(key) > 1 {
			assert.NotContains(t, err.Error(), key, "the message never quotes the key")
		}
	}
	live, err := config.NewLive(config.Settings{AdminAPIKey: "0123456789abcdef0123456789abcdef", LogLevel: "info"})
	require.NoError(t, err, "32 characters are enough")
	assert.Equal(t, "0123456789abcdef0123456789abcdef", live.AdminKey())

	err = live.Apply(config.Settings{AdminAPIKey: "short", LogLevel: "info"})
	assert.ErrorContains(t, err, "at least 32", "a reload to a short key is refused")
	assert.Equal(t, "0123456789abcdef0123456789abcdef", live.AdminKey(), "and the running key stays")
}

func TestAdminKeyIsTrimmedWithAWarning(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.json")
	require.NoError(t, os.WriteFile(path, []byte(`{"admin_apikey": " `+keyOne+`\t\n"}`), 0o600))
	t.Setenv("SMG_ADMIN_API_KEY", "")
	loader, err := config.NewLoader(path, nil)
	require.NoError(t, err)
	s, err := loader.Settings()
	require.NoError(t, err)
	assert.Equal(t, keyOne, s.AdminAPIKey, "a key with surrounding spaces could never match")
	require.Len(t, s.Warnings, 1)
	assert.Contains(t, s.Warnings[0], "white space")
	assert.NotContains(t, s.Warnings[0], keyOne)

	t.Setenv("SMG_ADMIN_API_KEY", "  "+keyTwo+" ")
	s, err = loader.Settings()
	require.NoError(t, err)
	assert.Equal(t, keyTwo, s.AdminAPIKey, "from the environment too")
	assert.Len(t, s.Warnings, 1)

	t.Setenv("SMG_ADMIN_API_KEY", keyTwo)
	s, err = loader.Settings()
	require.NoError(t, err)
	assert.Empty(t, s.Warnings, "a clean key gives no warning")

	t.Setenv("SMG_ADMIN_API_KEY", "   ")
	s, err = loader.Settings()
	require.NoError(t, err)
	_, err = config.NewLive(s)
	assert.ErrorContains(t, err, "no admin key", "spaces alone are no key")
}

func TestMetricsSetting(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.json")
	load := func(args ...string) bool {
		t.Helper()
		flags := pflag.NewFlagSet("t", pflag.ContinueOnError)
		flags.Bool("metrics", false, "")
		require.NoError(t, flags.Parse(args))
		l, err := config.NewLoader(path, flags)
		require.NoError(t, err)
		s, err := l.Settings()
		require.NoError(t, err)
		return s.Metrics
	}
	assert.False(t, load(), "off by default")
	assert.True(t, load("--metrics"))
	require.NoError(t, os.WriteFile(path, []byte(`{"metrics": true}`), 0o600))
	assert.True(t, load(), "from the config file")
	assert.False(t, load("--metrics=false"), "the flag wins over the file")
	t.Setenv("SMG_METRICS", "false")
	assert.False(t, load(), "the environment wins over the file")
}

// The pid files of running servers are the gateway's own: a client that could
// write one would point stop-api at another process.
func TestOwnFilesIncludeThePIDDirectory(t *testing.T) {
	s := config.Settings{ConfigPath: "/etc/smg/config.json", DataDir: "/var/lib/smg"}
	assert.Equal(t, "/var/lib/smg/gateway.pids", s.PIDDir())
	assert.Contains(t, s.OwnFiles(), s.PIDDir())
	assert.Contains(t, s.OwnFiles(), "/var/lib/smg/gateway.db")
	assert.Contains(t, s.OwnFiles(), "/etc/smg/config.json")
}

func TestTrustedProxiesSetting(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.json")
	load := func() (config.Settings, error) {
		t.Helper()
		l, err := config.NewLoader(path, nil)
		require.NoError(t, err)
		return l.Settings()
	}
	s, err := load()
	require.NoError(t, err)
	assert.Empty(t, s.TrustedProxies, "no proxy is trusted by default")

	require.NoError(t, os.WriteFile(path, []byte(`{"trusted_proxies": ["10.0.0.0/8", "192.168.1.7", "::1", "172.16.5.4/12"]}`), 0o600))
	s, err = load()
	require.NoError(t, err)
	assert.Equal(t, []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.168.1.7/32"),
		netip.MustParsePrefix("::1/128"), netip.MustParsePrefix("172.16.0.0/12")}, s.TrustedProxies)

	t.Setenv("SMG_TRUSTED_PROXIES", "127.0.0.1, 10.1.0.0/16")
	s, err = load()
	require.NoError(t, err)
	assert.Equal(t, []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32"), netip.MustParsePrefix("10.1.0.0/16")}, s.TrustedProxies,
		"the environment gives a comma-separated list")

	for _, bad := range []string{"proxy.example.com", "10.0.0.0/33", "*", "fe80::1%eth0"} {
		t.Setenv("SMG_TRUSTED_PROXIES", bad)
		_, err = load()
		assert.ErrorContains(t, err, "trusted_proxies: \""+bad+"\" is neither an IP address nor a CIDR prefix", bad)
	}
}
