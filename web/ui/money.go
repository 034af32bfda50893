package ui

// Money on pages: the platform stores whole yuan; banks and officials think
// and type in 万元 (ten thousand yuan). Every form reads 万元 with parseWan
// and every page shows amounts with yuan and wanText.

import (
	"html/template"
	"strconv"
	"strings"

	"kedaitong"
)

// yuan shows yuan with thousands separators: 25,450,000.
func yuan(n int64) string {
	neg := n < 0
	if neg {
		n = -n
	}
	s := strconv.FormatInt(n, 10)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// wanText shows yuan in 万元 (ten thousand yuan), with up to two decimals.
func wanText(yuan int64) string {
	s := strconv.FormatFloat(float64(yuan)/10000, 'f', 2, 64)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return s
}

// parseWan reads an amount typed in 万元 (ten thousand yuan, up to four
// decimals) as whole yuan.
func parseWan(field, v string) (int64, error) {
	v = strings.TrimSpace(strings.ReplaceAll(v, ",", ""))
	bad := kedaitong.Invalid(field, "an amount in 万元 (ten thousand yuan) such as 254.5, not negative, at most four decimals").ZHf("请按万元填写金额，例如 254.5（不能为负数，最多四位小数）")
	if v == "" {
		return 0, nil
	}
	whole, frac, _ := strings.Cut(v, ".")
	if whole == "" {
		whole = "0"
	}
	if len(frac) > 4 || strings.HasPrefix(whole, "-") || strings.HasPrefix(whole, "+") {
		return 0, bad
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || w > 1e9 {
		return 0, bad
	}
	f := int64(0)
	if frac != "" {
		f, err = strconv.ParseInt(frac+strings.Repeat("0", 4-len(frac)), 10, 64)
		if err != nil || f < 0 {
			return 0, bad
		}
	}
	return w*10000 + f, nil
}

// Money shows an amount of yuan as banks read it: 万元 first, the exact
// yuan beside (as the forms echo it): "254.5 万元（2,545,000 元）", in
// English "254.5 ×10k yuan (2,545,000 yuan)".
func (p Page) Money(n int64) template.HTML {
	w, y := wanText(n), yuan(n)
	if p.Lang == "en" {
		return template.HTML(`<span class="money"><span class="wan">` + w + ` ×10k yuan</span> <small class="yuan">(` + y + ` yuan)</small></span>`)
	}
	return template.HTML(`<span class="money"><span class="wan">` + w + ` 万元</span><small class="yuan">（` + y + ` 元）</small></span>`)
}

// moneyText is Money as plain text (a to-do line, a title).
func moneyText(lang string, n int64) string {
	if lang == "en" {
		return wanText(n) + " ×10k yuan (" + yuan(n) + " yuan)"
	}
	return wanText(n) + " 万元（" + yuan(n) + " 元）"
}

// regStatuses are the registration statuses of the business register in
// English (the register writes them in Chinese).
var regStatuses = map[string]string{"存续": "In business", "在业": "In business", "开业": "In business", "注销": "Deregistered",
	"吊销": "Licence revoked", "迁出": "Moved out", "停业": "Suspended", "清算": "In liquidation"}

// RegStatus is an enterprise's registration status in the page's language.
func (p Page) RegStatus(s string) string {
	if p.Lang == "en" {
		if en, ok := regStatuses[s]; ok {
			return en
		}
	}
	return s
}
