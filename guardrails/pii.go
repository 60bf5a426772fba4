package guardrails

import (
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// PII kinds the local pii detector reports.
const (
	piiEmail      = "email"
	piiPhone      = "phone"
	piiCard       = "credit_card"
	piiIBAN       = "iban"
	piiSSN        = "us_ssn"
	piiNINO       = "uk_nino"
	piiSIN        = "ca_sin"
	piiIP         = "ip_address"
	piiSecretKind = "secret"
)

// piiDetector finds personal data by pattern plus validation: e-mail
// addresses, phone numbers (international with a known country code, North
// American, and national trunk formats), payment cards (issuer range and
// Luhn), IBANs (country length and mod 97), US SSNs, UK NI numbers, Canadian
// SINs and IPv4/IPv6 addresses. Names and postal addresses need a language
// model and are not detected (the entities "person" and "address" are
// reported as not evaluated).
type piiDetector struct {
	kinds   map[string]bool
	secrets *secretsDetector // when the "secrets" entity is asked for, as Enkrypt's pii detector allows
}

func (d *piiDetector) anchors() []anchorSpec { return nil }

func (d *piiDetector) name() string { return DetectorPII }

func (d *piiDetector) scan(doc *scanDoc, emit func(Finding)) {
	for i, part := range doc.parts {
		d.scanText(part.Text, func(kind string, start, end int) {
			emit(Finding{Detector: DetectorPII, Kind: kind, Part: i, Start: start, End: end, Masked: maskPII(kind, part.Text[start:end])})
		})
		if d.secrets != nil {
			d.secrets.scanText(part.Text, func(kind string, start, end int) {
				emit(Finding{Detector: DetectorPII, Kind: piiSecretKind, Part: i, Start: start, End: end, Masked: maskSecret(part.Text[start:end])})
			})
		}
	}
}

// scanText reports every PII span of s with its kind, one per span: where
// kinds overlap, the better-validated one wins (an IBAN's digit groups are
// not also a phone number).
func (d *piiDetector) scanText(s string, emit func(kind string, start, end int)) {
	type span struct {
		kind       string
		start, end int
	}
	var spans []span
	add := func(kind string, start, end int) {
		if d.kinds[kind] {
			spans = append(spans, span{kind, start, end})
		}
	}
	if d.kinds[piiEmail] {
		scanEmails(s, add)
	}
	if d.kinds[piiPhone] || d.kinds[piiCard] || d.kinds[piiSSN] || d.kinds[piiSIN] || d.kinds[piiIP] || d.kinds[piiIBAN] || d.kinds[piiNINO] {
		scanNumbers(s, d.kinds[piiIBAN] || d.kinds[piiNINO], add)
	}
	if d.kinds[piiIP] {
		scanIPv6(s, add)
	}
	if len(spans) > 1 {
		rank := func(kind string) int {
			return slices.Index([]string{piiIBAN, piiEmail, piiCard, piiSSN, piiNINO, piiSIN, piiIP, piiPhone}, kind)
		}
		slices.SortFunc(spans, func(a, b span) int { return a.start - b.start })
		kept := spans[:1]
		for _, sp := range spans[1:] {
			last := &kept[len(kept)-1]
			switch {
			case sp.start >= last.end:
				kept = append(kept, sp)
			case rank(sp.kind) < rank(last.kind):
				*last = sp
			}
		}
		spans = kept
	}
	for _, sp := range spans {
		emit(sp.kind, sp.start, sp.end)
	}
}

func maskPII(kind, s string) string {
	switch kind {
	case piiEmail:
		return maskEmail(s)
	case piiIP:
		if a, err := netip.ParseAddr(s); err == nil && a.Is4() {
			b := a.As4()
			return strconv.Itoa(int(b[0])) + "." + strconv.Itoa(int(b[1])) + ".*.*"
		}
		if i := strings.IndexByte(s, ':'); i > 0 {
			return s[:i] + ":…"
		}
	case piiIBAN:
		compact := strings.ReplaceAll(s, " ", "")
		return compact[:2] + "…" + compact[len(compact)-4:]
	}
	return maskKeepLast(s, 4)
}

func isEmailLocal(c byte) bool {
	return isAlnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-'
}

func isDomainByte(c byte) bool { return isAlnum(c) || c == '.' || c == '-' }

// scanEmails finds addresses around each '@': a local part, a dotted domain
// with an alphabetic top-level label. Left out: scp-style remotes
// (git@github.com:org/repo), URL user info (ftp://anon@host), and image
// density suffixes (icon@2x.png).
func scanEmails(s string, emit func(kind string, start, end int)) {
	from := 0
	for {
		at := strings.IndexByte(s[from:], '@')
		if at < 0 {
			return
		}
		at += from
		from = at + 1
		start := at
		for start > 0 && at-start < 64 && isEmailLocal(s[start-1]) {
			start--
		}
		for start < at && (s[start] == '.' || s[start] == '-') {
			start++
		}
		if start == at || s[at-1] == '.' {
			continue
		}
		if start >= 2 && s[start-1] == '/' && s[start-2] == '/' {
			continue
		}
		end := at + 1
		for end < len(s) && end-at < 254 && isDomainByte(s[end]) {
			end++
		}
		for end > at+1 && (s[end-1] == '.' || s[end-1] == '-') {
			end--
		}
		domain := s[at+1 : end]
		if !emailDomainValid(domain) {
			continue
		}
		if end < len(s) && s[end] == ':' && end+1 < len(s) && s[end+1] != ' ' {
			continue
		}
		emit(piiEmail, start, end)
		from = end
	}
}

func emailDomainValid(domain string) bool {
	dot := strings.LastIndexByte(domain, '.')
	if dot <= 0 || strings.Contains(domain, "..") {
		return false
	}
	tld := domain[dot+1:]
	if len(tld) < 2 || len(tld) > 24 {
		return false
	}
	for i := 0; i < len(tld); i++ {
		if !isLower(tld[i]) && !isUpper(tld[i]) {
			return false
		}
	}
	first := domain[:strings.IndexByte(domain, '.')]
	if len(first) >= 2 && first[len(first)-1] == 'x' && isDigit(first[0]) && strings.Trim(first[:len(first)-1], "0123456789.") == "" {
		return false // icon@2x.png
	}
	return domain[0] != '-'
}

// scanIPv6 finds IPv6 addresses around colons. Loopback and unspecified
// addresses are not personal; short forms such as Python's a[1::2] are left
// out by asking for a group of three or more hex digits when "::" is used.
func scanIPv6(s string, emit func(kind string, start, end int)) {
	isV6Byte := func(c byte) bool { return isHexDigit(c) || c == ':' || c == '.' }
	from := 0
	for from < len(s) {
		c := strings.IndexByte(s[from:], ':')
		if c < 0 {
			return
		}
		c += from
		start, end := c, c
		for start > 0 && c-start < 40 && isV6Byte(s[start-1]) {
			start--
		}
		for end < len(s) && end-c < 45 && isV6Byte(s[end]) {
			end++
		}
		from = end + 1
		for end > start && s[end-1] == '.' {
			end--
		}
		if !boundaryBefore(s, start) || !boundaryAfter(s, end) || (start > 0 && s[start-1] == ':') {
			continue
		}
		cand := s[start:end]
		if strings.Count(cand, ":") < 2 || !ipv6Plausible(cand) {
			continue
		}
		a, err := netip.ParseAddr(cand)
		if err != nil || !a.Is6() || a.Is4In6() || a.IsLoopback() || a.IsUnspecified() {
			continue
		}
		emit(piiIP, start, end)
	}
}

func ipv6Plausible(cand string) bool {
	if !strings.Contains(cand, "::") {
		return true
	}
	long, groups := false, 0
	for g := range strings.SplitSeq(cand, ":") {
		if g != "" {
			groups++
			long = long || len(g) >= 3
		}
	}
	return groups >= 2 && long
}

// letterID reads an IBAN (compact or in groups of four, in either case:
// the mod-97 check keeps random words out) or a UK National Insurance
// number at s[i], the start of a word.
func letterID(s string, i int) (int, string) {
	if i+4 > len(s) || !boundaryBefore(s, i) {
		return 0, ""
	}
	c := s[i]
	if (isUpper(s[i+1]) || isLower(s[i+1])) && isDigit(s[i+2]) && isDigit(s[i+3]) {
		if end, ok := matchIBAN(s, i); ok {
			return end, piiIBAN
		}
	}
	if isUpper(c) && isUpper(s[i+1]) {
		if end, ok := matchNINO(s, i); ok {
			return end, piiNINO
		}
	}
	return 0, ""
}

// matchIBAN reads an IBAN of its country's length at s[i:], allowing one
// space between groups of four, all in one case.
func matchIBAN(s string, i int) (int, bool) {
	lower := isLower(s[i])
	want := ibanLength(strings.ToUpper(s[i : i+2]))
	if want == 0 || lower != isLower(s[i+1]) {
		return 0, false
	}
	var compact [34]byte
	n, j := 0, i
	for j < len(s) && n < want {
		c := s[j]
		switch {
		case isDigit(c) || (!lower && isUpper(c)):
			compact[n] = c
			n++
			j++
		case lower && isLower(c):
			compact[n] = c - 'a' + 'A'
			n++
			j++
		case c == ' ' && n%4 == 0 && j+1 < len(s) && isAlnum(s[j+1]):
			j++
		default:
			return 0, false
		}
	}
	if n != want || (j < len(s) && isAlnum(s[j])) {
		return 0, false
	}
	return j, ibanValid(string(compact[:n]))
}

// matchNINO reads "AB123456C" or "AB 12 34 56 C" at s[i:].
func matchNINO(s string, i int) (int, bool) {
	if !ninoValid(s[i], s[i+1]) {
		return 0, false
	}
	j, digits := i+2, 0
	for j < len(s) && digits < 6 {
		switch {
		case isDigit(s[j]):
			digits++
			j++
		case s[j] == ' ' && digits%2 == 0 && j+1 < len(s) && isDigit(s[j+1]):
			j++
		default:
			return 0, false
		}
	}
	if digits != 6 {
		return 0, false
	}
	if j+1 < len(s) && s[j] == ' ' && s[j+1] >= 'A' && s[j+1] <= 'D' {
		j++
	}
	if j >= len(s) || s[j] < 'A' || s[j] > 'D' || !boundaryAfter(s, j+1) {
		return 0, false
	}
	return j + 1, true
}

// piiEntities maps the entity names a pii config may list (the original
// system's, Enkrypt's, and this package's kinds) to the kinds they turn on.
func piiEntities(name string) ([]string, bool) {
	personal := []string{piiEmail, piiPhone, piiCard, piiIBAN, piiSSN, piiNINO, piiSIN}
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "pii":
		return personal, true
	case "email", "email_address":
		return []string{piiEmail}, true
	case "phone", "phone_number":
		return []string{piiPhone}, true
	case "credit_card", "card", "payment_card":
		return []string{piiCard}, true
	case "iban", "bank_account":
		return []string{piiIBAN}, true
	case "national_id":
		return []string{piiSSN, piiNINO, piiSIN}, true
	case "ssn", "us_ssn":
		return []string{piiSSN}, true
	case "nino", "uk_nino":
		return []string{piiNINO}, true
	case "sin", "ca_sin":
		return []string{piiSIN}, true
	case "ip", "ip_address":
		return []string{piiIP}, true
	case "secrets":
		return []string{DetectorSecrets}, true
	}
	return nil, false
}

