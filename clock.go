package kedaitong

import "time"

// Beijing is the platform's one time zone for calendar dates: the users
// live in Beijing time, so "today", a decision date and a founding date are
// Beijing dates whatever the server's own zone (UTC in most containers).
var Beijing = time.FixedZone("CST", 8*3600)

// Date is t's calendar date in Beijing, as YYYY-MM-DD.
func Date(t time.Time) string { return t.In(Beijing).Format("2006-01-02") }
