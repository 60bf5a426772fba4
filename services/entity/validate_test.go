package entity_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/securemcp/gateway/services/entity"
	"github.com/securemcp/gateway/services/errs"
)

func TestCleanName(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want, err string }{
		{"  my-config ", "my-config", ""},
		{"名前", "名前", ""},
		{strings.Repeat("é", 128), strings.Repeat("é", 128), ""},
		{strings.Repeat("x", 129), "", "at most 128"},
		{"", "", "required"},
		{" \t ", "", "required"},
		{"a/b", "", "'/'"},
		{"a\nb", "", "control"},
		{"a\x00b", "", "control"},
		{"bad\xffutf8", "", "UTF-8"},
		{".", "", `"." or ".."`},
		{" .. ", "", `"." or ".."`},
		{"...", "...", ""},
		{"2f0a7c4e-8a6b-4c1e-9d2f-1b5e6c7d8e9f", "", "form of an id"},
		{"2F0A7C4E-8A6B-4C1E-9D2F-1B5E6C7D8E9F", "", "form of an id"},
		{"2f0a7c4e-8a6b-4c1e-9d2f-1b5e6c7d8e9", "2f0a7c4e-8a6b-4c1e-9d2f-1b5e6c7d8e9", ""},
	} {
		got, err := entity.CleanEntityName("config_name", tc.in)
		if tc.err == "" {
			require.NoError(t, err, tc.in)
			assert.Equal(t, tc.want, got)
			continue
		}
		require.Error(t, err, tc.in)
		assert.Equal(t, errs.KindInvalid, errs.KindOf(err))
		assert.Contains(t, err.Error(), "config_name")
		assert.Contains(t, err.Error(), tc.err)
	}
}

func TestCleanEmail(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"Alice@Example.COM":            "alice@example.com",
		"  bob@example.org ":           "bob@example.org",
		"first.last+tag@sub.io":        "first.last+tag@sub.io",
		"":                             "",
		"not-an-email":                 "",
		"a@b":                          "",
		"Alice <alice@example.com>":    "",
		"a@example.com, b@example.com": "",
		"a@@example.com":               "",
	} {
		got, err := entity.CleanEmail("email", in)
		if want == "" {
			assert.Error(t, err, in)
			assert.Equal(t, errs.KindInvalid, errs.KindOf(err), in)
			continue
		}
		require.NoError(t, err, in)
		assert.Equal(t, want, got)
	}
}
