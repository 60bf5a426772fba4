package services

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"time"
	"unicode"

	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/repositories"
)

// Keys of the settings the gateway knows.
const (
	// SettingEnkryptAPIKey is the guardrails provider key (a JSON string).
	SettingEnkryptAPIKey = "enkrypt_api_key"
	// SettingTelemetry is a models.TelemetrySettings object.
	SettingTelemetry = "telemetry"
	// SettingPlugins is the original system's "plugins" object, kept as is.
	SettingPlugins = "plugins"
	// SettingCommonConfig is the original system's "common_mcp_gateway_config" object.
	SettingCommonConfig = "common_mcp_gateway_config"
)

// maxSecretLength bounds a provider key; real keys are far shorter.
const maxSecretLength = 1024

// DefaultTelemetry is in effect until telemetry is configured: off, pointing
// at a local OpenTelemetry collector as the original system did.
func DefaultTelemetry() models.TelemetrySettings {
	return models.TelemetrySettings{Enabled: false, URL: "http://localhost:4317", Insecure: true}
}

// SettingsService manages the runtime settings kept in the store.
type SettingsService struct {
	store repositories.Store
	now   Clock
}

// NewSettingsService wires a SettingsService.
func NewSettingsService(store repositories.Store, now Clock) *SettingsService {
	return &SettingsService{store: store, now: now}
}

// TelemetryPatch changes some telemetry fields; nil fields keep their value.
type TelemetryPatch struct {
	Enabled  *bool
	URL      *string
	Insecure *bool
}

// SetEnkryptAPIKey stores the guardrails provider key.
func (s *SettingsService) SetEnkryptAPIKey(ctx context.Context, key string) (models.EnkryptKeyStatus, error) {
	key = strings.TrimSpace(key)
	switch {
	case key == "":
		return models.EnkryptKeyStatus{}, Invalid("api_key is required")
	case len(key) > maxSecretLength:
		return models.EnkryptKeyStatus{}, Invalid("api_key must be at most %d characters", maxSecretLength)
	case strings.IndexFunc(key, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0:
		return models.EnkryptKeyStatus{}, Invalid("api_key must not contain spaces or control characters")
	}
	value, _ := json.Marshal(key) // a string always encodes
	now := s.now()
	err := s.store.Settings().Put(ctx, models.Setting{Key: SettingEnkryptAPIKey, Value: string(value), UpdatedAt: now})
	return models.EnkryptKeyStatus{Masked: maskSecret(key), Configured: true, UpdatedAt: now}, storeErr(err, "", "")
}

// EnkryptAPIKey returns the provider key masked; Configured is false when none is set.
func (s *SettingsService) EnkryptAPIKey(ctx context.Context) (models.EnkryptKeyStatus, error) {
	key, st, err := s.providerKey(ctx)
	if err != nil || st == nil {
		return models.EnkryptKeyStatus{}, err
	}
	return models.EnkryptKeyStatus{Masked: maskSecret(key), Configured: true, UpdatedAt: st.UpdatedAt}, nil
}

// ProviderKey returns the guardrails provider key in clear, for the gateway
// to call the provider with; "" when none is set. No response shows it.
func (s *SettingsService) ProviderKey(ctx context.Context) (string, error) {
	key, _, err := s.providerKey(ctx)
	return key, err
}

func (s *SettingsService) providerKey(ctx context.Context) (string, *models.Setting, error) {
	st, err := s.store.Settings().Get(ctx, SettingEnkryptAPIKey)
	if errors.Is(err, repositories.ErrNotFound) {
		return "", nil, nil
	}
	if err != nil {
		return "", nil, storeErr(err, "", "")
	}
	var key string
	if err := json.Unmarshal([]byte(st.Value), &key); err != nil {
		return "", nil, &Error{Kind: KindInternal, Message: "stored enkrypt_api_key is not a string", Err: err}
	}
	return key, &st, nil
}

// Telemetry returns the telemetry settings in effect.
func (s *SettingsService) Telemetry(ctx context.Context) (models.TelemetrySettings, error) {
	t, _, err := readTelemetry(ctx, s.store)
	return t, err
}

func readTelemetry(ctx context.Context, r repositories.Repos) (models.TelemetrySettings, *time.Time, error) {
	st, err := r.Settings().Get(ctx, SettingTelemetry)
	if errors.Is(err, repositories.ErrNotFound) {
		return DefaultTelemetry(), nil, nil
	}
	if err != nil {
		return models.TelemetrySettings{}, nil, storeErr(err, "", "")
	}
	t, err := parseTelemetry([]byte(st.Value))
	if err != nil {
		return models.TelemetrySettings{}, nil, &Error{Kind: KindInternal, Message: "stored telemetry setting is invalid", Err: err}
	}
	return t, &st.UpdatedAt, nil
}

// UpdateTelemetry changes the given telemetry fields and returns the result.
func (s *SettingsService) UpdateTelemetry(ctx context.Context, p TelemetryPatch) (models.TelemetrySettings, error) {
	if p == (TelemetryPatch{}) {
		return models.TelemetrySettings{}, Invalid("at least one of enabled, url, insecure is required")
	}
	if p.URL != nil {
		if err := checkTelemetryURL(*p.URL); err != nil {
			return models.TelemetrySettings{}, err
		}
	}
	var t models.TelemetrySettings
	err := s.store.InTx(ctx, func(tx repositories.Repos) error {
		var err error
		if t, _, err = readTelemetry(ctx, tx); err != nil {
			return err
		}
		if p.Enabled != nil {
			t.Enabled = *p.Enabled
		}
		if p.URL != nil {
			t.URL = strings.TrimSpace(*p.URL)
		}
		if p.Insecure != nil {
			t.Insecure = *p.Insecure
		}
		value, _ := json.Marshal(t) // a struct of plain fields always encodes
		return storeErr(tx.Settings().Put(ctx, models.Setting{Key: SettingTelemetry, Value: string(value), UpdatedAt: s.now()}), "", "")
	})
	return t, err
}

// checkTelemetryURL accepts an absolute http or https URL with a host.
func checkTelemetryURL(raw string) error {
	u, err := url.Parse(strings.TrimSpace(raw))
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return Invalid("url must be an absolute http or https URL with a host, such as http://localhost:4317")
	case u.User != nil:
		// Settings are listed (masked) and backed up: credentials belong in
		// the collector's own configuration, not in this address.
		return Invalid("url must not carry credentials (user:password@)")
	}
	return nil
}

