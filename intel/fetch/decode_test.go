package fetch

import (
	"bytes"
	"testing"
	"time"
	"unicode/utf8"
)

func TestDecodeInvalidBytes(t *testing.T) {
	tests := []struct {
		name        string
		contentType string
		body        []byte
		want        string // substring of the output
	}{
		{"broken utf-8", "text/xml", []byte("<a>ok\xff\xfe\xc3</a>"), "<a>ok\uFFFD"},
		{"broken gb18030", "text/xml; charset=gb2312", []byte("<a>\xd6\xd0\xff</a>"), "<a>中"},
		{"truncated utf-16", "", []byte{0xff, 0xfe, '<', 0, 'a', 0, '>'}, "<a"},
		{"odd utf-32", "", []byte{0, 0, 0xfe, 0xff, 0, 0, 0, '<', 0x7f, 0xff, 0xff, 0xff}, "<"},
		{"declared utf-16 but 8-bit", "", []byte(`<?xml version="1.0" encoding="utf-16"?><a>x</a>`), `encoding="utf-8"?><a>x</a>`},
		{"html meta", "text/html", []byte(`<html><head><meta charset="gbk"></head><body>` + "\xd6\xd0" + `</body></html>`), "<body>中</body>"},
		{"empty", "text/xml", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Decode(tt.body, tt.contentType)
			if !utf8.Valid(got.Body) {
				t.Fatalf("Decode gave invalid UTF-8: %q", got.Body)
			}
			if !bytes.Contains(got.Body, []byte(tt.want)) {
				t.Errorf("Decode = %q, want it to contain %q", got.Body, tt.want)
			}
		})
	}
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte(`<?xml version="1.0" encoding="gb2312"?><rss/>`), "text/xml")
	f.Add([]byte{0xff, 0xfe, '<', 0}, "text/xml; charset=utf-16")
	f.Add([]byte("\xef\xbb\xbf<a/>"), "text/html; charset=big5")
	f.Fuzz(func(t *testing.T, body []byte, ct string) {
		got := Decode(body, ct)
		if !utf8.Valid(got.Body) {
			t.Fatalf("Decode(%q, %q) is not UTF-8: %q", body, ct, got.Body)
		}
	})
}

func TestBackoff(t *testing.T) {
	tests := []struct {
		interval   time.Duration
		failures   int
		retryAfter time.Duration
		want       time.Duration
	}{
		{time.Hour, 0, 0, time.Hour},
		{time.Hour, 1, 0, 2 * time.Hour},
		{time.Hour, 3, 0, 8 * time.Hour},
		{time.Hour, 5, 0, 24 * time.Hour},
		{time.Hour, 1000, 0, 24 * time.Hour},
		{time.Hour, 1, 5 * time.Hour, 5 * time.Hour},
		{time.Hour, 1, 30 * time.Minute, 2 * time.Hour},
		{time.Hour, 0, 90 * 24 * time.Hour, 24 * time.Hour},
		{48 * time.Hour, 2, 0, 48 * time.Hour},
		{0, 1, 0, 2 * DefaultInterval},
	}
	for _, tt := range tests {
		if got := BackoffFrom(tt.interval, tt.failures, tt.retryAfter); got != tt.want {
			t.Errorf("BackoffFrom(%v, %d, %v) = %v, want %v", tt.interval, tt.failures, tt.retryAfter, got, tt.want)
		}
	}
	if got, want := Backoff(2, 0), 4*DefaultInterval; got != want {
		t.Errorf("Backoff(2, 0) = %v, want %v", got, want)
	}
}
