package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"kedaitong/internal/browsertest"
)

// TestBrowserLoginAndUsers: a failed log-in shows an error (Chinese), the
// admin logs in, creates a bank officer with the form, logs out, and the
// officer logs in (English) and finds no user administration.
func TestBrowserLoginAndUsers(t *testing.T) {
	e := newEnv(t)
	e.seedUsers()
	ctx := browsertest.New(t)
	login := func(user, pw string) error {
		return chromedp.Do(ctx,
			chromedp.Navigate(e.ts.URL+"/login"),
			chromedp.WaitVisible(chromedp.CSS("#login-form")),
			chromedp.SendKeys(chromedp.CSS("#username"), user),
			chromedp.SendKeys(chromedp.CSS("#password"), pw),
			chromedp.Click(chromedp.CSS("#login-submit")),
		)
	}
	// A failed log-in.
	if err := login("admin", "not the password"); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS("#login-error"))); err != nil {
		t.Fatal(err)
	}
	msg, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#login-error")))
	if !strings.Contains(msg, "用户名或密码错误") {
		t.Errorf("failed log-in message = %q", msg)
	}
	browsertest.Screenshot(t, ctx, "login-failed-zh")

	// The admin logs in and creates a bank officer.
	if err := login("admin", testPW); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx,
		chromedp.WaitVisible(chromedp.CSS("#nav-users")),
		chromedp.Click(chromedp.CSS("#nav-users")),
		chromedp.WaitVisible(chromedp.CSS("#user-form")),
		chromedp.SendKeys(chromedp.CSS("#new-username"), "gz.officer7"),
		chromedp.SendKeys(chromedp.CSS("#new-password"), "Officer-pass 2026"),
		chromedp.SetValue(chromedp.CSS("#new-role"), "bank_officer"),
		chromedp.SendKeys(chromedp.CSS("#new-bank"), "gzb"),
		chromedp.Click(chromedp.CSS("#user-submit")),
		chromedp.WaitVisible(chromedp.CSS("#user-created")),
	); err != nil {
		t.Fatal(err)
	}
	table, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#users-table")))
	if !strings.Contains(table, "gz.officer7") || !strings.Contains(table, "银行信贷员") {
		t.Errorf("user table lacks the new officer: %q", table)
	}
	browsertest.Screenshot(t, ctx, "users-created-zh")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#logout")), chromedp.WaitVisible(chromedp.CSS("#login-form"))); err != nil {
		t.Fatal(err)
	}

	// The new officer logs in, in English.
	if err := chromedp.Do(ctx, chromedp.Navigate(e.ts.URL+"/?lang=en")); err != nil {
		t.Fatal(err)
	}
	if err := login("gz.officer7", "Officer-pass 2026"); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS("#nav-account"))); err != nil {
		t.Fatal(err)
	}
	name, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#nav-account")))
	if name != "gz.officer7" {
		t.Errorf("logged-in name = %q", name)
	}
	n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#nav-users").length`))
	if n != 0 {
		t.Error("a bank officer sees the user administration link")
	}
	lang, _ := chromedp.Run(ctx, chromedp.Evaluate[string]("document.documentElement.lang"))
	if lang != "en" {
		t.Errorf("language = %q, want en", lang)
	}
	browsertest.Screenshot(t, ctx, "officer-home-en")
	// The officer cannot open the admin page.
	if err := chromedp.Do(ctx, chromedp.Navigate(e.ts.URL+"/admin/users"), chromedp.WaitVisible(chromedp.CSS("#error-message"))); err != nil {
		t.Fatal(err)
	}
}