// newPIIDetector reads {"entities": [...]} (all kinds but secrets when
// empty). Entities it cannot detect (person, address, url) are returned as
// not evaluated, as "pii:<entity>", and reported by Validate.
func newPIIDetector(cfg map[string]any, secrets *secretsDetector) (*piiDetector, []string, []Issue) {
	d := &piiDetector{kinds: map[string]bool{}}
	entities, ok := configStrings(cfg["entities"])
	var issues []Issue
	var notEvaluated []string
	if !ok {
		issues = append(issues, Issue{Severity: SeverityError, Field: "additional_config.pii.entities", Detector: DetectorPII, Message: "must be a list of entity names"})
	}
	if len(entities) == 0 {
		entities = []string{"pii", "ip_address"}
	}
	for i, e := range entities {
		kinds, known := piiEntities(e)
		if !known {
			notEvaluated = append(notEvaluated, DetectorPII+":"+e)
			issues = append(issues, Issue{Severity: SeverityWarning, Field: "additional_config.pii.entities[" + strconv.Itoa(i) + "]", Detector: DetectorPII,
				Message: "entity " + strconv.Quote(e) + " is not detected by the local provider (it detects email, phone, credit_card, iban, national_id, ip_address, secrets)"})
		}
		for _, k := range kinds {
			if k == DetectorSecrets {
				d.secrets = secrets
				continue
			}
			d.kinds[k] = true
		}
	}
	return d, notEvaluated, issues
}
