package dashboard

import (
	"fmt"
	"html"
	"strings"
	"unicode/utf8"
)

// Bar is one bar of a chart.
type Bar struct {
	Label string
	Value int64
	Note  string // shown after the value, e.g. a share
}

// BarChart renders a horizontal bar chart as standalone SVG markup with a
// title (for screen readers and as a caption): labels left, bars scaled to
// the largest value, values at the bars' ends. Labels are escaped; widths
// count a CJK character as two Latin ones, so Chinese labels fit.
func BarChart(id, title string, bars []Bar) string {
	const rowH, barH, width, pad = 26, 16, 560, 8
	labelW := 60
	for _, b := range bars {
		labelW = max(labelW, textWidth(b.Label))
	}
	labelW = min(labelW, 220)
	var maxV int64
	for _, b := range bars {
		maxV = max(maxV, b.Value)
	}
	plotW := width - labelW - 2*pad - 110
	h := len(bars)*rowH + 2*pad
	var sb strings.Builder
	fmt.Fprintf(&sb, `<svg xmlns="http://www.w3.org/2000/svg" class="dash-chart" id="%s" role="img" aria-labelledby="%s-title" viewBox="0 0 %d %d" width="100%%" preserveAspectRatio="xMinYMin meet">`,
		html.EscapeString(id), html.EscapeString(id), width, h)
	fmt.Fprintf(&sb, `<title id="%s-title">%s</title>`, html.EscapeString(id), html.EscapeString(title))
	for i, b := range bars {
		y := pad + i*rowH
		w := 0
		if maxV > 0 {
			w = int(float64(plotW) * float64(b.Value) / float64(maxV))
		}
		if b.Value > 0 {
			w = max(w, 2)
		}
		x := pad + labelW + 6
		fmt.Fprintf(&sb, `<g class="dash-bar"><text x="%d" y="%d" text-anchor="end" class="dash-label">%s</text>`,
			pad+labelW, y+barH-3, html.EscapeString(clipLabel(b.Label, labelW)))
		fmt.Fprintf(&sb, `<rect x="%d" y="%d" width="%d" height="%d" rx="2" class="dash-rect"><title>%s: %d</title></rect>`,
			x, y, w, barH, html.EscapeString(b.Label), b.Value)
		v := fmt.Sprint(b.Value)
		if b.Note != "" {
			v += " (" + b.Note + ")"
		}
		fmt.Fprintf(&sb, `<text x="%d" y="%d" class="dash-value">%s</text></g>`, x+w+6, y+barH-3, html.EscapeString(v))
	}
	sb.WriteString(`</svg>`)
	return sb.String()
}

// textWidth estimates a label's width in pixels at 12px: CJK characters
// are about twice as wide as Latin ones.
func textWidth(s string) int {
	w := 0
	for _, r := range s {
		if r >= 0x2E80 {
			w += 12
		} else {
			w += 7
		}
	}
	return w
}

func clipLabel(s string, width int) string {
	if textWidth(s) <= width {
		return s
	}
	var sb strings.Builder
	w := 0
	for _, r := range s {
		rw := 7
		if r >= 0x2E80 {
			rw = 12
		}
		if w+rw+7 > width {
			break
		}
		sb.WriteRune(r)
		w += rw
	}
	if utf8.RuneCountInString(sb.String()) < utf8.RuneCountInString(s) {
		sb.WriteString("…")
	}
	return sb.String()
}
