package guardrails

import (
	"fmt"
	"slices"
	"strings"
)

// topicDetector matches topics by keywords, not by meaning:
//
//	"topic_detector": {
//	    "topic": ["airline", "travel"],            // allowed topics (the original's key; also "allowed_topics")
//	    "denied_topics": ["politics", {"name": "competitors", "keywords": ["acme", "globex"]}],
//	    "min_words": 12,                           // shorter texts are not judged off-topic
//	    "min_matches": 2                           // distinct keywords that make a denied topic
//	}
//
// A topic is a name or {name, keywords}. A name of the built-in lexicon
// (topicLexicon: finance, medical, legal, politics, religion, weapons,
// drugs, gambling, violence, adult, travel, software) brings its keywords;
// any other name is its own keywords (its words of three letters or more).
// Keywords match at word starts, in any case; keywords of five letters or
// more also match as prefixes (travel → travelling).
//
// Off-topic: a document of at least min_words words that contains no
// keyword of any allowed topic. Denied: a denied topic's keywords match
// min_matches distinct times (1 for a topic given with its own keywords).
// This is coarse by design — a model is what understands topics — and
// cheap: one automaton pass per document.
type topicDetector struct {
	allowed, denied []topic
	keywords        []string
	owner           []topicRef
	minWords        int
	minMatches      int
}

type topic struct {
	name     string
	custom   bool
	keywords []string
}

type topicRef struct {
	denied bool
	index  int
}

func newTopicDetector(cfg map[string]any) (*topicDetector, []Issue) {
	d := &topicDetector{minWords: 12, minMatches: 2}
	var issues []Issue
	field := "additional_config.topic_detector"
	parse := func(key string) []topic {
		v, ok := cfg[key]
		if !ok {
			return nil
		}
		list, ok := v.([]any)
		if s, isStrings := v.([]string); isStrings {
			for _, x := range s {
				list = append(list, x)
			}
			ok = true
		}
		if !ok {
			issues = append(issues, Issue{Severity: SeverityError, Field: field + "." + key, Detector: DetectorTopic, Message: "must be a list of topic names or {name, keywords} objects"})
			return nil
		}
		var out []topic
		for i, item := range list {
			t, err := parseTopic(item)
			if err != "" {
				issues = append(issues, Issue{Severity: SeverityError, Field: fmt.Sprintf("%s.%s[%d]", field, key, i), Detector: DetectorTopic, Message: err})
				continue
			}
			out = append(out, t)
		}
		return out
	}
	d.allowed = append(parse("topic"), parse("allowed_topics")...)
	d.denied = append(parse("denied_topics"), parse("blocked_topics")...)
	for key, set := range map[string]*int{"min_words": &d.minWords, "min_matches": &d.minMatches} {
		if v, ok := cfg[key]; ok {
			f, isNum := configNumber(v)
			if !isNum || f < 1 || f > 1e6 {
				issues = append(issues, Issue{Severity: SeverityError, Field: field + "." + key, Detector: DetectorTopic, Message: "must be a positive whole number"})
				continue
			}
			*set = int(f)
		}
	}
	if len(d.allowed) == 0 && len(d.denied) == 0 {
		issues = append(issues, Issue{Severity: SeverityWarning, Field: field, Detector: DetectorTopic, Message: "no topic (allowed) or denied_topics: the local provider has nothing to check and reports topic_detector as not evaluated"})
		return nil, issues
	}
	for i, t := range d.allowed {
		for _, k := range t.keywords {
			d.keywords = append(d.keywords, k)
			d.owner = append(d.owner, topicRef{false, i})
		}
	}
	for i, t := range d.denied {
		for _, k := range t.keywords {
			d.keywords = append(d.keywords, k)
			d.owner = append(d.owner, topicRef{true, i})
		}
	}
	return d, issues
}

func parseTopic(item any) (topic, string) {
	switch v := item.(type) {
	case string:
		name := strings.ToLower(strings.TrimSpace(v))
		if name == "" {
			return topic{}, "empty topic name"
		}
		if kws, ok := topicLexicon(name); ok {
			return topic{name: name, keywords: kws}, ""
		}
		var kws []string
		for _, w := range strings.FieldsFunc(name, func(r rune) bool { return r == ' ' || r == '-' || r == '_' || r == '/' || r == ',' }) {
			if len(w) >= 3 {
				kws = append(kws, w)
			}
		}
		if len(kws) == 0 {
			return topic{}, fmt.Sprintf("topic %q has no word of three letters or more to match; give it keywords", v)
		}
		return topic{name: name, custom: true, keywords: kws}, ""
	case map[string]any:
		name, _ := v["name"].(string)
		kws, ok := configStrings(v["keywords"])
		if !ok || strings.TrimSpace(name) == "" {
			return topic{}, "a topic object needs a name and a keywords list of strings"
		}
		kws = slices.DeleteFunc(slices.Clone(kws), func(k string) bool { return strings.TrimSpace(k) == "" })
		if len(kws) == 0 {
			return topic{}, "a topic object needs at least one keyword"
		}
		return topic{name: strings.TrimSpace(name), custom: true, keywords: kws}, ""
	}
	return topic{}, "must be a topic name or a {name, keywords} object"
}

func (d *topicDetector) name() string { return DetectorTopic }

func (d *topicDetector) anchors() []anchorSpec {
	out := make([]anchorSpec, len(d.keywords))
	for i, k := range d.keywords {
		out[i] = anchorSpec{text: k, id: i}
	}
	return out
}

func (d *topicDetector) scan(doc *scanDoc, emit func(Finding)) {
	type first struct{ part, start, end int }
	allowedHit := false
	deniedHits := make([]map[string]bool, len(d.denied))
	deniedFirst := make([]first, len(d.denied))
	words := 0
	for i, part := range doc.parts {
		s := part.Text
		words += doc.lex(i).words.n
		for _, h := range doc.hits[i] {
			k := d.keywords[h.id]
			if !boundaryBefore(s, h.start) || (len(k) < 5 && !boundaryAfter(s, h.end)) {
				continue
			}
			ref := d.owner[h.id]
			if !ref.denied {
				allowedHit = true
				continue
			}
			if deniedHits[ref.index] == nil {
				deniedHits[ref.index] = map[string]bool{}
				deniedFirst[ref.index] = first{i, h.start, h.end}
			}
			deniedHits[ref.index][strings.ToLower(k)] = true
		}
	}
	for i, t := range d.denied {
		need := d.minMatches
		if t.custom {
			need = 1
		}
		if len(deniedHits[i]) >= need {
			f := deniedFirst[i]
			emit(Finding{Detector: DetectorTopic, Kind: "denied:" + t.name, Part: f.part, Start: f.start, End: f.end, Masked: sample(doc.parts[f.part].Text[f.start:f.end])})
		}
	}
	if len(d.allowed) > 0 && !allowedHit && words >= d.minWords {
		names := make([]string, len(d.allowed))
		for i, t := range d.allowed {
			names[i] = t.name
		}
		emit(Finding{Detector: DetectorTopic, Kind: "off_topic", Part: -1, Start: -1, End: -1, Masked: fmt.Sprintf("%d words, none about %s", words, strings.Join(names, ", "))})
	}
}
