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
	// Filled by finish: the automaton renumbered breadth-first, so that the
	// shallow states where a scan spends its time share cache lines, with
	// 16-bit transitions whose high bit says the target has outputs; and
	// the bytes that keep the root in the root (skipped without a lookup).
	trans    []uint16
	outs     [][]int32 // by new state number
	rootStay [256]bool
	wide     bool // too many states for 16 bits: scan the construction tables
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
	order := []int32{0}
	nc := int32(m.nclass)
	for c := int32(0); c < nc; c++ {
		if t := m.next[c]; t < 0 {
			m.next[c] = 0
		} else {
			fail[t] = 0
			queue = append(queue, t)
			order = append(order, t)
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
			order = append(order, t)
		}
	}
	m.finish(order)
	return m
}

// finish builds the scan tables from the breadth-first order of states.
func (m *matcher) finish(order []int32) {
	if len(order) >= 1<<15 {
		// Too many states for 16-bit transitions: patterns of some 30,000
		// bytes. Policies hold a few hundred.
		m.wide = true
		return
	}
	nc := m.nclass
	renum := make([]uint16, len(m.out))
	for i, old := range order {
		renum[old] = uint16(i)
	}
	m.trans = make([]uint16, len(order)*nc)
	m.outs = make([][]int32, len(order))
	for i, old := range order {
		m.outs[i] = m.out[old]
		for c := 0; c < nc; c++ {
			t := m.next[int(old)*nc+c]
			v := renum[t]
			if len(m.out[t]) > 0 {
				v |= 1 << 15
			}
			m.trans[i*nc+c] = v
		}
	}
	for c := range m.rootStay {
		m.rootStay[c] = m.next[m.classes[c]] == 0
	}
}

// scan calls fn for every occurrence of every pattern in s, by end offset;
// fn returns false to stop.
func (m *matcher) scan(s string, fn func(pattern, start, end int) bool) {
	switch {
	case m == nil || len(m.out) <= 1:
		return
	case m.wide:
		m.scanWide(s, fn)
		return
	}
	trans, classes, nc := m.trans, &m.classes, uint32(m.nclass)
	state := uint32(0)
	for i := 0; i < len(s); i++ {
		if state == 0 {
			for i < len(s) && m.rootStay[s[i]] {
				i++
			}
			if i == len(s) {
				return
			}
		}
		t := trans[state*nc+uint32(classes[s[i]])]
		state = uint32(t &^ (1 << 15))
		if t&(1<<15) != 0 {
			for _, id := range m.outs[state] {
				if !fn(int(id), i+1-m.lens[id], i+1) {
					return
				}
			}
		}
	}
}

// scanWide is scan over the construction tables, for automata too large
// for 16-bit transitions.
func (m *matcher) scanWide(s string, fn func(pattern, start, end int) bool) {
	nc := int32(m.nclass)
	state := int32(0)
	for i := 0; i < len(s); i++ {
		state = m.next[state*nc+int32(m.classes[s[i]])]
		for _, id := range m.out[state] {
			if !fn(int(id), i+1-m.lens[id], i+1) {
				return
			}
		}
	}
}
