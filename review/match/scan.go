package match

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"kedaitong"
)

// scanner reads JSON tokens straight from a reader through one buffer: the
// instance is never read whole. Strings without escapes come back as
// slices of the buffer (valid until the next call), numbers as their
// literal bytes; escapes and invalid UTF-8 are decoded by encoding/json so
// that strings mean exactly what they mean there.
type scanner struct {
	r      io.Reader
	buf    []byte
	i, n   int   // unread bytes: buf[i:n]
	off    int64 // input offset of buf[0]
	eof    bool
	err    error // a read error
	keyBuf []byte
}

const scanBuf = 1 << 18

func newScanner(r io.Reader) *scanner {
	return &scanner{r: r, buf: make([]byte, scanBuf)}
}

// errEOF marks a document that ends too early.
var errEOF = errors.New("unexpected end of JSON input")

// more reads more input, keeping buf[i:n] (moved to the front of the
// buffer; offsets relative to i stay valid). It returns false at the end
// of the input or on a read error.
func (s *scanner) more() bool {
	if s.eof || s.err != nil {
		return false
	}
	if s.i > 0 {
		copy(s.buf, s.buf[s.i:s.n])
		s.off += int64(s.i)
		s.n -= s.i
		s.i = 0
	}
	if s.n == len(s.buf) {
		s.buf = append(s.buf, make([]byte, len(s.buf))...)
	}
	for {
		m, err := s.r.Read(s.buf[s.n:])
		s.n += m
		if s.off+int64(s.n) > MaxInputBytes {
			s.err = kedaitong.Invalid("instance", "larger than %d bytes", MaxInputBytes).ZHf("实例超过 %d 字节", MaxInputBytes)
			return false
		}
		if err == io.EOF {
			s.eof = true
			return m > 0
		}
		if err != nil {
			s.err = kedaitong.Wrap(kedaitong.EInvalid, err, "cannot read the instance").ZHf("无法读取实例")
			return false
		}
		if m > 0 {
			return true
		}
	}
}

// syntax is a malformed-JSON error at the current offset.
func (s *scanner) syntax(what string) error {
	if s.err != nil {
		return s.err
	}
	at := s.off + int64(s.i)
	return kedaitong.Errorf(kedaitong.EInvalid, "malformed JSON instance: %s (at byte %d)", what, at).ZHf("JSON 实例格式有误：%s（第 %d 字节）", what, at)
}

// peek skips white space and returns the next byte without consuming it.
func (s *scanner) peek() (byte, error) {
	for {
		for s.i < s.n {
			switch c := s.buf[s.i]; c {
			case ' ', '\t', '\n', '\r':
				s.i++
			default:
				return c, nil
			}
		}
		if !s.more() {
			return 0, s.syntax(errEOF.Error())
		}
	}
}

// expect consumes c after white space.
func (s *scanner) expect(c byte) error {
	got, err := s.peek()
	if err != nil {
		return err
	}
	if got != c {
		return s.syntax(fmt.Sprintf("invalid character %s, want %q", quoteChar(got), c))
	}
	s.i++
	return nil
}

func quoteChar(c byte) string {
	if c == '\'' {
		return `'\''`
	}
	if c == '"' {
		return `'"'`
	}
	if c < 0x20 || c >= 0x7f {
		return fmt.Sprintf("%q", rune(c))
	}
	return "'" + string(c) + "'"
}

// JSON value kinds, as peek sees them.
const (
	kString = iota
	kNumber
	kObject
	kArray
	kBool
	kNull
)

var kindNames = [...]string{"a string", "a number", "an object", "a list", "true or false", "null"}
var kindNamesZH = [...]string{"字符串", "数值", "对象", "列表", "布尔值", "null"}

// kind returns the kind of the next value.
func (s *scanner) kind() (int, error) {
	c, err := s.peek()
	if err != nil {
		return 0, err
	}
	switch {
	case c == '"':
		return kString, nil
	case c == '-' || c >= '0' && c <= '9':
		return kNumber, nil
	case c == '{':
		return kObject, nil
	case c == '[':
		return kArray, nil
	case c == 't' || c == 'f':
		return kBool, nil
	case c == 'n':
		return kNull, nil
	}
	return 0, s.syntax(fmt.Sprintf("invalid character %s looking for beginning of value", quoteChar(c)))
}

// literal consumes true, false or null.
func (s *scanner) literal() error {
	c, err := s.peek()
	if err != nil {
		return err
	}
	word := "null"
	switch c {
	case 't':
		word = "true"
	case 'f':
		word = "false"
	}
	for s.n-s.i < len(word) {
		if !s.more() {
			return s.syntax(errEOF.Error())
		}
	}
	if string(s.buf[s.i:s.i+len(word)]) != word {
		return s.syntax(fmt.Sprintf("invalid literal, want %s", word))
	}
	s.i += len(word)
	return nil
}

