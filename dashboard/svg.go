package dashboard

import (
	"fmt"
	"html"
	"math"
	"strings"
	"unicode/utf8"
)

// Bar is one bar of a chart.
type Bar struct {
	Label string
	Value int64
	Note  string // shown after the value, e.g. a share
	Link  string // the list behind the bar ("" none)
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
		if b.Link != "" {
			fmt.Fprintf(&sb, `<a href="%s" class="dash-link">`, html.EscapeString(b.Link))
		}
		fmt.Fprintf(&sb, `<g class="dash-bar"><text x="%d" y="%d" text-anchor="end" class="dash-label">%s</text>`,
			pad+labelW, y+barH-3, html.EscapeString(clipLabel(b.Label, labelW)))
		fmt.Fprintf(&sb, `<rect x="%d" y="%d" width="%d" height="%d" rx="2" class="dash-rect"><title>%s: %d</title></rect>`,
			x, y, w, barH, html.EscapeString(b.Label), b.Value)
		v := fmt.Sprint(b.Value)
		if b.Note != "" {
			v += " (" + b.Note + ")"
		}
		fmt.Fprintf(&sb, `<text x="%d" y="%d" class="dash-value">%s</text></g>`, x+w+6, y+barH-3, html.EscapeString(v))
		if b.Link != "" {
			sb.WriteString(`</a>`)
		}
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

// Point is one month of a trend chart: its value, the text shown for it
// and the list behind it.
type Point struct {
	Label string   // the month as shown under the axis
	Value *float64 // nil: no value (a share of nothing)
	Text  string   // the value as written above the column or in the tooltip
	Link  string   // the list behind the value ("" none)
}

// TrendChart renders month-by-month values as standalone SVG: a title,
// a y axis with its unit and four gridlines, an x axis of months, and
// columns (line false) or a line with points (line true; percentages).
// Each column or point links to the list behind it. The drawing is 380
// units wide so that its 11-unit text stays legible on a 390 px phone.
func TrendChart(id, title, unit string, pts []Point, line bool) string {
	const width, height, left, right, top, bottom = 380, 200, 44, 8, 28, 34
	plotW, plotH := float64(width-left-right), float64(height-top-bottom)
	maxV := 0.0
	for _, p := range pts {
		if p.Value != nil {
			maxV = max(maxV, *p.Value)
		}
	}
	step := niceStep(maxV / 4)
	if line && unit == "%" {
		step = 25
	}
	top4 := step * 4
	y := func(v float64) float64 { return float64(top) + plotH - plotH*v/top4 }
	var sb strings.Builder
	eid := html.EscapeString(id)
	fmt.Fprintf(&sb, `<svg xmlns="http://www.w3.org/2000/svg" class="dash-chart dash-trend" id="%s" role="img" aria-labelledby="%s-title" viewBox="0 0 %d %d" width="100%%" preserveAspectRatio="xMinYMin meet">`, eid, eid, width, height)
	fmt.Fprintf(&sb, `<title id="%s-title">%s（%s）</title>`, eid, html.EscapeString(title), html.EscapeString(unit))
	fmt.Fprintf(&sb, `<text x="0" y="13" class="dash-title">%s</text>`, html.EscapeString(title))
	fmt.Fprintf(&sb, `<text x="%d" y="%d" class="dash-unit" text-anchor="end">%s</text>`, left-4, top-6, html.EscapeString(unit))
	for i := 0; i <= 4; i++ {
		v := step * float64(i)
		yy := y(v)
		fmt.Fprintf(&sb, `<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" class="dash-grid-line"/>`, left, width-right, yy, yy)
		fmt.Fprintf(&sb, `<text x="%d" y="%.1f" text-anchor="end" class="dash-tick">%s</text>`, left-4, yy+4, trimFloat(v))
	}
	fmt.Fprintf(&sb, `<line x1="%d" x2="%d" y1="%d" y2="%d" class="dash-axis"/>`, left, left, top, height-bottom)
	fmt.Fprintf(&sb, `<line x1="%d" x2="%d" y1="%d" y2="%d" class="dash-axis"/>`, left, width-right, height-bottom, height-bottom)
	n := max(len(pts), 1)
	slot := plotW / float64(n)
	every := 1
	if n > 12 {
		every = (n + 11) / 12
	}
	var path strings.Builder
	for i, p := range pts {
		cx := float64(left) + slot*(float64(i)+0.5)
		if i%every == 0 || i == n-1 {
			fmt.Fprintf(&sb, `<text x="%.1f" y="%d" text-anchor="middle" class="dash-tick">%s</text>`, cx, height-bottom+14, html.EscapeString(p.Label))
		}
		if p.Value == nil {
			continue
		}
		open, close := "", ""
		if p.Link != "" {
			open, close = fmt.Sprintf(`<a href="%s" class="dash-link">`, html.EscapeString(p.Link)), `</a>`
		}
		tip := fmt.Sprintf(`<title>%s: %s</title>`, html.EscapeString(p.Label), html.EscapeString(p.Text))
		if line {
			if path.Len() == 0 {
				fmt.Fprintf(&path, "M%.1f %.1f", cx, y(*p.Value))
			} else {
				fmt.Fprintf(&path, " L%.1f %.1f", cx, y(*p.Value))
			}
			fmt.Fprintf(&sb, `%s<circle cx="%.1f" cy="%.1f" r="4" class="dash-point">%s</circle>%s`, open, cx, y(*p.Value), tip, close)
			continue
		}
		w := max(slot*0.6, 2)
		h := float64(height-bottom) - y(*p.Value)
		if *p.Value > 0 {
			h = max(h, 1.5)
		}
		fmt.Fprintf(&sb, `%s<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" class="dash-rect">%s</rect>`, open, cx-w/2, float64(height-bottom)-h, w, h, tip)
		if n <= 12 && *p.Value > 0 {
			fmt.Fprintf(&sb, `<text x="%.1f" y="%.1f" text-anchor="middle" class="dash-value dash-colval">%s</text>`, cx, float64(height-bottom)-h-3, html.EscapeString(p.Text))
		}
		sb.WriteString(close)
	}
	if path.Len() > 0 {
		fmt.Fprintf(&sb, `<path d="%s" class="dash-line"/>`, path.String())
	}
	sb.WriteString(`</svg>`)
	return sb.String()
}

// niceStep rounds a gridline step up to 1, 2 or 5 times a power of ten
// (at least 1).
func niceStep(v float64) float64 {
	if v <= 1 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if v <= m*p {
			return m * p
		}
	}
	return 10 * p
}

func trimFloat(v float64) string {
	if v == math.Trunc(v) {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%g", v)
}
