package guardrails

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The measured corpus lives in testdata/corpus, one JSON Lines file per
// detector plus benign.jsonl: {"detector", "text", "positive", "kind"?}.
// A positive must be found by its detector (with its kind when given); a
// negative, and every benign sample, must not be. All samples are judged
// under one policy enabling every local detector (corpusPolicy).
//
// Texts may hold templates, expanded here with a seeded generator so that
// no file stores a credential in a live format (which push protection and
// secret scanners would flag) and so that long inputs stay short on disk:
//
//	{{rand:ALPHABET:N}}  N random characters of base62, upper32, b64, urlsafe, hex, letters, digits, upperdigits
//	{{jwt}}              a signed-looking JWT          {{smg}}  a well-formed smg_ key with its checksum
//	{{basic:USER}}       base64 of USER:random          {{pem:TYPE}}  a "-----BEGIN TYPE PRIVATE KEY-----" line
//	{{repeat:TEXT:N}}    TEXT N times                   {{randtext:N}}  N bytes of varied prose
//	{{randb64:N}} {{randhex:N}}  random data            {{csvrows:N}} {{logrows:N}} {{jsonrecords:N}} {{gocode:N}}  varied records

type corpusSample struct {
	Detector string `json:"detector"`
	Text     string `json:"text"`
	Positive bool   `json:"positive"`
	Kind     string `json:"kind"`
	Source   string `json:"source"`
	file     string
	line     int
}

// corpusPolicy enables every local detector, with the settings the
// configured detectors need to have something to check.
func corpusPolicy() Policy {
	return NewPolicy(true, "corpus", []string{DetectorPII, DetectorSecrets, DetectorInjection, DetectorKeyword, DetectorTopic, DetectorSponge, DetectorPolicyViolation}, map[string]any{
		DetectorKeyword: map[string]any{
			"banned_keywords": []any{"drop database", "mkfs", "chmod 777", "format c:", "xp_cmdshell"},
			"regex":           []any{`(?i)\brm\s+-(?:rf|fr)\s+/(?:\s|$|\*)`, `(?i)curl\s+[^|\n]+\|\s*(?:ba|z)?sh\b`, `(?i)\bnc\s[^\n|;]*\s-e\s`},
		},
		DetectorTopic: map[string]any{"denied_topics": []any{"weapons", "gambling", "drugs"}},
		DetectorPolicyViolation: map[string]any{"rules": []any{
			map[string]any{"name": "destructive-sql", "pattern": `(?i)\b(?:drop|truncate)\s+(?:table|database)\b`},
			map[string]any{"name": "competitor", "keywords": []any{"globex", "initech"}},
			map[string]any{"name": "wire-transfer", "pattern": `(?i)\bwire\s+\$?\d[\d,]*\s+to\b`},
		}},
		DetectorSponge: map[string]any{},
	})
}

func loadCorpus(t *testing.T) []corpusSample {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "corpus", "*.jsonl"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	gen := &corpusGen{r: fakeRand(2024)}
	var out []corpusSample
	for _, f := range files {
		fh, err := os.Open(f)
		require.NoError(t, err)
		sc := bufio.NewScanner(fh)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for n := 1; sc.Scan(); n++ {
			var s corpusSample
			require.NoError(t, json.Unmarshal(sc.Bytes(), &s), "%s:%d", f, n)
			s.Text = gen.expand(t, s.Text)
			s.file, s.line = filepath.Base(f), n
			out = append(out, s)
		}
		require.NoError(t, sc.Err())
		fh.Close()
	}
	return out
}

type detectorScore struct{ tp, fn, fp, tn, benignFP int }

func (s detectorScore) precision() float64 { return ratio(s.tp, s.tp+s.fp) }
func (s detectorScore) recall() float64    { return ratio(s.tp, s.tp+s.fn) }

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

