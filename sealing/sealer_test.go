package sealing_test

import (
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/securemcp/gateway/sealing"
)

const (
	place   = "servers.env:5f0c3a52-7f3c-4c39-9a59-2a4f1d3b8e11/github/GITHUB_TOKEN"
	planted = "ghp_R3allyS3cretT0kenValue0123456789abcd"
)

// newSealer is a Sealer of a fresh key, with the key.
func newSealer(t testing.TB, previous ...sealing.Key) (*sealing.Sealer, sealing.Key) {
	t.Helper()
	key := sealing.GenerateKey()
	s, err := sealing.NewSealer(key, previous...)
	require.NoError(t, err)
	return s, key
}

var tokenFormat = regexp.MustCompile(`^smgsealed:v1:[0-9a-f]{12}:[A-Za-z0-9_-]+$`)

func TestSealOpensBackToTheValue(t *testing.T) {
	s, _ := newSealer(t)
	for _, plain := range []string{"", "x", planted, "päßwörd ✓ 秘密", strings.Repeat("long ", 10_000), "line\nbreak\x00nul\"quote"} {
		token, err := s.Seal(plain, place)
		require.NoError(t, err)
		assert.Regexp(t, tokenFormat, token, "a token is safe in a JSON string and a TEXT column")
		assert.True(t, sealing.IsSealed(token))
		if len(plain) > 8 { // short texts occur in base64 by chance
			assert.NotContains(t, token, plain)
		}
		id, ok := sealing.KeyIDOf(token)
		require.True(t, ok)
		assert.Equal(t, s.KeyID(), id)
		got, err := s.Open(token, place)
		require.NoError(t, err)
		assert.Equal(t, plain, got)
	}
}

func TestSealUsesAFreshNonceEveryTime(t *testing.T) {
	s, _ := newSealer(t)
	seen := map[string]bool{}
	nonces := map[string]bool{}
	for range 100 {
		token, err := s.Seal(planted, place)
		require.NoError(t, err)
		require.False(t, seen[token], "the same value sealed twice gives two tokens")
		seen[token] = true
		body, err := base64.RawURLEncoding.DecodeString(token[strings.LastIndexByte(token, ':')+1:])
		require.NoError(t, err)
		nonces[string(body[:12])] = true
	}
	assert.Len(t, nonces, 100, "every token has a nonce of its own")
}

func TestOpenRefusesAnotherKey(t *testing.T) {
	s, _ := newSealer(t)
	other, _ := newSealer(t)
	token, err := s.Seal(planted, place)
	require.NoError(t, err)

	_, err = other.Open(token, place)
	require.ErrorIs(t, err, sealing.ErrUnknownKey)
	assert.Contains(t, err.Error(), s.KeyID(), "the error names the key the value needs")
	assert.Contains(t, err.Error(), other.KeyID(), "and the keys that are loaded")

	// The same token claiming the other key's id: the id is authenticated,
	// and the other key does not open it.
	forged := strings.Replace(token, s.KeyID(), other.KeyID(), 1)
	_, err = other.Open(forged, place)
	assert.ErrorIs(t, err, sealing.ErrAuthentication)
}

func TestOpenRefusesAnotherPlace(t *testing.T) {
	s, _ := newSealer(t)
	token, err := s.Seal(planted, place)
	require.NoError(t, err)
	for _, elsewhere := range []string{
		"servers.env:5f0c3a52-7f3c-4c39-9a59-2a4f1d3b8e11/github/OTHER",
		"servers.env:00000000-0000-4000-8000-000000000000/github/GITHUB_TOKEN",
		"servers.oauth_config:5f0c3a52-7f3c-4c39-9a59-2a4f1d3b8e11/github/GITHUB_TOKEN",
		place + " ", "",
	} {
		_, err := s.Open(token, elsewhere)
		assert.ErrorIs(t, err, sealing.ErrAuthentication, elsewhere)
	}
}