// parseTelemetry decodes a stored or restored telemetry value and checks it.
func parseTelemetry(data []byte) (models.TelemetrySettings, error) {
	var t models.TelemetrySettings
	if err := json.Unmarshal(data, &t); err != nil {
		return t, Invalid("must be an object {enabled: boolean, url: string, insecure: boolean}")
	}
	if t.URL != "" {
		if err := checkTelemetryURL(t.URL); err != nil {
			return t, err
		}
	}
	return t, nil
}

// List returns every stored setting, plus telemetry's default when it is not
// stored, with every secret masked.
func (s *SettingsService) List(ctx context.Context) ([]models.SettingView, error) {
	stored, err := s.store.Settings().List(ctx)
	if err != nil {
		return nil, storeErr(err, "", "")
	}
	out := make([]models.SettingView, 0, len(stored)+1)
	hasTelemetry := false
	for _, st := range stored {
		var v any
		if err := json.Unmarshal([]byte(st.Value), &v); err != nil {
			return nil, &Error{Kind: KindInternal, Message: "stored setting is not JSON", Err: err}
		}
		at := st.UpdatedAt
		// The setting's own name counts like a member's: the whole value of
		// enkrypt_api_key (or of any secret-named setting) is masked.
		out = append(out, models.SettingView{Key: st.Key, Value: maskValue(v, secretField(st.Key)), UpdatedAt: &at})
		hasTelemetry = hasTelemetry || st.Key == SettingTelemetry
	}
	if !hasTelemetry {
		out = append(out, models.SettingView{Key: SettingTelemetry, Value: DefaultTelemetry(), IsDefault: true})
	}
	return out, nil
}

