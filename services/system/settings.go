package system

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
	"github.com/securemcp/gateway/sealing"
	"github.com/securemcp/gateway/services/entity"
	"github.com/securemcp/gateway/services/errs"
	"github.com/securemcp/gateway/services/sealed"
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
	store   repositories.Store
	now     entity.Clock
	secrets sealed.Secrets
}

// NewSettingsService wires a SettingsService.
func NewSettingsService(store repositories.Store, now entity.Clock, secrets sealed.Secrets) *SettingsService {
	return &SettingsService{store: store, now: now, secrets: secrets}
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
		return models.EnkryptKeyStatus{}, errs.Field("api_key", "", "is required")
	case len(key) > maxSecretLength:
		return models.EnkryptKeyStatus{}, errs.Field("api_key", "", "must be at most %d characters", maxSecretLength)
	case strings.IndexFunc(key, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0:
		return models.EnkryptKeyStatus{}, errs.Field("api_key", "", "must not contain spaces or control characters")
	case sealing.IsSealed(key):
		return models.EnkryptKeyStatus{}, sealed.RefuseTokens("api_key", key)
	}
	value, _ := json.Marshal(key) // a string always encodes
	stored, err := s.secrets.SealSetting(SettingEnkryptAPIKey, string(value))
	if err != nil {
		return models.EnkryptKeyStatus{}, err
	}
	now := s.now()
	err = s.store.Settings().Put(ctx, models.Setting{Key: SettingEnkryptAPIKey, Value: stored, UpdatedAt: now})
	return models.EnkryptKeyStatus{Masked: sealing.Mask(key), Configured: true, UpdatedAt: now}, entity.StoreErr(err, "", "")
}

// EnkryptAPIKey returns the provider key masked; Configured is false when none is set.
func (s *SettingsService) EnkryptAPIKey(ctx context.Context) (models.EnkryptKeyStatus, error) {
	key, st, err := s.providerKey(ctx)
	if err != nil || st == nil {
		return models.EnkryptKeyStatus{}, err
	}
	return models.EnkryptKeyStatus{Masked: sealing.Mask(key), Configured: true, UpdatedAt: st.UpdatedAt}, nil
}

// ProviderKey returns the guardrails provider key in clear, for the gateway
// to call the provider with; "" when none is set. No response shows it: it
// is the one way out of the store for the key in clear.
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
		return "", nil, entity.StoreErr(err, "", "")
	}
	value, err := s.secrets.OpenSetting(SettingEnkryptAPIKey, st.Value)
	if err != nil {
		return "", nil, &errs.Error{Kind: errs.KindInternal, Message: "stored enkrypt_api_key does not open with the loaded secret keys", Err: err}
	}
	var key string
	if err := json.Unmarshal([]byte(value), &key); err != nil {
		return "", nil, &errs.Error{Kind: errs.KindInternal, Message: "stored enkrypt_api_key is not a string", Err: err}
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
		return models.TelemetrySettings{}, nil, entity.StoreErr(err, "", "")
	}
	t, err := parseTelemetry([]byte(st.Value))
	if err != nil {
		return models.TelemetrySettings{}, nil, &errs.Error{Kind: errs.KindInternal, Message: "stored telemetry setting is invalid", Err: err}
	}
	return t, &st.UpdatedAt, nil
}

// UpdateTelemetry changes the given telemetry fields and returns the result.
func (s *SettingsService) UpdateTelemetry(ctx context.Context, p TelemetryPatch) (models.TelemetrySettings, error) {
	if p == (TelemetryPatch{}) {
		return models.TelemetrySettings{}, errs.Invalid("at least one of enabled, url, insecure is required")
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
		stored, err := s.secrets.SealSetting(SettingTelemetry, string(value))
		if err != nil {
			return err
		}
		return entity.StoreErr(tx.Settings().Put(ctx, models.Setting{Key: SettingTelemetry, Value: stored, UpdatedAt: s.now()}), "", "")
	})
	return t, err
}

// checkTelemetryURL accepts an absolute http or https URL with a host.
func checkTelemetryURL(raw string) error {
	u, err := url.Parse(strings.TrimSpace(raw))
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return errs.Invalid("url must be an absolute http or https URL with a host, such as http://localhost:4317")
	case u.User != nil:
		// Settings are listed (masked) and backed up: credentials belong in
		// the collector's own configuration, not in this address.
		return errs.Invalid("url must not carry credentials (user:password@)")
	}
	return nil
}

// parseTelemetry decodes a stored or restored telemetry value and checks it.
func parseTelemetry(data []byte) (models.TelemetrySettings, error) {
	var t models.TelemetrySettings
	if err := json.Unmarshal(data, &t); err != nil {
		return t, errs.Invalid("must be an object {enabled: boolean, url: string, insecure: boolean}")
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
		return nil, entity.StoreErr(err, "", "")
	}
	out := make([]models.SettingView, 0, len(stored)+1)
	hasTelemetry := false
	for _, st := range stored {
		var v any
		if err := json.Unmarshal([]byte(st.Value), &v); err != nil {
			return nil, &errs.Error{Kind: errs.KindInternal, Message: "stored setting is not JSON", Err: err}
		}
		at := st.UpdatedAt
		// The setting's own name counts like a member's: the whole value of
		// enkrypt_api_key (or of any secret-named setting) is masked.
		out = append(out, models.SettingView{Key: st.Key, Value: s.secrets.MaskSetting(st.Key, v), UpdatedAt: &at})
		hasTelemetry = hasTelemetry || st.Key == SettingTelemetry
	}
	if !hasTelemetry {
		out = append(out, models.SettingView{Key: SettingTelemetry, Value: DefaultTelemetry(), IsDefault: true})
	}
	return out, nil
}
