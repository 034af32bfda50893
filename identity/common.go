package identity

import (
	"strings"
	"unicode"
)

// IsCommonPassword reports whether password is one of the common passwords
// or made from one in the common ways: the list's entry itself (any
// case), with letters written as look-alike digits and symbols (p@ssw0rd),
// with separators between words (i love you), or decorated at either end
// with digits and symbols that add little (a year, a date, up to four
// digits, 123456, 5201314, "!"). A date or a mobile-telephone number,
// alone or with a few letters, counts as common too.
func IsCommonPassword(password string) bool {
	list := commonPasswords()
	lower := strings.ToLower(password)
	in := func(s string) bool {
		_, ok := list[s]
		return ok
	}
	if in(lower) {
		return true
	}
	if dateOrPhone(lower) {
		return true
	}
	// The core: what is left when digits and symbols are trimmed off the
	// ends, when what was trimmed adds little.
	core := strings.TrimFunc(lower, func(r rune) bool { return !unicode.IsLetter(r) })
	if core == "" {
		core = lower
	} else {
		i := strings.Index(lower, core)
		if !weakDecoration(lower[:i] + lower[i+len(core):]) {
			core = lower
		}
	}
	for _, c := range []string{core, lower} {
		for _, v := range variants(c) {
			if len(v) >= 3 && in(v) {
				return true
			}
		}
	}
	return false
}

// variants are the spellings of s to look up: itself, without separators,
// and with look-alike characters read as letters.
func variants(s string) []string {
	out := []string{s}
	bare := strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || strings.ContainsRune("-_.~·", r) {
			return -1
		}
		return r
	}, s)
	if bare != s {
		out = append(out, bare)
	}
	for _, one := range []rune{'i', 'l'} {
		leet := strings.Map(func(r rune) rune {
			switch r {
			case '@', '4':
				return 'a'
			case '0':
				return 'o'
			case '1', '!', '|':
				return one
			case '3':
				return 'e'
			case '$', '5':
				return 's'
			case '7', '+':
				return 't'
			case '8':
				return 'b'
			case '9':
				return 'g'
			}
			return r
		}, bare)
		if leet != bare {
			out = append(out, leet)
		}
	}
	return out
}

// weakDecoration reports whether d, trimmed off a password's ends, adds
// little: symbols and at most four digits, a date, or a common number.
func weakDecoration(d string) bool {
	var digits strings.Builder
	for _, r := range d {
		switch {
		case r >= '0' && r <= '9':
			digits.WriteRune(r)
		case unicode.IsLetter(r):
			return false
		}
	}
	ds := digits.String()
	if len(ds) <= 4 || isDate(ds) {
		return true
	}
	_, ok := commonPasswords()[ds]
	return ok || len(ds) <= 8 && (isRun(ds) || repeated(ds))
}

// dateOrPhone reports whether s, without separators and up to four letters
// at either end, is a date (YYYYMMDD, DDMMYYYY, MMDDYYYY, YYMMDD, ...) or a
// mainland mobile number (1[3-9] and nine digits).
func dateOrPhone(s string) bool {
	var b strings.Builder
	for _, r := range s {
		if !strings.ContainsRune(" -./_", r) {
			b.WriteRune(r)
		}
	}
	t := b.String()
	lead := len(t) - len(strings.TrimLeftFunc(t, unicode.IsLetter))
	trail := len(t) - len(strings.TrimRightFunc(t, unicode.IsLetter))
	if lead > 4 || trail > 4 || lead+trail >= len(t) {
		return false
	}
	d := t[lead : len(t)-trail]
	for _, r := range d {
		if r < '0' || r > '9' {
			return false
		}
	}
	if len(d) == 11 && d[0] == '1' && d[1] >= '3' {
		return true
	}
	if isDate(d) {
		return true
	}
	// Two dates (a couple's birthdays) or a date and a short number.
	if len(d) >= 10 && len(d) <= 16 && (isDate(d[:8]) && weakDecoration(d[8:]) || isDate(d[len(d)-8:]) && weakDecoration(d[:len(d)-8])) {
		return true
	}
	return false
}

func isDate(d string) bool {
	num := func(s string) int {
		n := 0
		for _, r := range s {
			n = n*10 + int(r-'0')
		}
		return n
	}
	md := func(m, day int) bool { return m >= 1 && m <= 12 && day >= 1 && day <= 31 }
	switch len(d) {
	case 8:
		y1, y2 := num(d[:4]), num(d[4:])
		return y1 >= 1900 && y1 <= 2099 && md(num(d[4:6]), num(d[6:])) ||
			y2 >= 1900 && y2 <= 2099 && (md(num(d[2:4]), num(d[:2])) || md(num(d[:2]), num(d[2:4])))
	case 6:
		return md(num(d[2:4]), num(d[4:])) || md(num(d[2:4]), num(d[:2])) || md(num(d[:2]), num(d[2:4]))
	}
	return false
}

// isRun reports whether d is an ascending or descending run of digits.
func isRun(d string) bool {
	return len(d) >= 3 && (strings.Contains("01234567890123456789", d) || strings.Contains("98765432109876543210", d))
}

// repeated reports whether d is a unit of one to four digits repeated.
func repeated(d string) bool {
	for u := 1; u <= 4 && u < len(d); u++ {
		if len(d)%u == 0 && strings.Repeat(d[:u], len(d)/u) == d {
			return true
		}
	}
	return false
}
