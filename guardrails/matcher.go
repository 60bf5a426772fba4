package guardrails

// matcher finds many literal patterns in one pass over a text
// (Aho–Corasick, compiled to a dense automaton over byte classes). The
// detectors anchor their rules on literal words ("ignore", "AKIA",
// "-----BEGIN", banned keywords); searching each with strings.Index would
// cost one pass per word, tens of passes over a 1 MB result. A
// case-insensitive matcher folds ASCII letters as it reads, so no lowered
// copy of the text is needed.
type matcher struct {
	classes [256]uint8
	nclass  int
	next    []int32   // state*nclass + class → state
	out     [][]int32 // state → patterns ending here, suffixes included
	lens    []int
	// Filled by finish: the same automaton with states premultiplied by
	// nclass, whether each transition reaches an output, and the bytes
	// that keep the root in the root (skipped without a table walk).
	trans    []int32
	accept   []bool
	rootStay [256]bool
}

// newMatcher compiles patterns; empty patterns never match. With fold, ASCII
// letters match either case (patterns are folded too).
func newMatcher(patterns []string, fold bool) *matcher {
	m := &matcher{lens: make([]int, len(patterns))}
	norm := func(c byte) byte {
		if fold && c >= 'A' && c <= 'Z' {
			return c + 'a' - 'A'
		}
		return c
	}
	// Byte classes: 0 for bytes no pattern uses, one class per byte used.
	m.nclass = 1
	for _, p := range patterns {
		for i := 0; i < len(p); i++ {
			c := norm(p[i])
			if m.classes[c] == 0 {
				m.classes[c] = uint8(m.nclass)
				m.nclass++
			}
		}
	}
	if fold {
		for c := 'A'; c <= 'Z'; c++ {
			m.classes[c] = m.classes[c+'a'-'A']
		}
	}
	if m.nclass > 255 {
		// More than 254 distinct bytes cannot be classed in a uint8; give
		// every byte its own class instead.
		for c := range m.classes {
			m.classes[c] = uint8(norm(byte(c)))
		}
		m.nclass = 256
	}
	newState := func() int32 {
		for range m.nclass {
			m.next = append(m.next, -1)
		}
		m.out = append(m.out, nil)
		return int32(len(m.out) - 1)
	}
	newState() // root
	for id, p := range patterns {
		m.lens[id] = len(p)
		if p == "" {
			continue
		}
		s := int32(0)
		for i := 0; i < len(p); i++ {
			c := int32(m.classes[norm(p[i])])
			if m.next[s*int32(m.nclass)+c] < 0 {
				t := newState()
				m.next[s*int32(m.nclass)+c] = t
			}
			s = m.next[s*int32(m.nclass)+c]
		}
		m.out[s] = append(m.out[s], int32(id))
	}
	// Breadth-first: failure links, completed transitions, merged outputs.
	fail := make([]int32, len(m.out))
	queue := make([]int32, 0, len(m.out))
	nc := int32(m.nclass)
	for c := int32(0); c < nc; c++ {
		if t := m.next[c]; t < 0 {
			m.next[c] = 0
		} else {
			fail[t] = 0
			queue = append(queue, t)
		}
	}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		m.out[s] = append(m.out[s], m.out[fail[s]]...)
		for c := int32(0); c < nc; c++ {
			t := m.next[s*nc+c]
			if t < 0 {
				m.next[s*nc+c] = m.next[fail[s]*nc+c]
				continue
			}
			fail[t] = m.next[fail[s]*nc+c]
			queue = append(queue, t)
		}
	}
	m.finish()
	return m
}

// finish builds the scan tables.
func (m *matcher) finish() {
	nc := int32(m.nclass)
	m.trans = make([]int32, len(m.next))
	m.accept = make([]bool, len(m.next))
	for i, t := range m.next {
		m.trans[i] = t * nc
		m.accept[i] = len(m.out[t]) > 0
	}
	for c := range m.rootStay {
		m.rootStay[c] = m.next[m.classes[c]] == 0
	}
}

// scan calls fn for every occurrence of every pattern in s, by end offset;
// fn returns false to stop.
func (m *matcher) scan(s string, fn func(pattern, start, end int) bool) {
	if m == nil || len(m.out) <= 1 {
		return
	}
	trans, accept, classes, nc := m.trans, m.accept, &m.classes, int32(m.nclass)
	state := int32(0)
	for i := 0; i < len(s); i++ {
		if state == 0 {
			for i < len(s) && m.rootStay[s[i]] {
				i++
			}
			if i == len(s) {
				return
			}
		}
		idx := state + int32(classes[s[i]])
		state = trans[idx]
		if accept[idx] {
			for _, id := range m.out[state/nc] {
				if !fn(int(id), i+1-m.lens[id], i+1) {
					return
				}
			}
		}
	}
}