// str consumes a string and returns its value. The slice is valid until
// the next call.
func (s *scanner) str() ([]byte, error) {
	c, err := s.peek()
	if err != nil {
		return nil, err
	}
	if c != '"' {
		return nil, s.syntax(fmt.Sprintf("invalid character %s, want a string", quoteChar(c)))
	}
	// s.i stays on the opening quote until the string is complete, so that
	// more keeps all of it
	k := s.i + 1
	plain := true
	for {
		for ; k < s.n; k++ {
			c := s.buf[k]
			if c == '"' {
				if !plain {
					return s.slowString(k)
				}
				v := s.buf[s.i+1 : k]
				s.i = k + 1
				return v, nil
			}
			if c < 0x20 {
				s.i = k
				return nil, s.syntax(fmt.Sprintf("invalid character %s in string literal", quoteChar(c)))
			}
			if c == '\\' {
				plain = false
				if k+1 == s.n {
					break // the escaped byte is not read yet
				}
				k++ // an escaped quote does not end the string
			} else if c >= utf8.RuneSelf {
				plain = false
			}
		}
		rel := k - s.i
		if !s.more() {
			return nil, s.syntax(errEOF.Error())
		}
		k = s.i + rel
	}
}

// slowString decodes the string from the quote at buf[i] to the one at
// buf[end] (escapes or non-ASCII bytes) with encoding/json.
func (s *scanner) slowString(end int) ([]byte, error) {
	raw := s.buf[s.i : end+1]
	if utf8.Valid(raw) && !containsBackslash(raw) {
		s.i = end + 1
		return raw[1 : len(raw)-1], nil
	}
	var v string
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, s.syntax(fmt.Sprintf("bad string literal: %v", err))
	}
	s.i = end + 1
	return []byte(v), nil
}

func containsBackslash(b []byte) bool {
	for _, c := range b {
		if c == '\\' {
			return true
		}
	}
	return false
}

// number consumes a number and returns its literal, checked against the
// JSON grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (s *scanner) number() ([]byte, error) {
	if _, err := s.peek(); err != nil {
		return nil, err
	}
	k := s.i
	for {
		for k < s.n && isNumberByte(s.buf[k]) {
			k++
		}
		if k < s.n || s.eof || s.err != nil {
			break
		}
		rel := k - s.i
		if !s.more() {
			k = s.i + rel
			break
		}
		k = s.i + rel
	}
	lit := s.buf[s.i:k]
	if !validNumber(lit) {
		return nil, s.syntax(fmt.Sprintf("invalid number %q", lit))
	}
	s.i = k
	return lit, nil
}

func isNumberByte(c byte) bool {
	return c >= '0' && c <= '9' || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E'
}

func validNumber(b []byte) bool {
	i := 0
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	default:
		return false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if i == len(b) || b[i] < '0' || b[i] > '9' {
			return false
		}
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i == len(b) || b[i] < '0' || b[i] > '9' {
			return false
		}
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	}
	return i == len(b)
}

// next consumes the ',' between members or elements, or the closing
// bracket, and reports whether another member follows.
func (s *scanner) next(closing byte) (bool, error) {
	c, err := s.peek()
	if err != nil {
		return false, err
	}
	switch c {
	case ',':
		s.i++
		return true, nil
	case closing:
		s.i++
		return false, nil
	}
	return false, s.syntax(fmt.Sprintf("invalid character %s after a value, want ',' or %q", quoteChar(c), closing))
}

// open consumes an opening bracket and reports whether the object or list
// has members (false when it closes at once).
func (s *scanner) open(opening, closing byte) (bool, error) {
	if err := s.expect(opening); err != nil {
		return false, err
	}
	c, err := s.peek()
	if err != nil {
		return false, err
	}
	if c == closing {
		s.i++
		return false, nil
	}
	return true, nil
}

// key consumes a member's key and the colon after it.
func (s *scanner) key() ([]byte, error) {
	c, err := s.peek()
	if err != nil {
		return nil, err
	}
	if c != '"' {
		return nil, s.syntax(fmt.Sprintf("invalid character %s looking for the beginning of a key", quoteChar(c)))
	}
	k, err := s.str()
	if err != nil {
		return nil, err
	}
	if s.i < s.n && s.buf[s.i] == ':' {
		s.i++
		return k, nil
	}
	// reading on may move the buffer under k
	s.keyBuf = append(s.keyBuf[:0], k...)
	if err := s.expect(':'); err != nil {
		return nil, err
	}
	return s.keyBuf, nil
}

// end checks that only white space follows the document.
func (s *scanner) end() error {
	if _, err := s.peek(); err == nil {
		return kedaitong.Invalid("instance", "trailing data after the JSON object").ZHf("JSON 对象之后还有多余的数据")
	} else if s.err != nil {
		return s.err
	}
	return nil
}
