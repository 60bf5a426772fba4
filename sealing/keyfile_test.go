package sealing_test

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/securemcp/gateway/sealing"
)

// rawKey is 32 recognisable bytes.
var rawKey = bytes.Repeat([]byte{0xA5, 0x3C, 0x0F, 0x96}, 8)

func TestParseKeyReadsHexAndBase64(t *testing.T) {
	want, err := sealing.NewKey(rawKey)
	require.NoError(t, err)
	for name, text := range map[string]string{
		"hex":              hex.EncodeToString(rawKey),
		"HEX":              strings.ToUpper(hex.EncodeToString(rawKey)),
		"base64":           base64.StdEncoding.EncodeToString(rawKey),
		"base64 unpadded":  base64.RawStdEncoding.EncodeToString(rawKey),
		"base64url":        base64.URLEncoding.EncodeToString(rawKey),
		"base64url bare":   base64.RawURLEncoding.EncodeToString(rawKey),
		"spaces around it": "  " + base64.StdEncoding.EncodeToString(rawKey) + "\n",
	} {
		t.Run(name, func(t *testing.T) {
			got, err := sealing.ParseKey(text)
			require.NoError(t, err)
			assert.True(t, want.Equal(got))
		})
	}
}

func TestParseKeyRefusesOtherLengthsWithoutEchoingThem(t *testing.T) {
	for name, tc := range map[string]struct{ text, says string }{
		"16 bytes in base64":  {base64.StdEncoding.EncodeToString(rawKey[:16]), "decodes to 16 bytes"},
		"33 bytes in base64":  {base64.StdEncoding.EncodeToString(append(rawKey, 1)), "decodes to 33 bytes"},
		"31 bytes in hex":     {hex.EncodeToString(rawKey[:31]), "hex of 31 bytes"},
		"a passphrase":        {"correct horse battery staple!", "neither base64 nor hex"},
		"empty":               {"   ", "empty"},
		"64 non-hex, base64?": {strings.Repeat("zz", 32), "decodes to 48 bytes"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := sealing.ParseKey(tc.text)
			require.ErrorIs(t, err, sealing.ErrBadKey)
			assert.Contains(t, err.Error(), tc.says)
			if strings.TrimSpace(tc.text) != "" {
				assert.NotContains(t, err.Error(), strings.TrimSpace(tc.text))
				assert.NotContains(t, err.Error(), strings.TrimSpace(tc.text)[:6], "not even a part")
			}
		})
	}
	_, err := sealing.NewKey(rawKey[:31])
	assert.ErrorIs(t, err, sealing.ErrBadKey)
}

func TestLoadKeyFromTheEnvironment(t *testing.T) {
	keyFile := filepath.Join(t.TempDir(), "secret.key")
	keys, err := sealing.LoadKey(base64.StdEncoding.EncodeToString(rawKey), keyFile, true)
	require.NoError(t, err)
	want, _ := sealing.NewKey(rawKey)
	assert.True(t, want.Equal(keys.Current))
	assert.Empty(t, keys.Previous)
	assert.Equal(t, sealing.EnvKey, keys.Source)
	assert.NoFileExists(t, keyFile, "with SMG_SECRET_KEY set no key file is made")

	old := sealing.GenerateKey()
	keys, err = sealing.LoadKey(hex.EncodeToString(rawKey)+", "+old.Encode(), keyFile, false)
	require.NoError(t, err)
	assert.True(t, want.Equal(keys.Current))
	require.Len(t, keys.Previous, 1)
	assert.True(t, old.Equal(keys.Previous[0]), "during a rotation the previous key follows")
	s, err := keys.Sealer()
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{want.ID(), old.ID()}, s.KeyIDs())
}

func TestLoadKeyRefusesABadEnvironmentKeyWithoutEchoingIt(t *testing.T) {
	for _, value := range []string{
		base64.StdEncoding.EncodeToString(rawKey[:24]),
		"hunter2-is-my-password",
		base64.StdEncoding.EncodeToString(rawKey) + ",not-a-key-at-all",
	} {
		_, err := sealing.LoadKey(value, filepath.Join(t.TempDir(), "secret.key"), true)
		require.ErrorIs(t, err, sealing.ErrBadKey, value)
		assert.Contains(t, err.Error(), "SMG_SECRET_KEY")
		for _, part := range strings.Split(value, ",") {
			assert.NotContains(t, err.Error(), part)
		}
	}
}

func TestLoadKeyGeneratesAPrivateKeyFileOnce(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "home", ".secure-mcp-gateway")
	keyFile := sealing.KeyFileBeside(filepath.Join(dir, "config.json"))
	assert.Equal(t, filepath.Join(dir, "secret.key"), keyFile)

	first, err := sealing.LoadKey("", keyFile, true)
	require.NoError(t, err)
	assert.True(t, first.Created)
	assert.Equal(t, keyFile, first.Source)
	if runtime.GOOS != "windows" {
		info, err := os.Stat(keyFile)
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
		info, err = os.Stat(dir)
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o700), info.Mode().Perm())
	}

	again, err := sealing.LoadKey("", keyFile, true)
	require.NoError(t, err)
	assert.False(t, again.Created)
	assert.True(t, first.Current.Equal(again.Current), "the next start reads the same key")
}

func TestLoadKeyConcurrentFirstStartsAgreeOnOneKey(t *testing.T) {
	keyFile := filepath.Join(t.TempDir(), "secret.key")
	const starts = 8
	ids := make([]string, starts)
	errs := make([]error, starts)
	var wg sync.WaitGroup
	for i := range starts {
		wg.Go(func() {
			keys, err := sealing.LoadKey("", keyFile, true)
			ids[i], errs[i] = keys.Current.ID(), err
		})
	}
	wg.Wait()
	for i := range starts {
		require.NoError(t, errs[i])
		assert.Equal(t, ids[0], ids[i])
	}
	final, err := sealing.LoadKey("", keyFile, false)
	require.NoError(t, err)
	assert.Equal(t, ids[0], final.Current.ID(), "the key on disk is the one every start uses")
}

