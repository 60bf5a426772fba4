package guardrails

import (
	"fmt"
	"hash/maphash"
	"math"
	"math/bits"
)

// spongeDetector flags payloads built to waste a model's compute: oversized
// ones, ones mostly made of repeated content, and ones with very few
// distinct words. Settings (defaults in brackets):
//
//	"sponge_attack": {
//	    "max_length": 262144,         // bytes per payload
//	    "max_repeated_fraction": 0.5, // share of 64-byte blocks seen before
//	    "min_unique_ratio": 0.05,     // distinct words / words …
//	    "min_words": 500              // … judged from this many words on
//	}
//
// Repetition is measured on 64-byte blocks: a text of any period up to 64
// (a character run, "ha ha ha", a paragraph pasted 100 times) is mostly
// blocks already seen. Distinct words are estimated by linear counting over
// a 4096-bit map, in one pass and without a map of strings. Tool results may
// legitimately be large or repetitive (logs): set max_length for output
// policies, or leave sponge_attack to input policies.
type spongeDetector struct {
	maxLength        int
	maxRepeated      float64
	minUniqueRatio   float64
	minWords         int
	minRepeatedBytes int
	seed             maphash.Seed
}

const spongeBlock = 64

func newSpongeDetector(cfg map[string]any) (*spongeDetector, []Issue) {
	d := &spongeDetector{maxLength: 256 << 10, maxRepeated: 0.5, minUniqueRatio: 0.05, minWords: 500, minRepeatedBytes: 1024, seed: maphash.MakeSeed()}
	var issues []Issue
	num := func(key string, min, max float64, set func(float64)) {
		v, ok := cfg[key]
		if !ok {
			return
		}
		f, isNum := configNumber(v)
		if !isNum || f < min || f > max || math.IsNaN(f) {
			issues = append(issues, Issue{Severity: SeverityError, Field: "additional_config.sponge_attack." + key, Detector: DetectorSponge, Message: fmt.Sprintf("must be a number from %g to %g", min, max)})
			return
		}
		set(f)
	}
	num("max_length", 1, math.MaxInt32, func(f float64) { d.maxLength = int(f) })
	num("max_repeated_fraction", 0, 1, func(f float64) { d.maxRepeated = f })
	num("min_unique_ratio", 0, 1, func(f float64) { d.minUniqueRatio = f })
	num("min_words", 1, math.MaxInt32, func(f float64) { d.minWords = int(f) })
	return d, issues
}

func (d *spongeDetector) anchors() []anchorSpec { return nil }

func (d *spongeDetector) name() string { return DetectorSponge }

func (d *spongeDetector) scan(doc *scanDoc, emit func(Finding)) {
	total := 0
	for _, p := range doc.parts {
		total += len(p.Text)
	}
	if total > d.maxLength {
		emit(Finding{Detector: DetectorSponge, Kind: "oversize", Part: -1, Start: -1, End: -1, Masked: fmt.Sprintf("%d bytes > %d", total, d.maxLength)})
	}
	var words wordCounter
	seen := newBlockSet(total / spongeBlock)
	for i, p := range doc.parts {
		words.merge(&doc.lex(i).words)
		s := p.Text
		blocks, repeated := 0, 0
		for off := 0; off+spongeBlock <= len(s); off += spongeBlock {
			if !seen.add(maphash.String(d.seed, s[off:off+spongeBlock])) {
				repeated++
			}
			blocks++
		}
		if repeated*spongeBlock >= d.minRepeatedBytes && float64(repeated) > d.maxRepeated*float64(blocks) {
			emit(Finding{Detector: DetectorSponge, Kind: "repetition", Part: i, Start: 0, End: len(s), Masked: fmt.Sprintf("%d of %d blocks repeated", repeated, blocks)})
		}
	}
	if words.n >= d.minWords {
		if ratio := words.distinct() / float64(words.n); ratio < d.minUniqueRatio {
			emit(Finding{Detector: DetectorSponge, Kind: "low_diversity", Part: -1, Start: -1, End: -1, Masked: fmt.Sprintf("%.3f distinct words per word over %d words", ratio, words.n)})
		}
	}
}

// blockSet is a set of block hashes: one allocation, open addressing.
type blockSet struct {
	slots []uint64
	mask  uint64
}

func newBlockSet(n int) *blockSet {
	size := 16
	for size < 2*n {
		size *= 2
	}
	return &blockSet{slots: make([]uint64, size), mask: uint64(size - 1)}
}

// add inserts h and reports whether it was new. Zero marks an empty slot,
// so a zero hash is stored as one (a collision costs at most a miscount).
func (b *blockSet) add(h uint64) bool {
	if h == 0 {
		h = 1
	}
	for i := h & b.mask; ; i = (i + 1) & b.mask {
		switch b.slots[i] {
		case 0:
			b.slots[i] = h
			return true
		case h:
			return false
		}
	}
}

// wordCounter counts words and estimates how many are distinct (linear
// counting: m·ln(m/empty) over an m-bit map).
type wordCounter struct {
	n    int
	bits [4096 / 64]uint64
}

func (w *wordCounter) addHash(h uint64) {
	w.n++
	h ^= h >> 29
	w.bits[(h>>6)&63] |= 1 << (h & 63)
}

func (w *wordCounter) merge(o *wordCounter) {
	w.n += o.n
	for i := range w.bits {
		w.bits[i] |= o.bits[i]
	}
}

func (w *wordCounter) distinct() float64 {
	set := 0
	for _, b := range w.bits {
		set += bits.OnesCount64(b)
	}
	m := float64(len(w.bits) * 64)
	empty := m - float64(set)
	if empty == 0 {
		return float64(w.n) // saturated: many distinct words
	}
	return m * math.Log(m/empty)
}
