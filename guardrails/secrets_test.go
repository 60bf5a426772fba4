package guardrails

import (
	"encoding/base64"
	"hash/crc32"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// fakeSMGKey builds a well-formed key of this product's format.
func fakeSMGKey(r *rand.Rand) string {
	random := randString(r, base62, 43)
	n := crc32.ChecksumIEEE([]byte(random))
	sum := make([]byte, 6)
	for i := 5; i >= 0; i-- {
		sum[i] = base62[n%62]
		n /= 62
	}
	return "smg_" + random + string(sum)
}

// pemHeader assembles a private key's PEM header.
func pemHeader(kind string) string {
	if kind != "" {
		kind += " "
	}
	return "-----BEGIN " + kind + "PRIVATE" + " KEY-----"
}

func fakeJWT(r *rand.Rand) string {
	enc := base64.RawURLEncoding
	return enc.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." +
		enc.EncodeToString([]byte(`{"sub":"`+randString(r, base62, 8)+`","iat":1700000000}`)) + "." + randString(r, urlsafe, 43)
}

// secretPositives returns texts holding one fake credential each, with the
// kind each must be found as; seed varies the random parts.
func secretPositives(seed uint64) []detectorCase {
	r := fakeRand(seed)
	rs := func(alphabet string, n int) string { return randString(r, alphabet, n) }
	return []detectorCase{
		{"aws_access_key_id = " + "AKIA" + rs(upper32, 16), "aws_access_key_id"},
		{"role creds ASIA" + rs(upper32, 16) + " expire soon", "aws_access_key_id"},
		{"aws_secret_access_key = " + rs(b64, 40), "aws_secret_access_key"},
		{`AWS_SECRET_ACCESS_KEY: "` + rs(b64, 40) + `"`, "aws_secret_access_key"},
		{"maps key AIza" + rs(urlsafe, 35), "gcp_api_key"},
		{`{"type": "service_account", "project_id": "demo", "private_key_id": "` + rs("0123456789abcdef", 40) + `", "private_key": "..."}`, "gcp_service_account_key"},
		{"client_secret=GOCSPX-" + rs(urlsafe, 28), "google_oauth_client_secret"},
		{"export GITHUB_TOKEN=ghp_" + rs(base62, 36), "github_token"},
		{"gho_" + rs(base62, 36), "github_token"},
		{"token: github_pat_" + rs(base62+"_", 82), "github_pat"},
		{"CI_TOKEN=glpat-" + rs(urlsafe, 20), "gitlab_token"},
		{"SLACK_BOT_TOKEN=xoxb-" + rs("0123456789", 12) + "-" + rs("0123456789", 13) + "-" + rs(base62, 24), "slack_token"},
		{"https://hooks.slack.com/services/T" + rs("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", 8) + "/B" + rs("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", 10) + "/" + rs(base62, 24), "slack_webhook"},
		{"bot token M" + rs(base62, 23) + "." + rs(urlsafe, 6) + "." + rs(urlsafe, 27), "discord_bot_token"},
		{"https://discord.com/api/webhooks/" + rs("0123456789", 18) + "/" + rs(urlsafe, 68), "discord_webhook"},
		{"stripe.api_key = 'sk_live_" + rs(base62, 24) + "'", "stripe_live_key"},
		{"rk_live_" + rs(base62, 99), "stripe_live_key"},
		{"STRIPE_WEBHOOK_SECRET=whsec_" + rs(base62, 32), "stripe_webhook_secret"},
		{pemHeader("RSA") + "\nMIIEpAIBAAKCAQEA" + rs(b64, 48), "private_key"},
		{pemHeader("OPENSSH") + "\nb3BlbnNzaC1rZXktdjEAAAAA" + rs(b64, 40), "private_key"},
		{pemHeader("") + "\\nMIIEvQIBADANBg" + rs(b64, 40), "private_key"},
		{pemHeader("EC"), "private_key"},
		{"Cookie: session=" + fakeJWT(r), "jwt"},
		{"gateway key " + fakeSMGKey(r), "smg_api_key"},
		{"OPENAI_API_KEY=sk-proj-" + rs(urlsafe, 48), "openai_api_key"},
		{"sk-" + rs(base62, 20) + "T3BlbkFJ" + rs(base62, 20), "openai_api_key"},
		{"ANTHROPIC_API_KEY=sk-ant-api03-" + rs(urlsafe, 93), "anthropic_api_key"},
		{"//registry.npmjs.org/:_authToken=npm_" + rs(base62, 36), "npm_token"},
		{"HF_TOKEN=hf_" + rs(letters, 34), "huggingface_token"},
		{"SG." + rs(urlsafe, 22) + "." + rs(urlsafe, 43), "sendgrid_api_key"},
		{"password = pypi-AgEIcHlwaS5vcmc" + rs(urlsafe, 60), "pypi_token"},
		{"DefaultEndpointsProtocol=https;AccountName=demo;AccountKey=" + rs(b64, 86) + "==;EndpointSuffix=core.windows.net", "azure_storage_key"},
		{"AZURE_CLIENT_SECRET=" + rs(base62, 3) + "8Q~" + rs(urlsafe, 34), "azure_client_secret"},
		{"https://acct.blob.core.windows.net/c/f.txt?sv=2022-11-02&ss=b&srt=o&sp=r&se=2030-01-01&sig=" + rs(base62, 44) + "%3D", "azure_sas_token"},
		{"Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte("admin:"+rs(base62, 14))), "basic_auth"},
		{"Authorization: Bearer " + rs(base62, 40), "bearer_token"},
		{"DATABASE_URL=postgres://app:" + rs(base62, 16) + "@db.internal:5432/app", "url_credentials"},
		{`password = "` + rs(base62, 6) + "&" + rs(base62, 6) + `"`, "generic_secret"},
		{"API_KEY=" + rs(base62, 24), "generic_secret"},
		{`"client_secret": "` + rs("0123456789abcdef", 32) + `"`, "generic_secret"},
		{"db_password: " + rs(base62, 10) + "!" + rs(base62, 4), "generic_secret"},
		{"the staging password is " + rs(base62, 14), "generic_secret"},
		{"the service credential is " + rs(base62, 40) + " (rotate monthly)", "high_entropy_string"},
		{"signature " + rs(base62, 24) + "5a", "high_entropy_string"},
	}
}

func TestSecretsDetector(t *testing.T) {
	cases := secretPositives(1)
	cases = append(cases, []detectorCase{
		{"commit e83c5163316f89bfbde7d9ab23ca2e25604af290", ""},
		{"sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", ""},
		{"id 123e4567-e89b-12d3-a456-426614174000", ""},
		{"docs example AKIAIOSFODNN7EXAMPLE", ""},
		{"aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""},
		{"-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIE", ""},
		{"-----BEGIN PUBLIC KEY-----", ""},
		{"ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", ""},
		{"password = os.getenv('DB_PASSWORD')", ""},
		{"token = request.headers.get('Authorization')", ""},
		{"api_key: ${API_KEY}", ""},
		{"password: <your-password>", ""},
		{`secret_name = "prod/db/password"`, ""},
		{"tokenizer = AutoTokenizer.from_pretrained(model_name)", ""},
		{"max_tokens = 4096", ""},
		{`{"token_type": "bearer", "expires_in": 3600}`, ""},
		{"token = my_token_variable", ""},
		{"self.api_key = settings.OPENAI_API_KEY", ""},
		{`"integrity": "sha512-v2kDEe57lecTulaDIuNTPy3Ry4gLGJ6Z1O3vE1krgXZNrsQ+susLjB5VP2TsvJlA2N7jsWX2TP8Ez3xfgAH5EA=="`, ""},
		{"data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==", ""},
		{"func TestHandlerReturnsErrorWhenConfigIsMissing(t *testing.T)", ""},
		{"import github.com/securemcp/gateway/repositories/sqlstore", ""},
		{"postgres://postgres:postgres@localhost:5432/app", ""},
		{"redis://:${REDIS_PASSWORD}@cache:6379", ""},
		{"Authorization: Bearer <token>", ""},
		{"Authorization: Bearer ${TOKEN}", ""},
		{"payload VGhpcyBpcyBhIHRlc3QgbWVzc2FnZSBmb3IgZW5jb2RpbmcgdGV4dA==", ""},
		{"smg_" + randString(fakeRand(9), base62, 49), ""},
		{"eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.", ""},
		{"npm ci --prefer-offline --no-audit --progress=false", ""},
		{"k8s.gcr.io/ingress-nginx/controller:v1.9.4@sha256:5b161f051d017e55d358435f295f5e9a297e66158f136321d9b04520ec6c48a3", ""},
		{"The quick brown fox jumps over the lazy dog 1234567890 times.", ""},
		{"order " + randString(fakeRand(8), base62, 26) + "5a shipped", ""}, // short random ids need a context word
		{"host key SHA256:" + randString(fakeRand(8), b64, 43), ""},
		{"hash $2b$12$" + randString(fakeRand(8), base62, 53), ""},
		{"the password is incorrect, try again", ""},
	}...)
	runDetectorTable(t, DetectorSecrets, nil, cases)
}

// TestSecretsNeverEchoed: a secret never appears whole in a finding.
func TestSecretsNeverEchoed(t *testing.T) {
	l := NewLocalProvider()
	for _, c := range secretPositives(2) {
		for _, f := range scanWith(t, l, DetectorSecrets, nil, c.text) {
			secret := c.text[f.Start:f.End]
			if len(secret) > 8 && strings.Contains(f.Masked, secret[4:]) {
				t.Errorf("%s: masked form %q shows the secret", f.Kind, f.Masked)
			}
		}
	}
}

func TestSecretsHighEntropyOff(t *testing.T) {
	l := NewLocalProvider()
	text := "the service credential is " + randString(fakeRand(3), base62, 40)
	if got := scanWith(t, l, DetectorSecrets, nil, text); len(got) != 1 {
		t.Fatalf("entropy rule on: got %v", kindsOf(got))
	}
	if got := scanWith(t, l, DetectorSecrets, map[string]any{"high_entropy": false}, text); len(got) != 0 {
		t.Fatalf("entropy rule off: got %v", kindsOf(got))
	}
}

// TestEntropyRuleRates measures the entropy rule on fresh random tokens
// (recall) and on identifiers built from words (false positives).
func TestEntropyRuleRates(t *testing.T) {
	d := newSecretsDetector(true)
	r := fakeRand(77)
	found := func(text string) bool {
		hit := false
		d.scanText(text, func(kind string, _, _ int) { hit = hit || kind == "high_entropy_string" })
		return hit
	}
	for _, c := range []struct {
		prefix   string
		min, max int
		alphabet string
	}{
		{"value ", 32, 64, base62},
		{"value ", 32, 64, b64},
		{"signature ", 20, 31, base62},
	} {
		hits := 0
		const n = 2000
		for range n {
			if found(c.prefix + randString(r, c.alphabet, c.min+r.IntN(c.max-c.min+1))) {
				hits++
			}
		}
		rate := float64(hits) / n
		t.Logf("random tokens %d-%d chars after %q: %.1f%% found", c.min, c.max, c.prefix, 100*rate)
		if rate < 0.9 {
			t.Errorf("entropy rule finds %.1f%% of random tokens of %d-%d characters", 100*rate, c.min, c.max)
		}
	}
	words := strings.Fields("get set user config handler request response error test check input output builder factory server client token cache store key value list item order")
	fp := 0
	const n = 2000
	for range n {
		var b strings.Builder
		for range 3 + r.IntN(5) {
			w := words[r.IntN(len(words))]
			b.WriteString(strings.ToUpper(w[:1]) + w[1:])
		}
		b.WriteString(strconv.Itoa(r.IntN(100)))
		if found("value " + b.String()) {
			fp++
		}
	}
	t.Logf("camelCase identifiers: %d of %d flagged", fp, n)
	if fp > n/100 {
		t.Errorf("entropy rule flags %d of %d identifiers", fp, n)
	}
}
