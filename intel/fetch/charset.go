package fetch

import (
	"bytes"
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/ianaindex"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/encoding/unicode/utf32"
)

// Decoded is a body transcoded to UTF-8 and the charset it was read as.
type Decoded struct {
	Body    []byte
	Charset string // canonical lower-case name, e.g. "utf-8", "gb18030", "big5"
	Source  string // where the charset came from: "bom", "header", "declaration", "meta", "sniff" or "default"
}

// Decode transcodes body to UTF-8. The charset is taken from, in order: a
// byte-order mark; the charset parameter of contentType; the XML
// declaration's encoding (or, for HTML, a <meta> charset); the byte pattern of
// an unmarked UTF-16/32 document; else UTF-8. GBK and GB2312 labels are read
// as GB18030, their superset. Unknown labels are skipped, invalid bytes become
// U+FFFD, and the BOM is dropped. An XML declaration's encoding is rewritten
// to utf-8 so that an XML parser does not decode the result a second time.
func Decode(body []byte, contentType string) Decoded {
	enc, name, src := detect(body, contentType)
	var out []byte
	switch {
	case name == "utf-8":
		out = bytes.TrimPrefix(body, []byte("\xef\xbb\xbf"))
		if !utf8.Valid(out) {
			out = bytes.ToValidUTF8(out, []byte("\uFFFD"))
		}
	default:
		dec := enc.NewDecoder()
		b, err := dec.Bytes(body)
		if err != nil {
			// x/text decoders replace invalid input; an error here means
			// the transformer gave up, so fall back to lossy UTF-8.
			b = bytes.ToValidUTF8(body, []byte("\uFFFD"))
			name, src = "utf-8", "default"
		}
		out = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
		if !utf8.Valid(out) {
			out = bytes.ToValidUTF8(out, []byte("\uFFFD"))
		}
	}
	return Decoded{Body: rewriteDeclaration(out), Charset: name, Source: src}
}

var (
	xmlDeclRe   = regexp.MustCompile(`^\s*<\?xml\s[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:()-]*)["']`)
	htmlMetaRe  = regexp.MustCompile(`(?i)<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:()-]+)`)
	declEncRepl = regexp.MustCompile(`^(\s*<\?xml\s[^>]*?encoding\s*=\s*)(["'])[^"']*["']`)
)

// detect chooses the encoding of body.
func detect(body []byte, contentType string) (encoding.Encoding, string, string) {
	switch {
	case bytes.HasPrefix(body, []byte{0x00, 0x00, 0xfe, 0xff}):
		return utf32.UTF32(utf32.BigEndian, utf32.ExpectBOM), "utf-32be", "bom"
	case bytes.HasPrefix(body, []byte{0xff, 0xfe, 0x00, 0x00}):
		return utf32.UTF32(utf32.LittleEndian, utf32.ExpectBOM), "utf-32le", "bom"
	case bytes.HasPrefix(body, []byte{0xef, 0xbb, 0xbf}):
		return unicode.UTF8, "utf-8", "bom"
	case bytes.HasPrefix(body, []byte{0xfe, 0xff}):
		return unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM), "utf-16be", "bom"
	case bytes.HasPrefix(body, []byte{0xff, 0xfe}):
		return unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM), "utf-16le", "bom"
	}
	sniffed, sniffName := sniffWide(body)
	if label := headerCharset(contentType); label != "" {
		if enc, name, ok := lookup(label, sniffed != nil); ok {
			return enc, name, "header"
		}
	}
	if sniffed != nil {
		// An unmarked UTF-16/32 document: its declaration can only be
		// read once decoded, and it cannot be an 8-bit charset anyway.
		return sniffed, sniffName, "sniff"
	}
	head := body
	if len(head) > 1024 {
		head = head[:1024]
	}
	if m := xmlDeclRe.FindSubmatch(head); m != nil {
		if enc, name, ok := lookup(string(m[1]), false); ok {
			return enc, name, "declaration"
		}
	}
	if isHTML(contentType, head) {
		if m := htmlMetaRe.FindSubmatch(head); m != nil {
			if enc, name, ok := lookup(string(m[1]), false); ok {
				return enc, name, "meta"
			}
		}
	}
	return unicode.UTF8, "utf-8", "default"
}

