package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserPortraitBesideDossier, on a 390 px phone: an assigned expert
// reads the portrait inline beside the dossier on the scoring page (English
// and Chinese), with where the bank's figures differ; once the panel has
// closed, the bank officer reads the same differences on the report.
func TestBrowserPortraitBesideDossier(t *testing.T) {
	s, _, _ := hubScoringEnv(t)
	var u string
	for x := range s.seat {
		u = x
		break
	}
	s.accept(t, u)
	b := newBrowser(t, s.env)
	b.run("a phone-sized screen", chromedp.EmulateViewport(390, 844))
	b.loginAt("/login?lang=en", u, "#nav-account")
	b.run("the scoring page", chromedp.Navigate(b.url("/assignments/"+s.seat[u]+"/score")), chromedp.WaitVisible(chromedp.CSS("#hub-portrait")))
	if p := b.text("#hub-portrait"); !strings.Contains(p, "赣州芯研微电子有限公司") || !strings.Contains(p, "Latest revenue") ||
		!strings.Contains(p, "12,000,000") || !strings.Contains(p, "15,000,000") || !strings.Contains(p, "R&D intensity") {
		t.Errorf("portrait beside the dossier (en) = %q", p)
	}
	b.fitsWidth("scoring page with the portrait (en)")
	b.screenshot("scoring-portrait-en")
	b.run("in Chinese", chromedp.Navigate(b.url("/assignments/"+s.seat[u]+"/score?lang=zh-CN")), chromedp.WaitVisible(chromedp.CSS("#hub-portrait")))
	if p := b.text("#hub-portrait"); !strings.Contains(p, "最近一年营业收入") || !strings.Contains(p, "研发强度") {
		t.Errorf("portrait beside the dossier (zh) = %q", p)
	}
	b.fitsWidth("scoring page with the portrait (zh)")
	b.logout()

	for x := range s.seat { // close the panel: every seat scores and submits
		if x != u {
			s.accept(t, x)
		}
		if r := s.put(x, scoreJSON(6, "support")); r.status != 200 {
			t.Fatal(r.status, string(r.body))
		}
		if r := s.submit(x); r.status != 200 {
			t.Fatal(r.status, string(r.body))
		}
	}
	if r := s.report(t, "officer"); r.status != 200 {
		t.Fatalf("report = %d %s", r.status, r.body)
	}
	b.login("officer")
	b.run("the report", chromedp.Navigate(b.url("/applications/"+s.appID+"/report")), chromedp.WaitVisible(chromedp.CSS("#hub-diff-table")))
	if d := b.text("#hub-report"); !strings.Contains(d, "最近一年营业收入") || !strings.Contains(d, "15,000,000") {
		t.Errorf("differences on the report = %q", d)
	}
	b.fitsWidth("report with the differences")
	b.screenshot("report-differences-zh")
}
