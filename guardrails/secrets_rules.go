package guardrails

import (
	"encoding/base64"
	"encoding/json"
	"hash/crc32"
	"regexp"
	"strings"
)

// secretRule finds one kind of credential. The matcher locates its anchors
// (literal prefixes) in one pass; the rule's regular expression, anchored at
// the match start, then reads at most window bytes from there, so no rule
// ever scans a whole payload.
type secretRule struct {
	kind    string
	anchors []string
	// back is how far before its anchor a match may start (a key whose
	// marker sits in its middle).
	back int
	// fold matches the anchors in any case (context words such as
	// "aws_secret_access_key" are written in every case).
	fold   bool
	re     *regexp.Regexp
	window int
	// group, when not 0, is the submatch that holds the secret itself (the
	// value of an assignment) and is what gets reported.
	group int
	// check validates the matched secret (checksums, placeholders); s is the
	// whole text and [start, end) the secret within it.
	check func(s string, start, end int) bool
	// generic rules (entropy, assignments) lose to specific ones on overlap.
	generic bool
	// inWord lets a match start right after a letter or digit (the "://"
	// of a URL follows its scheme).
	inWord bool
}

var (
	reAWSKeyID        = regexp.MustCompile(`^(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|ANPA|ANVA|AROA|APKA|ASCA)[A-Z2-7]{16}`)
	reGCPKey          = regexp.MustCompile(`^AIza[0-9A-Za-z_-]{35}`)
	reGoogleOAuth     = regexp.MustCompile(`^GOCSPX-[0-9A-Za-z_-]{28}`)
	reGitHubToken     = regexp.MustCompile(`^gh[pousr]_[0-9A-Za-z]{36}`)
	reGitHubPAT       = regexp.MustCompile(`^github_pat_[0-9A-Za-z_]{82}`)
	reGitLabToken     = regexp.MustCompile(`^gl(?:pat|dt|rt|ptt)-[0-9A-Za-z_-]{20,64}`)
	reSlackToken      = regexp.MustCompile(`^xox[abeprs]-[0-9A-Za-z-]{10,250}`)
	reSlackWebhook    = regexp.MustCompile(`^hooks\.slack\.com/services/T[0-9A-Z]{8,12}/B[0-9A-Z]{8,12}/[0-9A-Za-z]{24}`)
	reDiscordWebhook  = regexp.MustCompile(`^discord(?:app)?\.com/api/webhooks/[0-9]{17,20}/[0-9A-Za-z_-]{60,68}`)
	reDiscordBot      = regexp.MustCompile(`^[MNO][0-9A-Za-z_-]{23,27}\.[0-9A-Za-z_-]{6}\.[0-9A-Za-z_-]{27,40}`)
	reStripeLive      = regexp.MustCompile(`^[rs]k_live_[0-9A-Za-z]{24,247}`)
	reStripeWebhook   = regexp.MustCompile(`^whsec_[0-9A-Za-z+/=]{32,88}`)
	rePrivateKey      = regexp.MustCompile(`^-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP |SSH2 ENCRYPTED )?PRIVATE KEY(?: BLOCK)?-----`)
	reJWT             = regexp.MustCompile(`^eyJ[0-9A-Za-z_-]{5,}\.eyJ[0-9A-Za-z_-]{5,}\.[0-9A-Za-z_-]{16,}`)
	reSMGKey          = regexp.MustCompile(`^smg_[0-9A-Za-z]{49}`)
	reOpenAIProject   = regexp.MustCompile(`^sk-(?:proj|svcacct|admin)-[0-9A-Za-z_-]{40,200}`)
	reOpenAILegacy    = regexp.MustCompile(`^sk-[0-9A-Za-z]{20}T3BlbkFJ[0-9A-Za-z]{20}`)
	reAnthropicKey    = regexp.MustCompile(`^sk-ant-(?:api|admin)[0-9]{2}-[0-9A-Za-z_-]{32,120}`)
	reNPMToken        = regexp.MustCompile(`^npm_[0-9A-Za-z]{36}`)
	reHuggingFace     = regexp.MustCompile(`^hf_[A-Za-z]{34}`)
	reSendGrid        = regexp.MustCompile(`^SG\.[0-9A-Za-z_-]{22}\.[0-9A-Za-z_-]{43}`)
	rePyPIToken       = regexp.MustCompile(`^pypi-AgE[0-9A-Za-z_-]{50,}`)
	reAzureStorageKey = regexp.MustCompile(`^AccountKey=([0-9A-Za-z+/]{86}==)`)
	reAzureSecret     = regexp.MustCompile(`^[0-9A-Za-z_~.-]{3}[0-9]Q~[0-9A-Za-z_~.-]{31,34}`)
	reAzureSAS        = regexp.MustCompile(`^sig=([0-9A-Za-z%+/=]{40,120})`)
	reBasicAuth       = regexp.MustCompile(`^Basic ([0-9A-Za-z+/]{12,}={0,2})`)
	reBearer          = regexp.MustCompile(`^Bearer ([0-9A-Za-z._~+/-]{20,}=*)`)
	reURLCredentials  = regexp.MustCompile(`^://([^\s:/@"'<>]{1,64}):([^\s/@"'<>]{3,128})@[0-9A-Za-z.-]+`)
	reGCPServiceAcct  = regexp.MustCompile(`^"service_account"`)
	reAWSSecretCtx    = regexp.MustCompile(`(?i)^[a-z_ -]{0,32}["']?[ \t]{0,3}(?::=|=>|=|:)[ \t]{0,3}["']?([0-9A-Za-z/+]{40})`)
	reGenericAssign   = regexp.MustCompile(`(?i)^(?:password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|auth[_-]?key)[a-z0-9_.-]{0,24}["'\]]?(?:[ \t]{0,3}(?::=|=>|=|:)|[ \t]+(?:is|was)[ \t]*:?)[ \t]{0,3}(["'` + "`" + `]?)([^\s"'` + "`" + `,;]{8,200})`)
)