// TestCorpus measures each local detector on the corpus and fails when pii
// or secrets recall falls below 0.95, or when more than 1% of the benign
// samples trigger any detector. Run with -v to see the table.
func TestCorpus(t *testing.T) {
	samples := loadCorpus(t)
	l := NewLocalProvider()
	p := corpusPolicy()
	detectors := []string{DetectorPII, DetectorSecrets, DetectorInjection, DetectorKeyword, DetectorTopic, DetectorSponge, DetectorPolicyViolation}
	scores := map[string]*detectorScore{}
	for _, d := range detectors {
		scores[d] = &detectorScore{}
	}
	benign, benignHit := 0, 0
	for _, s := range samples {
		res, err := l.Evaluate(t.Context(), StageInput, p, []Document{{Parts: []Part{{Path: "text", Text: s.Text}}}})
		require.NoError(t, err)
		fired := map[string][]string{}
		for _, f := range res[0].Findings {
			fired[f.Detector] = append(fired[f.Detector], f.Kind)
		}
		if s.Detector == "benign" {
			benign++
			if len(fired) > 0 {
				benignHit++
				t.Logf("benign false positive %s:%d (%s): %v in %q", s.file, s.line, s.Source, fired, truncate(s.Text, 120))
			}
			for d := range fired {
				scores[d].fp++
				scores[d].benignFP++
			}
			for _, d := range detectors {
				if _, ok := fired[d]; !ok {
					scores[d].tn++
				}
			}
			continue
		}
		sc, ok := scores[s.Detector]
		require.True(t, ok, "%s:%d: unknown detector %q", s.file, s.line, s.Detector)
		kinds, hit := fired[s.Detector]
		if hit && s.Kind != "" && !slices.Contains(kinds, s.Kind) {
			hit = false
		}
		switch {
		case s.Positive && hit:
			sc.tp++
		case s.Positive:
			sc.fn++
			t.Logf("missed %s:%d %s/%s (got %v): %q", s.file, s.line, s.Detector, s.Kind, kinds, truncate(s.Text, 120))
		case hit || len(kinds) > 0:
			sc.fp++
			t.Logf("false positive %s:%d %s %v: %q", s.file, s.line, s.Detector, kinds, truncate(s.Text, 120))
		default:
			sc.tn++
		}
	}
	t.Logf("corpus: %d samples (%d benign)", len(samples), benign)
	t.Logf("%-18s %5s %5s %5s %5s %9s %9s %7s", "detector", "TP", "FN", "FP", "TN", "precision", "recall", "benignFP")
	for _, d := range detectors {
		s := scores[d]
		t.Logf("%-18s %5d %5d %5d %5d %9.3f %9.3f %7d", d, s.tp, s.fn, s.fp, s.tn, s.precision(), s.recall(), s.benignFP)
	}
	rate := ratio(benignHit, benign)
	t.Logf("benign samples with any detection: %d of %d (%.2f%%)", benignHit, benign, 100*rate)

	for _, d := range []string{DetectorPII, DetectorSecrets} {
		if r := scores[d].recall(); r < 0.95 {
			t.Errorf("%s recall %.3f < 0.95", d, r)
		}
	}
	if benignHit*100 > benign {
		t.Errorf("benign false positive rate %.2f%% > 1%%", 100*rate)
	}
	// Regression floors for the other detectors, below today's measures.
	for d, floor := range map[string]float64{DetectorInjection: 0.9, DetectorKeyword: 0.9, DetectorTopic: 0.9, DetectorSponge: 0.9, DetectorPolicyViolation: 0.9} {
		if r := scores[d].recall(); r < floor {
			t.Errorf("%s recall %.3f < %.2f", d, r, floor)
		}
		if pr := scores[d].precision(); pr < floor {
			t.Errorf("%s precision %.3f < %.2f", d, pr, floor)
		}
	}
}

// corpusGen expands corpus templates.
type corpusGen struct{ r *rand.Rand }

var reTemplate = regexp.MustCompile(`(?s)\{\{(\w+)(?::(.*?))?\}\}`)

