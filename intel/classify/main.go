package classify

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"

	"kedaitong/taxonomy"
)

// MaxLine is the longest input line Main accepts, in bytes.
const MaxLine = 1 << 20

// item is one input line of Main.
type item struct {
	ID      json.RawMessage `json:"id"`
	Title   *string         `json:"title"`
	Summary *string         `json:"summary"`
}

// output is one output line of Main: the label, with the id echoed as given.
type output struct {
	ID json.RawMessage `json:"id"`
	Label
}

// Main runs `kedaitong classify`: it reads JSON lines {"id","title","summary"}
// from stdin and writes one label line {"id","industries","dimensions",
// "polarity", ...} per item to stdout, in input order. The id is echoed as
// given (a string or a number). Empty lines are skipped. A malformed line
// (bad JSON, not an object, no id, title and summary both missing or not
// strings, longer than MaxLine) is reported on stderr with its line number
// and skipped; the good lines are still labelled, and Main returns 2 at the
// end. It returns 1 when reading or writing fails, 0 otherwise.
func Main(stdin io.Reader, stdout, stderr io.Writer) int {
	c, err := New(taxonomy.Default())
	if err != nil {
		fmt.Fprintf(stderr, "classify: %v\n", err)
		return 1
	}
	return c.run(stdin, stdout, stderr)
}

// batchLines is how many lines a worker labels at a time.
const batchLines = 256

// batch is a run of input lines and, once labelled, their output.
type batch struct {
	first int // line number of lines[0]
	lines [][]byte
	long  []bool   // lines longer than MaxLine (their text dropped)
	out   []byte   // the label lines, in order
	msgs  []string // messages about malformed lines, in order
	bad   int
	err   error // a write error while encoding
	done  chan struct{}
}

// run labels stdin's lines on every core: one reader cuts batches, workers
// label them, and the output is written in input order.
func (c *Classifier) run(stdin io.Reader, stdout, stderr io.Writer) int {
	in := bufio.NewReaderSize(stdin, 64<<10)
	out := bufio.NewWriterSize(stdout, 64<<10)
	work := make(chan *batch, 2*runtime.GOMAXPROCS(0))
	order := make(chan *batch, 4*runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range work {
				c.label1(b)
				close(b.done)
			}
		}()
	}
	readErr := make(chan error, 1)
	go func() {
		defer close(order)
		defer close(work)
		b := &batch{first: 1, done: make(chan struct{})}
		var line []byte
		for n := 1; ; n++ {
			var tooLong bool
			var err error
			line, tooLong, err = readLine(in, line[:0])
			if err != nil && !errors.Is(err, io.EOF) {
				readErr <- fmt.Errorf("reading line %d: %w", n, err)
				break
			}
			eof := errors.Is(err, io.EOF)
			if eof && len(line) == 0 && !tooLong {
				break
			}
			b.lines = append(b.lines, bytes.Clone(line))
			b.long = append(b.long, tooLong)
			if len(b.lines) == batchLines {
				work <- b
				order <- b
				b = &batch{first: n + 1, done: make(chan struct{})}
			}
			if eof {
				break
			}
		}
		if len(b.lines) > 0 {
			work <- b
			order <- b
		}
		readErr <- nil
	}()
	bad, code := 0, 0
	for b := range order {
		<-b.done
		if code != 0 {
			continue // drain
		}
		for _, m := range b.msgs {
			fmt.Fprintf(stderr, "classify: %s\n", m)
		}
		bad += b.bad
		if b.err != nil {
			fmt.Fprintf(stderr, "classify: writing: %v\n", b.err)
			code = 1
			continue
		}
		if _, err := out.Write(b.out); err != nil {
			fmt.Fprintf(stderr, "classify: writing: %v\n", err)
			code = 1
		}
	}
	wg.Wait()
	if err := <-readErr; err != nil {
		fmt.Fprintf(stderr, "classify: %v\n", err)
		out.Flush()
		return 1
	}
	if code != 0 {
		return code
	}
	if err := out.Flush(); err != nil {
		fmt.Fprintf(stderr, "classify: writing: %v\n", err)
		return 1
	}
	if bad > 0 {
		fmt.Fprintf(stderr, "classify: %d malformed line(s) skipped\n", bad)
		return 2
	}
	return 0
}

// label1 labels one batch into its output.
func (c *Classifier) label1(b *batch) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	for i, line := range b.lines {
		it, msg := parseItem(line, b.long[i])
		switch {
		case msg == "empty":
		case msg != "":
			b.msgs = append(b.msgs, fmt.Sprintf("line %d: %s", b.first+i, msg))
			b.bad++
		default:
			l := c.Classify(deref(it.Title), deref(it.Summary))
			if err := enc.Encode(output{ID: it.ID, Label: l}); err != nil {
				b.err = err
				return
			}
		}
	}
	b.out = buf.Bytes()
}

// readLine reads one line without its line ending into buf. When the line
// exceeds MaxLine, the rest is discarded and tooLong is set.
func readLine(r *bufio.Reader, buf []byte) (line []byte, tooLong bool, err error) {
	for {
		chunk, err := r.ReadSlice('\n')
		if !tooLong {
			if len(buf)+len(chunk) > MaxLine+2 {
				tooLong, buf = true, buf[:0]
			} else {
				buf = append(buf, chunk...)
			}
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		buf = bytes.TrimRight(buf, "\r\n")
		if tooLong || len(buf) > MaxLine {
			return buf[:0], true, err
		}
		return buf, false, err
	}
}

// parseItem decodes a line; msg is "" for a good item, "empty" for a blank
// line, or the reason the line is malformed.
func parseItem(line []byte, tooLong bool) (item, string) {
	var it item
	if tooLong {
		return it, fmt.Sprintf("line longer than %d bytes", MaxLine)
	}
	if len(bytes.TrimSpace(line)) == 0 {
		return it, "empty"
	}
	if err := json.Unmarshal(line, &it); err != nil {
		return it, "invalid JSON: " + err.Error()
	}
	id := bytes.TrimSpace(it.ID)
	switch {
	case len(id) == 0 || string(id) == "null":
		return it, `missing "id"`
	case id[0] != '"' && id[0] != '-' && (id[0] < '0' || id[0] > '9'):
		return it, `"id" must be a string or a number`
	case it.Title == nil && it.Summary == nil:
		return it, `neither "title" nor "summary" given`
	}
	return it, ""
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
