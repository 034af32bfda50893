package intel

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"hash/fnv"
	"strings"
	"unicode"

	"golang.org/x/text/width"
)

// Near-duplicate detection: MinHash over character shingles of the
// normalised title and summary, with LSH banding. bands × rows hashes; two
// texts share a band with probability about 1-(1-J^rows)^bands, which is
// one half near J = 0.7; a shared band is confirmed by the Jaccard
// similarity estimated from the whole signature of 64 hashes.
const (
	lshBands     = 4
	lshRows      = 4
	sigLen       = 64  // the first lshBands × lshRows hashes form the bands; all of them confirm
	dupThreshold = 0.7 // estimated Jaccard at or above which two items are one story
	maxDupText   = 800 // runes of normalised text shingled
)

var sigSeeds = func() [sigLen][2]uint64 {
	var s [sigLen][2]uint64
	x := uint64(0x9e3779b97f4a7c15)
	for i := range s {
		for j := range 2 {
			x ^= x << 13
			x ^= x >> 7
			x ^= x << 17
			s[i][j] = x | 1
		}
	}
	return s
}()

// normaliseForDup folds width and case and keeps only letters and digits,
// so re-posts that differ in punctuation, spacing or full-width forms match.
func normaliseForDup(title, summary string) []rune {
	var out []rune
	add := func(s string) {
		s = width.Fold.String(s)
		for _, r := range s {
			if len(out) >= maxDupText {
				return
			}
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				out = append(out, unicode.ToLower(r))
			}
		}
	}
	add(title)
	add(summary)
	return out
}

// signature is the MinHash signature of a text's shingles: 3-rune shingles
// for mostly-Chinese text, 5-rune ones for Latin text (whose letters repeat
// more). It returns false when the text is too short to judge.
func signature(title, summary string) ([sigLen]uint32, bool) {
	var sig [sigLen]uint32
	rs := normaliseForDup(title, summary)
	han := 0
	for _, r := range rs {
		if unicode.Is(unicode.Han, r) {
			han++
		}
	}
	k := 5
	if han*2 >= len(rs) {
		k = 3
	}
	if len(rs) < k+4 {
		return sig, false
	}
	for i := range sig {
		sig[i] = ^uint32(0)
	}
	for i := 0; i+k <= len(rs); i++ {
		// FNV-1a of the shingle's runes as little-endian uint32s (as
		// hash/fnv over those bytes; inline, without an allocation each).
		x := uint64(fnvOffset64)
		for _, r := range rs[i : i+k] {
			for sh := 0; sh < 32; sh += 8 {
				x ^= uint64(byte(uint32(r) >> sh))
				x *= fnvPrime64
			}
		}
		for j := range sig {
			v := uint32((x*sigSeeds[j][0] + sigSeeds[j][1]) >> 32)
			if v < sig[j] {
				sig[j] = v
			}
		}
	}
	return sig, true
}

// FNV-1a, 64 bits (hash/fnv's constants).
const (
	fnvOffset64 = 14695981039346656037
	fnvPrime64  = 1099511628211
)

// bandKeys are the bucket ids of a signature, one per band.
func bandKeys(sig [sigLen]uint32) []string {
	out := make([]string, lshBands)
	for b := range lshBands {
		h := fnv.New64a()
		var tmp [4]byte
		for _, v := range sig[b*lshRows : (b+1)*lshRows] {
			binary.LittleEndian.PutUint32(tmp[:], v)
			h.Write(tmp[:])
		}
		out[b] = "b" + string(rune('0'+b)) + "_" + hex.EncodeToString(h.Sum(nil))
	}
	return out
}

// similarity estimates the Jaccard similarity of two signatures.
func similarity(a, b [sigLen]uint32) float64 {
	return similarityBits(a, b, 32)
}

// similarityBits is similarity on the low bits of each hash: two
// signatures agree at a position when those bits agree. (The minima
// themselves are small numbers, so their high bits often agree by chance;
// the low bits are uniform.) On 16 bits two different minima agree by
// chance once in 65,536 positions, which moves an estimate by less than a
// hundredth of a percent.
func similarityBits(a, b [sigLen]uint32, bits uint) float64 {
	mask := ^uint32(0) >> (32 - bits)
	n := 0
	for i := range a {
		if a[i]&mask == b[i]&mask {
			n++
		}
	}
	return float64(n) / sigLen
}

// storedSig is how a signature is kept in a dedupe bucket: "h" and the
// low 16 bits of each hash, base64 (172 bytes). Buckets are written at
// random places (their ids are hashes), four per item, so their size is
// the pages a crawl dirties: the full hashes in hex (512 bytes) made a
// bucket 584 bytes, this one about 250 (issue 19). Buckets stored before
// keep the hex form; parseSig reads both.
const storedSigBits = 16

func sigString(sig [sigLen]uint32) string {
	b := make([]byte, 0, 2*sigLen)
	for _, v := range sig {
		b = binary.BigEndian.AppendUint16(b, uint16(v))
	}
	return "h" + base64.RawURLEncoding.EncodeToString(b)
}

// parseSig reads a stored signature and the bits of each hash it kept
// (16, or 32 for the hex form of buckets stored before); the hashes are
// in the low bits, as similarityBits compares them.
func parseSig(s string) ([sigLen]uint32, uint, bool) {
	var sig [sigLen]uint32
	s = strings.TrimSpace(s)
	if rest, ok := strings.CutPrefix(s, "h"); ok {
		b, err := base64.RawURLEncoding.DecodeString(rest)
		if err != nil || len(b) != 2*sigLen {
			return sig, 0, false
		}
		for i := range sig {
			sig[i] = uint32(binary.BigEndian.Uint16(b[2*i:]))
		}
		return sig, storedSigBits, true
	}
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != 4*sigLen {
		return sig, 0, false
	}
	for i := range sig {
		sig[i] = binary.LittleEndian.Uint32(b[4*i:])
	}
	return sig, 32, true
}
