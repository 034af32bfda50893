package ui

// The loan application form (applications_new.html, for a new application
// and for editing a draft): the region picker (province → city → county
// by name), amounts typed in 万元 and read exactly as whole yuan, and the
// form's own plain-language message for each input's problem.

import (
	"strconv"
	"strings"

	"kedaitong"
	"kedaitong/review"
	"kedaitong/taxonomy"
	"kedaitong/web"
)

// moneyKeys are the form's amounts, typed in 万元; signed ones may be
// negative (losses).
var moneyKeys = map[string]bool{"revenue0": false, "revenue1": false, "net_profit0": true, "net_profit1": true,
	"rd_spend": false, "tech_contract_income": false, "amount": false}

// cleanNumber drops what people type around a number: spaces, thousands
// separators (also the full-width comma), a trailing 万元/万/元 unit, and
// turns a full-width minus or full stop into ASCII.
func cleanNumber(v string) string {
	v = strings.NewReplacer(",", "", "，", "", " ", "", "\u00a0", "", "　", "", "－", "-", "−", "-", "．", ".", "。", ".").Replace(strings.TrimSpace(v))
	for _, unit := range []string{"万元", "万", "元"} {
		v = strings.TrimSuffix(v, unit)
	}
	return v
}

// parseWanSigned reads an amount in 万元 exactly as whole yuan. Empty is
// 0. A negative amount is read too: the domain's check refuses it where
// it cannot be, with its own message.
func parseWanSigned(key, v string) (int64, bool) {
	v = cleanNumber(v)
	neg := false
	if strings.HasPrefix(v, "-") {
		neg, v = true, v[1:]
	}
	if v == "" && neg {
		return 0, false
	}
	if strings.HasPrefix(v, "-") || strings.HasPrefix(v, "+") || strings.Count(v, ".") > 1 || v == "." {
		return 0, false
	}
	n, err := parseWan(key, v)
	if err != nil {
		return 0, false
	}
	if neg {
		n = -n
	}
	return n, true
}

// wanExact shows yuan in 万元 with every digit kept (up to four decimals),
// for a form's value: 1505000 → "150.5", 12345 → "1.2345".
func wanExact(yuan int64) string {
	neg := yuan < 0
	if neg {
		yuan = -yuan
	}
	s := strconv.FormatInt(yuan/10000, 10)
	if f := yuan % 10000; f != 0 {
		s += "." + strings.TrimRight(strconv.FormatInt(10000+f, 10)[1:], "0")
	}
	if neg {
		s = "-" + s
	}
	return s
}

// yuanEcho is the 元 figure shown beside an amount typed in 万元: "" when
// nothing is typed or it is not a number.
func yuanEcho(v string) string {
	if strings.TrimSpace(v) == "" {
		return ""
	}
	n, ok := parseWanSigned("", v)
	if !ok {
		return ""
	}
	return yuan(n)
}

// countyGroup is a city and its counties for the county select.
type countyGroup struct {
	City     string
	Name     string
	Counties []routeOption
}

// regionPicker is the data of the province → city → county selects.
type regionPicker struct {
	Province string
	Cities   []routeOption
	Groups   []countyGroup
	City     string // the chosen city's code
}

// newRegionPicker lists Jiangxi's cities and counties by name in lang,
// with the city of county (or city, when no county is chosen) selected.
// A county code the list does not know (an older code) is kept as an
// option of its city so that an edited draft does not lose it.
func newRegionPicker(lang, county, city string) regionPicker {
	name := func(t taxonomy.Text) string { return pick(t, lang) }
	p := regionPicker{Province: name(taxonomy.Province().Name), City: city}
	if len(county) == 6 {
		p.City = county[:4]
	}
	for _, c := range taxonomy.Cities() {
		p.Cities = append(p.Cities, routeOption{Code: c.Code, Name: name(c.Name)})
		g := countyGroup{City: c.Code, Name: name(c.Name)}
		known := false
		for _, r := range taxonomy.Counties(c.Code) {
			g.Counties = append(g.Counties, routeOption{Code: r.Code, Name: name(r.Name)})
			known = known || r.Code == county
		}
		if !known && len(county) == 6 && county[:4] == c.Code {
			g.Counties = append(g.Counties, routeOption{Code: county, Name: taxonomy.RegionNameOf(county, lang)})
		}
		p.Groups = append(p.Groups, g)
	}
	return p
}

// formMessage is the form's message for an input's problem, as a plain
// sentence in the page's language: what to enter, never the API's wording.
// val is what was typed; e is the domain's error for the input.
func formMessage(tr *web.Tr, key, val string, e *kedaitong.Error) string {
	msg := e.Message
	has := func(s string) bool { return strings.Contains(msg, s) }
	label := tr.T("app.f." + key)
	switch {
	case key == "credit_code":
		if val == "" {
			return tr.T("app.e.credit_code.empty")
		}
		return sentence(web.FieldText(tr.Lang, e), tr.Lang)
	case key == "name" || key == "purpose" || key == "summary" || key == "other_ip":
		if has("at most") {
			return tr.T("app.e.long", "Field", label, "Max", maxLen(key))
		}
		return tr.T("app.e.required." + key)
	case key == "region":
		return tr.T("app.e.region")
	case key == "founded":
		switch {
		case val != "" && has("future"):
			return tr.T("app.e.founded.future")
		case val != "" && has("early"):
			return tr.T("app.e.founded.early")
		}
		return tr.T("app.e.founded.required")
	case key == "route" || key == "maturity":
		return tr.T("app.e.choose." + key)
	case key == "team":
		if has("too long") {
			return tr.T("app.e.team.long")
		}
		return tr.T("app.e.team")
	case key == "term_months":
		return tr.T("app.e.term", "Max", review.MaxTermMonths)
	case key == "amount" && !has("implausibly"):
		return tr.T("app.e.amount")
	case key == "staff" && !has("negative") && !has("implausibly"):
		return tr.T("app.e.staff.zero")
	case key == "rd_staff" && has("exceed"):
		return tr.T("app.e.rd_staff.exceed")
	case has("negative"):
		return tr.T("app.e.negative", "Field", label)
	case has("implausibly"):
		if _, money := moneyKeys[key]; money {
			return tr.T("app.e.large.wan", "Field", label)
		}
		return tr.T("app.e.large", "Field", label)
	}
	return sentence(web.FieldText(tr.Lang, e), tr.Lang)
}

func maxLen(key string) int {
	switch key {
	case "name":
		return review.MaxNameLen
	case "summary":
		return review.MaxSummaryLen
	}
	return review.MaxTextLen
}

// sentence makes a domain message read as a sentence: a capital first
// letter and a full stop in English, a full stop in Chinese.
func sentence(s, lang string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return s
	}
	if lang == "en" {
		s = strings.ToUpper(s[:1]) + s[1:]
		if !strings.HasSuffix(s, ".") {
			s += "."
		}
		return s
	}
	if !strings.HasSuffix(s, "。") {
		s += "。"
	}
	return s
}