// secretRules is the rule table of the secrets detector.
func secretRules() []secretRule {
	notExample := func(s string, start, end int) bool { return !strings.HasSuffix(s[start:end], "EXAMPLE") }
	random := func(min float64) func(string, int, int) bool {
		return func(s string, start, end int) bool { return shannonEntropy(s[start:end]) >= min }
	}
	return []secretRule{
		{kind: "aws_access_key_id", anchors: []string{"A3T", "AKIA", "ASIA", "ABIA", "ACCA", "AGPA", "AIDA", "AIPA", "ANPA", "ANVA", "AROA", "APKA", "ASCA"}, re: reAWSKeyID, window: 20, check: notExample},
		{kind: "aws_secret_access_key", anchors: []string{"aws_secret_access_key", "secret_access_key", "secretaccesskey", "aws_secret_key", "aws-secret-access-key", "aws secret"}, fold: true, re: reAWSSecretCtx, window: 120, group: 1, check: func(s string, start, end int) bool {
			return !strings.Contains(s[start:end], "EXAMPLE") && random(3.5)(s, start, end)
		}},
		{kind: "gcp_api_key", anchors: []string{"AIza"}, re: reGCPKey, window: 39},
		{kind: "gcp_service_account_key", anchors: []string{`"service_account"`}, re: reGCPServiceAcct, window: 17, check: func(s string, _, _ int) bool {
			return strings.Contains(s, `"private_key"`)
		}},
		{kind: "google_oauth_client_secret", anchors: []string{"GOCSPX-"}, re: reGoogleOAuth, window: 35},
		{kind: "github_token", anchors: []string{"ghp_", "gho_", "ghu_", "ghs_", "ghr_"}, re: reGitHubToken, window: 40, check: random(3.0)},
		{kind: "github_pat", anchors: []string{"github_pat_"}, re: reGitHubPAT, window: 93, check: random(3.0)},
		{kind: "gitlab_token", anchors: []string{"glpat-", "gldt-", "glrt-", "glptt-"}, re: reGitLabToken, window: 70, check: random(3.0)},
		{kind: "slack_token", anchors: []string{"xoxa-", "xoxb-", "xoxe-", "xoxp-", "xoxr-", "xoxs-"}, re: reSlackToken, window: 255, check: func(s string, start, end int) bool {
			return strings.ContainsAny(s[start+5:end], "0123456789") && random(3.0)(s, start, end)
		}},
		{kind: "slack_webhook", anchors: []string{"hooks.slack.com/services/"}, re: reSlackWebhook, window: 90},
		{kind: "discord_webhook", anchors: []string{"discord.com/api/webhooks/", "discordapp.com/api/webhooks/"}, re: reDiscordWebhook, window: 120},
		{kind: "stripe_live_key", anchors: []string{"sk_live_", "rk_live_"}, re: reStripeLive, window: 255, check: random(3.0)},
		{kind: "stripe_webhook_secret", anchors: []string{"whsec_"}, re: reStripeWebhook, window: 94, check: random(3.5)},
		{kind: "private_key", anchors: []string{"-----BEGIN "}, re: rePrivateKey, window: 60},
		{kind: "jwt", anchors: []string{"eyJ"}, re: reJWT, window: 8192, check: jwtHeaderValid},
		{kind: "smg_api_key", anchors: []string{"smg_"}, re: reSMGKey, window: 53, check: smgChecksumValid},
		{kind: "openai_api_key", anchors: []string{"sk-proj-", "sk-svcacct-", "sk-admin-"}, re: reOpenAIProject, window: 220, check: random(3.5)},
		{kind: "openai_api_key", anchors: []string{"T3BlbkFJ"}, back: 23, re: reOpenAILegacy, window: 51},
		{kind: "anthropic_api_key", anchors: []string{"sk-ant-"}, re: reAnthropicKey, window: 140, check: random(3.5)},
		{kind: "npm_token", anchors: []string{"npm_"}, re: reNPMToken, window: 40, check: random(3.5)},
		{kind: "huggingface_token", anchors: []string{"hf_"}, re: reHuggingFace, window: 37, check: random(3.5)},
		{kind: "sendgrid_api_key", anchors: []string{"SG."}, re: reSendGrid, window: 69},
		{kind: "pypi_token", anchors: []string{"pypi-AgE"}, re: rePyPIToken, window: 300},
		{kind: "azure_storage_key", anchors: []string{"AccountKey="}, re: reAzureStorageKey, window: 99, group: 1},
		{kind: "azure_client_secret", anchors: []string{"Q~"}, back: 4, re: reAzureSecret, window: 40, check: random(3.5)},
		{kind: "azure_sas_token", anchors: []string{"sig="}, re: reAzureSAS, window: 125, group: 1, check: func(s string, start, _ int) bool {
			return start >= 5 && (s[start-5] == '?' || s[start-5] == '&') && strings.Contains(s[max(0, start-400):start], "sv=")
		}},
		{kind: "basic_auth", anchors: []string{"Basic "}, re: reBasicAuth, window: 400, group: 1, check: basicAuthValid},
		{kind: "bearer_token", anchors: []string{"Bearer "}, re: reBearer, window: 4096, group: 1, generic: true, check: func(s string, start, end int) bool {
			return !placeholderSecret(s[start:end]) && random(3.5)(s, start, end)
		}},
		{kind: "url_credentials", anchors: []string{"://"}, re: reURLCredentials, window: 400, inWord: true, check: urlCredentialsValid},
		{kind: "generic_secret", anchors: []string{"password", "passwd", "pwd", "secret", "token", "api_key", "api-key", "apikey", "access_key", "access-key", "private_key", "auth_key"}, fold: true, re: reGenericAssign, window: 260, group: 2, generic: true, check: genericSecretValid},
	}
}

