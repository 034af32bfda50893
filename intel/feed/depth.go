package feed

import (
	"bytes"
	"fmt"
)

// DefaultMaxDepth is the deepest element or value nesting Parse accepts.
const DefaultMaxDepth = 64

// voidElements are HTML elements often left unclosed inside ill-formed feeds;
// they do not count towards the depth.
var voidElements = map[string]bool{
	"br": true, "hr": true, "img": true, "input": true, "meta": true, "wbr": true,
	"col": true, "area": true, "base": true, "param": true, "source": true, "track": true, "embed": true,
}

// checkXMLDepth is a cheap scan that refuses XML nested deeper than max. It
// follows the tolerant decoder gofeed uses: an end tag closes every element
// opened since the matching start tag, and an end tag with no match is
// ignored. Comments, CDATA, processing instructions and DOCTYPE are skipped.
//
// It also returns what would close a truncated document: the text that ends
// an unfinished comment, CDATA section or tag, then the end tags of the
// elements still open.
func checkXMLDepth(b []byte, max int) (string, error) {
	stack := make([]string, 0, 16)
	tail := ""
	for i := 0; i < len(b); {
		j := bytes.IndexByte(b[i:], '<')
		if j < 0 {
			break
		}
		i += j + 1
		if i >= len(b) {
			break
		}
		switch {
		case bytes.HasPrefix(b[i:], []byte("!--")):
			k := bytes.Index(b[i+3:], []byte("-->"))
			if k < 0 {
				tail = "-->"
				i = len(b)
				continue
			}
			i += 3 + k + 3
			continue
		case bytes.HasPrefix(b[i:], []byte("![CDATA[")):
			k := bytes.Index(b[i:], []byte("]]>"))
			if k < 0 {
				tail = "]]>"
				i = len(b)
				continue
			}
			i += k + 3
			continue
		case b[i] == '?' || b[i] == '!':
			k := skipDecl(b[i:])
			i += k
			continue
		case b[i] == '/':
			name, n := tagName(b[i+1:])
			i += 1 + n
			if bytes.IndexByte(b[i:], '>') < 0 {
				tail = ">" // the document stops inside its last end tag
				i = len(b)
			}
			for k := len(stack) - 1; k >= 0; k-- {
				if stack[k] == name {
					stack = stack[:k]
					break
				}
			}
			continue
		}
		name, n := tagName(b[i:])
		if name == "" {
			continue // a stray '<' in text
		}
		i += n
		end, selfClosing := tagEnd(b[i:])
		i += end
		if i >= len(b) && (end == 0 || b[len(b)-1] != '>') {
			break // an unfinished start tag: left for the parser to report
		}
		if selfClosing || voidElements[string(bytes.ToLower([]byte(name)))] {
			continue
		}
		stack = append(stack, name)
		if len(stack) > max {
			return "", fmt.Errorf("the document is nested more than %d levels deep", max)
		}
	}
	for k := len(stack) - 1; k >= 0; k-- {
		tail += "</" + stack[k] + ">"
	}
	return tail, nil
}

// tagName reads an element name and returns it with the bytes consumed.
func tagName(b []byte) (string, int) {
	n := 0
	for n < len(b) {
		c := b[n]
		if c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '>' || c == '/' {
			break
		}
		if n == 0 && !(c == '_' || c == ':' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= 0x80) {
			return "", 0
		}
		n++
	}
	return string(b[:n]), n
}

// tagEnd finds the '>' closing a start tag, skipping quoted attribute
// values, and reports whether the tag is self-closing.
func tagEnd(b []byte) (int, bool) {
	var quote byte
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '>':
			return i + 1, i > 0 && b[i-1] == '/'
		}
	}
	return len(b), false
}

// skipDecl skips a declaration or processing instruction, including a
// DOCTYPE's internal subset in brackets.
func skipDecl(b []byte) int {
	depth := 0
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case '[':
			depth++
		case ']':
			if depth > 0 {
				depth--
			}
		case '>':
			if depth == 0 {
				return i + 1
			}
		}
	}
	return len(b)
}

// checkJSONDepth refuses JSON nested deeper than max.
func checkJSONDepth(b []byte, max int) error {
	depth := 0
	inString := false
	for i := 0; i < len(b); i++ {
		c := b[i]
		if inString {
			switch c {
			case '\\':
				i++
			case '"':
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
		case '{', '[':
			depth++
			if depth > max {
				return fmt.Errorf("the document is nested more than %d levels deep", max)
			}
		case '}', ']':
			depth--
		}
	}
	return nil
}