func TestOpenRefusesAlteredTokens(t *testing.T) {
	s, _ := newSealer(t)
	token, err := s.Seal(planted, place)
	require.NoError(t, err)
	bodyAt := strings.LastIndexByte(token, ':') + 1
	alphabet := "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	for i := bodyAt; i < len(token); i++ {
		// Another base64url character at i: the bytes change (or, in the
		// last character, only its unused low bits, which Strict refuses).
		c := alphabet[(strings.IndexByte(alphabet, token[i])+1)%len(alphabet)]
		altered := token[:i] + string(c) + token[i+1:]
		_, err := s.Open(altered, place)
		require.Error(t, err, "character %d", i)
		assert.True(t, errors.Is(err, sealing.ErrAuthentication) || errors.Is(err, sealing.ErrMalformed), "character %d: %v", i, err)
	}
	for _, altered := range []string{
		strings.Replace(token, "smgsealed:v1:", "smgsealed:v2:", 1),
		strings.Replace(token, "smgsealed:", "SMGSEALED:", 1),
		token + "A", token + "=", token[:bodyAt] + "!" + token[bodyAt+1:],
		strings.Replace(token, s.KeyID(), strings.ToUpper(s.KeyID()), 1),
	} {
		_, err := s.Open(altered, place)
		assert.Error(t, err, altered)
	}
}

func TestOpenRefusesTruncatedTokens(t *testing.T) {
	s, _ := newSealer(t)
	token, err := s.Seal(planted, place)
	require.NoError(t, err)
	for n := range len(token) {
		_, err := s.Open(token[:n], place)
		require.Error(t, err, "cut at %d", n)
		switch {
		case n < len("smgsealed:"):
			assert.ErrorIs(t, err, sealing.ErrNotSealed, "cut at %d", n)
		default:
			assert.True(t, errors.Is(err, sealing.ErrMalformed) || errors.Is(err, sealing.ErrAuthentication), "cut at %d: %v", n, err)
		}
	}
	_, err = s.Open(planted, place)
	assert.ErrorIs(t, err, sealing.ErrNotSealed)
}

func TestOpenErrorsHoldNoValueNoTokenNoKey(t *testing.T) {
	s, key := newSealer(t)
	other, _ := newSealer(t)
	token, err := s.Seal(planted, place)
	require.NoError(t, err)
	body := token[strings.LastIndexByte(token, ':')+1:]
	for _, try := range []func() error{
		func() error { _, err := other.Open(token, place); return err },
		func() error { _, err := s.Open(token, "elsewhere"); return err },
		func() error { _, err := s.Open(token[:len(token)-3], place); return err },
		func() error { _, err := s.Open(planted, place); return err },
	} {
		err := try()
		require.Error(t, err)
		for _, leak := range []string{planted, body, key.Encode(), place} {
			assert.NotContains(t, err.Error(), leak)
		}
	}
}

func TestAKeyringOpensWhatItsPreviousKeysSealed(t *testing.T) {
	old, oldKey := newSealer(t)
	token, err := old.Seal(planted, place)
	require.NoError(t, err)

	ring, _ := newSealer(t, oldKey)
	assert.NotEqual(t, old.KeyID(), ring.KeyID(), "the ring seals with its new key")
	assert.ElementsMatch(t, []string{old.KeyID(), ring.KeyID()}, ring.KeyIDs())
	got, err := ring.Open(token, place)
	require.NoError(t, err)
	assert.Equal(t, planted, got)

	resealed, err := ring.Reseal(token, place)
	require.NoError(t, err)
	id, _ := sealing.KeyIDOf(resealed)
	assert.Equal(t, ring.KeyID(), id)
	again, err := ring.Reseal(resealed, place)
	require.NoError(t, err)
	assert.Equal(t, resealed, again, "a value already under the current key is left as it is")

	newOnly, err := sealing.NewSealer(sealing.GenerateKey())
	require.NoError(t, err)
	_, err = newOnly.Open(token, place)
	assert.ErrorIs(t, err, sealing.ErrUnknownKey, "without the old key the old value does not open")
}

func TestRotateResealsUnderTheNewKey(t *testing.T) {
	from, _ := newSealer(t)
	to, _ := newSealer(t)
	token, err := from.Seal(planted, place)
	require.NoError(t, err)

	rotated, err := sealing.Rotate(from, to, token, place)
	require.NoError(t, err)
	id, _ := sealing.KeyIDOf(rotated)
	assert.Equal(t, to.KeyID(), id)
	got, err := to.Open(rotated, place)
	require.NoError(t, err)
	assert.Equal(t, planted, got)

	twice, err := sealing.Rotate(from, to, rotated, place)
	require.NoError(t, err)
	assert.Equal(t, rotated, twice, "rotating twice rewrites nothing")

	_, err = sealing.Rotate(from, to, token, "elsewhere")
	assert.ErrorIs(t, err, sealing.ErrAuthentication)
	_, err = sealing.Rotate(from, to, rotated[:len(rotated)-4]+"AAAA", place)
	assert.Error(t, err, "a damaged value under the new key fails the rotation rather than passing unchecked")
	_, err = sealing.Rotate(from, to, planted, place)
	assert.ErrorIs(t, err, sealing.ErrNotSealed)
}