// jwtHeaderValid decodes a JWT's header: a JSON object naming its algorithm.
func jwtHeaderValid(s string, start, end int) bool {
	header := s[start:end]
	header = header[:strings.IndexByte(header, '.')]
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(header, "="))
	if err != nil {
		return false
	}
	var h map[string]any
	if json.Unmarshal(raw, &h) != nil {
		return false
	}
	_, ok := h["alg"]
	return ok
}

// smgChecksumValid checks this product's own API key format: smg_, 43
// random base62 characters, and a CRC32 of them in 6 base62 characters. A
// string failing the checksum is a typo or an invention, not a key.
func smgChecksumValid(s string, start, end int) bool {
	const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	body := s[start+4 : end]
	n := crc32.ChecksumIEEE([]byte(body[:43]))
	var sum [6]byte
	for i := 5; i >= 0; i-- {
		sum[i] = alphabet[n%62]
		n /= 62
	}
	return body[43:] == string(sum[:])
}

// basicAuthValid decodes HTTP Basic credentials: "user:password", printable.
func basicAuthValid(s string, start, end int) bool {
	raw, err := base64.StdEncoding.DecodeString(s[start:end])
	if err != nil {
		return false
	}
	colon := strings.IndexByte(string(raw), ':')
	return colon > 0 && colon < len(raw)-1 && printableRatio(raw) == 1 && !placeholderSecret(string(raw[colon+1:]))
}

