// Package instgen writes the synthetic panel-assignment instances that the
// optimiser's benchmarks solve, as the JSON that `kedaitong match` reads.
// The same seed and sizes always give the same bytes.
package instgen

import (
	"bufio"
	"io"
	"math"
	"math/rand/v2"
	"strconv"
)

// Write writes an instance of nA applications with panel {academician: 1,
// industry: 2, finance: 1}, nE experts (a quarter academicians, half
// industry, a quarter finance) with capacities averaging a little under the
// seats per expert, and cand random candidate experts per application with
// random scores of 6 decimals, multiplied by scale (1 gives scores in
// [0, 1]). Affiliations and parties are drawn from 500 organisations, so a
// few pairs are conflicted.
func Write(w io.Writer, seed uint64, nA, nE, cand int, scale float64) error {
	rng := rand.New(rand.NewPCG(seed, 42))
	bw := bufio.NewWriterSize(w, 1<<16)
	b := make([]byte, 0, 256)
	seatsPerExpert := float64(4*nA) / float64(nE)
	b = append(b, `{"experts":[`...)
	for i := range nE {
		t := "industry"
		switch i % 4 {
		case 0:
			t = "academician"
		case 3:
			t = "finance"
		}
		c := int(seatsPerExpert*0.5) + rng.IntN(int(seatsPerExpert)+1)
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"id":"`...)
		b = appendID(b, 'e', i)
		b = append(b, `","tier":"`...)
		b = append(b, t...)
		b = append(b, `","affiliations":["org:`...)
		b = strconv.AppendInt(b, int64(rng.IntN(500)), 10)
		b = append(b, `"],"capacity":`...)
		b = strconv.AppendInt(b, int64(c), 10)
		b = append(b, '}')
		bw.Write(b)
		b = b[:0]
	}
	b = append(b, `],"applications":[`...)
	// the pairs are drawn with their application: keep them until the
	// applications are written
	pe := make([]int32, 0, nA*cand)
	ps := make([]float64, 0, nA*cand)
	for i := range nA {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"id":"`...)
		b = appendID(b, 'a', i)
		b = append(b, `","field":"semiconductors.ic-design","parties":["org:`...)
		b = strconv.AppendInt(b, int64(rng.IntN(500)), 10)
		b = append(b, `","org:`...)
		b = strconv.AppendInt(b, int64(rng.IntN(500)), 10)
		b = append(b, `"],"panel":{"academician":1,"finance":1,"industry":2}}`...)
		bw.Write(b)
		b = b[:0]
		for _, e := range rng.Perm(nE)[:cand] {
			pe = append(pe, int32(e))
			ps = append(ps, math.Round(rng.Float64()*1e6)/1e6)
		}
	}
	b = append(b, `],"affinity":[`...)
	for j := range pe {
		if j > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"expert":"`...)
		b = appendID(b, 'e', int(pe[j]))
		b = append(b, `","application":"`...)
		b = appendID(b, 'a', j/cand)
		b = append(b, `","score":`...)
		b = strconv.AppendFloat(b, ps[j]*scale, 'g', -1, 64)
		b = append(b, '}')
		if len(b) > 4096 {
			bw.Write(b)
			b = b[:0]
		}
	}
	b = append(b, "]}\n"...)
	bw.Write(b)
	return bw.Flush()
}

// appendID appends an id such as e00042: a letter and at least five digits.
func appendID(b []byte, letter byte, i int) []byte {
	b = append(b, letter)
	s := strconv.Itoa(i)
	for k := len(s); k < 5; k++ {
		b = append(b, '0')
	}
	return append(b, s...)
}
