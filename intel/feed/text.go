package feed

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Length caps, in runes.
const (
	MaxTitleRunes   = 500
	MaxSummaryRunes = 20000
	maxHTMLBytes    = 512 << 10 // SafeHTML is cut (before sanitising) at this size
)

// PlainText turns an HTML or plain-text fragment into one line of plain text:
// tags stripped (script, style and similar elements with their content),
// entities decoded, block boundaries kept as spaces, whitespace collapsed,
// Windows-1252 characters mis-encoded as C1 controls repaired, other control
// characters dropped, and the result cut to at most max runes (max <= 0: no
// cut).
func PlainText(s string, max int) string {
	if s == "" {
		return ""
	}
	var b strings.Builder
	if !strings.ContainsAny(s, "<&") {
		b.WriteString(s)
	} else {
		htmlText(&b, s)
	}
	return tidy(b.String(), max)
}

// skipContent lists elements whose text is not part of the readable text.
var skipContent = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Noscript: true, atom.Iframe: true,
	atom.Object: true, atom.Template: true, atom.Svg: true, atom.Math: true,
	atom.Head: true, atom.Select: true, atom.Textarea: true,
}

// htmlText writes the text of an HTML fragment to b.
func htmlText(b *strings.Builder, s string) {
	z := html.NewTokenizer(strings.NewReader(s))
	skip := 0
	for {
		switch z.Next() {
		case html.ErrorToken:
			return
		case html.TextToken:
			if skip == 0 {
				b.Write(z.Text())
			}
		case html.StartTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			if skipContent[a] {
				skip++
			}
			b.WriteByte(' ')
		case html.EndTagToken:
			name, _ := z.TagName()
			if skipContent[atom.Lookup(name)] && skip > 0 {
				skip--
			}
			b.WriteByte(' ')
		case html.SelfClosingTagToken:
			b.WriteByte(' ')
		}
	}
}

// tidy repairs, collapses and caps plain text.
func tidy(s string, max int) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	n := 0
	for _, r := range s {
		if r >= 0x80 && r <= 0x9f {
			r = cp1252[r-0x80]
		}
		switch {
		case r == utf8.RuneError:
			// keep: it marks bytes that could not be decoded
		case unicode.IsSpace(r) || r == '\u200b' || r == '\ufeff':
			space = true
			continue
		case unicode.IsControl(r) || r == 0xfffe || r == 0xffff:
			continue
		}
		if space && b.Len() > 0 {
			if max > 0 && n >= max {
				break
			}
			b.WriteByte(' ')
			n++
		}
		space = false
		if max > 0 && n >= max {
			break
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}

// cp1252 maps the C1 control range 0x80–0x9F to what Windows-1252 means by
// those bytes; feeds often carry them mis-decoded as Latin-1.
var cp1252 = [32]rune{
	'€', 0x81, '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', 0x8d, 'Ž', 0x8f,
	0x90, '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', 0x9d, 'ž', 'Ÿ',
}

// demoronize repairs C1 controls in HTML (see cp1252).
func demoronize(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return r >= 0x80 && r <= 0x9f }) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if r >= 0x80 && r <= 0x9f {
			if c := cp1252[r-0x80]; c >= 0x100 {
				return c
			}
			return -1
		}
		return r
	}, s)
}

// truncateRunes cuts s to at most max runes.
func truncateRunes(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	i := 0
	for j := range s {
		if i == max {
			return s[:j]
		}
		i++
	}
	return s
}