// urlCredentialsValid accepts a password in a URL's user info unless it is
// a placeholder, a template or the user name repeated (postgres:postgres, a
// local default rather than a secret).
func urlCredentialsValid(s string, start, end int) bool {
	m := reURLCredentials.FindStringSubmatch(s[start:end])
	if m == nil {
		return false
	}
	user, pass := m[1], m[2]
	return pass != user && len(pass) >= 4 && !placeholderSecret(pass) && !strings.ContainsAny(pass, "${}<>*")
}

// genericSecretValid judges the value of a password/token/key assignment.
// Quoted values need two character classes; bare values (YAML, .env) need
// three, or two and 16 characters, so that identifiers (token =
// my_token_variable) and references (password: ${DB_PASSWORD}) stay out.
func genericSecretValid(s string, start, end int) bool {
	v := s[start:end]
	quoted := start > 0 && strings.ContainsRune("\"'`", rune(s[start-1]))
	if placeholderSecret(v) || strings.ContainsAny(v[:1], "$%{[<(#&*@!") || strings.ContainsAny(v, "()") {
		return false
	}
	classes := charClasses(v)
	switch {
	case quoted:
		return classes >= 2 && shannonEntropy(v) >= 2.8
	case classes >= 3 || (classes == 2 && len(v) >= 16):
		return shannonEntropy(v) >= 3.0 && !identifierLike(v)
	}
	return false
}

// charClasses counts lower, upper, digit and other among v's bytes.
func charClasses(v string) int {
	var lower, upper, digit, other int
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case isLower(c):
			lower = 1
		case isUpper(c):
			upper = 1
		case isDigit(c):
			digit = 1
		default:
			other = 1
		}
	}
	return lower + upper + digit + other
}

// identifierLike reports names rather than values: dotted or snake_case
// identifiers without digits (settings.api_key, MY_TOKEN).
func identifierLike(v string) bool {
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !(isLower(c) || isUpper(c) || c == '_' || c == '.' || c == '-') {
			return false
		}
	}
	return true
}

// placeholderSecret reports values that stand for a secret rather than
// being one: masks, templates, documentation placeholders.
func placeholderSecret(v string) bool {
	l := asciiLower(v)
	for _, p := range []string{"xxx", "***", "...", "…", "your", "example", "changeme", "change_me", "placeholder", "redacted", "dummy", "sample", "<", ">", "${", "{{", "process.env", "getenv", "environ", "secrets.", "vault:", "insert", "replace", "fake", "todo", "none", "null", "undefined", "password", "secret", "token", "0000000", "1234567", "abcdef"} {
		if strings.Contains(l, p) {
			return true
		}
	}
	return false
}

// printableRatio is the share of printable ASCII (and whitespace) in b.
func printableRatio(b []byte) float64 {
	if len(b) == 0 {
		return 0
	}
	n := 0
	for _, c := range b {
		if (c >= 0x20 && c < 0x7f) || c == '\n' || c == '\r' || c == '\t' {
			n++
		}
	}
	return float64(n) / float64(len(b))
}