func (g *corpusGen) expand(t *testing.T, s string) string {
	return reTemplate.ReplaceAllStringFunc(s, func(m string) string {
		sub := reTemplate.FindStringSubmatch(m)
		name, arg := sub[1], sub[2]
		num := func(s string) int {
			n, err := strconv.Atoi(s)
			require.NoError(t, err, "template %s", m)
			return n
		}
		switch name {
		case "rand":
			alpha, n, _ := strings.Cut(arg, ":")
			alphabets := map[string]string{"base62": base62, "upper32": upper32, "b64": b64, "urlsafe": urlsafe, "hex": "0123456789abcdef", "letters": letters, "digits": "0123456789", "upperdigits": "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"}
			a, ok := alphabets[alpha]
			require.True(t, ok, "template %s: unknown alphabet", m)
			return randString(g.r, a, num(n))
		case "jwt":
			return fakeJWT(g.r)
		case "smg":
			return fakeSMGKey(g.r)
		case "basic":
			return base64.StdEncoding.EncodeToString([]byte(arg + ":" + randString(g.r, base62, 14)))
		case "pem":
			return pemHeader(arg)
		case "repeat":
			i := strings.LastIndexByte(arg, ':')
			return strings.Repeat(arg[:i], num(arg[i+1:]))
		case "randtext":
			return g.prose(num(arg))
		case "randb64":
			b := make([]byte, num(arg)*3/4)
			for i := range b {
				b[i] = byte(g.r.UintN(256))
			}
			return base64.StdEncoding.EncodeToString(b)
		case "randhex":
			return randString(g.r, "0123456789abcdef", num(arg))
		case "csvrows":
			var b strings.Builder
			b.WriteString("id,date,sku,qty,amount\n")
			for i := range num(arg) {
				fmt.Fprintf(&b, "%d,2024-%02d-%02d,SKU-%04d,%d,%d.%02d\n", 1000+i, 1+g.r.IntN(12), 1+g.r.IntN(28), g.r.IntN(9999), 1+g.r.IntN(20), g.r.IntN(500), g.r.IntN(100))
			}
			return b.String()
		case "logrows":
			var b strings.Builder
			for i := range num(arg) {
				fmt.Fprintf(&b, "2024-05-02T10:%02d:%02d.%03dZ INFO request method=GET path=/api/v1/items/%d status=200 latency=%dms\n", i/60%60, i%60, g.r.IntN(1000), g.r.IntN(100000), 1+g.r.IntN(900))
			}
			return b.String()
		case "jsonrecords":
			var recs []map[string]any
			for i := range num(arg) {
				recs = append(recs, map[string]any{"id": i, "name": g.prose(12), "score": g.r.Float64(), "tags": []string{g.prose(6), g.prose(6)}})
			}
			b, _ := json.Marshal(recs)
			return string(b)
		case "gocode":
			var b strings.Builder
			for i := range num(arg) {
				fmt.Fprintf(&b, "func handler%d(w http.ResponseWriter, r *http.Request) {\n\tid := r.PathValue(\"id%d\")\n\tif id == \"\" {\n\t\thttp.Error(w, \"missing %s\", %d)\n\t\treturn\n\t}\n}\n\n", i, g.r.IntN(1000), g.prose(10), 400+g.r.IntN(20))
			}
			return b.String()
		}
		t.Fatalf("unknown template %s", m)
		return ""
	})
}

// prose returns about n bytes of varied text.
func (g *corpusGen) prose(n int) string {
	words := strings.Fields(`the a of to and in is for on that with as by at from it this be are was an or which not have has but were their can all more one will about when there been its also into than other some these time would may only new any like most over such after our first what two where many even well because through year people use used work make way part between each under how both during state world system number made while same another found long water being those does very still high house never small large must place right country good general end government without point since business life group public again until school including information program several team process result`)
	var b strings.Builder
	for b.Len() < n {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		if g.r.IntN(4) == 0 {
			b.WriteString(randString(g.r, "abcdefghijklmnopqrstuvwxyz", 4+g.r.IntN(6)))
		} else {
			b.WriteString(words[g.r.IntN(len(words))])
		}
	}
	return b.String()[:n]
}
