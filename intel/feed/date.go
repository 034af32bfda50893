package feed

import (
	"regexp"
	"strings"
	"time"
)

// resolveDate turns a feed's date string and gofeed's reading of it into a
// UTC time, correcting two faults: gofeed reads "CST" as US Central time
// (UTC−6), where for zones whose own abbreviation is CST at UTC+8 (China,
// Taiwan) it means China Standard Time; and it reads a date without a zone as
// UTC, where it should take the source's default zone. It returns the zero
// time when the date is unknown.
func resolveDate(raw string, parsed *time.Time, zone *time.Location) time.Time {
	raw = strings.TrimSpace(raw)
	if zone == nil {
		zone = time.UTC
	}
	if raw == "" {
		if parsed != nil {
			return parsed.UTC()
		}
		return time.Time{}
	}
	switch {
	case cstWord.MatchString(raw) && isChinaCST(zone):
		if parsed != nil {
			if name, _ := parsed.Zone(); name == "CST" {
				return rewall(*parsed, chinaCST).UTC()
			}
		}
		if t, ok := parseLayouts(cstWord.ReplaceAllString(raw, "+0800"), offsetLayouts, zone); ok {
			return t.UTC()
		}
	case !hasZone(raw):
		if parsed != nil {
			return rewall(*parsed, zone).UTC()
		}
		if t, ok := parseLayouts(raw, zonelessLayouts, zone); ok {
			return t.UTC()
		}
		return time.Time{}
	}
	if parsed != nil {
		return parsed.UTC()
	}
	if t, ok := parseLayouts(raw, offsetLayouts, zone); ok {
		return t.UTC()
	}
	return time.Time{}
}

var chinaCST = time.FixedZone("CST", 8*3600)

// isChinaCST reports whether zone calls itself CST at UTC+8 (Asia/Shanghai,
// Asia/Taipei, PRC, …).
func isChinaCST(zone *time.Location) bool {
	name, off := time.Date(2024, 1, 1, 0, 0, 0, 0, zone).Zone()
	return name == "CST" && off == 8*3600
}

// rewall keeps t's wall clock and moves it to zone.
func rewall(t time.Time, zone *time.Location) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), zone)
}

func parseLayouts(s string, layouts []string, zone *time.Location) (time.Time, bool) {
	for _, l := range layouts {
		if t, err := time.ParseInLocation(l, s, zone); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

var (
	cstWord       = regexp.MustCompile(`\bCST\b`)
	alphaToken    = regexp.MustCompile(`[A-Za-z]+`)
	trailingParen = regexp.MustCompile(`\s*\([^)]*\)\s*$`)
	// a numeric offset after a time of day, or standing alone as a word
	offsetAfterTime = regexp.MustCompile(`\d:\d\d(?::\d\d(?:[.,]\d+)?)?\s*(?:Z|[+-]\d\d(?::?\d\d)?)\b|\d:\d\d(?::\d\d(?:[.,]\d+)?)?Z$|(?:^|\s)[+-]\d{4}\b|\d(?:Z|z)$`)
)

// notZones are capitalised words that appear in dates without naming a zone.
var notZones = map[string]bool{
	"AM": true, "PM": true, "T": true, "A": true, "P": true, "M": true,
	"JAN": true, "FEB": true, "MAR": true, "APR": true, "MAY": true, "JUN": true,
	"JUL": true, "AUG": true, "SEP": true, "SEPT": true, "OCT": true, "NOV": true, "DEC": true,
	"MON": true, "TUE": true, "TUES": true, "WED": true, "THU": true, "THUR": true, "THURS": true, "FRI": true, "SAT": true, "SUN": true,
}

// hasZone reports whether a date string names its zone: a numeric offset, a
// Z, or a capitalised abbreviation such as GMT, UTC, EST or CST.
func hasZone(s string) bool {
	s = trailingParen.ReplaceAllString(s, "")
	if offsetAfterTime.MatchString(s) {
		return true
	}
	for _, tok := range alphaToken.FindAllString(s, -1) {
		if len(tok) < 2 || len(tok) > 5 || strings.ToUpper(tok) != tok {
			continue
		}
		if tok == "UT" || tok == "UTC" || tok == "GMT" || !notZones[tok] {
			return true
		}
	}
	return false
}

// zonelessLayouts are date forms without a zone that gofeed does not read,
// chiefly Chinese ones; they are read in the default zone.
var zonelessLayouts = []string{
	"2006年1月2日 15:04:05",
	"2006年1月2日 15:04",
	"2006年1月2日15:04:05",
	"2006年1月2日15:04",
	"2006年1月2日",
	"2006/1/2 15:04:05",
	"2006/1/2 15:04",
	"2006.1.2 15:04:05",
	"2006.1.2 15:04",
	"2006.1.2",
	"2006-1-2 15:04:05",
	"2006-1-2 15:04",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04",
	"20060102150405",
	"20060102",
}

// offsetLayouts are forms with a numeric offset, tried when gofeed could not
// read a date (and for CST rewritten as +0800).
var offsetLayouts = []string{
	time.RFC1123Z,
	"Mon, 2 Jan 2006 15:04:05 -0700",
	"Mon, 2 Jan 2006 15:04 -0700",
	"2 Jan 2006 15:04:05 -0700",
	"Mon Jan _2 15:04:05 -0700 2006",
	"Mon Jan 2 15:04:05 -0700 2006",
	"2006-01-02 15:04:05 -0700",
	"2006-01-02 15:04 -0700",
	"2006/01/02 15:04:05 -0700",
	"2006年1月2日 15:04:05 -0700",
	time.RFC3339,
}