// maskSecret shows at most the last four characters, and only of secrets long
// enough that four characters reveal little.
func maskSecret(secret string) string {
	r := []rune(secret)
	if len(r) < 12 {
		return "****"
	}
	return "****" + string(r[len(r)-4:])
}

// secretMarkers name credentials. Member names are compared without case and
// punctuation, so "api_key", "apiKey", "X-API-Key" and "API Key" are alike.
var secretMarkers = []string{"apikey", "secret", "password", "passwd", "passphrase", "token",
	"credential", "authorization", "privatekey", "accesskey", "signingkey", "cookie", "session"}

// secretField reports JSON member names that hold credentials.
func secretField(name string) bool {
	n := compactName(name)
	if strings.HasSuffix(n, "url") || strings.HasSuffix(n, "uri") || strings.HasSuffix(n, "endpoint") {
		return false // token endpoints and the like are addresses, not credentials
	}
	for _, marker := range secretMarkers {
		if strings.Contains(n, marker) {
			return true
		}
	}
	return false
}

// compactName is a member name without case and punctuation.
func compactName(name string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return unicode.ToLower(r)
		}
		return -1
	}, name)
}

// secretValue reports strings that are credentials whatever their member's
// name: HTTP authorization values.
func secretValue(s string) bool {
	lower := strings.ToLower(strings.TrimSpace(s))
	return strings.HasPrefix(lower, "bearer ") || strings.HasPrefix(lower, "basic ")
}

// maskURLCredentials hides the credentials a URL carries and keeps the rest
// readable: the password of its user information, a user name given alone
// (https://TOKEN@host is how tokens travel in clone URLs), and query
// parameters with secret names (?api_key=..., &client_secret=...).
func maskURLCredentials(s string) (string, bool) {
	if !strings.Contains(s, "://") || !strings.ContainsAny(s, "@?") {
		return s, false
	}
	u, err := url.Parse(s)
	if err != nil {
		return s, false
	}
	masked := false
	if u.User != nil {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		} else {
			u.User = url.User("xxxxx")
		}
		masked = true
	}
	if u.RawQuery != "" {
		query, err := url.ParseQuery(u.RawQuery)
		if err != nil {
			// A query Go cannot read (a ';' separator, a bad escape) could
			// hide a secret in the part it skips: none of it is shown.
			u.RawQuery = "xxxxx"
			return u.String(), true
		}
		for name, values := range query {
			if secretField(name) {
				for i := range values {
					values[i] = "xxxxx"
				}
				masked = true
			}
		}
		if masked {
			u.RawQuery = query.Encode()
		}
	}
	if !masked {
		return s, false
	}
	return u.String(), true
}

// namedSecretPair reports objects that name a header or variable in one
// member and hold its value in another ({"name": "X-API-Key", "value": ...}),
// so that the value is masked although the member is called "value".
func namedSecretPair(obj map[string]any) bool {
	if _, ok := obj["value"]; !ok {
		return false
	}
	for _, label := range []string{"name", "key", "header"} {
		if name, ok := obj[label].(string); ok && secretField(name) {
			return true
		}
	}
	return false
}

// maskSecrets returns v with its credentials masked, at any depth: every
// string under a secret-named member (however deep) or in the value of a
// secret-named pair, authorization values and URL credentials anywhere.
func maskSecrets(v any) any {
	return maskValue(v, false)
}

func maskValue(v any, underSecret bool) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		pair := namedSecretPair(t)
		for k, val := range t {
			out[k] = maskValue(val, underSecret || secretField(k) || (pair && k == "value"))
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, val := range t {
			out[i] = maskValue(val, underSecret)
		}
		return out
	case string:
		switch {
		case t == "":
			return t
		case underSecret || secretValue(t):
			return maskSecret(t)
		}
		if masked, ok := maskURLCredentials(t); ok {
			return masked
		}
		return t
	default:
		return v
	}
}