func TestLoadKeyWithoutKeyNorGeneration(t *testing.T) {
	keyFile := filepath.Join(t.TempDir(), "secret.key")
	_, err := sealing.LoadKey("", keyFile, false)
	require.ErrorIs(t, err, sealing.ErrNoKey)
	assert.Contains(t, err.Error(), keyFile)
	assert.Contains(t, err.Error(), "SMG_SECRET_KEY")
	assert.NoFileExists(t, keyFile)

	_, err = sealing.LoadKey(" ", "", true)
	assert.ErrorIs(t, err, sealing.ErrNoKey)
}

func TestLoadKeyRefusesAKeyFileOthersMayReadOrWrite(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix permission bits")
	}
	for _, mode := range []os.FileMode{0o644, 0o640, 0o604, 0o620, 0o602, 0o660, 0o666} {
		keyFile := filepath.Join(t.TempDir(), "secret.key")
		require.NoError(t, sealing.WriteKeyFile(keyFile, sealing.GenerateKey()))
		require.NoError(t, os.Chmod(keyFile, mode))
		_, err := sealing.LoadKey("", keyFile, true)
		require.ErrorIs(t, err, sealing.ErrKeyFileMode, "mode %04o", mode)
		assert.Contains(t, err.Error(), "chmod 600")
		assert.Contains(t, err.Error(), keyFile)
	}
	for _, mode := range []os.FileMode{0o600, 0o400} {
		keyFile := filepath.Join(t.TempDir(), "secret.key")
		require.NoError(t, sealing.WriteKeyFile(keyFile, sealing.GenerateKey()))
		require.NoError(t, os.Chmod(keyFile, mode))
		_, err := sealing.LoadKey("", keyFile, false)
		assert.NoError(t, err, "mode %04o", mode)
	}
}

func TestLoadKeyRefusesADirectoryAsKeyFile(t *testing.T) {
	keyFile := filepath.Join(t.TempDir(), "secret.key")
	require.NoError(t, os.Mkdir(keyFile, 0o700))
	_, err := sealing.LoadKey("", keyFile, true)
	assert.ErrorIs(t, err, sealing.ErrBadKey)
}

func TestKeyFileHoldsCurrentThenPreviousKeys(t *testing.T) {
	keyFile := filepath.Join(t.TempDir(), "keys", "secret.key")
	current, previous := sealing.GenerateKey(), sealing.GenerateKey()
	require.NoError(t, sealing.WriteKeyFile(keyFile, current, previous))
	keys, err := sealing.LoadKey("", keyFile, false)
	require.NoError(t, err)
	assert.True(t, current.Equal(keys.Current))
	require.Len(t, keys.Previous, 1)
	assert.True(t, previous.Equal(keys.Previous[0]))

	require.NoError(t, sealing.WriteKeyFile(keyFile, current), "the rotation's last step")
	keys, err = sealing.LoadKey("", keyFile, false)
	require.NoError(t, err)
	assert.Empty(t, keys.Previous)
	if runtime.GOOS != "windows" {
		info, err := os.Stat(keyFile)
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
	}
}

func TestKeyFileReadsCommentsAndBlankLinesAndRefusesGarbage(t *testing.T) {
	dir := t.TempDir()
	for name, tc := range map[string]struct {
		content string
		err     error
	}{
		"comments":      {"# the key\n\n  " + hex.EncodeToString(rawKey) + "  \r\n# end\n", nil},
		"no key":        {"# only a comment\n\n", sealing.ErrNoKey},
		"empty":         {"", sealing.ErrNoKey},
		"a bad key":     {"# k\n" + hex.EncodeToString(rawKey) + "\nnot-a-key-xyz\n", sealing.ErrBadKey},
		"a short key":   {base64.StdEncoding.EncodeToString(rawKey[:20]) + "\n", sealing.ErrBadKey},
		"far too large": {strings.Repeat("#", 70_000) + "\n" + hex.EncodeToString(rawKey) + "\n", sealing.ErrBadKey},
	} {
		t.Run(name, func(t *testing.T) {
			keyFile := filepath.Join(dir, strings.ReplaceAll(name, " ", "-"))
			require.NoError(t, os.WriteFile(keyFile, []byte(tc.content), 0o600))
			keys, err := sealing.LoadKey("", keyFile, true)
			if tc.err == nil {
				require.NoError(t, err)
				want, _ := sealing.NewKey(rawKey)
				assert.True(t, want.Equal(keys.Current))
				return
			}
			require.ErrorIs(t, err, tc.err)
			assert.Contains(t, err.Error(), keyFile)
			assert.NotContains(t, err.Error(), "not-a-key-xyz")
			content, _ := os.ReadFile(keyFile)
			assert.Equal(t, tc.content, string(content), "a key file that does not load is never replaced")
		})
	}
}

func TestWriteKeyFileNeedsKeys(t *testing.T) {
	keyFile := filepath.Join(t.TempDir(), "secret.key")
	assert.ErrorIs(t, sealing.WriteKeyFile(keyFile, sealing.Key{}), sealing.ErrNoKey)
	assert.ErrorIs(t, sealing.WriteKeyFile(keyFile, sealing.GenerateKey(), sealing.Key{}), sealing.ErrNoKey)
	assert.NoFileExists(t, keyFile)
}