func TestNewSealerNeedsAKey(t *testing.T) {
	_, err := sealing.NewSealer(sealing.Key{})
	assert.ErrorIs(t, err, sealing.ErrNoKey)
	_, err = sealing.NewSealer(sealing.GenerateKey(), sealing.Key{})
	assert.ErrorIs(t, err, sealing.ErrNoKey)

	key := sealing.GenerateKey()
	s, err := sealing.NewSealer(key, key, key)
	require.NoError(t, err)
	assert.Equal(t, []string{key.ID()}, s.KeyIDs(), "a key given twice is one key")
}

func TestKeysAndSealersPrintAsIDsOnly(t *testing.T) {
	s, key := newSealer(t)
	holder := struct {
		Exported   sealing.Key
		unexported sealing.Key
		Sealer     *sealing.Sealer
		sealer     *sealing.Sealer
	}{key, key, s, s}
	raw, err := base64.StdEncoding.DecodeString(key.Encode())
	require.NoError(t, err)
	for _, format := range []string{"%v", "%+v", "%#v", "%s", "%x", "%X", "%q", "%d"} {
		for _, v := range []any{key, &key, s, holder, &holder} {
			out := fmt.Sprintf(format, v)
			assert.NotContains(t, out, key.Encode(), format)
			assert.NotContains(t, out, fmt.Sprintf("%x", string(raw)), format)
			assert.NotContains(t, out, fmt.Sprint(raw[:8]), format)
			assert.NotContains(t, out, fmt.Sprint([]byte(raw[:8])), format)
		}
	}
	assert.Equal(t, "sealing.Key("+key.ID()+")", fmt.Sprint(key))
	assert.Contains(t, fmt.Sprint(s), key.ID())
}

func TestKeyIDsAreStableAndDistinct(t *testing.T) {
	key := sealing.GenerateKey()
	again, err := sealing.ParseKey(key.Encode())
	require.NoError(t, err)
	assert.Equal(t, key.ID(), again.ID())
	assert.True(t, key.Equal(again))
	assert.Regexp(t, `^[0-9a-f]{12}$`, key.ID())
	other := sealing.GenerateKey()
	assert.NotEqual(t, key.ID(), other.ID())
	assert.False(t, key.Equal(other))
}

func TestKeyIDOfAndIsSealed(t *testing.T) {
	for _, tc := range []struct {
		in     string
		sealed bool
		id     string
	}{
		{"smgsealed:v1:0123456789ab:AAAA", true, "0123456789ab"},
		{"smgsealed:v1:0123456789AB:AAAA", true, ""},
		{"smgsealed:v1:0123456789a:AAAA", true, ""},
		{"smgsealed:v2:0123456789ab:AAAA", true, ""},
		{"smgsealed:", true, ""},
		{"smgsealed", false, ""},
		{" smgsealed:v1:0123456789ab:AAAA", false, ""},
		{planted, false, ""},
		{"", false, ""},
	} {
		assert.Equal(t, tc.sealed, sealing.IsSealed(tc.in), tc.in)
		id, ok := sealing.KeyIDOf(tc.in)
		assert.Equal(t, tc.id, id, tc.in)
		assert.Equal(t, tc.id != "", ok, tc.in)
	}
}

func TestASealerIsSafeForConcurrentUse(t *testing.T) {
	s, _ := newSealer(t)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := range 8 {
		wg.Go(func() {
			for j := range 200 {
				plain := fmt.Sprintf("%s-%d-%d", planted, i, j)
				token, err := s.Seal(plain, place)
				if err == nil {
					var got string
					got, err = s.Open(token, place)
					if err == nil && got != plain {
						err = errors.New("opened to another value")
					}
				}
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