// sniffWide recognises an unmarked UTF-16 or UTF-32 XML document by the
// pattern of zero bytes around its first '<'.
func sniffWide(b []byte) (encoding.Encoding, string) {
	if len(b) < 4 {
		return nil, ""
	}
	switch {
	case b[0] == 0 && b[1] == 0 && b[2] == 0 && b[3] == '<':
		return utf32.UTF32(utf32.BigEndian, utf32.IgnoreBOM), "utf-32be"
	case b[0] == '<' && b[1] == 0 && b[2] == 0 && b[3] == 0:
		return utf32.UTF32(utf32.LittleEndian, utf32.IgnoreBOM), "utf-32le"
	case b[0] == 0 && b[1] == '<' && b[2] == 0 && b[3] != 0:
		return unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM), "utf-16be"
	case b[0] == '<' && b[1] == 0 && b[2] != 0 && b[3] == 0:
		return unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), "utf-16le"
	}
	return nil, ""
}

func isHTML(contentType string, head []byte) bool {
	ct := strings.ToLower(contentType)
	if strings.Contains(ct, "html") && !strings.Contains(ct, "xhtml") {
		return true
	}
	h := bytes.ToLower(bytes.TrimSpace(head))
	return bytes.HasPrefix(h, []byte("<!doctype html")) || bytes.HasPrefix(h, []byte("<html"))
}

// headerCharset extracts the charset parameter of a Content-Type header. It
// is lenient: spaces around '=', single or double quotes.
func headerCharset(contentType string) string {
	for _, p := range strings.Split(contentType, ";")[1:] {
		k, v, ok := strings.Cut(p, "=")
		if !ok || !strings.EqualFold(strings.TrimSpace(k), "charset") {
			continue
		}
		return strings.Trim(strings.TrimSpace(v), `"' `)
	}
	return ""
}

// lookup maps a charset label to an encoding and its canonical name. Wide
// (UTF-16/32) labels are refused unless wide is true: a document whose label
// could be read as ASCII is not UTF-16, whatever the label says.
func lookup(label string, wide bool) (encoding.Encoding, string, bool) {
	l := strings.ToLower(strings.TrimSpace(label))
	switch l {
	case "":
		return nil, "", false
	case "utf-8", "utf8", "unicode-1-1-utf-8":
		return unicode.UTF8, "utf-8", true
	case "gb2312", "gbk", "gb18030", "x-gbk", "cp936", "ms936", "windows-936", "euc-cn", "csgb2312", "gb_2312-80", "gb_2312", "chinese", "csiso58gb231280", "iso-ir-58":
		return simplifiedchinese.GB18030, "gb18030", true
	case "utf-16", "utf16", "unicode", "ucs-2", "utf-16le", "utf-16be", "utf-32", "utf-32le", "utf-32be", "ucs-4":
		if !wide {
			return nil, "", false
		}
		switch l {
		case "utf-16be":
			return unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM), l, true
		case "utf-32be", "utf-32", "ucs-4":
			return utf32.UTF32(utf32.BigEndian, utf32.UseBOM), "utf-32be", true
		case "utf-32le":
			return utf32.UTF32(utf32.LittleEndian, utf32.IgnoreBOM), l, true
		}
		return unicode.UTF16(unicode.LittleEndian, unicode.UseBOM), "utf-16le", true
	}
	if wide {
		// The bytes are UTF-16/32; an 8-bit label is wrong.
		return nil, "", false
	}
	if enc, err := htmlindex.Get(l); err == nil && enc != nil {
		name, _ := htmlindex.Name(enc)
		if name == "replacement" {
			return nil, "", false
		}
		return enc, name, true
	}
	if enc, err := ianaindex.IANA.Encoding(l); err == nil && enc != nil {
		name, _ := ianaindex.IANA.Name(enc)
		return enc, strings.ToLower(name), true
	}
	return nil, "", false
}

// rewriteDeclaration sets the encoding in an XML declaration to utf-8.
func rewriteDeclaration(b []byte) []byte {
	head := b
	if len(head) > 1024 {
		head = head[:1024]
	}
	loc := declEncRepl.FindSubmatchIndex(head)
	if loc == nil {
		return b
	}
	q := head[loc[4]:loc[5]]
	out := make([]byte, 0, len(b)+8)
	out = append(out, b[:loc[3]]...)
	out = append(out, q...)
	out = append(out, "utf-8"...)
	out = append(out, q...)
	return append(out, b[loc[1]:]...)
}
