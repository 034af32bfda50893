// Package rereview is the programme's "dynamic exit": a granted loan comes
// due for a technical re-review a configurable period after the bank's
// decision date (default 12 months); the re-review is a new panel round on
// the same enterprise — a new application of the bank linked to the
// previous one — and when that round's report is in, the exit rule decides
// whether the enterprise is "exit recommended".
//
// # The exit rule
//
// Exit is recommended, with the reason, when either
//   - the calibrated overall score fell by at least ScoreDrop (1.5 points
//     on the rubric's 1–9 scale) from the previous report, or
//   - a strict majority of the round's panel recommended do_not_support.
//
// # Documents
//
// One document per granted application in "rereviews" (its id is the
// granted application's id): state due_later → due → in_progress → concluded,
// the due date, the linked round, the outcome. Each change is one
// version-guarded write and is audited (rereview.schedule, rereview.due,
// rereview.start, rereview.conclude with detail exit), which the officials'
// dashboard counts.
package rereview

import (
	"fmt"
	"time"

	"kedaitong/taxonomy"
)

// ScoreDrop is the fall of the calibrated overall score that recommends
// exit.
const ScoreDrop = 1.5

// DefaultPeriod is the time from the lending decision to the re-review.
const DefaultPeriod = 12 // months

// Summary is what the rule needs of a panel's report.
type Summary struct {
	Calibrated      float64        // the calibrated overall score (1–9)
	Recommendations map[string]int // support, support_with_conditions, do_not_support
}

// Outcome is the rule's verdict.
type Outcome struct {
	Exit    bool            `json:"exit"`
	Reasons []taxonomy.Text `json:"reasons"`
	Drop    float64         `json:"drop"` // previous calibrated minus this round's
}

// Decide applies the exit rule to the previous report and the re-review's.
func Decide(prev, now Summary) Outcome {
	o := Outcome{Reasons: []taxonomy.Text{}}
	o.Drop = float64(int((prev.Calibrated-now.Calibrated)*100+sign(prev.Calibrated-now.Calibrated)*0.5)) / 100
	if o.Drop >= ScoreDrop {
		o.Exit = true
		o.Reasons = append(o.Reasons, taxonomy.Text{
			ZH: fmt.Sprintf("技术评分（校准后）由 %.2f 降至 %.2f，下降 %.2f 分（阈值 %.1f 分）", prev.Calibrated, now.Calibrated, o.Drop, ScoreDrop),
			EN: fmt.Sprintf("the calibrated technical score fell from %.2f to %.2f, by %.2f points (threshold %.1f)", prev.Calibrated, now.Calibrated, o.Drop, ScoreDrop)})
	}
	total, no := 0, now.Recommendations["do_not_support"]
	for _, n := range now.Recommendations {
		total += n
	}
	if total > 0 && 2*no > total {
		o.Exit = true
		o.Reasons = append(o.Reasons, taxonomy.Text{
			ZH: fmt.Sprintf("复评专家组多数（%d/%d）建议不予支持", no, total),
			EN: fmt.Sprintf("a majority of the re-review panel (%d of %d) recommended do_not_support", no, total)})
	}
	return o
}

func sign(f float64) float64 {
	if f < 0 {
		return -1
	}
	return 1
}

// DueDate is the date a loan decided on date comes due for re-review after
// months (the same day of the month, clamped to the month's end).
func DueDate(date string, months int) (string, error) {
	d, err := time.Parse("2006-01-02", date)
	if err != nil {
		return "", err
	}
	y, m, day := d.Date()
	first := time.Date(y, m+time.Month(months), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	return time.Date(first.Year(), first.Month(), min(day, last), 0, 0, 0, 0, time.UTC).Format("2006-01-02"), nil
}
