package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserConsultationJourney: a bank officer (Chinese) asks a question,
// sees the error of an empty question in place, then sends it; the expert
// (English) finds it through the unread count and its inbox, accepts and
// answers; the officer (Chinese) sees the answer attributed to tier and field
// only, never the expert's name, and rates it.
func TestBrowserConsultationJourney(t *testing.T) {
	x := newConsultEnv(t)
	e := x.env
	b := newBrowser(t, e)

	// The bank asks, in Chinese.
	b.login("officer")
	b.run("ask without a question",
		chromedp.Click(chromedp.CSS("#nav-consultations")),
		chromedp.WaitVisible(chromedp.CSS("#new-consultation")),
		chromedp.Click(chromedp.CSS("#new-consultation")),
		chromedp.WaitVisible(chromedp.CSS("#con-form")),
		chromedp.SetValue(chromedp.CSS("#c-route"), "lithium-battery.solid-state"),
		chromedp.Click(chromedp.CSS("#c-urgency-urgent")),
		chromedp.Click(chromedp.CSS("#con-submit")),
		chromedp.WaitVisible(chromedp.CSS("#err-question")),
	)
	if msg := b.text("#err-question"); !strings.Contains(msg, "咨询问题") {
		t.Errorf("empty question error = %q", msg)
	}
	if checked, _ := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`document.querySelector("#c-urgency-urgent").checked`)); !checked {
		t.Errorf("the form lost the urgency")
	}
	b.run("ask the question",
		chromedp.SendKeys(chromedp.CSS("#c-question"), "客户称其硫化物固态电池能量密度达 400 Wh/kg，这一水平可信吗？量产的主要障碍是什么？"),
		chromedp.Click(chromedp.CSS("#con-submit")),
		chromedp.WaitVisible(chromedp.CSS("#con-notice")),
	)
	if s := b.text("#con-state"); !strings.Contains(s, "待受理") {
		t.Errorf("state after asking = %q", s)
	}
	id := b.eval(`location.pathname.split("/").pop()`)
	if !strings.HasPrefix(id, "con-") {
		t.Fatalf("detail page path ends in %q", id)
	}
	b.screenshot("consultation-asked-zh")
	b.logout()

	// The expert, in English: the unread count leads to the inbox.
	b.open("/login?lang=en")
	b.login("expert")
	if n := b.text("#nav-unread"); n != "1" {
		t.Errorf("unread count in the nav = %q", n)
	}
	b.run("open the notifications",
		chromedp.Click(chromedp.CSS("#nav-notifications")),
		chromedp.WaitVisible(chromedp.CSS("#inbox")),
	)
	if s := b.text("#inbox"); !strings.Contains(s, "new consultation") {
		t.Errorf("inbox = %q", s)
	}
	b.screenshot("notifications-en")
	b.run("accept and answer",
		chromedp.Click(chromedp.CSS("#inbox .note-open")),
		chromedp.WaitVisible(chromedp.CSS("#con-accept")),
		chromedp.Click(chromedp.CSS("#con-accept")),
		chromedp.WaitVisible(chromedp.CSS("#con-answer-form")),
		chromedp.SendKeys(chromedp.CSS("#con-answer-text"), "400 Wh/kg has been shown on lab cells only; mass production still struggles with interface stability. Ask for the pilot line's yield data."),
		chromedp.Click(chromedp.CSS("#con-answer-submit")),
		chromedp.WaitVisible(chromedp.CSS("#con-answer")),
	)
	if s := b.text("#con-state"); !strings.Contains(s, "Answered") {
		t.Errorf("state after answering = %q", s)
	}
	if n := b.count("#nav-unread"); n != 0 {
		t.Errorf("the unread count stays after reading")
	}
	b.screenshot("consultation-answered-en")
	b.logout()

	// The bank, in Chinese, sees the answer by tier and field and rates it.
	b.open("/login?lang=zh-CN")
	b.login("officer")
	b.run("open the answered consultation",
		chromedp.Click(chromedp.CSS("#nav-notifications")),
		chromedp.WaitVisible(chromedp.CSS("#inbox")),
		chromedp.Navigate(b.url("/consultations/"+id)),
		chromedp.WaitVisible(chromedp.CSS("#con-answer")),
	)
	expert := b.text("#con-expert")
	if !strings.Contains(expert, "产业专家") || !strings.Contains(expert, "固态") {
		t.Errorf("the expert is shown as %q, want tier and field", expert)
	}
	page := b.eval(`document.body.innerText`)
	for _, secret := range []string{"李建国", "exp-1"} {
		if strings.Contains(page, secret) {
			t.Errorf("the bank's page names the expert (%s)", secret)
		}
	}
	b.run("rate the answer",
		chromedp.Click(chromedp.CSS("#con-star-5")),
		chromedp.Click(chromedp.CSS("#con-rate-submit")),
		chromedp.WaitVisible(chromedp.CSS("#con-stars")),
	)
	if s := b.text("#con-stars"); !strings.Contains(s, "5") {
		t.Errorf("rating shown as %q", s)
	}
	if n := b.count("#con-rate-form"); n != 0 {
		t.Errorf("the rating form is offered again")
	}
	b.screenshot("consultation-rated-zh")
	// The list shows it closed.
	b.run("open the consultations list", chromedp.Click(chromedp.CSS("#nav-consultations")), chromedp.WaitVisible(chromedp.CSS("#con-table")))
	if s := b.text("#con-table"); !strings.Contains(s, "已评价") || !strings.Contains(s, "紧急") {
		t.Errorf("list = %q", s)
	}
}
