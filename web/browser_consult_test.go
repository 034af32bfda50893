package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"kedaitong/internal/browsertest"
)

// TestBrowserConsultationJourney: a bank officer (Chinese) asks a question,
// sees the error of an empty question in place, then sends it; the expert
// (English) finds it through the unread count and its inbox, accepts and
// answers; the officer (Chinese) sees the answer attributed to tier and field
// only, never the expert's name, and rates it.
func TestBrowserConsultationJourney(t *testing.T) {
	x := newConsultEnv(t)
	e := x.env
	ctx := browsertest.New(t)
	login := func(user string) {
		t.Helper()
		if err := chromedp.Do(ctx,
			chromedp.Navigate(e.ts.URL+"/login"),
			chromedp.WaitVisible(chromedp.CSS("#login-form")),
			chromedp.SendKeys(chromedp.CSS("#username"), user),
			chromedp.SendKeys(chromedp.CSS("#password"), testPW),
			chromedp.Click(chromedp.CSS("#login-submit")),
			chromedp.WaitVisible(chromedp.CSS("#nav-account")),
		); err != nil {
			t.Fatalf("log in %s: %v", user, err)
		}
	}
	logout := func() {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#logout")), chromedp.WaitVisible(chromedp.CSS("#login-form"))); err != nil {
			t.Fatal(err)
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return s
	}

	// The bank asks, in Chinese.
	login("officer")
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS("#nav-consultations")),
		chromedp.WaitVisible(chromedp.CSS("#new-consultation")),
		chromedp.Click(chromedp.CSS("#new-consultation")),
		chromedp.WaitVisible(chromedp.CSS("#con-form")),
		chromedp.SetValue(chromedp.CSS("#c-route"), "lithium-battery.solid-state"),
		chromedp.Click(chromedp.CSS("#c-urgency-urgent")),
		chromedp.Click(chromedp.CSS("#con-submit")),
		chromedp.WaitVisible(chromedp.CSS("#err-question")),
	); err != nil {
		t.Fatal(err)
	}
	if msg := text("#err-question"); !strings.Contains(msg, "咨询问题") {
		t.Errorf("empty question error = %q", msg)
	}
	if checked, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector("#c-urgency-urgent").checked`)); !checked {
		t.Errorf("the form lost the urgency")
	}
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS("#c-question"), "客户称其硫化物固态电池能量密度达 400 Wh/kg，这一水平可信吗？量产的主要障碍是什么？"),
		chromedp.Click(chromedp.CSS("#con-submit")),
		chromedp.WaitVisible(chromedp.CSS("#con-notice")),
	); err != nil {
		t.Fatal(err)
	}
	if s := text("#con-state"); !strings.Contains(s, "待受理") {
		t.Errorf("state after asking = %q", s)
	}
	id, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`location.pathname.split("/").pop()`))
	if !strings.HasPrefix(id, "con-") {
		t.Fatalf("detail page path ends in %q", id)
	}
	browsertest.Screenshot(t, ctx, "consultation-asked-zh")
	logout()

	// The expert, in English: the unread count leads to the inbox.
	if err := chromedp.Do(ctx, chromedp.Navigate(e.ts.URL+"/login?lang=en")); err != nil {
		t.Fatal(err)
	}
	login("expert")
	if n := text("#nav-unread"); n != "1" {
		t.Errorf("unread count in the nav = %q", n)
	}
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS("#nav-notifications")),
		chromedp.WaitVisible(chromedp.CSS("#inbox")),
	); err != nil {
		t.Fatal(err)
	}
	if s := text("#inbox"); !strings.Contains(s, "new consultation") {
		t.Errorf("inbox = %q", s)
	}
	browsertest.Screenshot(t, ctx, "notifications-en")
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS("#inbox .note-open")),
		chromedp.WaitVisible(chromedp.CSS("#con-accept")),
		chromedp.Click(chromedp.CSS("#con-accept")),
		chromedp.WaitVisible(chromedp.CSS("#con-answer-form")),
		chromedp.SendKeys(chromedp.CSS("#con-answer-text"), "400 Wh/kg has been shown on lab cells only; mass production still struggles with interface stability. Ask for the pilot line's yield data."),
		chromedp.Click(chromedp.CSS("#con-answer-submit")),
		chromedp.WaitVisible(chromedp.CSS("#con-answer")),
	); err != nil {
		t.Fatal(err)
	}
	if s := text("#con-state"); !strings.Contains(s, "Answered") {
		t.Errorf("state after answering = %q", s)
	}
	if n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#nav-unread").length`)); n != 0 {
		t.Errorf("the unread count stays after reading")
	}
	browsertest.Screenshot(t, ctx, "consultation-answered-en")
	logout()

	// The bank, in Chinese, sees the answer by tier and field and rates it.
	if err := chromedp.Do(ctx, chromedp.Navigate(e.ts.URL+"/login?lang=zh-CN")); err != nil {
		t.Fatal(err)
	}
	login("officer")
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS("#nav-notifications")),
		chromedp.WaitVisible(chromedp.CSS("#inbox")),
		chromedp.Navigate(e.ts.URL+"/consultations/"+id),
		chromedp.WaitVisible(chromedp.CSS("#con-answer")),
	); err != nil {
		t.Fatal(err)
	}
	expert := text("#con-expert")
	if !strings.Contains(expert, "产业专家") || !strings.Contains(expert, "固态") {
		t.Errorf("the expert is shown as %q, want tier and field", expert)
	}
	page, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText`))
	for _, secret := range []string{"李建国", "exp-1"} {
		if strings.Contains(page, secret) {
			t.Errorf("the bank's page names the expert (%s)", secret)
		}
	}
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS("#con-star-5")),
		chromedp.Click(chromedp.CSS("#con-rate-submit")),
		chromedp.WaitVisible(chromedp.CSS("#con-stars")),
	); err != nil {
		t.Fatal(err)
	}
	if s := text("#con-stars"); !strings.Contains(s, "5") {
		t.Errorf("rating shown as %q", s)
	}
	if n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#con-rate-form").length`)); n != 0 {
		t.Errorf("the rating form is offered again")
	}
	browsertest.Screenshot(t, ctx, "consultation-rated-zh")
	// The list shows it closed.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#nav-consultations")), chromedp.WaitVisible(chromedp.CSS("#con-table"))); err != nil {
		t.Fatal(err)
	}
	if s := text("#con-table"); !strings.Contains(s, "已评价") || !strings.Contains(s, "紧急") {
		t.Errorf("list = %q", s)
	}
}
