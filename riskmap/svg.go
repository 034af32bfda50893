package riskmap

import (
	"bytes"
	"fmt"
	"html"
	"strconv"
)

// DimensionNames are the risk dimensions' names in zh-CN and English.
var DimensionNames = map[string][2]string{
	"tech-route":   {"技术路线", "Technology route"},
	"policy":       {"政策", "Policy"},
	"market":       {"市场", "Market"},
	"supply-chain": {"供应链", "Supply chain"},
	"capital":      {"资本", "Capital"},
}

// levelFill is each level's fill: one hue whose lightness falls with the
// level, so the order survives printing in grey; low confidence is hatched.
var levelFill = map[string]string{
	LevelCalm:     "#f2f0f7",
	LevelWatch:    "#fdd49e",
	LevelElevated: "#ef6548",
	LevelHigh:     "#990000",
}

// levelText is the legend's words for each level.
var levelText = map[string][2]string{
	LevelCalm:     {"平稳 (<1σ)", "calm (<1σ)"},
	LevelWatch:    {"关注 (1–2σ)", "watch (1–2σ)"},
	LevelElevated: {"升高 (2–3σ)", "elevated (2–3σ)"},
	LevelHigh:     {"高 (≥3σ)", "high (≥3σ)"},
	LevelLow:      {"样本不足", "too few stories"},
}

// IndustryName is an industry's name in the language ("en" or zh-CN).
func (s *Service) IndustryName(code, lang string) string {
	if ind, ok := s.tax.Industry(code); ok {
		if lang == "en" {
			return ind.Name.EN
		}
		return ind.Name.ZH
	}
	if r, ok := s.tax.Route(code); ok {
		if lang == "en" {
			return r.Name.EN
		}
		return r.Name.ZH
	}
	return code
}

// DimensionName is a dimension's name in the language.
func DimensionName(code, lang string) string {
	n, ok := DimensionNames[code]
	if !ok {
		return code
	}
	if lang == "en" {
		return n[1]
	}
	return n[0]
}

// SVG draws the map as a heatmap: industries in rows, dimensions in
// columns, each cell filled by its level and labelled with its score and
// story count; low-confidence cells hatched and labelled "?". A legend
// follows. Self-contained: no scripts, no external fonts or images.
func (s *Service) SVG(m *Map, lang string) []byte {
	const (
		left, top = 190, 64
		cw, ch    = 118, 34
		legendH   = 70
	)
	li := 0
	if lang == "en" {
		li = 1
	}
	w := left + cw*len(m.Dimensions) + 16
	h := top + ch*len(m.Industries) + legendH
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" role="img" font-family="sans-serif" font-size="12">`, w, h, w, h)
	title := [2]string{"产业风险地图", "Industry risk map"}[li]
	fmt.Fprintf(&b, `<title>%s %s – %s</title>`, esc(title), m.From, m.To)
	b.WriteString(`<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff"/><line x1="0" y1="0" x2="0" y2="6" stroke="#888888" stroke-width="1.5"/></pattern></defs>`)
	b.WriteString(`<rect width="100%" height="100%" fill="#ffffff"/>`)
	fmt.Fprintf(&b, `<text x="8" y="20" font-size="15" font-weight="bold">%s</text>`, esc(title))
	fmt.Fprintf(&b, `<text x="8" y="38" fill="#333333">%s – %s · %s</text>`, m.From, m.To,
		esc([2]string{"分值 = 高于自身 90 日基线的标准差数 / 报道数", "score = standard deviations above the cell's 90-day baseline / stories"}[li]))
	for j, dim := range m.Dimensions {
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle" font-weight="bold">%s</text>`, left+cw*j+cw/2, top-8, esc(DimensionName(dim, lang)))
	}
	cells := map[[2]string]Cell{}
	for _, c := range m.Cells {
		cells[[2]string{c.Industry, c.Dimension}] = c
	}
	for i, ind := range m.Industries {
		y := top + ch*i
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end">%s</text>`, left-8, y+ch/2+4, esc(s.IndustryName(ind, lang)))
		for j, dim := range m.Dimensions {
			c := cells[[2]string{ind, dim}]
			x := left + cw*j
			fill, ink, label := "url(#hatch)", "#000000", "? · "+strconv.FormatInt(c.Count, 10)
			if !c.LowConfidence {
				fill = levelFill[c.Level]
				label = strconv.FormatFloat(c.Score, 'f', 1, 64) + " · " + strconv.FormatInt(c.Count, 10)
				if c.Level == LevelHigh || c.Level == LevelElevated {
					ink = "#ffffff"
				}
			}
			fmt.Fprintf(&b, `<g class="cell" data-industry="%s" data-dimension="%s"><title>%s / %s: %s</title>`, ind, dim,
				esc(s.IndustryName(ind, lang)), esc(DimensionName(dim, lang)), esc(label))
			fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="%s" stroke="#444444" stroke-width="0.5"/>`, x, y, cw, ch, fill)
			weight := "normal"
			if c.Level == LevelHigh {
				weight = "bold"
			}
			if c.LowConfidence {
				fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="16" fill="#ffffff"/>`, x+cw/2-26, y+ch/2-8, 52)
			}
			fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle" fill="%s" font-weight="%s">%s</text></g>`, x+cw/2, y+ch/2+4, ink, weight, esc(label))
		}
	}
	ly := top + ch*len(m.Industries) + 22
	x := 8
	for _, lv := range []string{LevelCalm, LevelWatch, LevelElevated, LevelHigh, LevelLow} {
		fill := levelFill[lv]
		if lv == LevelLow {
			fill = "url(#hatch)"
		}
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="18" height="14" fill="%s" stroke="#444444" stroke-width="0.5"/>`, x, ly, fill)
		t := levelText[lv][li]
		fmt.Fprintf(&b, `<text x="%d" y="%d">%s</text>`, x+24, ly+11, esc(t))
		x += 24 + 9*len([]rune(t)) + 30
		if lv == LevelWatch && li == 0 {
			x += 10
		}
	}
	fmt.Fprintf(&b, `<text x="8" y="%d" fill="#333333">%s</text>`, ly+36,
		esc([2]string{"半衰期 " + strconv.FormatFloat(m.HalfLifeDays, 'f', -1, 64) + " 天；报道少于 3 篇的格子画斜线，不着红色。", "Half-life " + strconv.FormatFloat(m.HalfLifeDays, 'f', -1, 64) + " days; cells with fewer than 3 risk stories are hatched, never red."}[li]))
	b.WriteString(`</svg>`)
	return b.Bytes()
}

func esc(s string) string { return html.EscapeString(s) }
