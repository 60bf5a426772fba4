package sealing_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/securemcp/gateway/sealing"
)

func TestMaskRules(t *testing.T) {
	for _, tc := range []struct{ name, secret, want string }{
		{"empty stays empty", "", ""},
		{"github token", "ghp_16C7e42F292c6912E7710c838347Ae178B4a", "ghp_…8B4a"},
		{"github oauth token", "gho_abcdefghijklmnopqrstuvwxyz0123", "gho_…0123"},
		{"openai key", "sk-proj-Abcdefghijklmnop1234", "sk-…1234"},
		{"anthropic key", "sk-ant-api03-abcdefghijklmnopqrstuvwxyz-wxyz", "sk-…wxyz"},
		{"slack bot token", "xoxb-123456789012-1234567890123-abcdefghijkl", "xoxb-…ijkl"},
		{"our api key", "smg_4fTq0bX9mZ2LwP8sK1vN7cR3hJ6yD5gE0aU2iO9tQ1Wk3Zb1x0", "smg_…b1x0"},
		{"gitlab token", "glpat-abcdefghij0123456789", "glpat-…6789"},
		{"stripe key", "sk_live_abcdefghijklmnop5678", "sk_…5678"},
		{"google api key", "AIzaSyA1234567890abcdefghijklmnopqrs", "AIza…pqrs"},
		{"unknown kind", "a-long-client-secret-abcd", "****abcd"},
		{"twelve characters show their last four", "123456789012", "****9012"},
		{"eleven characters show nothing", "12345678901", "****"},
		{"a short prefixed secret shows nothing", "ghp_1234567", "****"},
		{"a prefixed secret needs eight hidden characters besides the prefix", "ghp_12345678abcd", "ghp_…abcd"},
		{"one fewer hides too little", "ghp_1234567abcd", "****"},
		{"a prefix alone", "sk-", "****"},
		{"short", "hunter2", "****"},
		{"one character", "x", "****"},
		{"prefixes are case-sensitive", "GHP_16C7e42F292c6912E7710c83", "****0c83"},
		{"characters, not bytes", "päßwörd-geheim-ßßßß", "****ßßßß"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, sealing.Mask(tc.secret))
		})
	}
}

func TestMaskNeverShowsMoreThanTheLastFourOfTheSecretPart(t *testing.T) {
	secret := "ghp_SECRETMIDDLEabcd"
	masked := sealing.Mask(secret)
	assert.NotContains(t, masked, "SECRET")
	assert.NotContains(t, masked, "MIDDLE")
}

func TestKeepMasked(t *testing.T) {
	const stored = "ghp_16C7e42F292c6912E7710c838347Ae178B4a"
	for _, tc := range []struct{ name, sent, stored, want string }{
		{"the mask sent back keeps the stored value", "ghp_…8B4a", stored, stored},
		{"a new value replaces it", "ghp_NEWtokenNEWtokenNEWtoken1234", stored, "ghp_NEWtokenNEWtokenNEWtoken1234"},
		{"the stored value sent in clear is kept", stored, stored, stored},
		{"another mask is a new value", "****8B4a", stored, "****8B4a"},
		{"empty clears the value", "", stored, ""},
		{"a short secret's mask keeps it", "****", "hunter2", "hunter2"},
		{"an unknown kind's mask keeps it", "****abcd", "a-long-client-secret-abcd", "a-long-client-secret-abcd"},
		{"nothing stored: taken as sent", "****", "", "****"},
		{"a stored value that is its own mask", "****", "****", "****"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, sealing.KeepMasked(tc.sent, tc.stored))
		})
	}
}

func TestMaskMapAndKeepMaskedMap(t *testing.T) {
	stored := map[string]string{
		"GITHUB_TOKEN": "ghp_16C7e42F292c6912E7710c838347Ae178B4a",
		"DB_PASSWORD":  "hunter2",
		"LOG_LEVEL":    "debug",
		"EMPTY":        "",
		"REMOVED":      "a-long-client-secret-abcd",
	}
	masked := sealing.MaskMap(stored)
	assert.Equal(t, map[string]string{
		"GITHUB_TOKEN": "ghp_…8B4a", "DB_PASSWORD": "****", "LOG_LEVEL": "****", "EMPTY": "", "REMOVED": "****abcd",
	}, masked, "every env value is masked, whatever its name")
	assert.Equal(t, "hunter2", stored["DB_PASSWORD"], "the stored map is not changed")

	sent := map[string]string{
		"GITHUB_TOKEN": "ghp_…8B4a",    // unchanged: kept
		"DB_PASSWORD":  "n3w-p4ssword", // changed
		"LOG_LEVEL":    "****",         // unchanged: kept
		"EMPTY":        "now-set",
		"ADDED":        "****",      // a new variable whose value happens to look masked
		"DB_HOST":      "ghp_…8B4a", // another variable's mask under a new name is no reference
	}
	assert.Equal(t, map[string]string{
		"GITHUB_TOKEN": stored["GITHUB_TOKEN"], "DB_PASSWORD": "n3w-p4ssword", "LOG_LEVEL": "debug",
		"EMPTY": "now-set", "ADDED": "****", "DB_HOST": "ghp_…8B4a",
	}, sealing.KeepMaskedMap(sent, stored), "REMOVED is left out: what is sent replaces the map")

	assert.Nil(t, sealing.MaskMap(nil))
	assert.Nil(t, sealing.KeepMaskedMap(nil, stored))
	assert.Equal(t, map[string]string{"A": "****"}, sealing.KeepMaskedMap(map[string]string{"A": "****"}, nil))
}
